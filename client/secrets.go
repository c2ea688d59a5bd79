package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/protocol"
)

// SecretService is the service name secrets are stored under.
const SecretService = "worktalk"

// ErrNoKeyring is returned by SignIn when the OS keyring cannot be used and
// file secrets were not allowed.
var ErrNoKeyring = &protocol.Error{Code: protocol.EInternal,
	Message: "no OS keyring: install and start gnome-keyring (or another Secret Service), or pass --insecure-file-secrets"}

// FileSecretsWarning is the State warning shown while tokens are in a file.
const FileSecretsWarning = "Your sign-in token and the key of this workspace's local data are kept in a file protected only by file permissions, because this computer has no OS keyring: a copy of the data folder can be read. Install gnome-keyring (or another Secret Service) to keep them safer."

// secretUser is the keyring user name of an account's session token.
func secretUser(serverURL, memberID string) string { return serverURL + "|" + memberID }

// FileSecrets is a secret.Store in one JSON file readable by its owner
// only. It is used only when the user explicitly allows it.
type FileSecrets struct {
	Path string
	mu   sync.Mutex
}

var _ secret.Store = (*FileSecrets)(nil)

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

// Get implements secret.Store.
func (f *FileSecrets) Get(service, user string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.read()
	if err != nil {
		return "", err
	}
	s, ok := m[service+"\x00"+user]
	if !ok {
		return "", secret.ErrNotFound
	}
	return s, nil
}

// Set implements secret.Store.
func (f *FileSecrets) Set(service, user, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.read()
	if err != nil {
		return err
	}
	m[service+"\x00"+user] = value
	return f.write(m)
}

// Delete implements secret.Store.
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

func fileSecrets(opt Options) (*FileSecrets, error) {
	dir, err := opt.dataDir()
	if err != nil {
		return nil, err
	}
	return &FileSecrets{Path: filepath.Join(dir, "secrets.json")}, nil
}

// secretStoreFor picks the store an account's token is in and the warning
// to show for it.
func secretStoreFor(opt Options, inFile bool) (secret.Store, string, error) {
	if opt.Secrets != nil {
		return opt.Secrets, "", nil
	}
	if inFile {
		fs, err := fileSecrets(opt)
		return fs, FileSecretsWarning, err
	}
	return secret.Keyring{}, "", nil
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
