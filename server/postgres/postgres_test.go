package postgres_test

import (
	"context"
	"testing"

	"worktalk.dev/worktalk/server/postgres"
	"worktalk.dev/worktalk/server/postgres/pgtest"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/service/storetest"
)

func newSchema(t testing.TB) string {
	t.Helper()
	return pgtest.NewSchema(t)
}

// mustOpen opens the store at u, closed when t ends (before its schema is
// dropped: cleanups run last-in first-out).
func mustOpen(t testing.TB, u string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStoreSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) service.Store {
		return mustOpen(t, newSchema(t))
	})
}

// TestStoreSuiteShared runs the two-handle tests over two pools on one
// schema, as two worktalkd nodes have.
func TestStoreSuiteShared(t *testing.T) {
	storetest.RunShared(t, func(t *testing.T) (service.Store, service.Store) {
		u := newSchema(t)
		return mustOpen(t, u), mustOpen(t, u)
	})
}

func TestServiceText(t *testing.T) {
	storetest.RunText(t, func(t *testing.T) service.Store {
		return mustOpen(t, newSchema(t))
	})
}
