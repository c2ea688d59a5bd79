package client

import (
	"context"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// offlineEngine opens an engine whose server never answers, seeded with a
// snapshot, to drive the local side deterministically.
func offlineEngine(t *testing.T, snap protocol.Snapshot) *Engine {
	t.Helper()
	acct := Account{ServerURL: "http://127.0.0.1:1", MemberID: snap.Me.ID, WorkspaceID: snap.Workspace.ID}
	opt := optionsFor(t, t.TempDir(), acct)
	e := mustOpen(t, opt, acct)
	if err := e.applySnapshot(context.Background(), snap); err != nil {
		t.Fatalf("applySnapshot: %v", err)
	}
	return e
}

func testSnapshot() protocol.Snapshot {
	ws := protocol.Workspace{ID: "w1", Name: "Acme", Settings: protocol.WorkspaceSettings{
		NameEditable: true,
		Fields: []protocol.FieldDef{
			{Key: "title", Label: "Title", Kind: protocol.FieldText, Visible: true, Editable: true},
			{Key: "department", Label: "Department", Kind: protocol.FieldText, Visible: true, Editable: true},
		},
		ExternalChat: true,
	}}
	me := protocol.Profile{ID: "me", WorkspaceID: "w1", WorkspaceName: "Acme", Name: "Alice", Version: 1,
		Fields: map[string]string{"title": "Engineer", "department": "Ops"}}
	return protocol.Snapshot{
		Cursor:    1,
		Me:        me,
		Workspace: ws,
		Members:   []protocol.Profile{me, {ID: "bob", WorkspaceID: "w1", Name: "Bob", Version: 1}},
		Externals: []protocol.Profile{{ID: "eve", WorkspaceID: "w2", WorkspaceName: "Globex", Name: "Eve", Version: 1}},
		Rooms: []protocol.Room{{ID: protocol.DirectRoomID("me", "eve"), Kind: protocol.RoomDirect,
			Members: []protocol.RoomMember{{ID: "me", Name: "Alice"}, {ID: "eve", Name: "Eve"}}}},
	}
}

func TestPendingEditsStayOnTopOfServerChanges(t *testing.T) {
	ctx := context.Background()
	e := offlineEngine(t, testSnapshot())
	if err := e.UpdateProfile(ctx, protocol.ProfileUpdate{Fields: map[string]string{"title": "Lead"}}); err != nil {
		t.Fatal(err)
	}
	// Another device changed both fields on the server meanwhile.
	server := testSnapshot().Me
	server.Version = 2
	server.Fields = map[string]string{"title": "Manager", "department": "R&D"}
	if err := e.applyEvents(ctx, []store.Event{{Seq: 2, Op: protocol.EvMemberUpsert, Data: mustJSON(t, server)}}); err != nil {
		t.Fatal(err)
	}
	st := e.State()
	if st.Me.Fields["title"] != "Lead" || st.Me.Fields["department"] != "R&D" || !st.ProfilePending {
		t.Errorf("fields = %v, pending %v; want my pending title on top of the server's department", st.Me.Fields, st.ProfilePending)
	}
	// Unchanged values do not travel: only title is in the outbox.
	e.applyMu.Lock()
	body := string(e.outbox[0].Body)
	e.applyMu.Unlock()
	if body != `{"fields":{"title":"Lead"}}` {
		t.Errorf("outbox body = %s, want only the changed field", body)
	}
}

func TestLocalEffects(t *testing.T) {
	ctx := context.Background()
	e := offlineEngine(t, testSnapshot())
	dm := protocol.DirectRoomID("me", "eve")
	tests := []struct {
		name  string
		do    func() error
		check func(State) string
	}{
		{"block moves eve to blocked and closes the room", func() error { return e.Block(ctx, "eve") }, func(s State) string {
			if len(s.Blocked) != 1 || s.Blocked[0].Name != "Eve" || len(s.Externals) != 0 || !s.Rooms[0].Closed {
				return "want eve blocked, no externals, room closed"
			}
			return ""
		}},
		{"sending in a closed room is refused locally", func() error {
			_, err := e.SendMessage(ctx, dm, "hi")
			if protocol.ErrorCode(err) != protocol.EBlocked {
				return err
			}
			return nil
		}, func(s State) string { return "" }},
		{"unblock takes eve off the blocked list", func() error { return e.Unblock(ctx, "eve") }, func(s State) string {
			if len(s.Blocked) != 0 {
				return "want nobody blocked"
			}
			return ""
		}},
		{"blocking a co-worker is refused", func() error {
			if err := e.Block(ctx, "bob"); protocol.ErrorCode(err) != protocol.ECoworker {
				return err
			}
			return nil
		}, func(s State) string { return "" }},
		{"the self room appears at once", func() error {
			id, err := e.OpenSelfRoom(ctx)
			if err == nil && id != protocol.SelfRoomID("me") {
				t.Errorf("OpenSelfRoom = %q, want %q", id, protocol.SelfRoomID("me"))
			}
			return err
		}, func(s State) string {
			if !hasRoom(s, protocol.SelfRoomID("me")) || s.Rooms[0].ID != protocol.SelfRoomID("me") || s.Rooms[0].DisplayTitle != "Alice" {
				return "want the self room first, titled with my name"
			}
			return ""
		}},
		{"a group room appears at once", func() error {
			_, err := e.CreateGroupRoom(ctx, "Team", []string{"bob"})
			return err
		}, func(s State) string {
			for _, r := range s.Rooms {
				if r.Kind == protocol.RoomGroup && r.DisplayTitle == "Team" && len(r.Members) == 2 && r.Members[1].Name == "Bob" {
					return ""
				}
			}
			return "want a group room Team with me and Bob"
		}},
		{"unchanged values are neither validated nor queued", func() error {
			return e.UpdateProfile(ctx, protocol.ProfileUpdate{Fields: map[string]string{"title": "Engineer", "email": ""}})
		}, func(s State) string {
			if s.ProfilePending {
				return "want no edit queued"
			}
			return ""
		}},
		{"an invalid name is refused with its field", func() error {
			err := e.UpdateProfile(ctx, protocol.ProfileUpdate{Name: ptr("")})
			var pe *protocol.Error
			if !asProtocolError(err, &pe) || pe.Field != "name" {
				return err
			}
			return nil
		}, func(s State) string { return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(); err != nil {
				t.Fatalf("err = %v", err)
			}
			if msg := tt.check(e.State()); msg != "" {
				t.Errorf("state: %s; got blocked %v, externals %v, rooms %+v", msg, e.State().Blocked, e.State().Externals, e.State().Rooms)
			}
		})
	}
}

func TestWatchLatestWins(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	e := offlineEngine(t, testSnapshot())
	ch := e.Watch(ctx)
	first := <-ch
	if first.Me.Name != "Alice" {
		t.Fatalf("first state Me = %q, want the full state", first.Me.Name)
	}
	room, _ := e.OpenSelfRoom(ctx)
	for i := range 20 { // nobody reads meanwhile: the engine must not block
		if _, err := e.SendMessage(ctx, room, "m"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case s := <-ch:
		if s.Pending != 21 || lastText(s, room) != "mt" {
			t.Errorf("latest state: Pending %d, last %q; want 21, mt", s.Pending, lastText(s, room))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no state after commands")
	}
	cancel()
	for range ch { // closed after cancel
	}
}
