package client

import (
	"context"
	"testing"

	"worktalk.dev/worktalk/protocol"
)

func TestGroupRoomAndRoomsInCommon(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	ua, ub := w.env.NewUser(ws.ID, "Alice"), w.env.NewUser(ws.ID, "Bob")
	w.env.NewUser(ws.ID, "Carol")
	bp := w.env.NewProxy(t)
	alice, bob := w.device(t, ua), w.deviceVia(t, ub, bp)
	waitFor(t, alice, "alice online", online)
	waitFor(t, bob, "bob online", online)
	group, err := alice.CreateGroupRoom(ctx, "Launch", []string{ub.ID()})
	if err != nil {
		t.Fatalf("CreateGroupRoom: %v", err)
	}
	if _, err := alice.SendMessage(ctx, group, "kick-off at 10"); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	dm, err := alice.OpenDirectRoom(ctx, ub.ID())
	if err != nil {
		t.Fatalf("OpenDirectRoom: %v", err)
	}
	waitFor(t, bob, "the group room and its message at bob", func(s State) bool {
		for _, r := range s.Rooms {
			if r.ID == group && r.DisplayTitle == "Launch" && r.Last != nil && r.Last.Text == "kick-off at 10" {
				return true
			}
		}
		return false
	})
	waitFor(t, bob, "the direct room named after alice", func(s State) bool {
		for _, r := range s.Rooms {
			if r.ID == dm && r.DisplayTitle == "Alice" {
				return true
			}
		}
		return false
	})
	common, err := bob.RoomsInCommon(ctx, ua.ID())
	if err != nil || len(common) != 1 || common[0].ID != group {
		t.Fatalf("RoomsInCommon online = %+v, %v; want the group room only", common, err)
	}
	w.gate.Set(false)
	bp.SetDown(true)
	waitFor(t, bob, "bob offline", func(s State) bool { return !s.Conn.Online })
	common, err = bob.RoomsInCommon(ctx, ua.ID())
	if err != nil || len(common) != 1 || common[0].ID != group {
		t.Errorf("RoomsInCommon offline = %+v, %v; want the group room from the replica", common, err)
	}
	p, err := bob.Member(ctx, ua.ID())
	if err != nil || p.Name != "Alice" {
		t.Errorf("Member offline = %+v, %v; want Alice from the replica", p, err)
	}
	if _, err := bob.Member(ctx, "nobody"); protocol.ErrorCode(err) != protocol.EOffline {
		t.Errorf("Member(unknown) offline: err = %v, want %s", err, protocol.EOffline)
	}
}
