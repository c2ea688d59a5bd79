package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"worktalk.dev/worktalk/server/postgres"
	"worktalk.dev/worktalk/server/service/storetest"
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

// TestMigrateWorkspaceEvents: per-member feed rows of workspace-wide events
// written before schema 3 become one workspace event each, and every
// member's feed reads the same as before.
func TestMigrateWorkspaceEvents(t *testing.T) {
	ctx := context.Background()
	u := newSchema(t)
	old, err := postgres.OpenAtVersion(ctx, u, 2)
	if err != nil {
		t.Fatal(err)
	}
	o := storetest.FeedsBeforeWorkspaceEvents
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := old.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, w := range o.Workspaces {
		exec(`INSERT INTO workspaces (id, name, settings, created_at) VALUES ($1, $1, '{}', 0)`, w)
	}
	for _, m := range o.Members {
		exec(`INSERT INTO members (id, workspace_id, email, password_hash, name, fields, created_at) VALUES ($1, $2, $3, '', $1, '{}', $4)`,
			m.ID, m.Workspace, m.ID+"@x.example", m.Created)
	}
	for _, e := range o.Events {
		exec(`INSERT INTO events (seq, op, data, created_at) VALUES ($1, $2, $3, $4)`, e.Seq, e.Op, []byte(e.Data), e.Created)
		for _, m := range e.Feed {
			exec(`INSERT INTO feed (member_id, seq) VALUES ($1, $2)`, m, e.Seq)
		}
	}
	exec(`UPDATE counters SET value = $1 WHERE name = 'events'`, int64(len(o.Events)))
	old.Close()
	db := mustOpen(t, u)
	o.Check(t, db, []int64{1, 3})
}
