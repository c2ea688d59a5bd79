package lock

import (
	"errors"
	"fmt"
	"sync"

	"github.com/zalando/go-keyring"
)

// ErrNotFound is what a SecretStore returns from Get when the entry is absent.
var ErrNotFound = errors.New("secret not found")

// SecretStore keeps the lock record. It has the shape of client.SecretStore;
// it is declared again here so that package lock does not depend on the engine.
type SecretStore interface {
	Get(service, user string) (string, error) // ErrNotFound (or keyring.ErrNotFound) when absent
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// Keyring is the OS keyring (Secret Service, macOS Keychain, Windows
// Credential Manager) through go-keyring.
type Keyring struct{}

var _ SecretStore = Keyring{}

func (Keyring) Get(service, user string) (string, error) {
	s, err := keyring.Get(service, user)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("keyring get: %w", err)
	}
	return s, nil
}

func (Keyring) Set(service, user, secret string) error {
	if err := keyring.Set(service, user, secret); err != nil {
		return fmt.Errorf("keyring set: %w", err)
	}
	return nil
}

func (Keyring) Delete(service, user string) error {
	err := keyring.Delete(service, user)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("keyring delete: %w", err)
	}
	return nil
}

// MemoryStore is a SecretStore in memory, for tests and previews. Entries
// live as long as the value, so two Locks opened on one MemoryStore behave
// like two runs of the app on one keyring.
type MemoryStore struct {
	mu sync.Mutex
	m  map[[2]string]string // guarded by mu
}

var _ SecretStore = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[[2]string]string{}} }

func (s *MemoryStore) Get(service, user string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[[2]string{service, user}]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

func (s *MemoryStore) Set(service, user, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[[2]string{service, user}] = secret
	return nil
}

func (s *MemoryStore) Delete(service, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, [2]string{service, user})
	return nil
}

// isNotFound accepts this package's sentinel and go-keyring's, so that a
// store written for the engine (which may pass keyring errors through)
// works here unchanged.
func isNotFound(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, keyring.ErrNotFound)
}
