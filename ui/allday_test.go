//go:build ci

package ui

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/client/secret"
)

// notifyingApp is a Fyne test app that keeps every notification sent
// through it (the test app itself keeps only the last).
type notifyingApp struct {
	fyne.App
	mu   sync.Mutex
	sent []fyne.Notification
}

func (a *notifyingApp) SendNotification(n *fyne.Notification) {
	a.mu.Lock()
	a.sent = append(a.sent, *n)
	a.mu.Unlock()
}

// take returns the notifications sent since the last take.
func (a *notifyingApp) take() []fyne.Notification {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.sent
	a.sent = nil
	return out
}

// fakeTimers stands in for afterOnFyne: the test fires what is due.
type fakeTimers struct{ fns []func() }

func (f *fakeTimers) after(_ time.Duration, fn func()) func() {
	f.fns = append(f.fns, fn)
	i := len(f.fns) - 1
	return func() { f.fns[i] = nil }
}

func (f *fakeTimers) fire() {
	fns := f.fns
	f.fns = nil
	for _, fn := range fns {
		if fn != nil {
			fn()
		}
	}
}

// badgeOf is the unread count the chats list shows for a room ("" none).
func badgeOf(h *harness, roomID string) string {
	c := h.app.main.chats
	for i, r := range c.rooms {
		if r.ID != roomID {
			continue
		}
		item := c.createItem()
		c.updateItem(i, item)
		b := item.(*listRow[roomRow]).parts.unread
		if !b.content.Visible() {
			return ""
		}
		return b.text.Text
	}
	return "no room"
}

// Messages from a coworker show as a count on the room in the chats list;
// opening the room marks it read only while the window has the focus and
// is not locked, and the count goes on every device.
func TestUnreadBadgeAndMarkRead(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	kim := w.env.NewUser(w.ws.ID, "Kim Minji")
	lee := w.env.NewUser(w.ws.ID, "Lee Jun")
	store := &secret.Memory{}
	h := w.signedIn(t, kim, withLock(store))
	if err := h.app.cfg.Lock.Set(lockTestPassword); err != nil {
		t.Fatal(err)
	}
	other, _ := signedIn(t, w.env, lee)
	phone, _ := signedIn(t, w.env, kim) // another device of Kim's
	room, err := other.OpenDirectRoom(ctx, kim.ID())
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"안녕하세요", "회의록 보냈어요"} {
		if _, err := other.SendMessage(ctx, room, text); err != nil {
			t.Fatal(err)
		}
	}
	h.until("2 unread on the room", func() bool { return badgeOf(h, room) == "2" })
	if got := h.app.state().Unread; got != 2 {
		t.Errorf("total unread = %d, want 2", got)
	}

	// Not focused: opening the room does not read it.
	h.app.setFocused(false)
	h.app.main.openRoom(room)
	quiet(h)
	if got := badgeOf(h, room); got != "2" {
		t.Fatalf("badge after opening the room in an unfocused window = %q, want 2", got)
	}
	// Locked, then focused: still unread.
	h.app.lockNow()
	h.app.setFocused(true)
	quiet(h)
	if got := badgeOf(h, room); got != "2" {
		t.Fatalf("badge while locked = %q, want 2", got)
	}
	// Unlocked and focused: read here, then on the phone.
	unlock(t, h)
	h.until("the room read", func() bool { return badgeOf(h, room) == "" && h.app.state().Unread == 0 })
	awaitState(t, phone, "read on the other device", func(st client.State) bool { return st.Unread == 0 })

	// A message into the open, focused room is read at once: no count.
	if _, err := other.SendMessage(ctx, room, "지금 보고 있어요?"); err != nil {
		t.Fatal(err)
	}
	h.until("the new message shown", func() bool {
		r := roomSummary(h.app.state(), room)
		return r != nil && r.Last != nil && r.Last.Text == "지금 보고 있어요?"
	})
	h.until("read while looking", func() bool { return badgeOf(h, room) == "" })
	h.settled()
}

