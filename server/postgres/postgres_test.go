package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"worktalk.dev/worktalk/server/postgres"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/service/storetest"
)

// defaultURLs are tried in turn when WORKTALK_TEST_POSTGRES is unset: the
// local service with trust auth, as the postgres or the root role.
var defaultURLs = []string{
	"postgres://postgres@127.0.0.1:5432/test?sslmode=disable&connect_timeout=3",
	"postgres://root@127.0.0.1:5432/test?sslmode=disable&connect_timeout=3",
}

var (
	serverOnce sync.Once
	serverURL  string // the first URL that answered; "" if none
	serverErr  error
)

// findServer picks the URL of the test database once per run.
func findServer() (string, error) {
	serverOnce.Do(func() {
		urls := defaultURLs
		if u := os.Getenv("WORKTALK_TEST_POSTGRES"); u != "" {
			urls = []string{u}
		}
		for _, u := range urls {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			conn, err := pgx.Connect(ctx, u)
			if err == nil {
				err = conn.Ping(ctx)
				conn.Close(ctx)
			}
			cancel()
			if err == nil {
				serverURL, serverErr = u, nil
				return
			}
			serverErr = fmt.Errorf("%s: %w", redact(u), err)
		}
	})
	return serverURL, serverErr
}

func redact(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Redacted()
	}
	return "(unparsable url)"
}

// required reports whether a missing server must fail the run: CI must not
// skip a test whose service exists there.
func required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("WORKTALK_REQUIRE_POSTGRES") == "1"
}

// newSchema makes a fresh schema for t, dropped when t ends, and returns a
// URL whose search_path selects it.
func newSchema(t testing.TB) string {
	t.Helper()
	base, err := findServer()
	if err != nil {
		if required() {
			t.Fatalf("PostgreSQL is required (CI=true or WORKTALK_REQUIRE_POSTGRES=1) but not reachable: %v", err)
		}
		t.Skipf("skipping: PostgreSQL not reachable (%v); set WORKTALK_TEST_POSTGRES to a database URL", err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "worktalk_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("connect to drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", redact(base), err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
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
