//go:build ci

package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/client/lock"
	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/internal/testclock"
)

// lockRig is a window with private content behind a locker.
type lockRig struct {
	win     fyne.Window
	q       *fyneQueue
	clock   *testclock.Clock
	store   *secret.Memory
	lk      *lock.Lock
	l       *locker
	secret  fyne.CanvasObject
	forgets int
}

const lockTestPassword = "open sesame"

// newLockRig opens a lock on store (a new one when nil) the way the app
// does at start; each call with the same store is one run of the app.
func newLockRig(t *testing.T, store *secret.Memory, clock *testclock.Clock, forget func(done func(error))) *lockRig {
	t.Helper()
	test.NewTempApp(t)
	if store == nil {
		store = &secret.Memory{}
	}
	if clock == nil {
		clock = testclock.New(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	}
	lk, err := lock.Open(lock.Options{Store: store, Params: argon2id.TestParams, Now: clock.Now})
	if err != nil {
		t.Fatalf("lock.Open: %v", err)
	}
	r := &lockRig{q: newFyneQueue(), clock: clock, store: store, lk: lk}
	r.secret = container.NewVBox(widget.NewLabel("Alice Kim"), widget.NewLabel("Quarterly numbers: 42"),
		widget.NewButton("Secret room", nil))
	r.win = test.NewTempWindow(t, r.secret)
	r.win.SetTitle("Acme · Alice Kim — Worktalk")
	r.win.Resize(fyne.NewSize(640, 480))
	if forget == nil {
		forget = func(done func(error)) { r.forgets++; done(nil) }
	}
	r.l = newLocker(newQueueWorker(t, r.q), r.win, lk, clock.Now, forget)
	r.l.Start()
	t.Cleanup(r.l.Stop)
	return r
}

// texts lists every visible text in the window, dialogs included.
func (r *lockRig) texts(t *testing.T) string {
	var out []string
	collect := func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		case *widget.Entry:
			out = append(out, x.Text, x.PlaceHolder)
		case *canvas.Text:
			out = append(out, x.Text)
		}
	}
	walkVisible(t, r.win.Canvas().Content(), collect)
	for _, o := range r.win.Canvas().Overlays().List() {
		walkVisible(t, o, collect)
	}
	return strings.Join(out, "\n")
}

// setPassword answers the set-password form.
func (r *lockRig) setPassword(t *testing.T, pw, again string) {
	t.Helper()
	top := r.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no set-password form")
	}
	var entries []*widget.Entry
	walkVisible(t, top, func(o fyne.CanvasObject) {
		switch e := o.(type) {
		case *widget.Entry:
			entries = append(entries, e)
		case *entry:
			entries = append(entries, &e.Entry)
		}
	})
	if len(entries) != 2 {
		t.Fatalf("set-password form has %d entries, want 2", len(entries))
	}
	entries[0].SetText("")
	entries[1].SetText("")
	test.Type(entries[0], pw)
	test.Type(entries[1], again)
}

func (r *lockRig) unlockWith(t *testing.T, pw string) {
	t.Helper()
	s := r.l.screen
	s.pw.SetText(pw)
	test.Tap(s.unlock)
	r.q.until(t, "the check", func() bool { return !s.checking })
}

func assertLocked(t *testing.T, r *lockRig) {
	t.Helper()
	if !r.l.Locked() {
		t.Fatalf("Locked() = false, want true")
	}
	if got := r.win.Title(); got != lockTitle {
		t.Fatalf("title while locked = %q, want %q", got, lockTitle)
	}
	all := r.texts(t)
	for _, secret := range []string{"Alice", "Acme", "Quarterly", "Secret room"} {
		if strings.Contains(all, secret) {
			t.Fatalf("locked window shows %q; texts:\n%s", secret, all)
		}
	}
}

func TestLockFirstUseAndUnlock(t *testing.T) {
	r := newLockRig(t, nil, nil, nil)
	r.l.LockNow()
	if r.l.Locked() {
		t.Fatalf("locked before a password was set")
	}
	set := topButton(t, r.win, "Set password")

	r.setPassword(t, "short", "short")
	if !set.Disabled() {
		t.Fatalf("[Set password] enabled for a 5-character password, want disabled")
	}
	r.setPassword(t, lockTestPassword, "open sesame!")
	if !set.Disabled() {
		t.Fatalf("[Set password] enabled for two different passwords, want disabled")
	}
	r.setPassword(t, lockTestPassword, lockTestPassword)
	if set.Disabled() {
		t.Fatalf("[Set password] disabled for a good password typed twice")
	}
	test.Tap(set)
	r.q.until(t, "locked", r.l.Locked)
	if !r.lk.IsSet() {
		t.Fatalf("lock password not stored")
	}
	assertLocked(t, r)
	test.AssertImageMatches(t, "lock_locked.png", r.win.Canvas().Capture())

	r.unlockWith(t, "wrong password")
	if !r.l.Locked() || r.l.screen.msg.Text != "Wrong password." {
		t.Fatalf("after a wrong password: locked %v, message %q; want locked and 'Wrong password.'", r.l.Locked(), r.l.screen.msg.Text)
	}
	r.unlockWith(t, lockTestPassword)
	if r.l.Locked() {
		t.Fatalf("still locked after the right password")
	}
	if r.win.Content() != r.secret || r.win.Title() != "Acme · Alice Kim — Worktalk" {
		t.Fatalf("after unlock: content restored %v, title %q; want the app as it was", r.win.Content() == r.secret, r.win.Title())
	}

	// Ctrl+L locks again without asking for a password.
	r.win.Canvas().(fyne.Shortcutable).TypedShortcut(lockShortcut)
	assertLocked(t, r)
}

