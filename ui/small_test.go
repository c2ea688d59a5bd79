//go:build ci

package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/client/lock"
	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
)

// The smallest screen the app supports.
var smallSize = fyne.NewSize(800, 600)

// smallWorld is the recorded world with an external member, a blocked
// member and profile links to share.
func smallWorld() *recordedEngine {
	e := recordedWorld()
	e.st.Externals = []protocol.Profile{{ID: "x1", WorkspaceID: "ws2", WorkspaceName: "바다물산", Name: "정하늘",
		Fields: map[string]string{"title": "영업부장", "department": "해외영업팀"}}}
	e.st.Blocked = []protocol.BlockedMember{{ID: "x2", Name: "오민수", WorkspaceName: "바다물산", BlockedAt: ms(12, 0)}}
	e.links = &recordedLinks{
		once: protocol.ProfileLink{ID: "l1", Kind: protocol.LinkOnce, URL: "https://talk.hanbit.example/p/Xq7vT2mK9sLwR4bNc5De8fGh", ExpiresAt: ms(15, 42)},
		qr:   protocol.ProfileLink{Kind: protocol.LinkQR, URL: "https://talk.hanbit.example/p/Qr8sZ3nP5dHyC1fJa2Bc4dEf"},
		live: []protocol.LiveLink{{ID: "l1", CreatedAt: ms(14, 42), ExpiresAt: ms(15, 42)}, {ID: "l0", CreatedAt: ms(14, 10), ExpiresAt: ms(15, 10)}},
		preview: protocol.LinkPreview{Card: protocol.PublicCard{Name: "한지민", WorkspaceName: "누리랩", Title: "마케팅 매니저"},
			MemberID: "y1", Kind: protocol.LinkOnce},
	}
	return e
}

