//go:build ci

package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"worktalk.dev/worktalk/client"
)

// TestBlockedListAddRefusedCanRetry: when the server refuses adding an
// unblocked member back, the list offers [Add as external member] again
// instead of a button that stays disabled for good.
func TestBlockedListAddRefusedCanRetry(t *testing.T) {
	w, alice, _ := externalPair(t)
	ctx := context.Background()
	if err := alice.Block(ctx, w.bob.ID()); err != nil {
		t.Fatalf("Block: %v", err)
	}
	st := awaitState(t, alice, "the block acknowledged", func(st client.State) bool { return len(st.Blocked) == 1 && st.Pending == 0 })
	win := testWindow(t)
	q := newFyneQueue()
	l := newBlockedList(newQueueWorker(t, q), alice, win)
	win.SetContent(l.content)
	l.apply(st)
	test.Tap(visibleButton(t, l.content, "Unblock"))
	q.until(t, "the unblock queued", func() bool { return len(l.unblocked) == 1 })
	st = awaitState(t, alice, "the unblock acknowledged", func(st client.State) bool { return len(st.Blocked) == 0 && st.Pending == 0 })
	l.apply(st)

	w.env.SetExternalChat(w.acme, false) // the server now refuses the add
	test.Tap(visibleButton(t, l.content, "Add as external member"))
	test.Tap(topButton(t, win, "Confirm"))
	q.until(t, "the add queued", func() bool { return l.added[w.bob.ID()] })
	st = awaitState(t, alice, "the add refused", func(st client.State) bool { return st.Pending == 0 && len(st.Notices) > 0 })
	if isExternal(st, w.bob.ID()) {
		t.Fatalf("Bob is external after a refused add, want not")
	}
	l.apply(st)
	add := visibleButton(t, l.content, "Add as external member")
	if add == nil || add.Disabled() {
		t.Fatalf("[Add as external member] after a refusal: shown %v, want shown and enabled", add != nil)
	}
}
