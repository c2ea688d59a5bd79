package store_test

import (
	"context"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// The unread count follows the server's marks and the messages after them,
// whatever order an answer and its event come in.
func TestReadMarksAndUnread(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	dm := protocol.DirectRoomID("bob", "me")
	s := testSnapshot()
	s.Rooms = append(s.Rooms, protocol.Room{ID: dm, Kind: protocol.RoomDirect})
	s.Messages = append(s.Messages, protocol.Message{ID: "b1", RoomID: dm, SenderID: "bob", Kind: protocol.MessageText, Seq: 8})
	s.Reads = []protocol.ReadMark{{RoomID: dm, Seq: 3, Unread: 4}} // more unread than the snapshot carries
	if _, err := db.ApplySnapshot(ctx, s); err != nil {
		t.Fatal(err)
	}
	unread := func() protocol.ReadMark {
		t.Helper()
		m, err := db.ReadMarks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return m[dm]
	}
	if got := unread(); got.Unread != 4 || got.Seq != 3 {
		t.Fatalf("after snapshot: %+v, want seq 3, 4 unread (the server's count)", got)
	}
	msg := func(seq int64, id, sender, actor string) store.Event {
		return store.Event{Seq: seq + 100, Op: protocol.EvMessageNew, Data: mustJSON(t, protocol.Message{ID: id, RoomID: dm, SenderID: sender, ActorID: actor, Kind: protocol.MessageText, Seq: seq})}
	}
	evs := []store.Event{
		msg(11, "b2", "bob", ""),
		msg(12, "m3", "me", ""),  // mine, from another device
		msg(13, "s1", "", "me"),  // a system message about what I did
		msg(14, "s2", "", "bob"), // a system message about what bob did
		msg(11, "b2", "bob", ""), // the same message again
		{Seq: 99, Op: protocol.EvMessageNew, Data: mustJSON(t, protocol.Message{ID: "b2", RoomID: dm, SenderID: "bob", Seq: 11})},
	}
	if _, err := db.ApplyEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if got := unread().Unread; got != 6 {
		t.Fatalf("after bob's message and system message: %d unread, want 6", got)
	}

	// My room.read through seq 11: its event, then bob's next message, then
	// the answer to the request (same mark) must not undo the count.
	e, _, err := db.Enqueue(ctx, store.Entry{ID: "r1", Op: protocol.OpRoomRead, Body: mustJSON(t, protocol.ReadMark{RoomID: dm, Seq: 11}), Created: time.Now()}, store.Effect{})
	if err != nil {
		t.Fatal(err)
	}
	mark := protocol.ReadMark{RoomID: dm, Seq: 11, Unread: 1} // s2
	if _, err := db.ApplyEvents(ctx, []store.Event{{Seq: 115, Op: protocol.EvRoomRead, Data: mustJSON(t, mark)}, msg(20, "b3", "bob", "")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Ack(ctx, e, mustJSON(t, mark)); err != nil {
		t.Fatal(err)
	}
	if got := unread(); got.Seq != 11 || got.Unread != 2 {
		t.Errorf("after event, message, answer: %+v, want seq 11 with 2 unread", got)
	}
	// A mark behind the stored one changes nothing; a newer answer does.
	if _, err := db.ApplyEvents(ctx, []store.Event{{Seq: 300, Op: protocol.EvRoomRead, Data: mustJSON(t, protocol.ReadMark{RoomID: dm, Seq: 5, Unread: 9})}}); err != nil {
		t.Fatal(err)
	}
	if got := unread(); got.Seq != 11 || got.Unread != 2 {
		t.Errorf("after an older mark: %+v, want it unchanged", got)
	}
	n, err := db.CountUnreadAfter(ctx, dm, 11, "me")
	if err != nil || n != 2 {
		t.Errorf("CountUnreadAfter(11) = %d, %v; want 2 (s2, b3)", n, err)
	}
	if seq, err := db.NewestSeq(ctx, dm); err != nil || seq != 20 {
		t.Errorf("NewestSeq = %d, %v; want 20", seq, err)
	}
}

// What a member I block sends in a group we still share never counts:
// neither as it arrives nor when the count after a mark is made here.
func TestUnreadSkipsBlockedSenders(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	s := testSnapshot()
	s.Rooms = append(s.Rooms, protocol.Room{ID: "g1", Kind: protocol.RoomGroup})
	s.Blocked = []protocol.BlockedMember{{ID: "eve", Name: "Eve"}}
	s.Reads = []protocol.ReadMark{{RoomID: "g1", Seq: 3, Unread: 0}}
	if _, err := db.ApplySnapshot(ctx, s); err != nil {
		t.Fatal(err)
	}
	msg := func(seq int64, id, sender string) store.Event {
		return store.Event{Seq: seq + 100, Op: protocol.EvMessageNew, Data: mustJSON(t, protocol.Message{ID: id, RoomID: "g1", SenderID: sender, Kind: protocol.MessageText, Seq: seq})}
	}
	if _, err := db.ApplyEvents(ctx, []store.Event{msg(11, "e1", "eve"), msg(12, "b1", "bob"), msg(13, "e2", "eve")}); err != nil {
		t.Fatal(err)
	}
	marks, err := db.ReadMarks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := marks["g1"].Unread; got != 1 {
		t.Errorf("unread after eve, bob, eve = %d, want 1 (bob's)", got)
	}
	if n, err := db.CountUnreadAfter(ctx, "g1", 3, "me"); err != nil || n != 1 {
		t.Errorf("CountUnreadAfter(3) = %d, %v; want 1 (bob's)", n, err)
	}

	// Once unblocked, what eve sends counts again.
	if _, err := db.ApplyEvents(ctx, []store.Event{
		{Seq: 120, Op: protocol.EvBlockRemove, Data: mustJSON(t, protocol.MemberRef{MemberID: "eve"})},
		msg(21, "e3", "eve"),
	}); err != nil {
		t.Fatal(err)
	}
	if marks, err = db.ReadMarks(ctx); err != nil || marks["g1"].Unread != 2 {
		t.Errorf("unread after unblock and eve's next = %d (%v), want 2", marks["g1"].Unread, err)
	}
}
