//go:build ci

package ui

import (
	"context"
	"testing"
)

// TestOpenRoomClosesWhenRefused: a group room the server refuses to create
// goes from the room area too, instead of staying open with an input that
// can only fail; the notice says why.
func TestOpenRoomClosesWhenRefused(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.signedIn(t, alice)
	w.offline() // the room shows before the server answers
	id, err := h.app.engine().CreateGroupRoom(context.Background(), "Ghost room", []string{"no-such-member"})
	if err != nil {
		t.Fatalf("CreateGroupRoom: %v", err)
	}
	h.until("the room shown", func() bool { return hasRoomID(h.app.state(), id) })
	h.app.main.openRoom(id)
	w.online()
	h.until("the refusal", func() bool { return len(h.app.state().Notices) > 0 })
	if hasRoomID(h.app.state(), id) {
		t.Fatalf("refused room still in the state")
	}
	if r := h.app.main.room; r != nil && r.roomID == id {
		t.Errorf("the refused room %q is still open in the room area, want it closed", id)
	}
}
