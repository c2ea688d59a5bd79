package main

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// TestRetentionPrunes: serve --retention drops old events at start and at
// every tick, and a client whose cursor is older than that gets a snapshot,
// while one that is up to date replays.
func TestRetentionPrunes(t *testing.T) {
	ticks := make(chan time.Time)
	pruned := make(chan error, 1)
	var errOut bytes.Buffer
	m := &Main{Stdout: io.Discard, Stderr: &errOut, Argon: argon2id.TestParams,
		PruneTicks: ticks, OnPrune: func(err error) { pruned <- err }}
	if err := m.ParseFlags([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--retention", "1ms"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := <-pruned; err != nil { // the prune at start
		t.Fatalf("prune at start: %v", err)
	}
	ctx := t.Context()
	ws, err := m.Service.CreateWorkspace(ctx, "Acme", service.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Service.CreateMember(ctx, service.NewMember{WorkspaceID: ws.ID, Email: "kim@acme.test", Password: "a long enough password", Name: "Kim"}); err != nil {
		t.Fatal(err)
	}
	env := servertest.Remote(t, m.Server.URL())
	_, res, perr := env.SignInHTTP(protocol.SignInRequest{Email: "kim@acme.test", Password: "a long enough password"})
	if perr != nil {
		t.Fatal(perr)
	}
	c := env.Dial(res.Session.Token)
	old := c.Sync(0).Cursor
	c.Close()
	if _, err := m.Service.CreateMember(ctx, service.NewMember{WorkspaceID: ws.ID, Email: "lee@acme.test", Password: "a long enough password", Name: "Lee"}); err != nil {
		t.Fatal(err)
	}
	// Lee's event must be older than the 1 ms retention when the tick comes.
	for older := time.Now().Add(3 * time.Millisecond); time.Now().Before(older); {
		runtime.Gosched()
	}
	ticks <- time.Now()
	if err := <-pruned; err != nil {
		t.Fatalf("prune: %v", err)
	}
	c = env.Dial(res.Session.Token)
	if got := c.Sync(old); got.Snapshot == nil {
		t.Errorf("a client whose cursor is older than the retention replayed %d events, want a snapshot", len(got.Events))
	}
	if strings.Contains(errOut.String(), "prune events") {
		t.Errorf("the pruner logged an error:\n%s", errOut.String())
	}
}
