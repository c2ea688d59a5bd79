package ui

import "worktalk.dev/worktalk/client"

// Activate brings the main window to the front, for a later start of the
// app that handed its arguments to this running copy. A profile link opens
// "Add external member" at its card, as pasting it would; before a
// workspace shows it waits, as a link on the command line does. While
// locked the window comes up showing the lock screen, and the dialog shows
// once unlocked. Call it on the Fyne thread.
func (a *App) Activate(link string) {
	a.showWindow()
	a.event("raised")
	if link == "" {
		return
	}
	if a.main == nil || a.sess == nil || !linkReady(a.sess.applied) {
		a.pendingLink = link // offer opens it
		return
	}
	if a.addExt != nil {
		a.addExt.dlg.Dismiss() // the newest link replaces an older one
	}
	a.openAddExternal(link)
}

// event reports what the app just did to Config.EventProbe.
func (a *App) event(name string) {
	if a.cfg.EventProbe != nil {
		a.cfg.EventProbe(name)
	}
}

// LockForOS locks the app because the OS session locked or the computer
// is about to sleep. done runs on the Fyne thread once the locked state is
// written down, so that an app killed with the machine starts locked; at
// once when lock mode is off. Call it on the Fyne thread.
func (a *App) LockForOS(done func()) {
	if a.locker == nil {
		done()
		return
	}
	a.locker.LockForOS(done)
}

// onLockChanged follows the lock coming up and going.
func (a *App) onLockChanged(locked bool) {
	if a.tray != nil {
		a.tray.setLocked(locked)
	}
	if locked {
		a.event("locked")
		return
	}
	a.event("unlocked")
	a.markSeen() // the open room shows again
}

// linkReady reports whether a profile link can be looked at now: viewing
// it needs the server, so a workspace that is still connecting waits for
// the connection (or for its failure, which the dialog then explains).
func linkReady(st client.State) bool {
	return st.Me.ID != "" && (st.Conn.Online || st.Conn.Error != "")
}