// quiet waits until no mark-read is on its way, the outbox is empty and
// the screens show the engine's newest state.
func quiet(h *harness) {
	h.t.Helper()
	h.until("marks sent", func() bool {
		eng := h.app.engine().State()
		return len(h.app.marking) == 0 && eng.Pending == 0 && h.app.state().Unread == eng.Unread
	})
}

func roomSummary(st client.State, id string) *client.RoomSummary {
	for i := range st.Rooms {
		if st.Rooms[i].ID == id {
			return &st.Rooms[i]
		}
	}
	return nil
}

// unlock types the lock password into the lock screen.
func unlock(t *testing.T, h *harness) {
	t.Helper()
	s := h.app.locker.screen
	test.Type(s.pw, lockTestPassword)
	s.onUnlockTapped()
	h.until("unlocked", func() bool { return !h.app.locked() })
}

// Notifications: sender and text for a message in a room not looked at,
// one summary for a burst, nothing for my own messages or the room I look
// at, only "New message" while locked or when the content is hidden, none
// when turned off.
func TestNotifications(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	kim := w.env.NewUser(w.ws.ID, "Kim Minji")
	lee := w.env.NewUser(w.ws.ID, "Lee Jun")
	fa := &notifyingApp{App: test.NewTempApp(t)}
	store := &secret.Memory{}
	h := w.signedInOn(t, fa, kim, withLock(store))
	if err := h.app.cfg.Lock.Set(lockTestPassword); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	h.app.now = func() time.Time { return now }
	timers := &fakeTimers{}
	h.app.notify.after = timers.after
	other, _ := signedIn(t, w.env, lee)
	phone, _ := signedIn(t, w.env, kim)
	room, err := other.OpenDirectRoom(ctx, kim.ID())
	if err != nil {
		t.Fatal(err)
	}
	send := func(e *client.Engine, text string) {
		t.Helper()
		if _, err := e.SendMessage(ctx, room, text); err != nil {
			t.Fatal(err)
		}
	}
	waitUnread := func(n int) {
		t.Helper()
		h.until("unread "+strconv.Itoa(n), func() bool { return unreadIn(h.app.state(), room) == n })
	}
	want := func(what string, titles ...string) []fyne.Notification {
		t.Helper()
		got := fa.take()
		if len(got) != len(titles)/2 {
			t.Fatalf("%s: notifications %+v, want %d", what, got, len(titles)/2)
		}
		for i := range got {
			if got[i].Title != titles[2*i] || got[i].Content != titles[2*i+1] {
				t.Errorf("%s: notification %d = %q / %q, want %q / %q", what, i, got[i].Title, got[i].Content, titles[2*i], titles[2*i+1])
			}
		}
		return got
	}

	h.app.setFocused(false) // Kim is in another app
	send(other, "점심 같이 해요")
	waitUnread(1)
	want("one message", "Lee Jun", "점심 같이 해요")

	// A burst within the quiet time: held, then one summary.
	send(other, "12시 어때요?")
	send(other, "1층 식당이요")
	waitUnread(3)
	want("during the quiet time")
	timers.fire()
	want("the burst", "Lee Jun", "2 new messages")

	// My own message from the phone: nothing.
	now = now.Add(time.Minute)
	send(phone, "좋아요")
	h.until("my message arrived", func() bool {
		r := roomSummary(h.app.state(), room)
		return r != nil && r.Last != nil && r.Last.Text == "좋아요"
	})
	want("my own message")

	// Locked: no name, no text.
	h.app.lockNow()
	send(other, "비밀 이야기")
	waitUnread(4)
	want("while locked", "Worktalk", "New message")
	unlock(t, h)

	// Hidden content in the settings.
	now = now.Add(time.Minute)
	fa.Preferences().SetString(prefNotifications, notifyHidden)
	send(other, "보이면 안 돼요")
	waitUnread(5)
	want("content hidden", "Worktalk", "New message")

	// Off.
	now = now.Add(time.Minute)
	fa.Preferences().SetString(prefNotifications, notifyOff)
	send(other, "조용히")
	waitUnread(6)
	want("turned off")

	// The room I look at: read at once, no notification.
	now = now.Add(time.Minute)
	fa.Preferences().SetString(prefNotifications, notifyOn)
	h.app.setFocused(true)
	h.app.main.openRoom(room)
	waitUnread(0)
	send(other, "보고 있네요")
	h.until("the message shown", func() bool {
		r := roomSummary(h.app.state(), room)
		return r != nil && r.Last != nil && r.Last.Text == "보고 있네요"
	})
	h.loop.drain()
	want("the room in view")
	h.settled()
}

