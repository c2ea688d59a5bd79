package client

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// A device offline for longer than the server keeps events gets a snapshot
// on reconnect; its pending work survives and syncs after it.
func TestSnapshotFallbackKeepsPendingWork(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	bob := w.env.NewUser(ws.ID, "Bob")
	opt := w.options(t)
	logs := &logRecorder{}
	opt.Logger = slog.New(logs)
	e := mustOpen(t, opt, w.account(t, opt, alice, w.proxy))
	waitFor(t, e, "online", online)
	if n := logs.count("applied a snapshot"); n != 1 {
		t.Fatalf("snapshots on first sync = %d, want 1", n)
	}
	room, err := e.OpenDirectRoom(ctx, bob.ID())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, "room created", synced)
	w.gate.Set(false)
	w.proxy.SetDown(true)
	waitFor(t, e, "offline", func(s State) bool { return !s.Conn.Online })
	if _, err := e.SendMessage(ctx, room, "sent while away"); err != nil {
		t.Fatal(err)
	}
	bc, err := w.env.Service.Authenticate(ctx, bob.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.env.Service.Do(ctx, bc, protocol.NewID(), protocol.OpMessageSend, mustJSON(t, protocol.SendMessage{RoomID: room, Text: "bob meanwhile"})); err != nil {
		t.Fatal(err)
	}
	if _, err := w.env.Service.Do(ctx, bc, protocol.NewID(), protocol.OpProfileUpdate, mustJSON(t, protocol.ProfileUpdate{Name: ptr("Robert")})); err != nil {
		t.Fatal(err)
	}
	// Every event so far leaves the feeds: alice's cursor is now too old.
	if err := w.env.Store.Write(ctx, func(tx service.Tx) error {
		return tx.PruneEvents(ctx, w.env.Clock.Now().Add(time.Hour))
	}); err != nil {
		t.Fatalf("prune: %v", err)
	}
	w.proxy.SetDown(false)
	w.gate.Set(true)
	st := waitFor(t, e, "synced after a snapshot", func(s State) bool {
		return synced(s) && len(s.Members) == 1 && s.Members[0].Name == "Robert"
	})
	if n := logs.count("applied a snapshot"); n != 2 {
		t.Errorf("snapshots = %d, want 2 (the reconnect could not replay)", n)
	}
	ms, err := e.Messages(room, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range ms {
		if m.Pending {
			t.Errorf("message %q still pending", m.Text)
		}
		texts = append(texts, m.Text)
	}
	if len(texts) != 2 || texts[0] != "bob meanwhile" || texts[1] != "sent while away" {
		t.Errorf("messages = %q, want [bob meanwhile, sent while away]", texts)
	}
	if st.Rooms[0].DisplayTitle != "Robert" {
		t.Errorf("room title = %q, want the new name Robert", st.Rooms[0].DisplayTitle)
	}
}

// logRecorder is a slog.Handler that keeps the messages logged.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}

func (r *logRecorder) count(msg string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		if m == msg {
			n++
		}
	}
	return n
}

// TestSnapshotCutShortLeavesReplica: a connection lost between two pages of
// a snapshot leaves the replica as it was (no half-replaced member list);
// the next connection's full snapshot replaces it.
func TestSnapshotCutShortLeavesReplica(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	w.env.NewUser(ws.ID, "Bob")
	e := w.device(t, alice)
	waitFor(t, e, "synced", func(s State) bool { return synced(s) && len(s.Members) == 1 })

	w.proxy.SetDown(true)
	waitFor(t, e, "offline", func(s State) bool { return !s.Conn.Online })
	const joined = 1200 // more than two pages of members
	for i := range joined {
		w.env.CreateMember(ws.ID, fmt.Sprintf("Joiner %04d", i), nil)
	}
	if err := w.env.Store.Write(ctx, func(tx service.Tx) error {
		return tx.PruneEvents(ctx, w.env.Clock.Now().Add(time.Hour))
	}); err != nil {
		t.Fatalf("prune: %v", err)
	}

	// Each connection now ends after the first snapshot page.
	watchCtx, stop := context.WithCancel(ctx)
	defer stop()
	states := e.Watch(watchCtx)
	w.proxy.CutEach(1)
	w.proxy.SetDown(false)
	most := 0
	for s := range states {
		most = max(most, len(s.Members))
		if w.proxy.CutCount() >= 2 {
			break
		}
	}
	stop()
	if most != 1 {
		t.Fatalf("while snapshots were cut short the engine showed %d members, want the 1 it had", most)
	}
	w.proxy.CutEach(0)
	waitFor(t, e, "the whole snapshot", func(s State) bool { return synced(s) && len(s.Members) == joined+1 })
}