func TestLockHidesDialogsAndKeepsNewContent(t *testing.T) {
	r := newLockRig(t, nil, nil, nil)
	if err := r.lk.Set(lockTestPassword); err != nil {
		t.Fatal(err)
	}
	dialog.ShowInformation("Alice Kim", "Quarterly numbers: 42", r.win)
	r.l.LockNow()
	assertLocked(t, r)

	// A dialog the app opens while locked is hidden by the next tick.
	dialog.ShowInformation("Secret room", "Alice Kim wrote", r.win)
	r.l.onLockedTick()
	assertLocked(t, r)

	// Content and title the app sets while locked wait for the unlock.
	next := widget.NewLabel("Alice Kim's rooms")
	r.l.SetContent(next)
	r.l.SetTitle("Acme — Worktalk")
	assertLocked(t, r)
	r.unlockWith(t, lockTestPassword)
	if r.win.Content() != next || r.win.Title() != "Acme — Worktalk" {
		t.Fatalf("after unlock: new content shown %v, title %q; want what the app set while locked", r.win.Content() == next, r.win.Title())
	}
	if n := len(r.win.Canvas().Overlays().List()); n != 2 {
		t.Fatalf("%d dialogs after unlock, want the 2 hidden ones back", n)
	}
}

// TestLockWaitsAcrossRestart: wrong passwords make the lock screen wait,
// and a restarted app (a new lock.Lock on the same keyring) still waits.
func TestLockWaitsAcrossRestart(t *testing.T) {
	store := &secret.Memory{}
	clock := testclock.New(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	r := newLockRig(t, store, clock, nil)
	if err := r.lk.Set(lockTestPassword); err != nil {
		t.Fatal(err)
	}
	if err := r.lk.SetSettings(lock.Settings{StartLocked: true}); err != nil {
		t.Fatal(err)
	}
	r.l.LockNow()
	for range lock.FreeAttempts {
		r.unlockWith(t, "wrong")
	}
	s := r.l.screen
	if !s.unlock.Disabled() || s.msg.Text != "Too many wrong passwords. Try again in 0:02." {
		t.Fatalf("after %d wrong passwords: unlock enabled %v, message %q; want disabled and a 0:02 wait", lock.FreeAttempts, !s.unlock.Disabled(), s.msg.Text)
	}
	clock.Advance(time.Second)
	s.tick()
	if s.msg.Text != "Too many wrong passwords. Try again in 0:01." {
		t.Fatalf("a second later: %q, want a 0:01 wait", s.msg.Text)
	}

	// Restart: start locked, the wait still running.
	r2 := newLockRig(t, store, clock, nil)
	assertLocked(t, r2)
	s2 := r2.l.screen
	if !s2.unlock.Disabled() || s2.msg.Text != "Too many wrong passwords. Try again in 0:01." {
		t.Fatalf("after restart: unlock enabled %v, message %q; want disabled and a 0:01 wait", !s2.unlock.Disabled(), s2.msg.Text)
	}
	s2.pw.SetText(lockTestPassword)
	s2.onUnlockTapped() // the Enter key while disabled: ignored
	if !r2.l.Locked() || s2.checking {
		t.Fatalf("unlock attempted during the wait")
	}
	clock.Advance(time.Second)
	s2.tick()
	if s2.unlock.Disabled() {
		t.Fatalf("[Unlock] still disabled after the wait")
	}
	r2.unlockWith(t, "wrong again")
	if got := r2.lk.NextAttempt().Sub(clock.Now()); got != 2*lock.FirstWait {
		t.Fatalf("wait after the 4th wrong password = %v, want %v", got, 2*lock.FirstWait)
	}
	clock.Advance(2 * lock.FirstWait)
	s2.tick()
	r2.unlockWith(t, lockTestPassword)
	if r2.l.Locked() {
		t.Fatalf("still locked after the right password once the wait was over")
	}
}

func TestAutoLock(t *testing.T) {
	r := newLockRig(t, nil, nil, nil)
	if err := r.lk.Set(lockTestPassword); err != nil {
		t.Fatal(err)
	}
	s := newLockSettings(r.l)
	r.win.SetContent(container.NewVBox(r.secret, s.content))
	var sel *widget.Select
	walkVisible(t, s.content, func(o fyne.CanvasObject) {
		if x, ok := o.(*widget.Select); ok {
			sel = x
		}
	})
	if sel == nil {
		t.Fatalf("lock settings have no idle choice")
	}
	sel.SetSelected("After 5 min")
	r.q.until(t, "settings saved", func() bool { return r.lk.Settings().AutoLockMinutes == 5 })

	r.l.Touch()
	r.clock.Advance(4 * time.Minute)
	r.l.checkIdle()
	if r.l.Locked() {
		t.Fatalf("locked after 4 idle minutes with a 5-minute auto-lock")
	}
	r.l.Touch()
	r.clock.Advance(4 * time.Minute)
	r.l.checkIdle()
	if r.l.Locked() {
		t.Fatalf("locked 4 minutes after the last input")
	}
	r.clock.Advance(time.Minute)
	r.l.checkIdle()
	assertLocked(t, r)
}

// TestForgotPasswordWipesData: "Forgot password?" logs the real engine
// out, which deletes the workspace's local data, and turns lock mode off.
func TestForgotPasswordWipesData(t *testing.T) {
	w := newShareWorld(t)
	eng, opt := signedIn(t, w.env, w.alice)
	accountsDir := filepath.Join(opt.DataDir, "accounts")
	if entries, err := os.ReadDir(accountsDir); err != nil || len(entries) == 0 {
		t.Fatalf("no local data before logging out (%v), want the workspace's folder", err)
	}
	var r *lockRig
	forget := func(done func(error)) {
		r.l.work.run(func(ctx context.Context) error { return eng.LogOut(ctx) }, done)
	}
	r = newLockRig(t, nil, nil, forget)
	if err := r.lk.Set(lockTestPassword); err != nil {
		t.Fatal(err)
	}
	r.l.LockNow()
	test.Tap(r.l.screen.forgot)
	test.Tap(topButton(t, r.win, "Log out and delete"))
	r.q.until(t, "logged out and unlocked", func() bool { return !r.l.Locked() })

	entries, err := os.ReadDir(accountsDir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("local data left after forgot password: %v", entries)
	}
	if accts, err := client.Accounts(opt); err != nil || len(accts) != 0 {
		t.Fatalf("Accounts after forgot password = %v, %v; want none", accts, err)
	}
	if r.lk.IsSet() {
		t.Fatalf("lock password still set after forgot password")
	}
	if r.win.Content() == r.secret || r.win.Title() != lockTitle {
		t.Fatalf("after forgot password: the wiped workspace's screen shown %v, title %q; want neither", r.win.Content() == r.secret, r.win.Title())
	}
	if r.forgets != 0 {
		t.Fatalf("the rig's default forget ran, want the engine's")
	}
}

// TestForgotPasswordShowsWhatTheAppSet: the app shows sign-in while
// logging out; the lock ends on it, not on the wiped workspace.
func TestForgotPasswordShowsWhatTheAppSet(t *testing.T) {
	var r *lockRig
	signIn := widget.NewLabel("Sign in")
	r = newLockRig(t, nil, nil, func(done func(error)) {
		r.l.SetContent(signIn)
		done(nil)
	})
	if err := r.lk.Set(lockTestPassword); err != nil {
		t.Fatal(err)
	}
	r.l.LockNow()
	r.l.screen.forgetConfirmed()
	r.q.until(t, "unlocked", func() bool { return !r.l.Locked() })
	if r.win.Content() != signIn {
		t.Fatalf("after forgot password the window does not show what the app set")
	}
}

// TestLockSettingsStartLocked: set a password from the settings card, tick
// "Start locked", and the next start of the app comes up locked.
func TestLockSettingsStartLocked(t *testing.T) {
	store := &secret.Memory{}
	r := newLockRig(t, store, nil, nil)
	s := newLockSettings(r.l)
	r.win.SetContent(container.NewVBox(r.secret, s.content))
	test.Tap(visibleButton(t, s.content, "Set a lock password"))
	r.setPassword(t, lockTestPassword, lockTestPassword)
	test.Tap(topButton(t, r.win, "Set password"))
	r.q.until(t, "the card for a set password", func() bool { return visibleButton(t, s.content, "Lock now") != nil })
	if r.l.Locked() {
		t.Fatalf("setting a password from the settings locked the app")
	}
	var start *widget.Check
	walkVisible(t, s.content, func(o fyne.CanvasObject) {
		if c, ok := o.(*widget.Check); ok {
			start = c
		}
	})
	if start == nil || start.Checked {
		t.Fatalf("no unchecked 'Start locked' after setting a password")
	}
	test.Tap(start)
	r.q.until(t, "start locked saved", func() bool { return r.lk.Settings().StartLocked })

	r2 := newLockRig(t, store, nil, nil)
	assertLocked(t, r2)
	r2.unlockWith(t, lockTestPassword)
	if r2.l.Locked() {
		t.Fatalf("still locked after the right password")
	}
}
