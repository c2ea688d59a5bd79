//go:build ci

package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"worktalk.dev/worktalk/protocol"
)

// TestNoEnglishInKoreanLive walks the screens that show what the server
// sends (system messages, real profile links, live links, a card from a
// link, an external member's profile) on the real engine and an
// in-process server, in Korean, and fails on any English word shown.
func TestNoEnglishInKoreanLive(t *testing.T) {
	w := newWorld(t)
	setLanguage(t, "ko")
	ws := w.env.CreateWorkspace("한빛소프트")
	alice := w.env.CreateMember(ws.ID, "김서연", nil)
	sea := w.env.CreateWorkspace("바다물산")
	bob := w.env.CreateMember(sea.ID, "정하늘", nil)
	h := w.signedIn(t, alice)
	a := h.app
	bobE, _ := signedIn(t, w.env, bob)
	ctx := context.Background()
	qr, err := a.engine().QRLink(ctx)
	if err != nil {
		t.Fatalf("QRLink: %v", err)
	}
	if _, err := bobE.AddExternalByLink(ctx, qr.URL); err != nil {
		t.Fatalf("AddExternalByLink: %v", err)
	}
	room := protocol.DirectRoomID(alice.ID(), bob.ID())
	h.until("the 1:1 room with 정하늘", func() bool { return hasRoomID(a.state(), room) })
	bobsLink, err := bobE.OneTimeLink(ctx)
	if err != nil {
		t.Fatalf("OneTimeLink: %v", err)
	}
	a.win.Resize(smallSize)

	check := func(name string, win fyne.Window) {
		t.Helper()
		h.loop.drain()
		for _, s := range shownTexts(win) {
			if words := latinWords(s, "김서연", "정하늘", "한빛소프트", "바다물산"); len(words) > 0 {
				t.Errorf("%s shows %q: English %q", name, s, words)
			}
		}
	}
	closeOverlays := func() {
		for a.win.Canvas().Overlays().Top() != nil {
			a.win.Canvas().Overlays().Remove(a.win.Canvas().Overlays().Top())
		}
	}

	a.main.openRoom(room)
	h.until("the room with 정하늘", func() bool { return a.main.room != nil && a.main.room.loaded && len(a.main.room.msgs) > 0 })
	check("the 1:1 room", a.win)
	test.Tap(a.main.room.more)
	check("the 1:1 room's side panel", a.win)
	a.main.tabs.SelectIndex(1)
	check("the org chart", a.win)
	a.main.tabs.SelectIndex(2)
	check("the More tab", a.win)
	a.main.tabs.SelectIndex(0)

	test.Tap(a.main.profile.pic)
	tapButton(t, topOverlay(a.win), lang.L("Share"))
	d := a.share
	h.until("both links", func() bool { return d.once.URL != "" && d.qr.URL != "" })
	test.Tap(d.live.header)
	h.until("the live links", func() bool { return len(d.live.links) > 0 })
	check("the profile link popup", a.win)
	closeOverlays()

	a.openAddExternal(bobsLink.URL)
	h.until("the card", func() bool { return a.addExt != nil && (a.addExt.card.Visible() || a.addExt.status.Visible()) })
	check("add external member", a.win)
	test.Tap(a.addExt.add)
	check("the confirm dialog", a.win)
	tapButton(t, topOverlay(a.win), lang.L("Confirm"))
	h.until("정하늘 as my external member", func() bool { return isExternal(a.state(), bob.ID()) })
	check("add external member, done", a.win)
	closeOverlays()

	p, ok := findProfile(a.state(), bob.ID())
	if !ok {
		t.Fatalf("정하늘 is not among my external members")
	}
	m := openMemberProfile(a, p)
	check("an external member's profile", m.win)
	tapButton(t, m.win.Content(), lang.L("Chat rooms together"))
	h.until("the rooms together", func() bool { return m.status.Text != lang.L("Looking for the rooms you share…") })
	check("an external member's rooms together", m.win)
}
