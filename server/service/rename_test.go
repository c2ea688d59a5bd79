package service_test

import (
	"encoding/json"
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// TestRenameReachesRooms: a new name reaches every room that shows it, also
// for members who cannot see the profile (here a2, who is not related to b1
// and so gets no member.upsert of theirs).
func TestRenameReachesRooms(t *testing.T) {
	e, w := newWorld(t)
	e.addExternal(w.a1, w.b1)
	var grp protocol.Room
	e.mustDo(w.a1, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "Partners", Members: []string{w.a2.MemberID, w.b1.MemberID}}, &grp)
	snap, err := e.svc.Snapshot(e.ctx, w.a2)
	if err != nil {
		t.Fatal(err)
	}
	e.mustDo(w.b1, protocol.OpProfileUpdate, protocol.ProfileUpdate{Name: ptr("보라 김")}, nil)

	nameIn := func(evs []service.Event, roomID string) string {
		name := ""
		for _, ev := range evs {
			if ev.Op != protocol.EvRoomUpsert {
				continue
			}
			var r protocol.Room
			if err := json.Unmarshal(ev.Data, &r); err != nil {
				t.Fatal(err)
			}
			for _, m := range r.Members {
				if r.ID == roomID && m.ID == w.b1.MemberID {
					name = m.Name
				}
			}
		}
		return name
	}
	evs, err := e.svc.EventsSince(e.ctx, w.a2, snap.Cursor, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := nameIn(evs, grp.ID); got != "보라 김" {
		t.Errorf("a2's group room shows b1 as %q after the rename, want %q", got, "보라 김")
	}
	evs, err = e.svc.EventsSince(e.ctx, w.a1, snap.Cursor, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := nameIn(evs, protocol.DirectRoomID(w.a1.MemberID, w.b1.MemberID)); got != "보라 김" {
		t.Errorf("a1's 1:1 room shows b1 as %q after the rename, want %q", got, "보라 김")
	}
	// A change that keeps the name touches no room.
	cur, _ := e.svc.Snapshot(e.ctx, w.a2)
	e.mustDo(w.b1, protocol.OpProfileUpdate, protocol.ProfileUpdate{Fields: map[string]string{"title": "Lead"}}, nil)
	evs, _ = e.svc.EventsSince(e.ctx, w.a2, cur.Cursor, 0)
	for _, ev := range evs {
		if ev.Op == protocol.EvRoomUpsert {
			t.Errorf("a title change sent %s", ev.Op)
		}
	}
}
