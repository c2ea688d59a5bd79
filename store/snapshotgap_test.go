package store_test

import (
	"context"
	"fmt"
	"testing"

	"worktalk.dev/worktalk/protocol"
)

// TestSnapshotLeavesNoHiddenGap: a snapshot carries only the newest
// SnapshotMessagesPerRoom messages of a room. Messages stored from before
// it that are older than those are dropped, so paging back fetches the
// messages in between from the server instead of silently skipping them.
// A room whose whole history fits in the snapshot keeps what it has.
func TestSnapshotLeavesNoHiddenGap(t *testing.T) {
	ctx := context.Background()
	self := protocol.SelfRoomID("me")
	tests := []struct {
		name       string
		inSnapshot int   // newest messages of the room the snapshot carries
		wantOldest int64 // smallest seq stored after it
	}{
		{"a full page may hide a gap", protocol.SnapshotMessagesPerRoom, 1000},
		{"a short page is the whole history", 3, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := MustOpen(t)
			s := testSnapshot()
			s.Messages = []protocol.Message{{ID: "old1", RoomID: self, Text: "old", Seq: 1}}
			if _, err := db.ApplySnapshot(ctx, s); err != nil {
				t.Fatal(err)
			}
			s.Cursor = 100_000
			s.Messages = nil
			for i := range tc.inSnapshot {
				s.Messages = append(s.Messages, protocol.Message{ID: fmt.Sprintf("n%d", i), RoomID: self, Text: "new", Seq: int64(1000 + i)})
			}
			if tc.inSnapshot < protocol.SnapshotMessagesPerRoom {
				s.Messages[0].Seq = 2 // the room's first message after old1
			}
			if _, err := db.ApplySnapshot(ctx, s); err != nil {
				t.Fatal(err)
			}
			got, err := db.OldestSeq(ctx, self)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.wantOldest {
				t.Errorf("OldestSeq = %d, want %d", got, tc.wantOldest)
			}
		})
	}
}
