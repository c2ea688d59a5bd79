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
			w.proxy.setDown(true) // cuts the live connection mid-stream
			w.proxy.setDown(false)
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
