package service_test

import (
	"strings"
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// blockedPair sets up a block between external members: a1 and b1 were external
// members until one blocked the other, and b2 (b1's coworker) has a1 as an
// external member, so b2 knows both.
func blockedPair(t *testing.T, blockerIsA bool) (*env, *world) {
	e, w := newWorld(t)
	e.addExternal(w.a1, w.b1)
	e.addExternal(w.b2, w.a1)
	if blockerIsA {
		e.block(w.a1, w.b1)
	} else {
		e.block(w.b1, w.a1)
	}
	return e, w
}

// TestGroupCannotHoldBlockedPair: no room may hold a blocker and a member
// they blocked, whoever makes it, and the refusal names no one.
func TestGroupCannotHoldBlockedPair(t *testing.T) {
	for _, blockerIsA := range []bool{true, false} {
		e, w := blockedPair(t, blockerIsA)
		err := group(e, w.b2, "Both", w.a1, w.b1)
		if code(err) != protocol.EBlocked {
			t.Fatalf("blockerIsA=%v: group with both = %v, want %s", blockerIsA, err, protocol.EBlocked)
		}
		for _, name := range []string{"Alice", "보라", w.a1.MemberID, w.b1.MemberID, "Acme", "Hanbit"} {
			if strings.Contains(err.Error(), name) {
				t.Errorf("refusal %q names %q", err, name)
			}
		}
		// Each of them alone is fine.
		if err := group(e, w.b2, "Just Alice", w.a1); err != nil {
			t.Errorf("group with a1 only: %v", err)
		}
		if err := group(e, w.b2, "Just Bora", w.b1); err != nil {
			t.Errorf("group with b1 only: %v", err)
		}
		// The blocked pair themselves cannot make one either.
		if err := group(e, w.a1, "Us", w.b1); code(err) != protocol.EBlocked {
			t.Errorf("a1 makes a group with b1 = %v, want %s", err, protocol.EBlocked)
		}
	}
}

// TestRoomsCommonRefusedAcrossBlock: rooms.common answers as member.get
// does, so a blocked member learns nothing of the blocker's rooms.
func TestRoomsCommonRefusedAcrossBlock(t *testing.T) {
	e, w := newWorld(t)
	e.addExternal(w.a1, w.b1)
	if err := group(e, w.a1, "Before", w.b1); err != nil {
		t.Fatal(err)
	}
	var list protocol.RoomList
	e.mustDo(w.b1, protocol.OpRoomsCommon, protocol.MemberRef{MemberID: w.a1.MemberID}, &list)
	if len(list.Rooms) != 1 {
		t.Fatalf("rooms in common before the block = %d, want 1", len(list.Rooms))
	}
	e.block(w.a1, w.b1)
	for _, c := range []struct {
		name      string
		from, who service.Caller
	}{{"blocked asks", w.b1, w.a1}, {"blocker asks", w.a1, w.b1}} {
		err := e.do(c.from, protocol.OpRoomsCommon, protocol.MemberRef{MemberID: c.who.MemberID}, &list)
		if code(err) != protocol.ENotFound {
			t.Errorf("%s: rooms.common = %v, want %s", c.name, err, protocol.ENotFound)
		}
		gerr := e.do(c.from, protocol.OpMemberGet, protocol.MemberRef{MemberID: c.who.MemberID}, nil)
		if err != nil && gerr != nil && err.Error() != gerr.Error() {
			t.Errorf("%s: rooms.common says %q, member.get %q: the answers tell a block apart", c.name, err, gerr)
		}
		// The reason lets the client say "not available" in its language.
		if r := protocol.ErrorReason(gerr); r != protocol.RNoMember {
			t.Errorf("%s: member.get reason %q, want %q", c.name, r, protocol.RNoMember)
		}
	}
}

// TestBlockedMemberStillPostsInSharedGroup: in a group they already share
// the blocked member keeps writing (the blocker's devices collapse those
// messages); the server does not cut the group apart.
func TestBlockedMemberStillPostsInSharedGroup(t *testing.T) {
	e, w := newWorld(t)
	e.addExternal(w.a1, w.b1)
	var room protocol.Room
	e.mustDo(w.a1, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "Shared", Members: []string{w.b1.MemberID, w.a2.MemberID}}, &room)
	e.block(w.a1, w.b1)
	if err := send(e, w.b1, room.ID, "still here"); err != nil {
		t.Fatalf("blocked member posts in the shared group: %v", err)
	}
}
