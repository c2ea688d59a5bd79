package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// dialogStack keeps the dialogs shown on each window, newest last, so that
// Esc closes the newest one and Enter confirms it, wherever the dialog came
// from. Fyne thread only.
type dialogStack struct {
	shown map[fyne.Window][]shownDialog
	// afterShow runs after every dialog shows (the lock hides dialogs an
	// answer brought up while locked); may be nil.
	afterShow func()
}

type shownDialog struct {
	d     dialog.Dialog
	enter func() // what Enter does; nil: nothing
}

func newDialogStack() *dialogStack {
	return &dialogStack{shown: map[fyne.Window][]shownDialog{}}
}

// show shows d on w; enter (may be nil) is what Enter does while d is the
// newest dialog of w.
func (s *dialogStack) show(w fyne.Window, d dialog.Dialog, enter func()) {
	s.shown[w] = append(s.shown[w], shownDialog{d: d, enter: enter})
	d.SetOnClosed(func() { s.remove(w, d) })
	d.Show()
	if s.afterShow != nil {
		s.afterShow()
	}
}

func (s *dialogStack) remove(w fyne.Window, d dialog.Dialog) {
	list := s.shown[w]
	for i, x := range list {
		if x.d == d {
			s.shown[w] = append(list[:i], list[i+1:]...)
			return
		}
	}
}

// forget drops the dialogs of a closed window.
func (s *dialogStack) forget(w fyne.Window) { delete(s.shown, w) }

// top is the newest dialog of w.
func (s *dialogStack) top(w fyne.Window) (shownDialog, bool) {
	list := s.shown[w]
	if len(list) == 0 {
		return shownDialog{}, false
	}
	return list[len(list)-1], true
}

// dismissTop closes the newest dialog of w and reports whether there was one.
func (s *dialogStack) dismissTop(w fyne.Window) bool {
	t, ok := s.top(w)
	if ok {
		t.d.Dismiss()
	}
	return ok
}

// enterTop does what Enter does in the newest dialog of w and reports
// whether there was such a thing to do.
func (s *dialogStack) enterTop(w fyne.Window) bool {
	t, ok := s.top(w)
	if !ok || t.enter == nil {
		return false
	}
	t.enter()
	return true
}

// confirm asks before doing something: [Cancel] and [confirmText]; Enter
// confirms and Esc cancels. onConfirm runs only when confirmed.
func (s *dialogStack) confirm(w fyne.Window, title, message, confirmText string, onConfirm func()) *dialog.ConfirmDialog {
	return s.confirmOr(w, title, message, confirmText, func(ok bool) {
		if ok {
			onConfirm()
		}
	})
}

// confirmOr is confirm with a callback told either answer.
func (s *dialogStack) confirmOr(w fyne.Window, title, message, confirmText string, answer func(ok bool)) *dialog.ConfirmDialog {
	d := dialog.NewConfirm(title, message, answer, w)
	d.SetConfirmText(confirmText)
	d.SetDismissText(lang.L("Cancel"))
	s.show(w, d, d.Confirm)
	return d
}

// info tells the user something; Enter and Esc close it.
func (s *dialogStack) info(w fyne.Window, title, message string) {
	d := dialog.NewInformation(title, message, w)
	s.show(w, d, d.Hide)
}

// entry is the app's one-line text input. Esc in it does what Esc does in
// its window (close the newest dialog, or the window), which a focused
// Fyne entry would otherwise swallow.
type entry struct {
	widget.Entry
}

func newEntry() *entry {
	e := &entry{}
	e.ExtendBaseWidget(e)
	return e
}

// newPasswordEntry is an entry that hides what is typed (with Fyne's
// show/hide button).
func newPasswordEntry() *entry {
	e := &entry{}
	e.Password = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

func (e *entry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && passEscape(e, k) {
		return
	}
	e.Entry.TypedKey(k)
}

// passEscape hands Esc typed in a focused input to its window's key
// handler, as if nothing had the focus; false when there is none.
func passEscape(o fyne.CanvasObject, k *fyne.KeyEvent) bool {
	app := fyne.CurrentApp()
	if app == nil {
		return false
	}
	c := app.Driver().CanvasForObject(o)
	if c == nil || c.OnTypedKey() == nil {
		return false
	}
	c.OnTypedKey()(k)
	return true
}

// newFileSave is Fyne's save dialog with a title that reads well in Korean
// too (Fyne joins "Save" and "File", which in Korean comes out backwards).
// Show it with dialogStack.showFile.
func newFileSave(w fyne.Window, done func(fyne.URIWriteCloser, error)) *dialog.FileDialog {
	d := dialog.NewFileSave(done, w)
	d.SetTitleText(lang.L("Save file"))
	return d
}

// newFileOpen is Fyne's open dialog with a title of its own.
func newFileOpen(w fyne.Window, title string, done func(fyne.URIReadCloser, error)) *dialog.FileDialog {
	d := dialog.NewFileOpen(done, w)
	d.SetTitleText(title)
	return d
}

// showFile shows a file dialog and puts the names of the places on its left
// (Home, Computer, Documents, ...) in the UI language: Fyne shows them as
// they are, without its lang package.
func (s *dialogStack) showFile(w fyne.Window, d *dialog.FileDialog) {
	s.show(w, d, nil)
	walkContainers(w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		l, ok := o.(*widget.List)
		if !ok || l.UpdateItem == nil {
			return
		}
		update := l.UpdateItem
		l.UpdateItem = func(id widget.ListItemID, item fyne.CanvasObject) {
			update(id, item)
			if c, ok := item.(*fyne.Container); ok && len(c.Objects) == 2 {
				if name, ok := c.Objects[1].(*widget.Label); ok {
					name.SetText(placeName(name.Text))
				}
			}
		}
		l.Refresh()
	})
}

// placeName is a place of Fyne's file dialog in the UI language.
func placeName(s string) string {
	switch s {
	case "Home":
		return lang.L("Home")
	case "Computer":
		return lang.L("Computer")
	case "App Files":
		return lang.L("App Files")
	case "Desktop":
		return lang.L("Desktop")
	case "Documents":
		return lang.L("Documents")
	case "Downloads":
		return lang.L("Downloads")
	case "Music":
		return lang.L("Music")
	case "Pictures":
		return lang.L("Pictures")
	case "Videos":
		return lang.L("Videos")
	}
	return s
}

// walkContainers visits o and what it holds, through containers and the
// Fyne widgets that hold others in exported fields (pop-ups, splits,
// scrolls), but not into other widgets.
func walkContainers(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkContainers(c, fn)
		}
	case *widget.PopUp:
		walkContainers(x.Content, fn)
	case *container.Split:
		walkContainers(x.Leading, fn)
		walkContainers(x.Trailing, fn)
	case *container.Scroll:
		walkContainers(x.Content, fn)
	}
}
