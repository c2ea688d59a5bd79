package store_test

import (
	"context"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

func TestEvents(t *testing.T) {
	ctx := context.Background()
	dm := protocol.DirectRoomID("eve", "me")
	tests := []struct {
		name  string
		op    string
		data  any
		check func(r store.Replica) string
	}{
		{"member.remove drops a coworker", protocol.EvMemberRemove, protocol.MemberRef{MemberID: "bob"}, func(r store.Replica) string {
			if len(r.Coworkers) != 0 {
				return "want no coworkers"
			}
			return ""
		}},
		{"member.upsert of a new coworker adds them", protocol.EvMemberUpsert, protocol.Profile{ID: "carol", WorkspaceID: "w1", Name: "Carol", Version: 1}, func(r store.Replica) string {
			if len(r.Coworkers) != 2 {
				return "want bob and carol"
			}
			return ""
		}},
		{"member.upsert of a stranger is cached, not listed", protocol.EvMemberUpsert, protocol.Profile{ID: "zed", WorkspaceID: "w9", Name: "Zed", Version: 1}, func(r store.Replica) string {
			if len(r.Coworkers) != 1 || len(r.Externals) != 1 {
				return "want the lists unchanged"
			}
			return ""
		}},
		{"member.upsert keeps an external external", protocol.EvMemberUpsert, protocol.Profile{ID: "eve", WorkspaceID: "w2", Name: "Eve K", Version: 2}, func(r store.Replica) string {
			if len(r.Externals) != 1 || r.Externals[0].Name != "Eve K" {
				return "want eve renamed among externals"
			}
			return ""
		}},
		{"workspace.update replaces the settings", protocol.EvWorkspaceUpdate, protocol.Workspace{ID: "w1", Name: "Acme 2"}, func(r store.Replica) string {
			if r.Workspace.Name != "Acme 2" {
				return "want the new name"
			}
			return ""
		}},
		{"external.add lists the member", protocol.EvExternalAdd, protocol.Profile{ID: "fay", WorkspaceID: "w3", Name: "Fay", Version: 1}, func(r store.Replica) string {
			if len(r.Externals) != 2 {
				return "want eve and fay"
			}
			return ""
		}},
		{"block.add lists the member", protocol.EvBlockAdd, protocol.BlockedMember{ID: "eve", Name: "Eve"}, func(r store.Replica) string {
			if len(r.Blocked) != 1 {
				return "want eve blocked"
			}
			return ""
		}},
		{"room.upsert replaces the room", protocol.EvRoomUpsert, protocol.Room{ID: dm, Kind: protocol.RoomDirect, Closed: true}, func(r store.Replica) string {
			if len(r.Rooms) != 2 || !closed(r, dm) {
				return "want the direct room closed"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpen(t)
			s := testSnapshot()
			s.Rooms = append(s.Rooms, protocol.Room{ID: dm, Kind: protocol.RoomDirect})
			if _, err := db.ApplySnapshot(ctx, s); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ApplyEvents(ctx, []store.Event{{Seq: 11, Op: tt.op, Data: mustJSON(t, tt.data)}}); err != nil {
				t.Fatalf("ApplyEvents: %v", err)
			}
			r, err := db.Replica(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if msg := tt.check(r); msg != "" {
				t.Errorf("%s; got %+v", msg, r)
			}
		})
	}
}

func closed(r store.Replica, id string) bool {
	for _, room := range r.Rooms {
		if room.ID == id {
			return room.Closed
		}
	}
	return false
}

func TestAckBlockAppliesItsEffects(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	s := testSnapshot()
	dm := protocol.DirectRoomID("me", "eve")
	s.Rooms = append(s.Rooms, protocol.Room{ID: dm, Kind: protocol.RoomDirect})
	if _, err := db.ApplySnapshot(ctx, s); err != nil {
		t.Fatal(err)
	}
	e, _, err := db.Enqueue(ctx, store.Entry{ID: "b1", Op: protocol.OpBlock, Body: mustJSON(t, protocol.MemberRef{MemberID: "eve"}), Created: time.Now()}, store.Effect{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Ack(ctx, e, mustJSON(t, protocol.BlockedMember{ID: "eve", Name: "Eve"})); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	r, _ := db.Replica(ctx)
	if len(r.Blocked) != 1 || len(r.Externals) != 0 || !closed(r, dm) {
		t.Errorf("after block ack: blocked %v, externals %v, rooms %+v; want eve blocked, not external, room closed", r.Blocked, r.Externals, r.Rooms)
	}
	e, _, err = db.Enqueue(ctx, store.Entry{ID: "u1", Op: protocol.OpUnblock, Body: mustJSON(t, protocol.MemberRef{MemberID: "eve"}), Created: time.Now()}, store.Effect{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Ack(ctx, e, mustJSON(t, protocol.Empty{})); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	if r, _ := db.Replica(ctx); len(r.Blocked) != 0 {
		t.Errorf("after unblock ack: blocked %v, want none", r.Blocked)
	}
}

// A member who added me comes with the snapshot as a known profile, not as
// one of my external members.
func TestSnapshotContacts(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	s := testSnapshot()
	s.Contacts = []protocol.Profile{{ID: "zoe", WorkspaceID: "w3", Name: "Zoe", Version: 2}}
	if _, err := db.ApplySnapshot(ctx, s); err != nil {
		t.Fatal(err)
	}
	p, ok, err := db.Profile(ctx, "zoe")
	if err != nil || !ok || p.Name != "Zoe" {
		t.Fatalf("Profile(zoe) = %+v, %v, %v; want Zoe", p, ok, err)
	}
	r, _ := db.Replica(ctx)
	for _, e := range r.Externals {
		if e.ID == "zoe" {
			t.Fatalf("externals %v include zoe, who only added me", r.Externals)
		}
	}
}
