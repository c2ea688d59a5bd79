//go:build ci

package ui

import (
	"strings"
	"testing"

	"worktalk.dev/worktalk/client"
)

// TestBannerWhileCatchingUp: the engine reports catching up as connected
// but not yet online (client/conn.go); the banner must say it is catching
// up with a progress mark, not that the app is offline.
func TestBannerWhileCatchingUp(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.signedIn(t, alice)
	m := h.app.main
	tests := []struct {
		name     string
		conn     client.ConnState
		wantText string
		wantBusy bool
	}{
		{"catching up", client.ConnState{CatchingUp: true}, "Catching up", true},
		{"offline", client.ConnState{Error: "cannot reach the server"}, "Offline", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m.applyBanner(client.State{Conn: tc.conn})
			if !m.banner.Visible() || !strings.HasPrefix(m.bannerText.Text, tc.wantText) {
				t.Errorf("banner shown %v with %q, want it to start with %q", m.banner.Visible(), m.bannerText.Text, tc.wantText)
			}
			if m.bannerBusy.Visible() != tc.wantBusy || m.bannerIcon.Visible() == tc.wantBusy {
				t.Errorf("progress shown %v, warning icon shown %v; want progress %v", m.bannerBusy.Visible(), m.bannerIcon.Visible(), tc.wantBusy)
			}
		})
	}
}

// The offline banner says why in the UI language, not in the engine's
// English.
func TestOfflineBannerInKorean(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.signedIn(t, alice)
	setLanguage(t, "ko")
	for _, problem := range []string{client.ConnUnreachable, client.ConnLost, client.ConnKeyring, client.ConnSignedOut} {
		h.app.main.applyBanner(client.State{Conn: client.ConnState{Problem: problem, Error: "cannot reach the server"}, Pending: 2})
		got := h.app.main.bannerText.Text
		if words := latinWords(got); len(words) > 0 || !hasHangul(got) {
			t.Errorf("%s: banner reads %q, want Korean only (English: %q)", problem, got, words)
		}
	}
}
