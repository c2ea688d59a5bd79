package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// The main window's content and title change only through setContent and
// setTitle: while the lock screen is up they are kept for the unlock, so
// nothing the app does meanwhile can show names behind the lock.

func (a *App) setContent(c fyne.CanvasObject) {
	if a.locker != nil {
		a.locker.SetContent(c)
		return
	}
	a.win.SetContent(c)
}

func (a *App) setTitle(t string) {
	if a.locker != nil {
		a.locker.SetTitle(t)
		return
	}
	a.win.SetTitle(t)
}

// focus puts the keyboard focus on obj of the main window's content. While
// locked that content is kept off the window, and Fyne would log that it
// cannot focus what its canvas does not hold: nothing is focused then.
func (a *App) focus(obj fyne.Focusable) {
	if a.locked() {
		return
	}
	a.win.Canvas().Focus(obj)
}

// touch records user activity for auto-lock.
func (a *App) touch() {
	if a.locker != nil {
		a.locker.Touch()
	}
}

// locked reports whether the lock screen is up.
func (a *App) locked() bool { return a.locker != nil && a.locker.Locked() }

// lockNow locks the app (the first time it asks for a lock password).
func (a *App) lockNow() {
	if a.locker != nil {
		a.locker.LockNow()
	}
}

// forgetLocked is "Forgot password?" on the lock screen: log out of the
// open workspace, wipe its local data and show the sign-in screen.
func (a *App) forgetLocked(done func(err error)) {
	a.closeSession(true, func(err error) {
		a.showSignIn(false)
		done(err)
	})
}

// onEntryShortcut lets the app's text inputs pass Ctrl+L on (a focused
// entry gets every shortcut first) and turns a pasted profile link into
// "Add external member". It reports whether it handled the shortcut.
func (a *App) onEntryShortcut(s fyne.Shortcut) bool {
	a.touch()
	switch s := s.(type) {
	case *fyne.ShortcutPaste:
		if a.sess == nil {
			return false
		}
		if link, ok := profileLinkIn(a.fa.Clipboard().Content()); ok {
			a.openAddExternal(link)
			return true
		}
	default:
		if s.ShortcutName() == lockShortcut.ShortcutName() {
			a.lockNow()
			return true
		}
	}
	return false
}

// lockSection is the More tab's lock mode section: the settings, or why
// lock mode is not available on this computer.
func (a *App) lockSection() fyne.CanvasObject {
	if a.locker != nil {
		return newLockSettings(a.locker).content
	}
	text := lang.L("Lock mode is not available: the lock password could not be kept in this computer's keyring.")
	if a.cfg.LockError != nil {
		a.log.Debug("lock mode off", "err", a.cfg.LockError)
	}
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	return section(lang.L("Lock mode"), l)
}
