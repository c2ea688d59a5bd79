package client

import (
	"context"
	"fmt"
	"testing"
)

func unreadOf(s State, roomID string) int {
	for _, r := range s.Rooms {
		if r.ID == roomID {
			return r.Unread
		}
	}
	return -1
}

// Unread counts across two devices of one member, through the real server:
// what Kim reads on the laptop clears on the phone, and Kim's own
// messages, from either device, never count.
func TestUnreadAcrossDevices(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	kim := w.env.NewUser(ws.ID, "Kim")
	lee := w.env.NewUser(ws.ID, "Lee")
	laptop, phone, other := w.device(t, kim), w.device(t, kim), w.device(t, lee)
	for _, e := range []*Engine{laptop, phone, other} {
		waitFor(t, e, "online", synced)
	}
	room, err := other.OpenDirectRoom(ctx, kim.ID())
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"점심 먹었어요?", "회의 3시로 바뀌었어요", "자료 보냈습니다"} {
		if _, err := other.SendMessage(ctx, room, text); err != nil {
			t.Fatal(err)
		}
	}
	three := func(s State) bool { return unreadOf(s, room) == 3 && s.Unread == 3 }
	waitFor(t, laptop, "3 unread on the laptop", three)
	waitFor(t, phone, "3 unread on the phone", three)

	// Kim answers from the phone: the laptop's count does not move.
	if _, err := phone.SendMessage(ctx, room, "네, 확인했어요"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, laptop, "Kim's own answer arrived", func(s State) bool {
		r := roomOf(s, room)
		return r != nil && r.Last != nil && r.Last.Text == "네, 확인했어요" && r.Unread == 3
	})

	// Reading on the laptop clears the count at once there, then on the phone.
	if err := laptop.MarkRead(ctx, room); err != nil {
		t.Fatal(err)
	}
	if got := laptop.State(); unreadOf(got, room) != 0 || got.Unread != 0 {
		t.Fatalf("laptop after MarkRead: unread %d (total %d), want 0 at once", unreadOf(got, room), got.Unread)
	}
	waitFor(t, phone, "read on the laptop clears the phone", func(s State) bool { return unreadOf(s, room) == 0 })
	waitFor(t, laptop, "the mark acknowledged", func(s State) bool { return synced(s) && unreadOf(s, room) == 0 })

	// A new message counts again, on both.
	if _, err := other.SendMessage(ctx, room, "한 가지 더요"); err != nil {
		t.Fatal(err)
	}
	one := func(s State) bool { return unreadOf(s, room) == 1 }
	waitFor(t, laptop, "1 unread on the laptop", one)
	waitFor(t, phone, "1 unread on the phone", one)
	// Lee's four messages never count for Lee; Kim's answer does.
	waitFor(t, other, "Lee's unread is Kim's answer only", func(s State) bool { return synced(s) && unreadOf(s, room) == 1 })

	// A third device of Kim's starts from a snapshot with the same count.
	tablet := w.device(t, kim)
	waitFor(t, tablet, "snapshot count on a new device", func(s State) bool { return synced(s) && unreadOf(s, room) == 1 })
	// And reading there (offline first) clears the others once it syncs.
	w.gate.Set(false)
	w.proxy.SetDown(true)
	waitFor(t, tablet, "offline", func(s State) bool { return !s.Conn.Online })
	if err := tablet.MarkRead(ctx, room); err != nil {
		t.Fatal(err)
	}
	if n := unreadOf(tablet.State(), room); n != 0 {
		t.Fatalf("tablet unread after an offline MarkRead = %d, want 0", n)
	}
	w.proxy.SetDown(false)
	w.gate.Set(true)
	zero := func(s State) bool { return synced(s) && unreadOf(s, room) == 0 }
	waitFor(t, laptop, "offline read reaches the laptop", zero)
	waitFor(t, phone, "offline read reaches the phone", zero)
	waitFor(t, tablet, "tablet synced", zero)
}

func roomOf(s State, id string) *RoomSummary {
	for i := range s.Rooms {
		if s.Rooms[i].ID == id {
			return &s.Rooms[i]
		}
	}
	return nil
}

// MarkRead with nothing unread queues nothing.
func TestMarkReadNothingUnread(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	kim := w.env.NewUser(ws.ID, "Kim")
	e := w.device(t, kim)
	waitFor(t, e, "online", synced)
	room, err := e.OpenSelfRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.SendMessage(ctx, room, "note"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, "synced", synced)
	if err := e.MarkRead(ctx, room); err != nil {
		t.Fatal(err)
	}
	if st := e.State(); st.Pending != 0 || unreadOf(st, room) != 0 {
		t.Errorf("after MarkRead of my own notes: pending %d, unread %d; want 0, 0", st.Pending, unreadOf(st, room))
	}
}

// What a member I block sends in a group we still share never counts as
// unread, on any of my devices: the block drops what counted already, later
// messages do not count as they arrive, a new device's snapshot agrees,
// and unblocking counts them again. Through the real server and engines.
func TestUnreadSkipsBlockedMember(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	acme := w.env.CreateWorkspace("Acme")
	globex := w.env.CreateWorkspace("Globex")
	kim := w.env.NewUser(acme.ID, "Kim")
	lee := w.env.NewUser(acme.ID, "Lee")
	ue := w.env.NewUser(globex.ID, "Eve")
	laptop, phone, coworker, eve := w.device(t, kim), w.device(t, kim), w.device(t, lee), w.device(t, ue)
	for _, e := range []*Engine{laptop, phone, coworker, eve} {
		waitFor(t, e, "online", synced)
	}
	link, err := eve.OneTimeLink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := laptop.AddExternalByLink(ctx, link.URL); err != nil {
		t.Fatal(err)
	}
	room, err := laptop.CreateGroupRoom(ctx, "Launch", []string{lee.ID(), ue.ID()})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []*Engine{laptop, coworker, eve} {
		waitFor(t, e, "the group", func(s State) bool { return synced(s) && roomOf(s, room) != nil })
	}
	send := func(e *Engine, text string) {
		t.Helper()
		if _, err := e.SendMessage(ctx, room, text); err != nil {
			t.Fatal(err)
		}
		waitFor(t, e, "sent", synced)
	}
	both := func(what string, n int) {
		t.Helper()
		for name, e := range map[string]*Engine{"laptop": laptop, "phone": phone} {
			waitFor(t, e, fmt.Sprintf("%s: %d unread on the %s", what, n, name), func(s State) bool {
				return synced(s) && unreadOf(s, room) == n && s.Unread == n
			})
		}
	}
	send(eve, "Eve one")
	send(coworker, "Lee one")
	send(eve, "Eve two")
	both("before the block", 3)

	if err := laptop.Block(ctx, ue.ID()); err != nil {
		t.Fatal(err)
	}
	both("the block drops Eve's two", 1)
	send(eve, "Eve three")
	send(coworker, "Lee two")
	waitFor(t, phone, "Lee two arrived", func(s State) bool {
		r := roomOf(s, room)
		return r != nil && r.Last != nil && r.Last.Text == "Lee two"
	})
	both("Eve's next does not count, Lee's does", 2)

	tablet := w.device(t, kim)
	waitFor(t, tablet, "a new device's snapshot", func(s State) bool { return synced(s) && unreadOf(s, room) == 2 })

	if err := phone.Unblock(ctx, ue.ID()); err != nil {
		t.Fatal(err)
	}
	both("unblocked, Eve's three count again", 5)
}
