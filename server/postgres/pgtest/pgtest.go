// Package pgtest gives tests a fresh PostgreSQL schema of their own on the
// local test server, or skips them with the reason when there is none.
//
// The server is WORKTALK_TEST_POSTGRES, else postgres://postgres@ and then
// postgres://root@ 127.0.0.1:5432/test (trust auth). With CI=true or
// WORKTALK_REQUIRE_POSTGRES=1 a missing server fails the test instead: CI
// must not pass by skipping.
package pgtest

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
)

var defaultURLs = []string{
	"postgres://postgres@127.0.0.1:5432/test?sslmode=disable&connect_timeout=3",
	"postgres://root@127.0.0.1:5432/test?sslmode=disable&connect_timeout=3",
}

var (
	serverOnce sync.Once
	serverURL  string // the first URL that answered
	serverErr  error  // why none did
)

// server finds the test server once per process.
func server() (string, error) {
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
			serverErr = fmt.Errorf("%s: %w", Redact(u), err)
		}
	})
	return serverURL, serverErr
}

// Redact hides the password of a database URL.
func Redact(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Redacted()
	}
	return "(unparsable url)"
}

// Required reports whether a missing server fails tests rather than skip them.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("WORKTALK_REQUIRE_POSTGRES") == "1"
}

// NewSchema makes a fresh schema, dropped when tb ends, and returns a URL
// whose search_path selects it. Open stores on it after calling NewSchema,
// so their cleanups (closing them) run before the drop.
func NewSchema(tb testing.TB) string {
	tb.Helper()
	base, err := server()
	if err != nil {
		if Required() {
			tb.Fatalf("PostgreSQL is required (CI=true or WORKTALK_REQUIRE_POSTGRES=1) but not reachable: %v", err)
		}
		tb.Skipf("skipping: PostgreSQL not reachable (%v); set WORKTALK_TEST_POSTGRES to a database URL", err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "worktalk_test_" + hex.EncodeToString(b[:])
	exec := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if err := exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", Redact(base), err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
