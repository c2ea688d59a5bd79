package client

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"worktalk.dev/worktalk/client/secret"
)

// FileSecrets keeps the secret.Store contract, in a file only its owner reads.
func TestFileSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secrets.json")
	st := &FileSecrets{Path: path}
	if _, err := st.Get("svc", "a"); !errors.Is(err, secret.ErrNotFound) {
		t.Fatalf("Get(absent) err = %v, want secret.ErrNotFound", err)
	}
	if err := st.Set("svc", "a", "token"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file: %v, %v; want mode 0600", fi, err)
	}
	if got, err := (&FileSecrets{Path: path}).Get("svc", "a"); got != "token" || err != nil {
		t.Fatalf("Get from a second FileSecrets = %q, %v; want token, nil", got, err)
	}
	if err := st.Delete("svc", "a"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := st.Get("svc", "a"); !errors.Is(err, secret.ErrNotFound) {
		t.Fatalf("Get after Delete err = %v, want secret.ErrNotFound", err)
	}
	if err := st.Delete("svc", "a"); err != nil {
		t.Fatalf("Delete(absent) = %v, want nil", err)
	}
	if err := os.WriteFile(path, []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get("svc", "a"); err == nil || errors.Is(err, secret.ErrNotFound) {
		t.Fatalf("Get from a damaged file err = %v, want a decode error", err)
	}
}
