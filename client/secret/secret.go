// Package secret keeps small secrets of this device, the session tokens and
// the lock password record, in the OS keyring (Secret Service, macOS
// Keychain, Windows Credential Manager) through go-keyring, or in memory
// for tests and previews.
package secret

import (
	"errors"
	"fmt"
	"sync"

	"github.com/zalando/go-keyring"
)

// Store keeps secrets by service and user name.
type Store interface {
	// Get returns ErrNotFound when the entry is absent.
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	// Delete of an absent entry is not an error.
	Delete(service, user string) error
}

// ErrNotFound is what Store.Get returns for an absent entry.
var ErrNotFound = errors.New("secret not found")

// Keyring is the OS keyring.
type Keyring struct{}

var _ Store = Keyring{}

// Get implements Store.
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

// Set implements Store.
func (Keyring) Set(service, user, secret string) error {
	if err := keyring.Set(service, user, secret); err != nil {
		return fmt.Errorf("keyring set: %w", err)
	}
	return nil
}

// Delete implements Store.
func (Keyring) Delete(service, user string) error {
	err := keyring.Delete(service, user)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("keyring delete: %w", err)
	}
	return nil
}

// Memory is a Store in memory; the zero value is empty and ready. Entries
// live as long as the value, so two users of one Memory behave like two
// runs of the app on one keyring.
type Memory struct {
	mu sync.Mutex
	m  map[[2]string]string // guarded by mu
}

var _ Store = (*Memory)(nil)

// Get implements Store.
func (s *Memory) Get(service, user string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[[2]string{service, user}]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

// Set implements Store.
func (s *Memory) Set(service, user, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[[2]string]string{}
	}
	s.m[[2]string{service, user}] = secret
	return nil
}

// Delete implements Store.
func (s *Memory) Delete(service, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, [2]string{service, user})
	return nil
}
