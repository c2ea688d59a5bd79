//go:build ci

package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// pressKey is what the driver does with a key: the focused widget gets it,
// else the window's key handler.
func pressKey(w fyne.Window, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := w.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if h := w.Canvas().OnTypedKey(); h != nil {
		h(ev)
	}
}

// Esc closes "Add external member" while its link field has the focus (a
// focused Fyne entry swallows Esc otherwise).
func TestEscClosesAddExternalFromItsField(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.signedIn(t, alice)
	h.app.openAddExternal("")
	d := h.app.addExt
	if got := h.app.win.Canvas().Focused(); got != d.link {
		t.Fatalf("focused %T, want the link field", got)
	}
	pressKey(h.app.win, fyne.KeyEscape)
	if top := topOverlay(h.app.win); top != nil && top.Visible() {
		t.Errorf("Esc left %T open, want the dialog closed", top)
	}
}

// Enter confirms a confirm dialog and Esc cancels it, also over an input
// that had the focus before the dialog came up.
func TestEnterConfirmsEscCancels(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.signedIn(t, alice)
	h.app.main.openSelfRoom()
	h.until("my room", func() bool { return h.app.main.room != nil && h.app.main.room.loaded })
	h.app.win.Canvas().Focus(h.app.main.room.input)
	for _, tc := range []struct {
		key  fyne.KeyName
		want bool
	}{{fyne.KeyReturn, true}, {fyne.KeyEnter, true}, {fyne.KeyEscape, false}} {
		confirmed := false
		h.app.work.dialogs.confirm(h.app.win, "Title", "Sure?", "Do it", func() { confirmed = true })
		pressKey(h.app.win, tc.key)
		if confirmed != tc.want {
			t.Errorf("%s: confirmed = %v, want %v", tc.key, confirmed, tc.want)
		}
		if top := topOverlay(h.app.win); top != nil && top.Visible() {
			t.Errorf("%s left the dialog open", tc.key)
		}
		if h.app.main.room.input.Text != "" {
			t.Errorf("%s reached the message input: %q", tc.key, h.app.main.room.input.Text)
		}
	}
}
