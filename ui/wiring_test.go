//go:build ci

package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/client/lock"
	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// The issue-5 screens are tested alone in share_test.go, addexternal_test.go,
// block_test.go and lockscreen_test.go; these tests drive them through the
// App, the way a user reaches them.

// pairWorld is Alice (Acme) in the app and Bob (Beta) on an engine of his
// own; Bob has added Alice by her QR link, so Alice has a 1:1 room with
// him that starts with "Bob added you" and [View profile].
type pairWorld struct {
	w     *world
	h     *harness
	alice *servertest.User
	bob   *servertest.User
	bobE  *client.Engine
	room  string // Alice and Bob's 1:1 room
}

func newPairWorld(t *testing.T, opts ...func(*Config)) *pairWorld {
	t.Helper()
	w := newWorld(t)
	p := &pairWorld{w: w}
	p.alice = w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	beta := w.env.CreateWorkspace("Beta")
	p.bob = w.env.CreateMember(beta.ID, "Bob Lee", nil)
	p.h = w.signedIn(t, p.alice, opts...)
	p.bobE, _ = signedIn(t, w.env, p.bob)
	p.room = protocol.DirectRoomID(p.alice.ID(), p.bob.ID())
	return p
}

// bobAddsAlice makes Bob redeem Alice's QR link and waits until Alice's
// app has their 1:1 room.
func (p *pairWorld) bobAddsAlice(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	link, err := p.h.app.engine().QRLink(ctx)
	if err != nil {
		t.Fatalf("QRLink: %v", err)
	}
	if _, err := p.bobE.AddExternalByLink(ctx, link.URL); err != nil {
		t.Fatalf("AddExternalByLink: %v", err)
	}
	p.h.until("the 1:1 room with Bob", func() bool { return hasRoomID(p.h.app.state(), p.room) })
}

// bobsLink is a fresh one-time link to Bob's profile.
func (p *pairWorld) bobsLink(t *testing.T) string {
	t.Helper()
	link, err := p.bobE.OneTimeLink(context.Background())
	if err != nil {
		t.Fatalf("OneTimeLink: %v", err)
	}
	return link.URL
}

func withLock(store *secret.Memory) func(*Config) {
	return func(c *Config) {
		lk, err := lock.Open(lock.Options{Store: store, Params: argon2id.TestParams})
		if err != nil {
			panic(err)
		}
		c.Lock = lk
	}
}

func TestShareFromMyProfileDetail(t *testing.T) {
	p := newPairWorld(t)
	h := p.h
	test.Tap(h.app.main.profile.pic)
	tapButton(t, topOverlay(h.app.win), "Share")
	d := h.app.share
	if d == nil {
		t.Fatalf("[Share] opened no profile link dialog")
	}
	h.until("both links", func() bool { return d.once.URL != "" && d.qr.URL != "" })
	if d.qrURL.Text != d.qr.URL {
		t.Errorf("QR link shown = %q, want %q", d.qrURL.Text, d.qr.URL)
	}
	// The link in the popup resolves to Alice for someone else.
	prev, err := p.bobE.ViewLink(context.Background(), d.qr.URL)
	if err != nil || prev.Card.Name != "Alice Kim" {
		t.Fatalf("ViewLink(QR link) = %+v, %v; want Alice Kim", prev.Card, err)
	}
}

func TestAddBackBlockAndUnblockThroughTheApp(t *testing.T) {
	p := newPairWorld(t)
	h := p.h
	p.bobAddsAlice(t)
	h.app.main.openRoom(p.room)
	r := h.app.main.room
	h.until("the system message", func() bool {
		return r.loaded && len(r.msgs) > 0 && r.msgs[0].Action != nil
	})

	// [View profile] on "Bob added you" offers to add him back.
	row := roomRowOf(r, 0)
	if !row.action.Visible() || row.action.Text != "View profile" {
		t.Fatalf("system message action = %q (shown %v), want [View profile]", row.action.Text, row.action.Visible())
	}
	test.Tap(row.action)
	d := h.app.addExt
	if d == nil || d.link != nil {
		t.Fatalf("[View profile] opened %+v, want the add-back dialog", d)
	}
	h.until("Bob's card", func() bool { return d.card.Visible() || d.status.Visible() })
	test.Tap(d.add)
	tapButton(t, topOverlay(h.app.win), "Confirm")
	h.until("Bob added back", func() bool {
		st := h.app.state()
		return isExternal(st, p.bob.ID()) && st.Pending == 0
	})
	h.app.dismissTop(h.app.win)
	// Both of us get "added" messages; mine reads as what I did, without a
	// button to my own profile.
	h.until("my own added message", func() bool { return len(r.msgs) >= 2 })
	mine := roomRowOf(r, len(r.msgs)-1)
	if want := "You added Bob Lee as an external member."; mine.sysText.Text != want || mine.action.Visible() {
		t.Errorf("my system message = %q (button shown %v), want %q without a button", mine.sysText.Text, mine.action.Visible(), want)
	}

	// The room's [More] opens the side panel with [Block member].
	if !r.more.Visible() {
		t.Fatalf("1:1 room shows no [More]")
	}
	test.Tap(r.more)
	if r.panel == nil || !r.side.Visible() {
		t.Fatalf("[More] showed no side panel")
	}
	tapButton(t, r.side, "Block member")
	tapButton(t, topOverlay(h.app.win), "Block member")
	h.until("the room closed", func() bool {
		st := h.app.state()
		return roomByID(st, p.room).Closed && st.Pending == 0
	})
	if !r.input.Disabled() || !r.send.Disabled() || !r.closed.Visible() {
		t.Errorf("closed room: input disabled %v, send disabled %v, note shown %v; want all true",
			r.input.Disabled(), r.send.Disabled(), r.closed.Visible())
	}
	if findButton(r.side, "Block member") != nil {
		t.Errorf("the panel still offers [Block member] after the block")
	}

	// Bob's profile no longer opens.
	h.app.memberWin = nil
	openMemberProfileByID(h.app, p.bob.ID())
	if h.app.memberWin != nil {
		t.Fatalf("a blocked member's profile window opened")
	}
	if b := findButton(topOverlay(h.app.win), "OK"); b == nil {
		t.Fatalf("no note saying why the profile does not open")
	}
	h.app.dismissTop(h.app.win)

	// More tab: Bob is listed with [Unblock]; afterwards he can be added again.
	list := h.app.main.more.blocked
	if !strings.Contains(allText(list.content), "Bob Lee") {
		t.Fatalf("blocked list = %q, want Bob Lee", allText(list.content))
	}
	tapButton(t, list.content, "Unblock")
	h.until("Bob unblocked", func() bool {
		st := h.app.state()
		return len(st.Blocked) == 0 && st.Pending == 0 && findButton(list.content, "Add as external member") != nil
	})
}

