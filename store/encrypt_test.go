package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// Strings that must never be readable in the files of an encrypted store.
var secretTexts = []string{"Bartholomew Quince", "김서연", "the quarterly numbers are in the blue folder", "Quince Holdings"}

// secretSnapshot is a workspace whose names and texts are secretTexts.
func secretSnapshot() protocol.Snapshot {
	s := testSnapshot()
	s.Workspace.Name = "Quince Holdings"
	s.Members = append(s.Members, protocol.Profile{ID: "bq", WorkspaceID: "w1", Name: "Bartholomew Quince", Version: 1},
		protocol.Profile{ID: "ks", WorkspaceID: "w1", Name: "김서연", Version: 1})
	s.Messages = append(s.Messages, protocol.Message{ID: "m3", RoomID: protocol.SelfRoomID("me"), SenderID: "me",
		Kind: protocol.MessageText, Text: "the quarterly numbers are in the blue folder", Seq: 10})
	return s
}

// moreSecretEvents adds messages with the secret texts after the snapshot,
// so that some of them are only in the WAL.
func moreSecretEvents(tb testing.TB, n int) []store.Event {
	evs := make([]store.Event, n)
	for i := range evs {
		seq := int64(11 + i)
		m := protocol.Message{ID: fmt.Sprintf("s%04d", i), RoomID: protocol.SelfRoomID("me"), SenderID: "me", Kind: protocol.MessageText,
			Text: fmt.Sprintf("%d: %s, says 김서연", i, secretTexts[2]), Seq: seq, SentAt: 1700000000000 + seq}
		evs[i] = store.Event{Seq: seq, Op: protocol.EvMessageNew, Data: mustJSON(tb, m)}
	}
	return evs
}

// fillSecrets writes secretSnapshot and n more messages.
func fillSecrets(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ApplySnapshot(ctx, secretSnapshot()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyEvents(ctx, moreSecretEvents(t, n)); err != nil {
		t.Fatal(err)
	}
}

// copyOpenFiles copies the database file and its WAL as they are on disk
// while the database is open: what a kill -9 leaves behind.
func copyOpenFiles(t *testing.T, path string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(path))
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// readable returns the secret texts found in the raw bytes of the files of
// the database at path.
func readable(t *testing.T, path string) []string {
	t.Helper()
	var found []string
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secretTexts {
			if bytes.Contains(b, []byte(s)) {
				found = append(found, fmt.Sprintf("%q in %s", s, filepath.Base(p)))
			}
		}
	}
	return found
}

func TestEncryptedFilesHoldNoText(t *testing.T) {
	for _, tc := range []struct {
		name      string
		key       []byte
		wantPlain bool
	}{
		{"plain", nil, true}, // shows that the search finds the texts
		{"encrypted", store.NewKey(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "local.db")
			db, err := store.Open(path, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			fillSecrets(t, db, 200)
			if _, err := os.Stat(path + "-wal"); err != nil {
				t.Fatalf("no WAL while open: %v", err)
			}
			open := readable(t, path)
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			closed := readable(t, path)
			if tc.wantPlain {
				if len(open) == 0 || len(closed) == 0 {
					t.Errorf("plain store: found %v while open and %v closed, want the texts", open, closed)
				}
				return
			}
			if len(open)+len(closed) > 0 {
				t.Errorf("encrypted store: readable %v while open, %v closed", open, closed)
			}
			if k, err := store.Inspect(path); k != store.FileEncrypted || err != nil {
				t.Errorf("Inspect = %v, %v; want FileEncrypted", k, err)
			}
		})
	}
}

func TestWrongKeyLosesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "local.db")
	key := store.NewKey()
	db, err := store.Open(path, key)
	if err != nil {
		t.Fatal(err)
	}
	fillSecrets(t, db, 50)
	// The copy has commits in its WAL that are not in the main file yet.
	crashed := copyOpenFiles(t, path)
	db.Close()
	before := fileBytes(t, crashed)
	if _, ok := before["-wal"]; !ok {
		t.Fatal("the copy has no WAL; the test would not show that it survives")
	}

	for _, tc := range []struct {
		name string
		key  []byte
		want error
	}{
		{"wrong key", store.NewKey(), store.ErrWrongKey},
		{"no key", nil, store.ErrNotEncrypted},
	} {
		db, err := store.Open(crashed, tc.key)
		if err == nil {
			db.Close()
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Open = %v, want %v", tc.name, err, tc.want)
		}
		if after := fileBytes(t, crashed); !sameFiles(before, after) {
			t.Errorf("%s: Open changed the files: %d files before, %d after", tc.name, len(before), len(after))
		}
	}

	db, err = store.Open(crashed, key)
	if err != nil {
		t.Fatalf("Open with the right key after wrong ones: %v", err)
	}
	defer db.Close()
	if c, _ := db.Cursor(ctx); c != 60 {
		t.Errorf("Cursor = %d, want 60 (the last event, from the WAL)", c)
	}
	ms, err := db.Messages(ctx, protocol.SelfRoomID("me"), 0, 500)
	if err != nil || len(ms) != 53 {
		t.Errorf("Messages = %d, %v; want 53", len(ms), err)
	}
}

func TestPlainStoreIsEncryptedInPlace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "local.db")
	old, err := store.Open(path, nil) // as an older version wrote it
	if err != nil {
		t.Fatal(err)
	}
	fillSecrets(t, old, 300)
	id := protocol.NewID()
	pending := &protocol.Message{ID: id, RoomID: protocol.SelfRoomID("me"), SenderID: "me", Kind: protocol.MessageText, Text: "unsent " + secretTexts[0]}
	entry := store.Entry{ID: id, Op: protocol.OpMessageSend, Body: mustJSON(t, protocol.SendMessage{RoomID: pending.RoomID, Text: pending.Text}), Created: time.Now()}
	if _, _, err := old.Enqueue(ctx, entry, store.Effect{Message: pending}); err != nil {
		t.Fatal(err)
	}
	// Killed, not closed: the last commits are only in the plain WAL. An
	// earlier update that died halfway left a partial encrypted copy.
	crashed := copyOpenFiles(t, path)
	old.Close()
	if err := os.WriteFile(crashed+".encrypting", []byte("half a copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	if len(readable(t, crashed)) == 0 {
		t.Fatal("the plain copy shows no texts; the test would prove nothing")
	}

	key := store.NewKey()
	db, err := store.Open(crashed, key)
	if err != nil {
		t.Fatalf("Open of a plain store with a key: %v", err)
	}
	if c, _ := db.Cursor(ctx); c != 310 {
		t.Errorf("Cursor = %d, want 310", c)
	}
	ms, _ := db.Messages(ctx, protocol.SelfRoomID("me"), 0, 500)
	if len(ms) != 304 { // 3 in the snapshot, 300 events, 1 pending
		t.Errorf("Messages = %d, want 304", len(ms))
	}
	if out, _ := db.Outbox(ctx); len(out) != 1 {
		t.Errorf("Outbox = %d entries, want 1", len(out))
	}
	r, _ := db.Replica(ctx)
	if r.Workspace.Name != "Quince Holdings" || len(r.Coworkers) != 3 {
		t.Errorf("Replica: workspace %q, %d coworkers; want Quince Holdings and 3", r.Workspace.Name, len(r.Coworkers))
	}
	db.Close()
	if found := readable(t, crashed); len(found) > 0 {
		t.Errorf("after the update, readable: %v", found)
	}
	if _, err := os.Stat(crashed + ".encrypting"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the partial copy is still there: %v", err)
	}
	if _, err := store.Open(crashed, nil); !errors.Is(err, store.ErrNotEncrypted) {
		t.Errorf("Open without key after the update = %v, want ErrNotEncrypted", err)
	}
}

func fileBytes(t *testing.T, path string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		f, err := os.Open(path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		m[suffix] = b
	}
	return m
}

// sameFiles compares the database file and its WAL; the shared-memory
// index may be rebuilt by any reader.
func sameFiles(a, b map[string][]byte) bool {
	for _, s := range []string{"", "-wal"} {
		if !bytes.Equal(a[s], b[s]) {
			return false
		}
	}
	return true
}