// fixtureWords are the strings of the recorded world that are data, not
// the app's words: names, titles and messages, some of them English.
func fixtureWords(e *recordedEngine) []string {
	var out []string
	for _, p := range append(append([]protocol.Profile{e.st.Me}, e.st.Members...), e.st.Externals...) {
		out = append(out, p.Name)
		for _, v := range p.Fields {
			out = append(out, v)
		}
	}
	for _, msgs := range e.msgs {
		for _, m := range msgs {
			out = append(out, strings.Split(m.Text, "\n")...)
		}
	}
	// Longest first, so that a name inside a message goes with the message.
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if len(out[j]) > len(out[i]) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// smallScreens are every window and dialog of the app: each opens one on
// a started app and returns the window that shows it.
var smallScreens = []struct {
	name string
	open func(t *testing.T, a *App, l *loop) fyne.Window
}{
	{"chats", func(t *testing.T, a *App, l *loop) fyne.Window {
		a.main.openRoom("g1")
		l.until(t, "the group room", func() bool { return a.main.room != nil && a.main.room.loaded })
		return a.win
	}},
	{"room_mine", func(t *testing.T, a *App, l *loop) fyne.Window {
		test.Tap(a.main.chats.selfBtn)
		l.until(t, "my room", func() bool { return a.main.room != nil && a.main.room.loaded })
		return a.win
	}},
	{"org", func(t *testing.T, a *App, l *loop) fyne.Window {
		a.main.tabs.SelectIndex(1)
		return a.win
	}},
	{"more", func(t *testing.T, a *App, l *loop) fyne.Window {
		a.main.tabs.SelectIndex(2)
		return a.win
	}},
	{"blocked", func(t *testing.T, a *App, l *loop) fyne.Window {
		a.main.tabs.SelectIndex(2)
		scrollTo(t, a.main.more.content.(*container.Scroll), a.main.more.blocked.content)
		return a.win
	}},
	{"menu", func(t *testing.T, a *App, l *loop) fyne.Window {
		test.Tap(a.main.profile.menu)
		return a.win
	}},
	{"edit", func(t *testing.T, a *App, l *loop) fyne.Window {
		test.Tap(a.main.profile.edit)
		return a.main.profile.editor.win
	}},
	{"detail_mine", func(t *testing.T, a *App, l *loop) fyne.Window {
		test.Tap(a.main.profile.pic)
		return a.win
	}},
	{"detail_member", func(t *testing.T, a *App, l *loop) fyne.Window {
		p, _ := findProfile(a.state(), "m4")
		return openMemberProfile(a, p).win
	}},
	{"detail_external", func(t *testing.T, a *App, l *loop) fyne.Window {
		p, _ := findProfile(a.state(), "x1")
		return openMemberProfile(a, p).win
	}},
	{"share", func(t *testing.T, a *App, l *loop) fyne.Window {
		test.Tap(a.main.profile.pic)
		tapButton(t, topOverlay(a.win), lang.L("Share"))
		d := a.share
		d.now = a.now
		l.until(t, "both links", func() bool { return d.once.URL != "" && d.qr.URL != "" })
		test.Tap(d.live.header)
		l.until(t, "the live links", func() bool { return len(d.live.links) == 2 })
		return a.win
	}},
	{"add_external", func(t *testing.T, a *App, l *loop) fyne.Window {
		a.openAddExternal("https://talk.nuri.example/p/Hn4kW8eR2tYu6iOpL3mN5bVc")
		l.until(t, "the card", func() bool { return a.addExt != nil && a.addExt.card.Visible() })
		return a.win
	}},
	{"confirm_logout", func(t *testing.T, a *App, l *loop) fyne.Window {
		a.main.profile.onLogOutTapped()
		return a.win
	}},
	{"confirm_add", func(t *testing.T, a *App, l *loop) fyne.Window {
		a.openAddExternal("https://talk.nuri.example/p/Hn4kW8eR2tYu6iOpL3mN5bVc")
		l.until(t, "the card", func() bool { return a.addExt != nil && a.addExt.card.Visible() })
		test.Tap(a.addExt.add)
		return a.win
	}},
	{"new_room", func(t *testing.T, a *App, l *loop) fyne.Window {
		showNewRoomDialog(a, a.win, []string{"m4"})
		return a.win
	}},
}

// TestSmallWindows opens every window and dialog on an 800x600 screen in
// Korean and English: each matches its golden image in testdata/small,
// fits the screen (its window can be that small), and nothing in it
// sticks out of the window, overlaps another control or is squeezed below
// the size its text needs (outside a scroll).
func TestSmallWindows(t *testing.T) {
	for _, tag := range []string{"ko", "en"} {
		walkScreens(t, tag, func(t *testing.T, name string, w fyne.Window) {
			checkSmallWindow(t, w)
			test.AssertImageMatches(t, "small/"+name+"_"+tag+".png", w.Canvas().Capture())
		})
	}
}

// TestNoEnglishInKorean walks every window and dialog in Korean and fails
// on any English word shown (names of things such as QR and PNG, links,
// e-mail addresses and the recorded data aside).
func TestNoEnglishInKorean(t *testing.T) {
	world := smallWorld()
	data := fixtureWords(world)
	initials := map[string]bool{}
	for _, p := range append(append([]protocol.Profile{world.st.Me}, world.st.Members...), world.st.Externals...) {
		initials[strings.ToUpper(string([]rune(p.Name)[:1]))] = true // avatars without a picture
	}
	walkScreens(t, "ko", func(t *testing.T, name string, w fyne.Window) {
		for _, s := range shownTexts(w) {
			if initials[s] {
				continue
			}
			if words := latinWords(s, data...); len(words) > 0 {
				t.Errorf("shows %q: English %q", s, words)
			}
		}
	})
}

// walkScreens opens each window and dialog of the app (smallScreens, the
// lock screen and the sign-in screen) on a fresh app in language tag on
// an 800x600 screen, and hands it to check.
func walkScreens(t *testing.T, tag string, check func(t *testing.T, name string, w fyne.Window)) {
	for _, sc := range smallScreens {
		t.Run(tag+"/"+sc.name, func(t *testing.T) {
			a, l := startSmall(t, tag, smallWorld())
			w := sc.open(t, a, l)
			l.drain()
			check(t, sc.name, w)
		})
	}
	t.Run(tag+"/lock_password", func(t *testing.T) {
		a, l := startSmall(t, tag, smallWorld(), withLockMode(t, false))
		a.main.profile.onLockTapped()
		l.drain()
		check(t, "lock_password", a.win)
	})
	t.Run(tag+"/lock", func(t *testing.T) {
		a, l := startSmall(t, tag, smallWorld(), withLockMode(t, true))
		a.lockNow()
		l.until(t, "locked", a.locked)
		check(t, "lock", a.win)
	})
	t.Run(tag+"/signin", func(t *testing.T) {
		a, l := startRecorded(t, tag, smallWorld(), smallSize, func(c *Config) { c.Accounts = noAccounts{} })
		l.until(t, "the sign-in screen", func() bool { return a.signIn != nil })
		check(t, "signin", a.win)
	})
}

// startSmall starts the app on eng in an 800x600 main window.
func startSmall(t *testing.T, lang string, eng *recordedEngine, opts ...func(*Config)) (*App, *loop) {
	t.Helper()
	a, l := startRecorded(t, lang, eng, smallSize, opts...)
	l.until(t, "the main screen", func() bool { return a.main != nil && a.state().Me.ID == "m1" })
	return a, l
}

// withLockMode makes lock mode available, with a password set or not.
func withLockMode(t *testing.T, set bool) func(*Config) {
	lk, err := lock.Open(lock.Options{Store: &secret.Memory{}, Params: argon2id.TestParams})
	if err != nil {
		t.Fatal(err)
	}
	if set {
		if err := lk.Set("correct horse"); err != nil {
			t.Fatal(err)
		}
	}
	return func(c *Config) { c.Lock = lk }
}

// noAccounts is a computer no workspace is signed in on.
type noAccounts struct{ recordedAccounts }

func (noAccounts) List() ([]client.Account, error) { return nil, nil }

// scrollTo scrolls s so that o (somewhere in its content) is at the top.
func scrollTo(t *testing.T, s *container.Scroll, o fyne.CanvasObject) {
	t.Helper()
	found := false
	walkLaid(s.Content, fyne.Position{}, everywhere, func(x fyne.CanvasObject, r box, _ box) {
		if x == o && !found {
			found = true
			s.ScrollToOffset(fyne.NewPos(0, r.y0))
		}
	})
	if !found {
		t.Fatalf("%T is not in the scroll", o)
	}
}

// box is a rectangle in window coordinates.
type box struct{ x0, y0, x1, y1 float32 }

var everywhere = box{-1e9, -1e9, 1e9, 1e9}

func (b box) and(c box) box {
	return box{max(b.x0, c.x0), max(b.y0, c.y0), min(b.x1, c.x1), min(b.y1, c.y1)}
}

// empty reports whether b covers less than a pixel either way.
func (b box) empty() bool { return b.x1-b.x0 < 1 || b.y1-b.y0 < 1 }

func (b box) String() string {
	return fmt.Sprintf("(%.0f,%.0f)-(%.0f,%.0f)", b.x0, b.y0, b.x1, b.y1)
}

// walkLaid visits the visible objects under o with their place in window
// coordinates (o's parent at origin) and the part of the window that
// shows them (clip: the scrolls they are in).
func walkLaid(o fyne.CanvasObject, origin fyne.Position, clip box, fn func(o fyne.CanvasObject, r, clip box)) {
	if o == nil || !o.Visible() {
		return
	}
	p := origin.Add(o.Position())
	r := box{p.X, p.Y, p.X + o.Size().Width, p.Y + o.Size().Height}
	fn(o, r, clip)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkLaid(c, p, clip, fn)
		}
	case fyne.Widget:
		if _, ok := x.(*container.Scroll); ok {
			clip = clip.and(r)
		}
		for _, c := range test.WidgetRenderer(x).Objects() {
			walkLaid(c, p, clip, fn)
		}
	}
}

