package service_test

import (
	"encoding/json"
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func sendMsg(t *testing.T, e *env, c service.Caller, room, text string) protocol.Message {
	t.Helper()
	var m protocol.Message
	e.mustDo(c, protocol.OpMessageSend, protocol.SendMessage{RoomID: room, Text: text}, &m)
	return m
}

func markRead(t *testing.T, e *env, c service.Caller, room string, seq int64) protocol.ReadMark {
	t.Helper()
	var m protocol.ReadMark
	e.mustDo(c, protocol.OpRoomRead, protocol.ReadMark{RoomID: room, Seq: seq}, &m)
	return m
}

func snapshotReads(t *testing.T, e *env, c service.Caller) map[string]protocol.ReadMark {
	t.Helper()
	snap, err := e.svc.Snapshot(e.ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]protocol.ReadMark{}
	for _, r := range snap.Reads {
		out[r.RoomID] = r
	}
	return out
}

// The server keeps each member's read mark per room: it moves only
// forward, never past the newest message, counts only what others sent,
// and reaches every device of the member as room.read.
func TestReadMarks(t *testing.T) {
	e, w := newWorld(t)
	if err := direct(e, w.a1, w.a2); err != nil {
		t.Fatal(err)
	}
	room := protocol.DirectRoomID(w.a1.MemberID, w.a2.MemberID)
	m1 := sendMsg(t, e, w.a2, room, "hello")
	sendMsg(t, e, w.a1, room, "mine never counts")
	m3 := sendMsg(t, e, w.a2, room, "are you there?")

	if got := snapshotReads(t, e, w.a1)[room]; got != (protocol.ReadMark{RoomID: room, Unread: 2}) {
		t.Errorf("a1 snapshot mark = %+v, want no mark and 2 unread", got)
	}
	if got := snapshotReads(t, e, w.a2)[room]; got != (protocol.ReadMark{RoomID: room, Unread: 1}) {
		t.Errorf("a2 snapshot mark = %+v, want 1 unread (a1's message)", got)
	}

	if got := markRead(t, e, w.a1, room, m1.Seq); got != (protocol.ReadMark{RoomID: room, Seq: m1.Seq, Unread: 1}) {
		t.Errorf("mark through m1 = %+v, want seq %d with 1 unread", got, m1.Seq)
	}
	// Past the newest message: clamped to it.
	if got := markRead(t, e, w.a1, room, m3.Seq+1000); got != (protocol.ReadMark{RoomID: room, Seq: m3.Seq}) {
		t.Errorf("mark past the end = %+v, want seq %d with 0 unread", got, m3.Seq)
	}
	// Backwards: the mark stays.
	if got := markRead(t, e, w.a1, room, m1.Seq); got != (protocol.ReadMark{RoomID: room, Seq: m3.Seq}) {
		t.Errorf("mark backwards = %+v, want it to stay at %d", got, m3.Seq)
	}
	if got := snapshotReads(t, e, w.a1)[room]; got != (protocol.ReadMark{RoomID: room, Seq: m3.Seq}) {
		t.Errorf("a1 snapshot mark after reading = %+v, want seq %d, 0 unread", got, m3.Seq)
	}

	// Two moves, two room.read events, to a1 only; the backward one sent none.
	evs, err := e.svc.EventsSince(e.ctx, w.a1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var marks []protocol.ReadMark
	for _, ev := range evs {
		if ev.Op == protocol.EvRoomRead {
			var m protocol.ReadMark
			json.Unmarshal(ev.Data, &m)
			marks = append(marks, m)
		}
	}
	if len(marks) != 2 || marks[0].Unread != 1 || marks[1] != (protocol.ReadMark{RoomID: room, Seq: m3.Seq}) {
		t.Errorf("a1 room.read events = %+v, want the two moves", marks)
	}
	other, _ := e.svc.EventsSince(e.ctx, w.a2, 0, 0)
	if n := countOp(other, protocol.EvRoomRead); n != 0 {
		t.Errorf("a2 got %d room.read events of a1, want none", n)
	}
}

func TestReadMarkRules(t *testing.T) {
	e, w := newWorld(t)
	if err := direct(e, w.a1, w.a2); err != nil {
		t.Fatal(err)
	}
	room := protocol.DirectRoomID(w.a1.MemberID, w.a2.MemberID)
	a3 := e.member(w.A, "ann@acme.test", "Ann")
	tests := []struct {
		name string
		who  service.Caller
		req  protocol.ReadMark
		code string
	}{
		{"not in the room", a3, protocol.ReadMark{RoomID: room, Seq: 1}, protocol.ENotFound},
		{"no such room", w.a1, protocol.ReadMark{RoomID: "nope", Seq: 1}, protocol.ENotFound},
		{"no room", w.a1, protocol.ReadMark{Seq: 1}, protocol.ENotFound},
		{"negative seq", w.a1, protocol.ReadMark{RoomID: room, Seq: -1}, protocol.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(e.do(tt.who, protocol.OpRoomRead, tt.req, nil)); got != tt.code {
				t.Errorf("room.read %+v by %s = %q, want %q", tt.req, tt.name, got, tt.code)
			}
		})
	}
	// An empty room: any mark is clamped to 0 and nothing is sent.
	if got := markRead(t, e, w.a1, room, 5); got != (protocol.ReadMark{RoomID: room}) {
		t.Errorf("mark in an empty room = %+v, want zero", got)
	}
}

// A system message counts for whom it tells, not for its actor.
func TestReadMarksSystemMessages(t *testing.T) {
	e, w := newWorld(t)
	e.addExternal(w.a1, w.b1) // "Alice added you" in the 1:1 room
	room := protocol.DirectRoomID(w.a1.MemberID, w.b1.MemberID)
	if got := snapshotReads(t, e, w.b1)[room].Unread; got != 1 {
		t.Errorf("b1 unread = %d, want 1 (the system message)", got)
	}
	if got, ok := snapshotReads(t, e, w.a1)[room]; ok {
		t.Errorf("a1 mark = %+v, want none: a1 is the actor", got)
	}
}
