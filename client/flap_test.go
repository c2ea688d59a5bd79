package client

import (
	"context"
	"fmt"
	"testing"

	"worktalk.dev/worktalk/protocol"
)

// Connections cut while the outbox drains: every message reaches the server
// once, in order, and another device sees them all.
func TestFlappingConnection(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	e := w.device(t, alice)
	waitFor(t, e, "online", online)
	room, err := e.OpenSelfRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const n = 60
	for i := range n {
		if _, err := e.SendMessage(ctx, room, fmt.Sprintf("m%02d", i)); err != nil {
			t.Fatal(err)
		}
		if i%7 == 3 {
			w.proxy.SetDown(true) // cuts the live connection mid-stream
			w.proxy.SetDown(false)
		}
	}
	waitFor(t, e, "synced", synced)
	d := w.device(t, alice)
	waitFor(t, d, "all messages on device 2", func(s State) bool {
		return s.Conn.Online && lastText(s, room) == fmt.Sprintf("m%02d", n-1)
	})
	for name, eng := range map[string]*Engine{"device 1": e, "device 2": d} {
		ms, err := eng.Messages(room, 0, protocol.MaxPageLimit)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != n {
			t.Fatalf("%s: %d messages, want %d", name, len(ms), n)
		}
		for i, m := range ms {
			if want := fmt.Sprintf("m%02d", i); m.Text != want || m.Pending {
				t.Errorf("%s: message %d = %q (pending %v), want %q acknowledged", name, i, m.Text, m.Pending, want)
			}
		}
	}
}

// Commands from several goroutines while the engine syncs: each sender's
// messages arrive once and in its order; nothing races.
func TestConcurrentCommands(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	e := w.device(t, alice)
	waitFor(t, e, "online", online)
	room, err := e.OpenSelfRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const senders, each = 3, 20
	errs := make(chan error, senders+1)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { // a UI that reads every state and pages the room
		for s := range e.Watch(wctx) {
			if _, err := e.Messages(room, 0, 50); err != nil {
				errs <- err
				return
			}
			_ = s.RoomVersion[room]
		}
	}()
	for g := range senders {
		go func() {
			for i := range each {
				if _, err := e.SendMessage(ctx, room, fmt.Sprintf("g%d-%02d", g, i)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	go func() {
		errs <- e.UpdateProfile(ctx, protocol.ProfileUpdate{Fields: map[string]string{"department": "Sales"}})
	}()
	for range senders + 1 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, e, "synced", func(s State) bool { return synced(s) && s.Me.Fields["department"] == "Sales" })
	ms, err := e.Messages(room, 0, protocol.MaxPageLimit)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != senders*each {
		t.Fatalf("%d messages, want %d", len(ms), senders*each)
	}
	next := make([]int, senders)
	for _, m := range ms {
		var g, i int
		if _, err := fmt.Sscanf(m.Text, "g%d-%d", &g, &i); err != nil {
			t.Fatalf("message %q: %v", m.Text, err)
		}
		if i != next[g] {
			t.Errorf("sender %d: message %d arrived where %d was due", g, i, next[g])
		}
		next[g] = i + 1
	}
}