// control reports whether o is something a person reads or uses, and
// whether it needs its minimum size to show whole.
func control(o fyne.CanvasObject) (is, needsMin bool) {
	switch x := o.(type) {
	case *widget.Button:
		return true, true
	case *widget.Label:
		return x.Text != "", x.Truncation == fyne.TextTruncateOff && x.Wrapping == fyne.TextWrapOff
	case *widget.Entry, *widget.Check, *widget.RadioGroup, *widget.Select, *widget.Hyperlink, *widget.CheckGroup:
		return true, true
	case *entry:
		return true, true
	}
	return false, false
}

// checkSmallWindow fails t when w's content cannot be as small as 800x600,
// or when, in w's content or on one of its overlays, a control sticks out
// of the window, is squeezed below its minimum size or overlaps another.
func checkSmallWindow(t *testing.T, w fyne.Window) {
	t.Helper()
	size := w.Canvas().Size()
	if m := w.Content().MinSize(); m.Width > smallSize.Width || m.Height > smallSize.Height {
		t.Errorf("%q needs %v, more than an 800x600 screen", w.Title(), m)
	}
	window := box{0, 0, size.Width, size.Height}
	layers := append([]fyne.CanvasObject{w.Canvas().Content()}, w.Canvas().Overlays().List()...)
	for i, layer := range layers {
		type placed struct {
			o fyne.CanvasObject
			r box
		}
		var seen []placed
		walkLaid(layer, fyne.Position{}, everywhere, func(o fyne.CanvasObject, r, clip box) {
			is, needsMin := control(o)
			if !is {
				return
			}
			shown := r.and(clip)
			if shown.empty() {
				return // scrolled out of sight
			}
			name := describe(o)
			if shown.x0 < window.x0-1 || shown.y0 < window.y0-1 || shown.x1 > window.x1+1 || shown.y1 > window.y1+1 {
				t.Errorf("layer %d: %s at %v sticks out of the %v window", i, name, shown, size)
			}
			if needsMin {
				if m := o.MinSize(); r.x1-r.x0 < m.Width-1 || r.y1-r.y0 < m.Height-1 {
					t.Errorf("layer %d: %s is %vx%v, less than the %v it needs", i, name, r.x1-r.x0, r.y1-r.y0, m)
				}
			}
			for _, s := range seen {
				if !shown.and(s.r).empty() && !inside(s.o, o) {
					t.Errorf("layer %d: %s at %v overlaps %s at %v", i, name, shown, describe(s.o), s.r)
				}
			}
			seen = append(seen, placed{o, shown})
		})
	}
}

