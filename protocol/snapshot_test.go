package protocol

import (
	"slices"
	"strings"
	"testing"
)

func TestSnapshotAppend(t *testing.T) {
	pages := []Snapshot{
		{Page: 1, Cursor: 9, Me: Profile{ID: "me"}, Workspace: Workspace{ID: "w"}, Members: []Profile{{ID: "a"}, {ID: "b"}}, Blocked: []BlockedMember{{ID: "x"}}},
		{Page: 2, Cursor: 9, Members: []Profile{{ID: "c"}}, Rooms: []Room{{ID: "r"}}},
		{Page: 3, Cursor: 9, Last: true, Messages: []Message{{ID: "m"}}, Reads: []ReadMark{{RoomID: "r", Seq: 1}}},
	}
	var s Snapshot
	for _, p := range pages {
		if err := s.Append(p); err != nil {
			t.Fatalf("Append(page %d) = %v", p.Page, err)
		}
	}
	var ids []string
	for _, m := range s.Members {
		ids = append(ids, m.ID)
	}
	if !s.Last || s.Cursor != 9 || s.Me.ID != "me" || s.Workspace.ID != "w" || !slices.Equal(ids, []string{"a", "b", "c"}) ||
		len(s.Blocked) != 1 || len(s.Rooms) != 1 || len(s.Messages) != 1 || len(s.Reads) != 1 {
		t.Errorf("appended = %+v", s)
	}

	bad := []struct {
		name  string
		so    []Snapshot
		next  Snapshot
		wants string
	}{
		{"not starting at 1", nil, Snapshot{Page: 2}, "page 2 after page 0"},
		{"a page skipped", pages[:1], Snapshot{Page: 3, Cursor: 9}, "page 3 after page 1"},
		{"another cursor", pages[:1], Snapshot{Page: 2, Cursor: 10}, "cursor 10"},
		{"after the last", pages, Snapshot{Page: 4, Cursor: 9}, "after the last"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var s Snapshot
			for _, p := range tt.so {
				if err := s.Append(p); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Append(tt.next); err == nil || !strings.Contains(err.Error(), tt.wants) {
				t.Errorf("Append = %v, want an error about %q", err, tt.wants)
			}
		})
	}
}
