package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// appEntry is a text input that offers its shortcuts to the app first: a
// focused entry gets every shortcut, so without this Ctrl+L would not lock
// while the user types, and a pasted profile link could not open "Add
// external member". Typing counts as activity for auto-lock.
type appEntry struct {
	widget.Entry
	// onShortcut, when set, is asked first; true means it was handled.
	onShortcut func(fyne.Shortcut) bool
	// onInput, when set, is told about every key typed.
	onInput func()
}

func newAppEntry(a *App) *appEntry {
	e := &appEntry{onShortcut: a.onEntryShortcut, onInput: a.touch}
	e.ExtendBaseWidget(e)
	return e
}

func (e *appEntry) TypedShortcut(s fyne.Shortcut) {
	if e.onShortcut != nil && e.onShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

func (e *appEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && passEscape(e, k) {
		return
	}
	e.Entry.TypedKey(k)
}

func (e *appEntry) TypedRune(r rune) {
	if e.onInput != nil {
		e.onInput()
	}
	e.Entry.TypedRune(r)
}

// messageEntry is the message input: Enter sends, Shift+Enter starts a new
// line (the other way round from Fyne's multi-line Entry).
type messageEntry struct {
	appEntry
	shift  bool
	onSend func()
}

func newMessageEntry(a *App, onSend func()) *messageEntry {
	e := &messageEntry{onSend: onSend}
	e.onShortcut, e.onInput = a.onEntryShortcut, a.touch
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.SetMinRowsVisible(2)
	e.ExtendBaseWidget(e)
	return e
}

func (e *messageEntry) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = true
	}
	e.Entry.KeyDown(k)
}

func (e *messageEntry) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shift = false
	}
	e.Entry.KeyUp(k)
}

func (e *messageEntry) TypedKey(k *fyne.KeyEvent) {
	if e.onInput != nil {
		e.onInput()
	}
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && !e.shift {
		if e.onSend != nil && !e.Disabled() {
			e.onSend()
		}
		return
	}
	e.appEntry.TypedKey(k)
}