// inside reports whether o is part of parent (a button's label, an
// entry's placeholder).
func inside(parent, o fyne.CanvasObject) bool {
	found := false
	walk(parent, func(x fyne.CanvasObject) {
		if x == o && x != parent {
			found = true
		}
	})
	return found
}

func describe(o fyne.CanvasObject) string {
	switch x := o.(type) {
	case *widget.Button:
		if x.Text == "" {
			return "an icon button"
		}
		return fmt.Sprintf("button %q", x.Text)
	case *widget.Label:
		return fmt.Sprintf("label %q", x.Text)
	case *widget.Entry:
		return fmt.Sprintf("entry %q", x.PlaceHolder)
	case *entry:
		return fmt.Sprintf("entry %q", x.PlaceHolder)
	}
	return fmt.Sprintf("%T", o)
}

// shownTexts lists every text w shows: its title, labels, buttons,
// placeholders and entries, rich text, menus, check boxes and text drawn
// directly, in its content and its overlays.
func shownTexts(w fyne.Window) []string {
	out := []string{w.Title()}
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
			return
		case *widget.Button:
			out = append(out, x.Text)
			return
		case *widget.Hyperlink:
			out = append(out, x.Text)
			return
		case *widget.Entry:
			out = append(out, shownOr(x.Text, x.PlaceHolder))
			return
		case *entry:
			out = append(out, shownOr(x.Text, x.PlaceHolder))
			return
		case *widget.RichText:
			out = append(out, x.String())
			return
		case *widget.Check:
			out = append(out, x.Text)
			return
		case *widget.Select:
			out = append(out, shownOr(x.Selected, x.PlaceHolder))
			return
		case *canvas.Text:
			out = append(out, x.Text)
			return
		case *fyne.Container:
			for _, c := range x.Objects {
				visit(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				visit(c)
			}
		}
	}
	visit(w.Canvas().Content())
	for _, o := range w.Canvas().Overlays().List() {
		visit(o)
	}
	return out
}

// shownOr is what an input shows: its value, or its placeholder while empty.
func shownOr(value, placeholder string) string {
	if value != "" {
		return value
	}
	return placeholder
}
