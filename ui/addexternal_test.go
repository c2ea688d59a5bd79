//go:build ci

package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// testWindow is a window on a fresh test app with room for a dialog.
func testWindow(t *testing.T) fyne.Window {
	t.Helper()
	test.NewTempApp(t)
	win := test.NewTempWindow(t, widget.NewLabel(""))
	win.Resize(fyne.NewSize(640, 720))
	return win
}

// addViaDialog opens "Add external member" with link on eng and waits for
// the card or a problem.
func addViaDialog(t *testing.T, eng externalEngine, link string) (*addExternalDialog, fyne.Window, *fyneQueue) {
	t.Helper()
	win := testWindow(t)
	q := newFyneQueue()
	d := newAddExternalDialog(newQueueWorker(t, q), eng, win, link)
	d.dlg.Show()
	q.until(t, "the card or a problem", func() bool { return d.card.Visible() || d.status.Visible() })
	return d, win, q
}

// confirmAdd taps [Add as external member] and [Confirm] and waits for the
// outcome.
func confirmAdd(t *testing.T, d *addExternalDialog, win fyne.Window, q *fyneQueue) {
	t.Helper()
	if !d.add.Visible() || d.add.Disabled() {
		t.Fatalf("[Add as external member] not available")
	}
	test.Tap(d.add)
	test.Tap(topButton(t, win, "Confirm"))
	q.until(t, "added or refused", func() bool {
		return strings.Contains(d.notice.Text, "is now one of your external members") || d.status.Visible()
	})
}

func TestAddExternalByLink(t *testing.T) {
	w := newShareWorld(t)
	carol := w.env.CreateMember(w.beta.ID, "Carol Park", nil)
	alice, _ := signedIn(t, w.env, w.alice)
	bob, _ := signedIn(t, w.env, w.bob)
	carolEng, _ := signedIn(t, w.env, carol)
	ctx := context.Background()
	once, err := alice.OneTimeLink(ctx)
	if err != nil {
		t.Fatalf("OneTimeLink: %v", err)
	}

	t.Run("fresh", func(t *testing.T) {
		d, win, q := addViaDialog(t, bob, once.URL)
		if d.status.Visible() {
			t.Fatalf("viewing a fresh link shows %q, want the card", d.status.Text)
		}
		if d.cardName.Text != "Alice Kim" || d.cardSub.Text != "Designer · Acme" {
			t.Fatalf("card = %q / %q, want Alice Kim / Designer · Acme", d.cardName.Text, d.cardSub.Text)
		}
		if !strings.Contains(d.notice.Text, "another workspace (Acme)") {
			t.Fatalf("notice = %q, want the external member notice", d.notice.Text)
		}
		var added string
		d.OnAdded = func(id string) { added = id }
		confirmAdd(t, d, win, q)
		if d.status.Visible() {
			t.Fatalf("adding shows %q, want success", d.status.Text)
		}
		if added != w.alice.ID() {
			t.Fatalf("OnAdded(%q), want %q", added, w.alice.ID())
		}
		st := awaitState(t, bob, "Alice among Bob's externals", func(st client.State) bool { return isExternal(st, w.alice.ID()) })
		if st.Externals[0].Name != "Alice Kim" {
			t.Fatalf("externals = %+v, want Alice Kim", st.Externals)
		}
		if _, err := bob.OpenDirectRoom(ctx, w.alice.ID()); err != nil {
			t.Fatalf("OpenDirectRoom(Alice) after adding: %v", err)
		}
	})

	expired, err := alice.OneTimeLink(ctx)
	if err != nil {
		t.Fatalf("OneTimeLink: %v", err)
	}
	qr, err := alice.QRLink(ctx)
	if err != nil {
		t.Fatalf("QRLink: %v", err)
	}
	if _, err := alice.ResetQRLink(ctx); err != nil {
		t.Fatalf("ResetQRLink: %v", err)
	}
	w.env.Clock.Advance(protocol.OnceLinkTTL + time.Minute)

	const deadLink = "This link no longer works: it has expired, was already used, or its owner reset it. Ask them for a new link."
	tests := []struct {
		name string
		link string
		want string
	}{
		{"used", once.URL, deadLink},
		{"expired", expired.URL, deadLink},
		{"reset", qr.URL, deadLink},
		{"not a link", "hello there", "This is not a profile link. Profile links look like https://…/p/…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _, _ := addViaDialog(t, carolEng, tt.link)
			if d.card.Visible() || d.status.Text != tt.want {
				t.Fatalf("card shown %v, status %q; want no card and %q", d.card.Visible(), d.status.Text, tt.want)
			}
		})
	}

	t.Run("blocked", func(t *testing.T) {
		if err := alice.Block(ctx, w.bob.ID()); err != nil {
			t.Fatalf("Block: %v", err)
		}
		awaitState(t, alice, "the block acknowledged", func(st client.State) bool { return st.Pending == 0 && len(st.Blocked) == 1 })
		fresh, err := alice.QRLink(ctx)
		if err != nil {
			t.Fatalf("QRLink: %v", err)
		}
		d, _, _ := addViaDialog(t, bob, fresh.URL)
		want := "You cannot add this member: one of you has blocked the other."
		if d.card.Visible() || d.status.Text != want {
			t.Fatalf("card shown %v, status %q; want no card and %q", d.card.Visible(), d.status.Text, want)
		}
	})
}

