package main

import (
	"bytes"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/natsbus"
	"worktalk.dev/worktalk/server/natsbus/natstest"
	"worktalk.dev/worktalk/server/postgres"
	"worktalk.dev/worktalk/server/postgres/pgtest"
)

// TestPostgresAdminAndServe: the admin commands and serve work on one
// PostgreSQL schema given by --db, serve with --nats relaying over NATS.
func TestPostgresAdminAndServe(t *testing.T) {
	db := pgtest.NewSchema(t)
	natsURL := natstest.URL(t)

	_, out := runMain(t, "", "workspace", "create", "--db", db, "--name", "Acme")
	id := regexp.MustCompile(`created workspace (\S+)`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("workspace create printed %q, want the id", out)
	}
	runMain(t, "", "member", "create", "--db", db, "--workspace", id[1],
		"--email", "kim@acme.test", "--name", "김민준", "--password", "a long enough password")
	_, out = runMain(t, "", "member", "list", "--db", db, "--workspace", id[1])
	if !strings.Contains(out, "kim@acme.test") {
		t.Errorf("member list printed %q, want the new member", out)
	}

	// Nodes sharing PostgreSQL must be given one key: a node does not make one alone.
	var errOut bytes.Buffer
	alone := &Main{Stdout: io.Discard, Stderr: &errOut, Argon: argon2id.TestParams, Getenv: func(string) string { return "" }}
	if err := alone.ParseFlags([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}); err != nil {
		t.Fatal(err)
	}
	if err := alone.Run(t.Context()); err == nil || !strings.Contains(err.Error(), "key init") {
		t.Errorf("serve --db without a key: %v, want a refusal that says how to make one", err)
	}
	alone.Close()
	key := filepath.Join(t.TempDir(), "server.key")
	_, out = runMain(t, "", "key", "init", "--db", db, "--secret-key-file", key)
	if !strings.Contains(out, key) {
		t.Errorf("key init printed %q, want the file it made", out)
	}
	m, _ := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--db", db, "--secret-key-file", key, "--nats", natsURL, "--nats-subject", natstest.Subject())
	if _, ok := m.DB.(*postgres.DB); !ok {
		t.Errorf("serve --db runs on %T, want *postgres.DB", m.DB)
	}
	if _, ok := m.Bus.(*natsbus.Bus); !ok {
		t.Errorf("serve --nats relays with %T, want *natsbus.Bus", m.Bus)
	}
	res, err := m.Service.SignIn(t.Context(), protocol.SignInRequest{Email: "kim@acme.test", Password: "a long enough password"}, "test")
	if err != nil || res.Session == nil {
		t.Errorf("sign in on serve --db: %+v %v, want a session", res, err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestDatabaseFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in the error
	}{
		{"serve without a database", []string{"serve"}, "--data or --db is required"},
		{"serve with both", []string{"serve", "--data", "x", "--db", "postgres://h/db"}, "not both"},
		{"serve with a non-postgres db", []string{"serve", "--db", "mysql://u:secret@h/db"}, "postgres://"},
		{"nats without db", []string{"serve", "--data", "x", "--nats", "nats://127.0.0.1:4222"}, "--nats needs a PostgreSQL --db"},
		{"empty subject", []string{"serve", "--db", "postgres://h/db", "--nats", "nats://h", "--nats-subject", ""}, "--nats-subject"},
		{"admin with both", []string{"workspace", "list", "--data", "x", "--db", "postgres://h/db"}, "not both"},
		{"admin without a database", []string{"member", "list", "--workspace", "w"}, "--data or --db is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Main{Stdout: io.Discard, Stderr: io.Discard}
			err := m.ParseFlags(tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseFlags(%q) = %v, want an error containing %q", tt.args, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("ParseFlags(%q) = %v, shows the password", tt.args, err)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://worktalk:s3cret@db:5432/wt", "postgres://worktalk:xxxxx@db:5432/wt"},
		{"postgres://worktalk@db/wt", "postgres://worktalk@db/wt"},
		{"postgres://db/wt", "postgres://db/wt"},
		{"not a url", "not a url"},
	}
	for _, tt := range tests {
		if got := redactURL(tt.in); got != tt.want {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