// The tray icon carries the unread mark: one icon per badge text, the
// same resource each time.
func TestTrayIcons(t *testing.T) {
	icons, err := newTrayIcons()
	if err != nil {
		t.Fatal(err)
	}
	plain, one, many := icons.icon(0), icons.icon(1), icons.icon(12)
	if plain == one || one == many {
		t.Fatalf("icons for 0, 1 and 12 unread are not all different")
	}
	if icons.icon(15) != many || icons.icon(1) != one {
		t.Errorf("icons are made again instead of kept")
	}
	for n, want := range map[int]string{0: "", 1: "1", 9: "9", 10: "9+", 250: "9+"} {
		if got := badgeText(n); got != want {
			t.Errorf("badgeText(%d) = %q, want %q", n, got, want)
		}
	}
}

// trayTestApp is a notifying test app with a tray (desktop.App).
type trayTestApp struct {
	notifyingApp
	icon fyne.Resource
}

func (a *trayTestApp) SetSystemTrayMenu(*fyne.Menu)      {}
func (a *trayTestApp) SetSystemTrayIcon(r fyne.Resource) { a.icon = r }
func (a *trayTestApp) SetSystemTrayWindow(fyne.Window)   {}

// Closing the window keeps Worktalk in the tray where one shows, says so
// the first time only, and quits where there is none or the user said so;
// the tray icon carries the unread count.
func TestCloseToTray(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	kim := w.env.NewUser(w.ws.ID, "Kim Minji")
	lee := w.env.NewUser(w.ws.ID, "Lee Jun")
	fa := &trayTestApp{notifyingApp: notifyingApp{App: test.NewTempApp(t)}}
	trayShows := true
	h := w.signedInOn(t, fa, kim, func(c *Config) { c.TrayAvailable = func() bool { return trayShows } })
	if h.app.tray == nil {
		t.Fatal("no tray on a desktop app")
	}
	plain := fa.icon
	other, _ := signedIn(t, w.env, lee)
	room, err := other.OpenDirectRoom(ctx, kim.ID())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.SendMessage(ctx, room, "내일 봬요"); err != nil {
		t.Fatal(err)
	}
	h.until("the tray shows 1", func() bool { return h.app.tray.count == 1 })
	if fa.icon == plain || fa.icon != h.app.tray.icons.icon(1) {
		t.Errorf("tray icon not the one with the mark")
	}
	if got := h.app.tray.open.Label; got != "Open Worktalk (1 unread)" {
		t.Errorf("tray Open item = %q", got)
	}
	fa.take()

	h.app.onCloseTapped()
	if h.quit || !h.app.hidden {
		t.Fatalf("close with a tray: quit %v, hidden %v; want hidden in the tray", h.quit, h.app.hidden)
	}
	if got := fa.take(); len(got) != 1 || got[0].Title != "Worktalk is still running" {
		t.Errorf("first close told %+v, want one notification", got)
	}
	h.app.Activate("") // a second start, or Open in the tray
	h.app.onCloseTapped()
	if got := fa.take(); len(got) != 0 {
		t.Errorf("second close told %+v, want nothing", got)
	}
	h.app.tray.open.Action()
	if h.app.hidden {
		t.Errorf("Open in the tray left the window hidden")
	}

	trayShows = false // e.g. the panel with the tray quit
	h.app.onCloseTapped()
	h.until("quit", func() bool { return h.quit })
}

