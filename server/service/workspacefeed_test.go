package service_test

import (
	"encoding/json"
	"slices"
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// TestProfileEventStoredOncePerWorkspace: a rename is one event for the
// whole workspace plus the members outside it who see the profile; every
// one of them reads it back from its feed exactly once, nobody else does.
func TestProfileEventStoredOncePerWorkspace(t *testing.T) {
	e, w := newWorld(t)
	e.addExternal(w.b1, w.a1) // b1 sees a1 from outside Acme
	cursor := map[string]int64{}
	for _, c := range []service.Caller{w.a1, w.a2, w.b1, w.b2} {
		snap, err := e.svc.Snapshot(e.ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		cursor[c.MemberID] = snap.Cursor
	}
	before := len(e.bus.all())
	name := "Alice Kim"
	if err := update(e, w.a1, protocol.ProfileUpdate{Name: &name}); err != nil {
		t.Fatal(err)
	}
	var upserts []service.Event
	for _, ev := range e.bus.all()[before:] {
		if ev.Op == protocol.EvMemberUpsert {
			upserts = append(upserts, ev)
		}
	}
	if len(upserts) != 1 {
		t.Fatalf("published %d member.upsert events, want 1", len(upserts))
	}
	ev := upserts[0]
	if ev.Op != protocol.EvMemberUpsert || ev.Workspace != w.A || !slices.Equal(ev.Recipients, []string{w.b1.MemberID}) {
		t.Fatalf("event = %s for workspace %q and %v; want member.upsert for %s and [b1]", ev.Op, ev.Workspace, ev.Recipients, w.A)
	}
	for _, tc := range []struct {
		who  service.Caller
		want int
	}{{w.a1, 1}, {w.a2, 1}, {w.b1, 1}, {w.b2, 0}} {
		evs, err := e.svc.EventsSince(e.ctx, tc.who, cursor[tc.who.MemberID], 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, got := range evs {
			var p protocol.Profile
			if got.Seq == ev.Seq && json.Unmarshal(got.Data, &p) == nil && p.Name == name {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("%s read the rename %d times, want %d", tc.who.MemberID, n, tc.want)
		}
		if got := ev.Reaches(tc.who.MemberID, tc.who.WorkspaceID); got != (tc.want == 1) {
			t.Errorf("Reaches(%s) = %v, want %v", tc.who.MemberID, got, tc.want == 1)
		}
	}
}
