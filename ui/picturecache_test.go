//go:build ci

package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"

	"worktalk.dev/worktalk/protocol"
)

// TestPictureCacheRefusesHugeDimensions: a co-worker's picture that passes
// the server's checks (a small PNG) but claims an enormous image is not
// handed to the screens to decode; the initials stay.
func TestPictureCacheRefusesHugeDimensions(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	bob := w.env.CreateMember(w.ws.ID, "Bob Lee", nil)
	bobE, _ := signedIn(t, w.env, bob)
	bomb := pngClaiming(t, 20000, 20000)
	if err := bobE.UpdateProfile(context.Background(), protocol.ProfileUpdate{Picture: &bomb}); err != nil {
		t.Fatalf("UpdateProfile(picture): %v", err)
	}
	h := w.signedIn(t, alice)
	var picID string
	h.until("Bob's picture id", func() bool {
		if p, ok := findProfile(h.app.state(), bob.ID()); ok {
			picID = p.PictureID
		}
		return picID != ""
	})
	used := false
	h.app.pics.get(picID, func(fyne.Resource) { used = true })
	h.until("the fetch", func() bool { return len(h.app.pics.waiting[picID]) == 0 })
	if used {
		t.Errorf("a picture claiming 20000x20000 pixels was handed to the screens, want the initials kept")
	}
}
