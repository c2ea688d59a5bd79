package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/zalando/go-keyring"

	"worktalk.dev/worktalk/protocol"
)

// SecretStore keeps session tokens (and the lock password hash). Default: the OS keyring via go-keyring.
type SecretStore interface {
	Get(service, user string) (string, error) // ErrSecretNotFound when absent
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// ErrSecretNotFound is returned by SecretStore.Get for a missing secret.
var ErrSecretNotFound = errors.New("secret not found")

// SecretService is the service name secrets are stored under.
const SecretService = "worktalk"

// ErrNoKeyring is returned by SignIn when the OS keyring cannot be used and
// file secrets were not allowed.
var ErrNoKeyring = &protocol.Error{Code: protocol.EInternal,
	Message: "no OS keyring: install and start gnome-keyring (or another Secret Service), or pass --insecure-file-secrets"}

// FileSecretsWarning is the State warning shown while tokens are in a file.
const FileSecretsWarning = "Your sign-in token is kept in a file protected only by file permissions, because this computer has no OS keyring. Install gnome-keyring (or another Secret Service) to keep it safer."

// secretUser is the keyring user name of an account's session token.
func secretUser(serverURL, memberID string) string { return serverURL + "|" + memberID }

// KeyringSecrets is the OS keyring (Secret Service, Keychain, Credential Manager).
type KeyringSecrets struct{}

// Get implements SecretStore.
func (KeyringSecrets) Get(service, user string) (string, error) {
	s, err := keyring.Get(service, user)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrSecretNotFound
	}
	return s, err
}

// Set implements SecretStore.
func (KeyringSecrets) Set(service, user, secret string) error {
	return keyring.Set(service, user, secret)
}

// Delete implements SecretStore. Deleting a missing secret is not an error.
func (KeyringSecrets) Delete(service, user string) error {
	err := keyring.Delete(service, user)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// FileSecrets keeps secrets in one JSON file readable by its owner only.
// It is used only when the user explicitly allows it.
type FileSecrets struct {
	Path string
	mu   sync.Mutex
}

func (f *FileSecrets) read() (map[string]string, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secrets file: %w", err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode secrets file: %w", err)
	}
	return m, nil
}

func (f *FileSecrets) write(m map[string]string) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return fmt.Errorf("write secrets file: %w", err)
	}
	return writeFileAtomic(f.Path, b, 0o600)
}

// Get implements SecretStore.
func (f *FileSecrets) Get(service, user string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.read()
	if err != nil {
		return "", err
	}
	s, ok := m[service+"\x00"+user]
	if !ok {
		return "", ErrSecretNotFound
	}
	return s, nil
}

// Set implements SecretStore.
func (f *FileSecrets) Set(service, user, secret string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.read()
	if err != nil {
		return err
	}
	m[service+"\x00"+user] = secret
	return f.write(m)
}

// Delete implements SecretStore.
func (f *FileSecrets) Delete(service, user string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.read()
	if err != nil {
		return err
	}
	delete(m, service+"\x00"+user)
	return f.write(m)
}

// MemorySecrets keeps secrets in memory: for tests and throwaway sessions.
type MemorySecrets struct {
	mu sync.Mutex
	m  map[string]string
}

// Get implements SecretStore.
func (s *MemorySecrets) Get(service, user string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[service+"\x00"+user]
	if !ok {
		return "", ErrSecretNotFound
	}
	return v, nil
}

// Set implements SecretStore.
func (s *MemorySecrets) Set(service, user, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[service+"\x00"+user] = secret
	return nil
}

// Delete implements SecretStore.
func (s *MemorySecrets) Delete(service, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, service+"\x00"+user)
	return nil
}

func fileSecrets(opt Options) (*FileSecrets, error) {
	dir, err := opt.dataDir()
	if err != nil {
		return nil, err
	}
	return &FileSecrets{Path: filepath.Join(dir, "secrets.json")}, nil
}

// secretStoreFor picks the store an account's token is in and the warning
// to show for it.
func secretStoreFor(opt Options, inFile bool) (SecretStore, string, error) {
	if opt.Secrets != nil {
		return opt.Secrets, "", nil
	}
	if inFile {
		fs, err := fileSecrets(opt)
		return fs, FileSecretsWarning, err
	}
	return KeyringSecrets{}, "", nil
}

// writeFileAtomic writes b to path through a temporary file and a rename, so
// a crash leaves either the old or the new content.
func writeFileAtomic(path string, b []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
