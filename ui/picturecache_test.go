//go:build ci

package ui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"fyne.io/fyne/v2"

	"worktalk.dev/worktalk/server/service"
)

// TestPictureCacheRefusesHugeDimensions: a co-worker's picture that claims
// an enormous image is not handed to the screens to decode; the initials
// stay. The server refuses such pictures, so this one is written straight to
// its store, as a server without that check (or an older one) would have it.
func TestPictureCacheRefusesHugeDimensions(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	bob := w.env.CreateMember(w.ws.ID, "Bob Lee", nil)
	bomb := pngClaiming(t, 20000, 20000)
	ctx := context.Background()
	sum := sha256.Sum256(bomb)
	err := w.env.Store.Write(ctx, func(tx service.Tx) error {
		if err := tx.PutPicture(ctx, hex.EncodeToString(sum[:]), bomb, nil); err != nil {
			return err
		}
		m, err := tx.Member(ctx, bob.ID())
		if err != nil {
			return err
		}
		m.PictureID, m.Version = hex.EncodeToString(sum[:]), m.Version+1
		return tx.UpdateMember(ctx, m)
	})
	if err != nil {
		t.Fatalf("store Bob's picture: %v", err)
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
	h.app.pics.get(picID, false, func(fyne.Resource) { used = true })
	h.until("the fetch", func() bool { return len(h.app.pics.waiting[picID]) == 0 })
	if used {
		t.Errorf("a picture claiming 20000x20000 pixels was handed to the screens, want the initials kept")
	}
}
