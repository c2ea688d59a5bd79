//go:build ci

package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// externalPair makes Bob (Beta) add Alice (Acme) by her QR link, so Alice
// has a 1:1 room with an external member; Ann is Alice's co-worker with a
// 1:1 room too. It returns Alice's engine.
func externalPair(t *testing.T) (*shareWorld, *client.Engine, *servertest.User) {
	t.Helper()
	w := newShareWorld(t)
	ann := w.env.CreateMember(w.acme.ID, "Ann Choi", nil)
	alice, _ := signedIn(t, w.env, w.alice)
	bob, _ := signedIn(t, w.env, w.bob)
	ctx := context.Background()
	link, err := alice.QRLink(ctx)
	if err != nil {
		t.Fatalf("QRLink: %v", err)
	}
	if _, err := bob.AddExternalByLink(ctx, link.URL); err != nil {
		t.Fatalf("AddExternalByLink: %v", err)
	}
	if _, err := alice.OpenDirectRoom(ctx, ann.ID()); err != nil {
		t.Fatalf("OpenDirectRoom(Ann): %v", err)
	}
	awaitState(t, alice, "both 1:1 rooms", func(st client.State) bool {
		return hasRoomID(st, protocol.DirectRoomID(w.alice.ID(), w.bob.ID())) &&
			hasRoomID(st, protocol.DirectRoomID(w.alice.ID(), ann.ID())) && st.Pending == 0
	})
	return w, alice, ann
}

func hasRoomID(st client.State, id string) bool {
	return slices.ContainsFunc(st.Rooms, func(r client.RoomSummary) bool { return r.ID == id })
}

func roomByID(st client.State, id string) client.RoomSummary {
	i := slices.IndexFunc(st.Rooms, func(r client.RoomSummary) bool { return r.ID == id })
	if i < 0 {
		return client.RoomSummary{}
	}
	return st.Rooms[i]
}

func TestBlockFromRoomPanel(t *testing.T) {
	w, alice, ann := externalPair(t)
	win := testWindow(t)
	q := newFyneQueue()
	work := newQueueWorker(t, q)

	t.Run("co-worker has no button", func(t *testing.T) {
		p := newBlockPanel(work, alice, win, protocol.DirectRoomID(w.alice.ID(), ann.ID()))
		win.SetContent(p.content)
		if p.name.Text != "Ann Choi" {
			t.Fatalf("panel names %q, want Ann Choi", p.name.Text)
		}
		if p.block.Visible() || visibleButton(t, p.content, "Block member") != nil {
			t.Fatalf("co-worker's panel offers [Block member], want no button")
		}
	})

	t.Run("external member", func(t *testing.T) {
		roomID := protocol.DirectRoomID(w.alice.ID(), w.bob.ID())
		p := newBlockPanel(work, alice, win, roomID)
		win.SetContent(p.content)
		if p.name.Text != "Bob Lee" || p.sub.Text != "Beta" {
			t.Fatalf("panel = %q / %q, want Bob Lee / Beta", p.name.Text, p.sub.Text)
		}
		btn := visibleButton(t, p.content, "Block member")
		if btn == nil {
			t.Fatalf("external member's panel has no [Block member]")
		}
		test.Tap(btn)
		test.Tap(topButton(t, win, "Block member"))
		st := awaitState(t, alice, "the block acknowledged and the room closed", func(st client.State) bool {
			return len(st.Blocked) == 1 && st.Pending == 0 && roomByID(st, roomID).Closed
		})
		if st.Blocked[0].ID != w.bob.ID() || isExternal(st, w.bob.ID()) {
			t.Fatalf("blocked %+v, Bob external %v; want Bob blocked and not external", st.Blocked, isExternal(st, w.bob.ID()))
		}
		p.apply(st)
		if p.block.Visible() || !strings.Contains(p.note.Text, "You blocked Bob Lee") {
			t.Fatalf("after blocking: button shown %v, note %q; want hidden and 'You blocked Bob Lee'", p.block.Visible(), p.note.Text)
		}
		// Sending in the room is refused from now on.
		if _, err := alice.SendMessage(context.Background(), roomID, "hello?"); err == nil {
			st := awaitState(t, alice, "the send refused", func(st client.State) bool { return st.Pending == 0 })
			if len(st.Notices) == 0 {
				t.Fatalf("sending in the closed room was accepted, want refused")
			}
		}
	})
}

func TestUnblockAndReadd(t *testing.T) {
	w, alice, _ := externalPair(t)
	ctx := context.Background()
	if err := alice.Block(ctx, w.bob.ID()); err != nil {
		t.Fatalf("Block: %v", err)
	}
	st := awaitState(t, alice, "the block acknowledged", func(st client.State) bool { return len(st.Blocked) == 1 && st.Pending == 0 })

	win := testWindow(t)
	q := newFyneQueue()
	l := newBlockedList(newQueueWorker(t, q), alice, win)
	win.SetContent(l.content)
	l.apply(st)
	unblock := visibleButton(t, l.content, "Unblock")
	if unblock == nil {
		t.Fatalf("blocked list has no [Unblock]")
	}
	test.Tap(unblock)
	q.until(t, "the unblock queued", func() bool { return len(l.unblocked) == 1 })
	st = awaitState(t, alice, "the unblock acknowledged", func(st client.State) bool { return len(st.Blocked) == 0 && st.Pending == 0 })
	l.apply(st)
	if visibleButton(t, l.content, "Unblock") != nil {
		t.Fatalf("[Unblock] still shown after unblocking")
	}
	add := visibleButton(t, l.content, "Add as external member")
	if add == nil {
		t.Fatalf("no [Add as external member] after unblocking")
	}
	test.Tap(add)
	test.Tap(topButton(t, win, "Confirm"))
	q.until(t, "the add queued", func() bool { return l.added[w.bob.ID()] })
	st = awaitState(t, alice, "the add settled", func(st client.State) bool { return st.Pending == 0 })
	if len(st.Notices) > 0 || !isExternal(st, w.bob.ID()) {
		t.Fatalf("after re-adding: Bob external %v, notices %+v; want external and no notice", isExternal(st, w.bob.ID()), st.Notices)
	}
	l.apply(st)
	if visibleButton(t, l.content, "Add as external member") != nil {
		t.Fatalf("[Add as external member] still shown after Bob was added")
	}
}

func TestBlockedListEmpty(t *testing.T) {
	win := testWindow(t)
	l := newBlockedList(newQueueWorker(t, newFyneQueue()), nil, win)
	win.SetContent(l.content)
	l.apply(client.State{})
	if visibleButton(t, l.content, "Unblock") != nil {
		t.Fatalf("empty list shows [Unblock]")
	}
}