func TestAddExternalEntryPoints(t *testing.T) {
	p := newPairWorld(t)
	h := p.h
	clip := h.app.fa.Clipboard()

	t.Run("org chart button", func(t *testing.T) {
		test.Tap(h.app.main.org.addExt)
		if d := h.app.addExt; d == nil || d.link == nil || d.link.Text != "" {
			t.Fatalf("[Add external member] opened %+v, want the empty link dialog", d)
		}
		h.app.dismissTop(h.app.win)
	})

	t.Run("paste in the message box", func(t *testing.T) {
		h.app.main.openSelfRoom()
		h.until("my room", func() bool { return h.app.main.room != nil })
		in := h.app.main.room.input
		clip.SetContent("just some text")
		in.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
		if in.Text != "just some text" {
			t.Fatalf("pasting text gave %q, want it in the box", in.Text)
		}
		in.SetText("")
		link := p.bobsLink(t)
		clip.SetContent(link)
		h.app.addExt = nil
		in.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
		d := h.app.addExt
		if d == nil || d.link.Text != link {
			t.Fatalf("pasting a profile link opened %+v, want Add external member with %q", d, link)
		}
		if in.Text != "" {
			t.Errorf("the link also went into the message box: %q", in.Text)
		}
		h.until("Bob's card", func() bool { return d.card.Visible() || d.status.Visible() })
		if d.cardName.Text != "Bob Lee" {
			t.Fatalf("card = %q (status %q), want Bob Lee", d.cardName.Text, d.status.Text)
		}
		h.app.dismissTop(h.app.win)
	})

	t.Run("paste in the org chart search", func(t *testing.T) {
		link := p.bobsLink(t)
		clip.SetContent(link)
		h.app.addExt = nil
		h.app.main.org.search.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
		if d := h.app.addExt; d == nil || d.link.Text != link {
			t.Fatalf("pasting a profile link in the search opened %+v, want Add external member", d)
		}
		h.app.dismissTop(h.app.win)
	})
}

