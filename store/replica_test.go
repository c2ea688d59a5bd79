package store_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// TestSnapshotReplica: the replica worked out from a snapshot is the one
// read back after applying it, contacts and repeated profiles included.
func TestSnapshotReplica(t *testing.T) {
	ctx := context.Background()
	s := testSnapshot()
	s.Blocked = []protocol.BlockedMember{{ID: "mallory", Name: "Mallory"}, {ID: "oscar", Name: "Oscar"}}
	s.Contacts = []protocol.Profile{
		{ID: "dan", WorkspaceID: "w1", Name: "Dan", Version: 2},    // a coworker met as a contact
		{ID: "fay", WorkspaceID: "w3", Name: "Fay", Version: 1},    // cached, not in the replica
		{ID: "bob", WorkspaceID: "w1", Name: "Bobby", Version: 0},  // older than the member: the member wins
		{ID: "eve", WorkspaceID: "w2", Name: "Eve B.", Version: 4}, // newer: wins, and stays external
	}
	db := MustOpen(t)
	// A coworker stored before; the snapshot drops them.
	if _, err := db.ApplyEvents(ctx, []store.Event{{Seq: 1, Op: protocol.EvMemberUpsert,
		Data: mustJSON(t, protocol.Profile{ID: "gone", WorkspaceID: "w1", Name: "Gone", Version: 1})}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplySnapshot(ctx, s); err != nil {
		t.Fatal(err)
	}
	read, err := db.Replica(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := replicaJSON(t, store.SnapshotReplica(s)), replicaJSON(t, read); got != want {
		t.Errorf("SnapshotReplica =\n%s\nread back\n%s", got, want)
	}
}

// replicaJSON is a replica as JSON with its lists in id order.
func replicaJSON(t *testing.T, r store.Replica) string {
	t.Helper()
	byID := func(a, b protocol.Profile) int { return strings.Compare(a.ID, b.ID) }
	slices.SortFunc(r.Coworkers, byID)
	slices.SortFunc(r.Externals, byID)
	slices.SortFunc(r.Rooms, func(a, b protocol.Room) int { return strings.Compare(a.ID, b.ID) })
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestProfileChanges: events about coworkers and external members report
// the profiles they touched, not the whole replica, and those profiles
// read back by id with their relation.
func TestProfileChanges(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if _, err := db.ApplySnapshot(ctx, testSnapshot()); err != nil {
		t.Fatal(err)
	}
	ch, err := db.ApplyEvents(ctx, []store.Event{
		{Seq: 11, Op: protocol.EvMemberUpsert, Data: mustJSON(t, protocol.Profile{ID: "bob", WorkspaceID: "w1", Name: "Robert", Version: 2})},
		{Seq: 12, Op: protocol.EvExternalRemove, Data: mustJSON(t, protocol.MemberRef{MemberID: "eve"})},
		{Seq: 13, Op: protocol.EvMemberUpsert, Data: mustJSON(t, protocol.Profile{ID: "cy", WorkspaceID: "w1", Name: "Cy", Version: 1})},
	})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Replica || ch.AllProfiles || len(ch.Profiles) != 3 || !ch.Profiles["bob"] || !ch.Profiles["eve"] || !ch.Profiles["cy"] {
		t.Errorf("changes = %+v, want profiles bob, eve and cy alone", ch)
	}
	got, err := db.ReplicaProfiles(ctx, []string{"bob", "eve", "cy", "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	rels := map[string]int{}
	for _, p := range got {
		rels[p.Name] = p.Rel
	}
	if want := map[string]int{"Robert": store.RelCoworker, "Eve": store.RelCached, "Cy": store.RelCoworker}; !maps.Equal(rels, want) {
		t.Errorf("ReplicaProfiles = %v, want %v", rels, want)
	}
	ws, err := db.ApplyEvents(ctx, []store.Event{{Seq: 14, Op: protocol.EvWorkspaceUpdate, Data: mustJSON(t, protocol.Workspace{ID: "w1", Name: "Acme Corp"})}})
	if err != nil {
		t.Fatal(err)
	}
	if !ws.Replica || ws.AllProfiles || len(ws.Profiles) != 0 {
		t.Errorf("a settings change: %+v, want the replica without profiles", ws)
	}
}
