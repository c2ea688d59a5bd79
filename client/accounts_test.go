package client

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/internal/servertest"
)

// A damaged accounts.json is an error that says so, from Open and Accounts
// alike, not an account that looks signed out.
func TestDamagedAccountsFile(t *testing.T) {
	opt := Options{DataDir: t.TempDir(), Secrets: &secret.Memory{}, After: servertest.NewGate(false).After}
	if err := os.WriteFile(filepath.Join(opt.DataDir, "accounts.json"), []byte(`{"accounts": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Accounts(opt); !errors.Is(err, ErrAccountsDamaged) {
		t.Errorf("Accounts err = %v, want ErrAccountsDamaged", err)
	}
	e, err := Open(context.Background(), opt, Account{ServerURL: "http://127.0.0.1:1", MemberID: "m1", WorkspaceID: "w1"})
	if err == nil {
		e.Close()
	}
	if !errors.Is(err, ErrAccountsDamaged) {
		t.Errorf("Open err = %v, want ErrAccountsDamaged", err)
	}
}
