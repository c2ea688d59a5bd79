package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"worktalk.dev/worktalk/server/postgres"
)

func schemaVersion(t *testing.T, u string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		t.Fatalf("read schema_version: %v", err)
	}
	return v
}

// TestOpenTogetherMigratesOnce: nodes starting at the same time take turns;
// one migrates, the others find the schema current.
func TestOpenTogetherMigratesOnce(t *testing.T) {
	u := newSchema(t)
	const nodes = 4
	var wg sync.WaitGroup
	errs := make(chan error, nodes)
	for range nodes {
		wg.Go(func() {
			db, err := postgres.Open(context.Background(), u)
			if err != nil {
				errs <- err
				return
			}
			db.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Open = %v", err)
	}
	if v := schemaVersion(t, u); v != postgres.SchemaVersion {
		t.Errorf("schema version = %d, want %d", v, postgres.SchemaVersion)
	}
	// Reopening is a no-op.
	mustOpen(t, u)
	if v := schemaVersion(t, u); v != postgres.SchemaVersion {
		t.Errorf("schema version after reopen = %d, want %d", v, postgres.SchemaVersion)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	u := newSchema(t)
	db := mustOpen(t, u)
	db.Close()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE schema_version SET version = version + 1`); err != nil {
		t.Fatalf("bump version: %v", err)
	}
	_, err = postgres.Open(ctx, u)
	if err == nil || !strings.Contains(err.Error(), "newer than this program") {
		t.Errorf("Open of a newer schema = %v, want a 'newer than this program' error", err)
	}
}

func TestOpenBadURL(t *testing.T) {
	if _, err := postgres.Open(context.Background(), "postgres://%zz"); err == nil {
		t.Errorf("Open(bad url) = nil, want an error")
	}
}

func TestOpenMissingSchema(t *testing.T) {
	u := newSchema(t)
	u = strings.Replace(u, "search_path=", "search_path=nosuch_", 1)
	_, err := postgres.Open(context.Background(), u)
	if err == nil || !strings.Contains(err.Error(), "no schema of the search_path exists") {
		t.Errorf("Open with a missing schema = %v, want a 'no schema' error", err)
	}
}