// The tray offers Lock only while unlocked, and the window title carries
// the unread total, locked or not.
func TestTrayLockItemAndTitleCount(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	kim := w.env.NewUser(w.ws.ID, "Kim Minji")
	lee := w.env.NewUser(w.ws.ID, "Lee Jun")
	fa := &trayTestApp{notifyingApp: notifyingApp{App: test.NewTempApp(t)}}
	h := w.signedInOn(t, fa, kim, withLock(&secret.Memory{}))
	if err := h.app.cfg.Lock.Set(lockTestPassword); err != nil {
		t.Fatal(err)
	}
	if h.app.tray.lock.Disabled {
		t.Error("Lock is disabled while unlocked")
	}
	plain := h.app.win.Title()
	other, _ := signedIn(t, w.env, lee)
	room, err := other.OpenDirectRoom(ctx, kim.ID())
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"내일 봬요", "10시에요"} {
		if _, err := other.SendMessage(ctx, room, text); err != nil {
			t.Fatal(err)
		}
	}
	h.until("2 unread", func() bool { return h.app.state().Unread == 2 })
	if got, want := h.app.win.Title(), plain+" (2)"; got != want {
		t.Errorf("title with 2 unread = %q, want %q", got, want)
	}

	h.app.tray.lock.Action()
	h.until("locked", h.app.locked)
	if !h.app.tray.lock.Disabled {
		t.Error("Lock is offered while locked")
	}
	if got := h.app.win.Title(); got != "Worktalk (2)" {
		t.Errorf("title while locked = %q, want %q (no workspace name)", got, "Worktalk (2)")
	}
	unlock(t, h)
	if h.app.tray.lock.Disabled {
		t.Error("Lock is still disabled after unlock")
	}
	if got, want := h.app.win.Title(), plain+" (2)"; got != want {
		t.Errorf("title after unlock = %q, want %q", got, want)
	}
	h.app.main.openRoom(room)
	h.until("read", func() bool { return h.app.state().Unread == 0 })
	h.loop.drain()
	if got := h.app.win.Title(); got != plain {
		t.Errorf("title with nothing unread = %q, want %q", got, plain)
	}
}

// What was unread before the app caught up (a first snapshot on a new
// device, messages that came while it was closed) shows as counts, not as
// notifications; what comes after does notify.
func TestNoNotificationsForWhatWasUnreadAtStart(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	kim := w.env.NewUser(w.ws.ID, "Kim Minji")
	lee := w.env.NewUser(w.ws.ID, "Lee Jun")
	other, _ := signedIn(t, w.env, lee)
	room, err := other.OpenDirectRoom(ctx, kim.ID())
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"어제 보낸 메시지", "아직 안 읽으셨죠?"} {
		if _, err := other.SendMessage(ctx, room, text); err != nil {
			t.Fatal(err)
		}
	}
	awaitState(t, other, "sent", func(st client.State) bool { return st.Pending == 0 })
	// The app opens offline on a fresh device, so its first state is the
	// empty local copy, and the snapshot comes once it connects.
	acct, _, err := client.SignIn(ctx, w.opt, w.proxy.URL(), kim.Email, kim.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	w.offline()
	fa := &notifyingApp{App: test.NewTempApp(t)}
	h := w.startOn(t, fa, &acct)
	h.until("the main screen, offline", func() bool { return h.app.main != nil && h.app.state().Me.ID != "" })
	w.online()
	h.until("2 unread, caught up", func() bool {
		st := h.app.state()
		return unreadIn(st, room) == 2 && st.Conn.Online && !st.Conn.CatchingUp
	})
	if got := fa.take(); len(got) != 0 {
		t.Errorf("notifications at start = %+v, want none", got)
	}
	h.app.setFocused(false)
	if _, err := other.SendMessage(ctx, room, "지금 보낸 메시지"); err != nil {
		t.Fatal(err)
	}
	h.until("3 unread", func() bool { return unreadIn(h.app.state(), room) == 3 })
	if got := fa.take(); len(got) != 1 || got[0].Content != "지금 보낸 메시지" {
		t.Errorf("notifications after start = %+v, want the new message", got)
	}
}
