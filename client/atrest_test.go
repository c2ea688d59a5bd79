package client

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/store"
)

// readableIn returns which of texts appear in the raw bytes of any file
// under dir.
func readableIn(t *testing.T, dir string, texts ...string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range texts {
			if bytes.Contains(b, []byte(s)) {
				found = append(found, s+" in "+d.Name())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// The data folder of a synced workspace holds no message text and no name
// in readable form, while the engine runs and after; a copy of it opened
// without the keyring's key fails with ErrLocalDataKey and changes
// nothing, and signing in again there starts over from the server.
func TestLocalDataEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Quince Holdings")
	alice := w.env.NewUser(ws.ID, "Alice")
	w.env.NewUser(ws.ID, "Bartholomew Quince")
	// accounts.json names the workspace, for the switcher before anything
	// is opened: the workspace name is only searched in the account's
	// directory.
	texts := []string{"Bartholomew Quince", "the quarterly numbers are in the blue folder", "Quince Holdings"}

	opt := w.options(t)
	acct := w.account(t, opt, alice, w.proxy)
	e := mustOpen(t, opt, acct)
	waitFor(t, e, "online with the coworker", func(s State) bool { return s.Conn.Online && len(s.Members) == 1 })
	room, err := e.OpenSelfRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, err := e.SendMessage(ctx, room, texts[1]); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, e, "sent", synced)
	dir := e.dir
	readable := func() []string {
		return append(readableIn(t, opt.DataDir, texts[:2]...), readableIn(t, dir, texts[2])...)
	}
	if found := readable(); len(found) > 0 {
		t.Errorf("readable while running: %v", found)
	}
	// The copy is taken while the engine runs, as a backup would.
	copied := t.TempDir()
	if err := os.CopyFS(copied, os.DirFS(opt.DataDir)); err != nil {
		t.Fatal(err)
	}
	e.Close()
	if found := readable(); len(found) > 0 {
		t.Errorf("readable after close: %v", found)
	}
	if k, err := store.Inspect(filepath.Join(dir, storeFile)); k != store.FileEncrypted {
		t.Errorf("Inspect = %v, %v; want FileEncrypted", k, err)
	}

	// The copy with the session token but not the database key, as on
	// another computer whose keyring someone filled by hand.
	other := Options{DataDir: copied, Secrets: &secret.Memory{}, After: w.gate.After, RequestTimeout: opt.RequestTimeout}
	tok, _ := opt.Secrets.Get(SecretService, secretUser(acct.ServerURL, acct.MemberID))
	other.Secrets.Set(SecretService, secretUser(acct.ServerURL, acct.MemberID), tok)
	copiedDir, _ := accountDir(other, acct)
	before, _ := os.ReadFile(filepath.Join(copiedDir, storeFile))
	if _, err := Open(ctx, other, acct); !errors.Is(err, ErrLocalDataKey) {
		t.Fatalf("Open without the key = %v, want ErrLocalDataKey", err)
	}
	other.Secrets.Set(SecretService, storeKeyUser(acct.ServerURL, acct.MemberID), strings.Repeat("ab", store.KeySize))
	if _, err := Open(ctx, other, acct); !errors.Is(err, ErrLocalDataKey) {
		t.Fatalf("Open with another key = %v, want ErrLocalDataKey", err)
	}
	if after, _ := os.ReadFile(filepath.Join(copiedDir, storeFile)); !bytes.Equal(before, after) {
		t.Error("a failed Open changed the database file")
	}

	// Signing in there sets the unreadable file aside and starts over.
	if _, _, err := SignIn(ctx, other, acct.ServerURL, alice.Email, alice.Password, ws.ID); err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	aside, _ := filepath.Glob(filepath.Join(copiedDir, storeFile+".unreadable-*"))
	if len(aside) == 0 {
		t.Error("the unreadable file was not kept")
	}
	e2 := mustOpen(t, other, acct)
	st := waitFor(t, e2, "synced from the server", func(s State) bool { return s.Conn.Online && lastText(s, room) == texts[1] })
	if st.Workspace.Name != "Quince Holdings" {
		t.Errorf("workspace = %q after starting over", st.Workspace.Name)
	}
}

// A store written by an older version, plain and with an unsent message
// in its outbox, is encrypted when the new version opens it; nothing is
// lost and the unsent message goes out.
func TestPlainStoreMigratesOnOpen(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	opt := w.options(t)
	acct := w.account(t, opt, alice, w.proxy)

	w.gate.Set(false)
	w.proxy.SetDown(true)
	old := opt
	old.plainStore = true
	e := mustOpen(t, old, acct)
	room, err := e.OpenSelfRoom(ctx) // offline: stays in the outbox
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.SendMessage(ctx, room, "written before the update"); err != nil {
		t.Fatal(err)
	}
	e.Close()
	path := filepath.Join(e.dir, storeFile)
	if k, _ := store.Inspect(path); k != store.FilePlain {
		t.Fatalf("the old store is %v, want FilePlain", k)
	}

	w.proxy.SetDown(false)
	w.gate.Set(true)
	e = mustOpen(t, opt, acct)
	if k, _ := store.Inspect(path); k != store.FileEncrypted {
		t.Errorf("after the update the store is %v, want FileEncrypted", k)
	}
	if p := e.State().Pending; p < 1 {
		t.Errorf("Pending = %d after the update, want the unsent message kept", p)
	}
	waitFor(t, e, "the unsent message sent", func(s State) bool { return synced(s) && lastText(s, room) == "written before the update" })
	if found := readableIn(t, e.dir, "written before the update"); len(found) > 0 {
		t.Errorf("readable after the update: %v", found)
	}
}