// TestAddBackFromSystemMessage: Bob adds Alice by link; Alice's 1:1 room
// gets "Bob added you" with [View profile]; from its member id she adds
// him back.
func TestAddBackFromSystemMessage(t *testing.T) {
	w := newShareWorld(t)
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
	room := protocol.DirectRoomID(w.alice.ID(), w.bob.ID())
	var action *protocol.Action
	awaitState(t, alice, "the system message", func(st client.State) bool {
		msgs, err := alice.Messages(room, 0, 50)
		if err != nil {
			return false
		}
		for _, m := range msgs {
			if m.System == protocol.SystemExternalAdded && m.Action != nil {
				action = m.Action
				return true
			}
		}
		return false
	})
	if action.Kind != protocol.ActionViewProfile || action.MemberID != w.bob.ID() {
		t.Fatalf("action = %+v, want view_profile of Bob", action)
	}

	win := testWindow(t)
	q := newFyneQueue()
	d := newAddBackDialog(newQueueWorker(t, q), alice, win, action.MemberID)
	d.dlg.Show()
	q.until(t, "Bob's card", func() bool { return d.card.Visible() || d.status.Visible() })
	if d.cardName.Text != "Bob Lee" || !strings.Contains(d.cardSub.Text, "Beta") {
		t.Fatalf("card = %q / %q (status %q), want Bob Lee of Beta", d.cardName.Text, d.cardSub.Text, d.status.Text)
	}
	confirmAdd(t, d, win, q)
	if d.status.Visible() {
		t.Fatalf("adding back shows %q, want success", d.status.Text)
	}
	awaitState(t, alice, "Bob added back and acknowledged", func(st client.State) bool {
		return isExternal(st, w.bob.ID()) && st.Pending == 0 && len(st.Notices) == 0
	})

	// Opening it again now says he is already an external member.
	d2 := newAddBackDialog(newQueueWorker(t, q), alice, win, action.MemberID)
	q.until(t, "Bob's card", func() bool { return d2.card.Visible() })
	if d2.add.Visible() || !strings.Contains(d2.notice.Text, "already one of your external members") {
		t.Fatalf("second add-back: add shown %v, notice %q; want hidden and already", d2.add.Visible(), d2.notice.Text)
	}
}

func TestProfileLinkIn(t *testing.T) {
	const tok = "Y9Ih6blUOs0y9h0IWB0YLepUCHm49RRvDUmK1IjKYtA"
	tests := []struct {
		text string
		want string
	}{
		{"https://talk.example.com/p/" + tok, "https://talk.example.com/p/" + tok},
		{"  https://talk.example.com/p/" + tok + "\n", "https://talk.example.com/p/" + tok},
		{"worktalk://p/" + tok, "worktalk://p/" + tok},
		{"http://127.0.0.1:8630/p/" + tok, "http://127.0.0.1:8630/p/" + tok},
		{tok, ""},
		{"see https://talk.example.com/p/" + tok, ""},
		{"https://talk.example.com/q/" + tok, ""},
		{"https://talk.example.com/p/short", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := profileLinkIn(tt.text)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("profileLinkIn(%q) = %q, %v; want %q, %v", tt.text, got, ok, tt.want, tt.want != "")
		}
	}
}
