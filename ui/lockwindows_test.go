//go:build ci

package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/protocol"
)

// spyWindow records whether the app shows or hides it (test windows do not).
type spyWindow struct {
	fyne.Window
	shown bool
}

func (w *spyWindow) Show() { w.shown = true; w.Window.Show() }
func (w *spyWindow) Hide() { w.shown = false; w.Window.Hide() }

// TestLockHidesWindowsOpenedWhileLocked: a secondary window that opens
// while locked (e.g. a profile asked for just before Ctrl+L arrives from
// the server) is hidden like a dialog, and shows again on unlock.
func TestLockHidesWindowsOpenedWhileLocked(t *testing.T) {
	r := newLockRig(t, nil, nil, nil)
	if err := r.lk.Set(lockTestPassword); err != nil {
		t.Fatal(err)
	}
	var others []fyne.Window
	r.l.Others = func() []fyne.Window { return others }
	before := &spyWindow{Window: test.NewTempWindow(t, widget.NewLabel("Alice Kim"))}
	before.Show()
	others = append(others, before)
	r.l.LockNow()
	assertLocked(t, r)

	late := &spyWindow{Window: test.NewTempWindow(t, widget.NewLabel("Alice Kim"))}
	late.Window.SetTitle("Alice Kim")
	others = append(others, late)
	late.Show()
	r.l.onLockedTick()
	for name, w := range map[string]*spyWindow{"opened before the lock": before, "opened while locked": late} {
		if w.shown {
			t.Errorf("window %s shows while locked, want hidden", name)
		}
	}
	r.unlockWith(t, lockTestPassword)
	for name, w := range map[string]*spyWindow{"opened before the lock": before, "opened while locked": late} {
		if !w.shown {
			t.Errorf("window %s hidden after unlock, want shown", name)
		}
	}
}

// TestLockHidesErrorShownWhileLocked: an error the app reports while the
// lock screen is up (an answer that arrived after the lock) never shows
// over it, not even until the next tick; it is there after unlock.
func TestLockHidesErrorShownWhileLocked(t *testing.T) {
	store := &secret.Memory{}
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.signedIn(t, alice, withLock(store))
	a := h.app
	if err := a.cfg.Lock.Set(lockTestPassword); err != nil {
		t.Fatal(err)
	}
	a.lockNow()
	if !a.locked() {
		t.Fatalf("locked() = false after lockNow, want true")
	}
	a.showError(a.win, protocol.Errorf(protocol.EBlocked, "you cannot add Bob Lee to a room"))
	for _, o := range a.win.Canvas().Overlays().List() {
		if o.Visible() {
			t.Fatalf("a dialog shows over the lock screen before the next tick, want none")
		}
	}
	a.locker.screen.pw.SetText(lockTestPassword)
	test.Tap(a.locker.screen.unlock)
	h.until("the unlock", func() bool { return !a.locked() })
	if top := topOverlay(a.win); top == nil || !top.Visible() {
		t.Errorf("the error is gone after unlock, want it shown")
	}
}
