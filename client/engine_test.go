package client

import (
	"context"
	"testing"

	"worktalk.dev/worktalk/protocol"
)

func TestSyncSelfRoomAcrossDevices(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	w.env.NewUser(ws.ID, "Bob")
	a1 := w.device(t, alice)
	st := waitFor(t, a1, "online", online)
	if st.Me.Name != "Alice" || len(st.Members) != 1 || st.Members[0].Name != "Bob" {
		t.Fatalf("Me = %q, Members = %v; want Alice and [Bob]", st.Me.Name, st.Members)
	}
	room, err := a1.OpenSelfRoom(ctx)
	if err != nil {
		t.Fatalf("OpenSelfRoom: %v", err)
	}
	m, err := a1.SendMessage(ctx, room, "note to self")
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if !m.Pending || m.Key <= 0 {
		t.Errorf("sent message = %+v, want pending with a key", m)
	}
	waitFor(t, a1, "outbox drained", synced)
	ms, err := a1.Messages(room, 0, 10)
	if err != nil || len(ms) != 1 || ms[0].Pending || ms[0].Seq == 0 || ms[0].Text != "note to self" {
		t.Fatalf("Messages = %+v, %v; want one acked message", ms, err)
	}
	a2 := w.device(t, alice)
	waitFor(t, a2, "the message on device 2", func(s State) bool {
		return s.Conn.Online && len(s.Rooms) == 1 && s.Rooms[0].Last != nil && s.Rooms[0].Last.ID == m.ID
	})
	// A live change from device 2 reaches device 1 without any action there.
	if _, err := a2.SendMessage(ctx, room, "from device 2"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, a1, "device 2's message on device 1", func(s State) bool {
		return len(s.Rooms) == 1 && s.Rooms[0].Last != nil && s.Rooms[0].Last.Text == "from device 2" && !s.Rooms[0].Last.Pending
	})
}

func TestOfflineRequestsFailAtOnce(t *testing.T) {
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	w.gate.Set(false)
	w.proxy.SetDown(true)
	e := w.device(t, alice)
	waitFor(t, e, "a connection error", func(s State) bool { return s.Conn.Error != "" })
	if _, err := e.OneTimeLink(context.Background()); protocol.ErrorCode(err) != protocol.EOffline {
		t.Errorf("OneTimeLink offline: err = %v, want %s", err, protocol.EOffline)
	}
	if _, err := e.AddExternalByLink(context.Background(), "https://x.example/p/abcdefghijklmnopqrstuvwxyz"); protocol.ErrorCode(err) != protocol.EOffline {
		t.Errorf("AddExternalByLink offline: err = %v, want %s", err, protocol.EOffline)
	}
}
