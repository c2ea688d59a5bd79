package sqlite_test

import (
	"path/filepath"
	"testing"

	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/service/storetest"
	"worktalk.dev/worktalk/server/sqlite"
)

// mustOpen opens a store at path, closed when t ends.
func mustOpen(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
	return db
}

func TestStoreSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) service.Store {
		return mustOpen(t, filepath.Join(t.TempDir(), "worktalk.db"))
	})
}

// TestStoreSuiteShared runs the two-handle tests over two connections to one
// file, as two processes would have.
func TestStoreSuiteShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (service.Store, service.Store) {
		path := filepath.Join(t.TempDir(), "worktalk.db")
		return mustOpen(t, path), mustOpen(t, path)
	})
}

func TestServiceText(t *testing.T) {
	storetest.RunText(t, func(t *testing.T) service.Store {
		return mustOpen(t, filepath.Join(t.TempDir(), "worktalk.db"))
	})
}
