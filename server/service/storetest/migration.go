package storetest

import (
	"context"
	"slices"
	"testing"

	"worktalk.dev/worktalk/server/service"
)

// OldFeeds is data as stores kept it before workspace events were stored
// once (one feed row per recipient), for tests of the migration that moves
// it: each store writes it with its own SQL at the old schema version,
// migrates, and calls Check.
type OldFeeds struct {
	Workspaces []string
	Members    []OldMember
	Events     []OldEvent
	// Want is each member's FeedSince after After, as seqs: what the member
	// got before the migration. A member who joined after an event starts
	// after it (its first sync is a snapshot).
	Want []OldWant
}

// OldMember is a member row: id, workspace and creation time (unix ms).
type OldMember struct {
	ID, Workspace string
	Created       int64
}

// OldEvent is an event row with its feed.
type OldEvent struct {
	Seq     int64
	Op      string
	Data    string
	Created int64
	Feed    []string
}

// OldWant is one member's expected feed.
type OldWant struct {
	Member string
	After  int64
	Seqs   []int64
}

// FeedsBeforeWorkspaceEvents is the data the migration tests use:
//   - 1: member.upsert in ws-a, fed to all of ws-a and to x1 outside it:
//     becomes a workspace event, x1 keeps its row;
//   - 2: member.upsert of a1 fed only to x1 (an external added a1): stays;
//   - 3: workspace.update of ws-a to all three members (a3 joined at 5):
//     becomes a workspace event;
//   - 4: member.upsert in ws-a that a2 lacked: stays as it was;
//   - 5: a message to a1: stays.
var FeedsBeforeWorkspaceEvents = OldFeeds{
	Workspaces: []string{"ws-a", "ws-x"},
	Members: []OldMember{
		{"a1", "ws-a", 1}, {"a2", "ws-a", 1}, {"a3", "ws-a", 5}, {"x1", "ws-x", 1},
	},
	Events: []OldEvent{
		{1, "member.upsert", `{"id":"a2","workspace_id":"ws-a","name":"A2","version":2}`, 2, []string{"a1", "a2", "x1"}},
		{2, "member.upsert", `{"id":"a1","workspace_id":"ws-a","name":"A1","version":1}`, 3, []string{"x1"}},
		{3, "workspace.update", `{"id":"ws-a","name":"A","settings":{}}`, 6, []string{"a1", "a2", "a3"}},
		{4, "member.upsert", `{"id":"a1","workspace_id":"ws-a","name":"A1","version":2}`, 7, []string{"a1", "a3", "x1"}},
		{5, "message.new", `{"id":"m"}`, 8, []string{"a1"}},
	},
	Want: []OldWant{
		{"a1", 0, []int64{1, 3, 4, 5}},
		{"a2", 0, []int64{1, 3}},
		{"a3", 2, []int64{3, 4}},
		{"x1", 0, []int64{1, 2, 4}},
	},
}

// Check reads every member's feed from the migrated store and compares it
// with Want, and checks which events became workspace events.
func (o OldFeeds) Check(t *testing.T, s service.Store, workspaceEvents []int64) {
	t.Helper()
	ctx := context.Background()
	read(t, s, func(tx service.Tx) error {
		for _, w := range o.Want {
			evs, err := tx.FeedSince(ctx, w.Member, w.After, 100)
			if got := feedSeqs(evs); err != nil || !slices.Equal(got, w.Seqs) {
				t.Errorf("after migrating, FeedSince(%s, %d) = %v, %v; want %v", w.Member, w.After, got, err, w.Seqs)
			}
		}
		return nil
	})
	if src, ok := s.(service.EventSource); ok {
		evs, err := src.EventsBetween(ctx, 0, 100)
		if err != nil {
			t.Fatalf("EventsBetween: %v", err)
		}
		var got []int64
		for _, ev := range evs {
			if ev.Workspace != "" {
				got = append(got, ev.Seq)
			}
		}
		if !slices.Equal(got, workspaceEvents) {
			t.Errorf("workspace events after migrating = %v, want %v", got, workspaceEvents)
		}
	}
}
