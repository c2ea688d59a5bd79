package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
)

// Preferences of living in the tray (the More tab).
const (
	prefCloseToTray = "close_to_tray" // closing the window keeps Worktalk in the tray
	prefTrayTold    = "tray_told"     // the user was told once that it did
)

// tray is the system tray icon with Open, Lock and Quit, and the unread
// mark on its icon. All its fields belong to the Fyne thread.
type tray struct {
	a     *App
	desk  desktop.App
	icons *trayIcons
	menu  *fyne.Menu
	open  *fyne.MenuItem
	lock  *fyne.MenuItem
	quit  *fyne.MenuItem
	count int // the unread count the icon shows
}

// newTray sets up the tray icon where the driver has one; nil elsewhere
// (mobile, tests without a desktop driver, Config.NoTray).
func newTray(a *App) *tray {
	desk, ok := a.fa.(desktop.App)
	if !ok || a.cfg.NoTray {
		return nil
	}
	icons, err := newTrayIcons()
	if err != nil {
		a.log.Warn("tray icon", "err", err)
		return nil
	}
	t := &tray{a: a, desk: desk, icons: icons, count: -1}
	t.open = fyne.NewMenuItem(lang.L("Open Worktalk"), a.showWindow)
	t.lock = fyne.NewMenuItem(lang.L("Lock"), a.lockNowFromTray)
	t.quit = fyne.NewMenuItem(lang.L("Quit"), a.Quit)
	t.quit.IsQuit = true // Fyne adds no Quit item of its own then
	t.lock.Disabled = a.locker == nil || a.locked()
	t.menu = fyne.NewMenu("Worktalk", t.open, t.lock, t.quit)
	desk.SetSystemTrayMenu(t.menu)
	desk.SetSystemTrayWindow(a.win) // a click on the icon shows the window (Fyne 2.7)
	t.setCount(0)
	return t
}

// setCount shows n unread messages on the icon and in the Open item.
// While locked the count still shows (it names nobody).
func (t *tray) setCount(n int) {
	if n == t.count {
		return
	}
	t.update(func() {
		t.desk.SetSystemTrayIcon(t.icons.icon(n))
		label := lang.L("Open Worktalk")
		if n > 0 {
			label = lang.L("Open Worktalk ({{.N}} unread)", map[string]any{"N": n})
		}
		t.open.Label = label
		t.menu.Refresh()
		t.count = n
	})
}

// setLocked offers Lock only while the app is unlocked.
func (t *tray) setLocked(locked bool) {
	if t.lock.Disabled == locked {
		return
	}
	t.update(func() {
		t.lock.Disabled = locked
		t.menu.Refresh()
	})
}

// update changes the tray unless the app is quitting. Fyne closes the
// tray's D-Bus connection when it quits, and the tray library panics on a
// closed connection (as it would if the session bus went away): the tray
// is not worth the app, so such a panic is logged.
func (t *tray) update(change func()) {
	if t.a.closing.Load() {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			t.a.log.Warn("tray update failed", "err", r)
		}
	}()
	change()
}

// showWindow brings the main window back from the tray.
func (a *App) showWindow() {
	a.hidden = false
	a.win.Show()
	a.win.RequestFocus()
	a.markSeen()
}

// lockNowFromTray locks and shows the window with the lock screen (so the
// first use can ask for a password there).
func (a *App) lockNowFromTray() {
	if a.locker == nil {
		return
	}
	if !a.cfg.Lock.IsSet() {
		a.showWindow()
	}
	a.lockNow()
}

// onCloseTapped is the main window's close button: to the tray when there
// is one and the user keeps that on, telling them the first time; else
// quit as before.
func (a *App) onCloseTapped() {
	prefs := a.fa.Preferences()
	if a.tray == nil || !a.trayAvailable() || !prefs.BoolWithFallback(prefCloseToTray, true) {
		a.Quit()
		return
	}
	a.hidden = true
	a.win.Hide()
	if !prefs.Bool(prefTrayTold) {
		prefs.SetBool(prefTrayTold, true)
		a.fa.SendNotification(fyne.NewNotification(lang.L("Worktalk is still running"),
			lang.L("It keeps running in the tray and tells you about new messages. To quit, use Quit in the tray menu. You can change this in More.")))
	}
}

// trayAvailable reports whether a tray shows our icon now: a desktop
// without one (many Linux setups) would leave a hidden window unreachable.
func (a *App) trayAvailable() bool {
	if a.cfg.TrayAvailable == nil {
		return true
	}
	return a.cfg.TrayAvailable()
}
