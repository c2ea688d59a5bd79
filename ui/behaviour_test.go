//go:build ci

package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/client/lock"
	"worktalk.dev/worktalk/protocol"
)

// pushState shows st as if the engine had sent it.
func pushState(a *App, st client.State) {
	a.sess.applied = st
	a.main.apply(st)
}

// The chat list keeps the highlight on the open room when a new message
// moves that room to the top.
func TestChatHighlightFollowsRoom(t *testing.T) {
	a, l := goldenApp(t, "en")
	st := a.state()
	dm := st.Rooms[1].ID
	a.main.openRoom(dm)
	l.drain()
	if c := a.main.chats; c.selected != 1 {
		t.Fatalf("highlight on row %d after opening the 1:1 room, want 1", c.selected)
	}
	moved := st
	moved.Rooms = slices.Clone(st.Rooms)
	moved.Rooms[0], moved.Rooms[1] = moved.Rooms[1], moved.Rooms[0]
	pushState(a, moved)
	c := a.main.chats
	if c.selected < 0 || c.rooms[c.selected].ID != dm {
		t.Errorf("highlight on row %d after the room moved to the top, want row 0 (%s)", c.selected, dm)
	}
}

// After my picture changes, the avatars of an open room show it without a
// new message.
func TestOpenRoomAvatarsFollowMyPicture(t *testing.T) {
	a, l := goldenApp(t, "en")
	test.Tap(a.main.chats.selfBtn)
	l.until(t, "my room", func() bool { return a.main.room != nil && a.main.room.loaded })
	a.win.Resize(fyne.NewSize(960, 640))
	st := a.state()
	st.Me.PictureID = "new-picture-id"
	pushState(a, st)
	found := false
	walk(a.main.room.list, func(o fyne.CanvasObject) {
		if v, ok := o.(*avatar); ok && v.Visible() && v.name == st.Me.Name {
			found = true
			if v.picID != "new-picture-id" {
				t.Errorf("a row's avatar asks for picture %q, want the new one", v.picID)
			}
		}
	})
	if !found {
		t.Fatal("no avatar of mine in the open room")
	}
}

// The blocked members row fits the sidebar at its default width, even with
// the longest action button in Korean.
func TestBlockedRowFitsSidebar(t *testing.T) {
	setLanguage(t, "ko")
	test.NewTempApp(t)
	th, err := NewTheme()
	if err != nil {
		t.Fatal(err)
	}
	fyne.CurrentApp().Settings().SetTheme(th)
	l := newBlockedList(nil, nil, nil)
	b := protocol.BlockedMember{ID: "x", Name: "김서연", WorkspaceName: "한빛소프트"}
	l.unblocked = []protocol.BlockedMember{b}
	l.render()
	// The sidebar is a third of the 800-pixel-wide smallest window, less
	// the tab's padding.
	if w := l.content.MinSize().Width; w > 800*0.34-16 {
		t.Errorf("blocked members section needs %v wide, more than the sidebar's %v", w, 800*0.34-16)
	}
}

// The lock screen does not flash the wait message while it checks a
// password after a wait: the lock counts the attempt (and sets its wait)
// before it hashes.
func TestNoWaitFlashWhileChecking(t *testing.T) {
	setLanguage(t, "en")
	r := newLockRig(t, nil, nil, nil)
	if err := r.lk.Set(lockTestPassword); err != nil {
		t.Fatal(err)
	}
	r.l.LockNow()
	for range lock.FreeAttempts {
		r.unlockWith(t, "wrong")
	}
	r.clock.Advance(time.Hour)
	s := r.l.screen
	s.tick()
	// What Verify does first: count this attempt, with its wait.
	s.checking = true
	if err := r.lk.Verify("wrong again"); err == nil {
		t.Fatal("a wrong password unlocked")
	}
	s.tick()
	if strings.Contains(s.msg.Text, "Too many") {
		t.Errorf("while checking the lock screen shows %q, want no wait", s.msg.Text)
	}
}
