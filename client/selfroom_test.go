package client

import (
	"context"
	"testing"

	"worktalk.dev/worktalk/protocol"
)

// A device that has never reached the server knows who I am from sign-in:
// chat with me works offline from the very first start, and the notes
// reach the server under my real self room once it is reachable.
func TestSelfRoomBeforeFirstSync(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	w.proxy.SetDown(true)
	w.gate.Set(false)
	e := w.device(t, alice)
	want := protocol.SelfRoomID(alice.Profile.ID)

	room, err := e.OpenSelfRoom(ctx)
	if err != nil {
		t.Fatalf("OpenSelfRoom: %v", err)
	}
	if room != want {
		t.Fatalf("OpenSelfRoom = %q, want %q", room, want)
	}
	if _, err := e.SendMessage(ctx, room, "first note"); err != nil {
		t.Fatalf("SendMessage offline: %v", err)
	}
	if got := lastText(e.State(), room); got != "first note" {
		t.Errorf("last message offline = %q, want %q", got, "first note")
	}

	w.proxy.SetDown(false)
	w.gate.Set(true)
	waitFor(t, e, "synced", func(s State) bool {
		return synced(s) && !s.Conn.CatchingUp && len(s.Notices) == 0 && s.Me.Name == "Alice"
	})
	if n := e.State().Notices; len(n) != 0 {
		t.Fatalf("notices after sync = %+v, want none", n)
	}
	d := w.device(t, alice)
	waitFor(t, d, "the note on device 2", func(s State) bool { return lastText(s, want) == "first note" })
}