// A link given on the command line opens once the workspace shows.
func TestOpenLinkAtStart(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	beta := w.env.CreateWorkspace("Beta")
	bob := w.env.CreateMember(beta.ID, "Bob Lee", nil)
	bobE, _ := signedIn(t, w.env, bob)
	link, err := bobE.QRLink(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h := w.signedIn(t, alice, func(c *Config) { c.OpenLink = link.URL })
	h.until("the add dialog", func() bool { return h.app.addExt != nil })
	d := h.app.addExt
	if d.link.Text != link.URL {
		t.Fatalf("dialog link = %q, want %q", d.link.Text, link.URL)
	}
	h.until("Bob's card", func() bool { return d.card.Visible() || d.status.Visible() })
	if d.cardName.Text != "Bob Lee" {
		t.Fatalf("card = %q (status %q), want Bob Lee", d.cardName.Text, d.status.Text)
	}
}

func TestLockThroughTheApp(t *testing.T) {
	store := &secret.Memory{}
	p := newPairWorld(t, withLock(store))
	h := p.h
	p.bobAddsAlice(t)
	win := h.app.win
	mainContent := win.Content()

	// Lock mode from the profile menu asks for a password the first time.
	h.app.main.profile.onLockTapped()
	setLockPassword(t, win, lockTestPassword)
	tapButton(t, topOverlay(win), "Set password")
	h.until("locked", h.app.locked)
	assertNothingReadable(t, h)

	// Sync goes on; what the app shows meanwhile stays behind the lock.
	h.app.main.apply(h.app.state())
	h.app.main.openRoom(p.room)
	assertNothingReadable(t, h)
	win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if !h.app.locked() {
		t.Fatalf("Esc unlocked the app")
	}
	test.AssertImageMatches(t, "main_locked.png", win.Canvas().Capture())

	s := h.app.locker.screen
	s.pw.SetText(lockTestPassword)
	test.Tap(s.unlock)
	h.until("unlocked", func() bool { return !h.app.locked() })
	if want := unreadTitle("Acme - Worktalk", h.app.state().Unread); win.Content() != mainContent || win.Title() != want {
		t.Fatalf("after unlock: main screen back %v, title %q; want the main screen and %s",
			win.Content() == mainContent, win.Title(), want)
	}
	if findButton(h.app.main.more.content, "Lock now") == nil {
		t.Errorf("the More tab does not show the lock settings after the password was set")
	}

	// Ctrl+L in a profile window locks too, and hides that window.
	openMemberProfileByID(h.app, p.bob.ID())
	h.until("Bob's profile", func() bool { return h.app.memberWin != nil })
	mp := h.app.memberWin
	mp.win.Canvas().(fyne.Shortcutable).TypedShortcut(lockShortcut)
	if !h.app.locked() {
		t.Fatalf("Ctrl+L in a profile window did not lock")
	}
	s = h.app.locker.screen
	s.pw.SetText(lockTestPassword)
	test.Tap(s.unlock)
	h.until("unlocked", func() bool { return !h.app.locked() })

	// Ctrl+L works while the message box has focus.
	r := h.app.main.room
	win.Canvas().Focus(r.input)
	r.input.TypedShortcut(lockShortcut)
	if !h.app.locked() {
		t.Fatalf("Ctrl+L in the message box did not lock")
	}
	if r.input.Text != "" {
		t.Errorf("Ctrl+L typed %q into the message box", r.input.Text)
	}
}

// setLockPassword fills the set-password form with pw twice.
func setLockPassword(t *testing.T, win fyne.Window, pw string) {
	t.Helper()
	var entries []*widget.Entry
	walkVisible(t, topOverlay(win), func(o fyne.CanvasObject) {
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
	test.Type(entries[0], pw)
	test.Type(entries[1], pw)
}

// assertNothingReadable checks that the locked window shows no names, no
// workspace and no room, in its content, its overlays or its title.
func assertNothingReadable(t *testing.T, h *harness) {
	t.Helper()
	win := h.app.win
	// The unread total may show: a count names nobody.
	if want := unreadTitle(lockTitle, h.app.state().Unread); win.Title() != want {
		t.Fatalf("title while locked = %q, want %q", win.Title(), want)
	}
	all := allText(win.Canvas().Content())
	for _, o := range win.Canvas().Overlays().List() {
		if o.Visible() {
			all += "\n" + allText(o)
		}
	}
	for _, secret := range []string{"Alice", "Bob", "Acme", "Beta", "added"} {
		if strings.Contains(all, secret) {
			t.Fatalf("locked window shows %q; texts:\n%s", secret, all)
		}
	}
}

// allText joins every visible text under o.
func allText(o fyne.CanvasObject) string {
	var out []string
	walk(o, func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *widget.Button:
			out = append(out, x.Text)
		case *widget.Entry:
			out = append(out, x.Text, x.PlaceHolder)
		case *canvas.Text:
			out = append(out, x.Text)
		case *widget.Card:
			out = append(out, x.Title, x.Subtitle)
		}
	})
	return strings.Join(out, "\n")
}

// "Forgot password?" on the locked app logs out of the workspace, wipes its
// local data, turns lock mode off and shows the sign-in screen.
func TestForgotLockPasswordThroughTheApp(t *testing.T) {
	store := &secret.Memory{}
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.signedIn(t, alice, withLock(store))
	h.settled()
	before := localFiles(t, w.opt.DataDir)
	if err := h.app.cfg.Lock.Set(lockTestPassword); err != nil {
		t.Fatal(err)
	}
	h.app.lockNow()
	if !h.app.locked() {
		t.Fatalf("lockNow with a password set did not lock")
	}
	test.Tap(h.app.locker.screen.forgot)
	tapButton(t, topOverlay(h.app.win), "Log out and delete")
	h.until("the sign-in screen", func() bool { return !h.app.locked() && h.app.signIn != nil })
	if h.app.win.Content() != h.app.signIn.content {
		t.Fatalf("after forgetting, the window does not show the sign-in screen")
	}
	if h.app.cfg.Lock.IsSet() {
		t.Errorf("lock password still set after forgetting it")
	}
	if accts, err := client.Accounts(w.opt); err != nil || len(accts) != 0 {
		t.Errorf("accounts after forgetting = %+v, %v; want none", accts, err)
	}
	after := localFiles(t, w.opt.DataDir)
	for _, f := range before {
		if !strings.HasSuffix(f, "accounts.json") && slices.Contains(after, f) {
			t.Errorf("local file %s of the forgotten workspace remains", f)
		}
	}
}
