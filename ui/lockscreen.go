package ui

import (
	"context"
	"errors"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client/lock"
	"worktalk.dev/worktalk/protocol"
)

// lockTitle is the window title while locked: no workspace, no names.
const lockTitle = "Worktalk"

// lockShortcut is Ctrl+L (Cmd+L on macOS).
var lockShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault}

// autoLockCheck is how often the idle time is looked at.
const autoLockCheck = 5 * time.Second

// locker puts the main window behind the lock screen and back. While
// locked the window shows only the lock screen, its title is lockTitle
// (with the unread total),
// dialogs and secondary windows are hidden, and content the app sets
// meanwhile is kept for later (see SetContent). Sync goes on underneath.
// All its fields belong to the Fyne thread.
type locker struct {
	work *worker
	win  fyne.Window
	lk   *lock.Lock
	idle *lock.Idle
	now  func() time.Time
	// forget logs out of the open workspace and wipes its local data, then
	// calls done on the Fyne thread; the app shows what comes next.
	forget func(done func(err error))
	// Others lists the secondary windows to hide while locked; may be nil.
	Others func() []fyne.Window
	// OnChange, when set, is told each time the lock comes up or goes.
	OnChange func(locked bool)
	// OnWritten, when set, is told each time the locked state was written down.
	OnWritten func()

	locked     bool
	unread     int               // the unread total, shown in the title while locked
	saved      fyne.CanvasObject // the content when the lock came up
	content    fyne.CanvasObject // the app's newest content, shown on unlock
	savedTitle string
	title      string
	hidden     []fyne.CanvasObject // dialogs hidden while locked
	hiddenWins []fyne.Window
	screen     *lockScreen
	settings   *lockSettings // the newest settings section, redrawn when a password is set
	stopTick   func()
	stopAuto   func()
	starting   bool // Start is locking, before the window shows
}

// newLocker makes the lock controller of win. now nil = time.Now.
func newLocker(work *worker, win fyne.Window, lk *lock.Lock, now func() time.Time, forget func(done func(err error))) *locker {
	if now == nil {
		now = time.Now
	}
	l := &locker{work: work, win: win, lk: lk, now: now, forget: forget}
	l.idle = lock.NewIdle(now, time.Duration(lk.Settings().AutoLockMinutes)*time.Minute)
	return l
}

// Start adds Ctrl+L, starts the auto-lock check and locks at once when the
// user chose to start locked. Call it once, before the window shows names.
func (l *locker) Start() {
	l.win.Canvas().AddShortcut(lockShortcut, func(fyne.Shortcut) { l.LockNow() })
	l.stopAuto = tickOnFyne(l.work, autoLockCheck, l.checkIdle)
	// Locked when it stopped (in any way: the state is written down when
	// the lock comes up) or when the user chose to start locked.
	if l.lk.IsSet() && (l.lk.Settings().StartLocked || l.lk.Locked()) {
		l.starting = true
		l.lock()
		l.starting = false
	}
}

// LockForOS locks because the OS session locked or the computer is about
// to sleep, without asking for a password when none is set (nobody is
// there to type one). done runs on the Fyne thread once the locked state
// is written down (at once when there is nothing to lock).
func (l *locker) LockForOS(done func()) {
	if !l.lk.IsSet() {
		done()
		return
	}
	if !l.locked {
		l.lock()
	}
	l.writeLocked(done)
}

// Stop ends the auto-lock check.
func (l *locker) Stop() {
	if l.stopAuto != nil {
		l.stopAuto()
	}
	l.stopTimer()
}

// Locked reports whether the lock screen is up.
func (l *locker) Locked() bool { return l.locked }

// Touch records user activity for auto-lock; the app calls it on input.
func (l *locker) Touch() { l.idle.Touch() }

// SetContent is how the app changes the window's content: while locked the
// content is kept and shown on unlock.
func (l *locker) SetContent(c fyne.CanvasObject) {
	if l.locked {
		l.content = c
		return
	}
	l.win.SetContent(c)
}

// SetUnread shows the unread total in the title while locked (a count
// names nobody, as the tray's does).
func (l *locker) SetUnread(n int) {
	l.unread = n
	if l.locked {
		l.win.SetTitle(unreadTitle(lockTitle, n))
	}
}

// SetTitle is how the app changes the window's title while a lock may be up.
func (l *locker) SetTitle(t string) {
	if l.locked {
		l.title = t
		return
	}
	l.win.SetTitle(t)
}

// LockNow locks the app; the first time it asks for a lock password.
func (l *locker) LockNow() {
	if l.locked {
		return
	}
	if !l.lk.IsSet() {
		l.askNewPassword(l.lock)
		return
	}
	l.lock()
}

func (l *locker) checkIdle() {
	if !l.locked && l.lk.IsSet() && l.idle.Due() {
		l.lock()
	}
}

func (l *locker) lock() {
	if l.locked {
		return
	}
	l.locked = true
	l.saved, l.content = l.win.Content(), l.win.Content()
	l.savedTitle, l.title = l.win.Title(), l.win.Title()
	l.hideOthers()
	l.screen = newLockScreen(l)
	l.win.SetContent(l.screen.content)
	l.win.SetTitle(unreadTitle(lockTitle, l.unread))
	l.screen.tick()
	l.stopTick = tickOnFyne(l.work, time.Second, l.onLockedTick)
	if !l.starting { // before the window shows, focusing fails: App.Start focuses
		l.focusPassword()
	}
	l.writeLocked(nil)
	if l.OnChange != nil {
		l.OnChange(true)
	}
}

// focusPassword puts the cursor in the lock screen's password field.
func (l *locker) focusPassword() {
	if l.screen != nil {
		l.win.Canvas().Focus(l.screen.pw)
	}
}

// writeLocked writes down, off the Fyne thread, that the app is locked, so
// that it starts locked whatever way it stops; done (if set) runs on the
// Fyne thread afterwards. Verify takes the mark away on unlock.
func (l *locker) writeLocked(done func()) {
	l.work.run(func(context.Context) error {
		return l.lk.SetLocked(true)
	}, func(err error) {
		if err != nil {
			l.work.log.Warn("write down the lock", "err", err)
		} else if l.OnWritten != nil {
			l.OnWritten()
		}
		if done != nil {
			done()
		}
	})
}

// onLockedTick counts the wait down and hides any dialog or secondary
// window that opened since the last tick (e.g. when an answer from the
// server arrives after the lock).
func (l *locker) onLockedTick() {
	l.screen.tick()
	if !l.screen.dialogOpen {
		l.hideOverlays()
	}
	l.hideWindows()
}

// dialogUp reports whether the lock screen shows a dialog of its own (which
// takes Esc and Enter while the rest of the app is hidden).
func (l *locker) dialogUp() bool { return l.locked && l.screen != nil && l.screen.dialogOpen }

// hideNewOverlays hides, while locked, a dialog the app has just shown,
// without waiting for the next tick.
func (l *locker) hideNewOverlays() {
	if l.locked && !l.screen.dialogOpen {
		l.hideOverlays()
	}
}

func (l *locker) hideOthers() {
	l.hideOverlays()
	l.hideWindows()
}

func (l *locker) hideWindows() {
	if l.Others == nil {
		return
	}
	for _, w := range l.Others() {
		w.Hide()
		if !slices.Contains(l.hiddenWins, w) {
			l.hiddenWins = append(l.hiddenWins, w)
		}
	}
}

func (l *locker) hideOverlays() {
	for _, o := range l.win.Canvas().Overlays().List() {
		o.Hide()
		if !slices.Contains(l.hidden, o) {
			l.hidden = append(l.hidden, o)
		}
	}
}

func (l *locker) stopTimer() {
	if l.stopTick != nil {
		l.stopTick()
		l.stopTick = nil
	}
}

// unlock shows the app again as it was, or as it set itself meanwhile.
func (l *locker) unlock() {
	l.end(l.content, l.title)
	for _, o := range l.hidden {
		o.Show()
	}
	for _, w := range l.hiddenWins {
		w.Show()
	}
	l.hidden, l.hiddenWins = nil, nil
}

// forgotten ends the lock after the workspace was logged out and wiped.
// Nothing hidden comes back: it showed the wiped workspace. The window
// shows what the app set while forgetting (through SetContent or
// directly), else nothing until it does.
func (l *locker) forgotten() {
	next, title := l.content, l.title
	if next == l.saved {
		next = container.NewStack()
	}
	if cur := l.win.Content(); l.screen == nil || cur != l.screen.content {
		next = cur
	}
	if title == l.savedTitle {
		title = lockTitle
	}
	l.hidden, l.hiddenWins = nil, nil
	l.end(next, title)
}

func (l *locker) end(content fyne.CanvasObject, title string) {
	l.stopTimer()
	l.locked = false
	l.screen = nil
	l.win.SetContent(content)
	l.win.SetTitle(title)
	l.saved, l.content = nil, nil
	l.idle.Touch()
	if l.OnChange != nil {
		l.OnChange(false)
	}
}

// askNewPassword asks for a new lock password, twice, and then calls next.
func (l *locker) askNewPassword(next func()) {
	pw := newPasswordEntry()
	again := newPasswordEntry()
	pw.Validator = func(s string) error {
		if err := protocol.ValidateLockPassword(s); err != nil {
			return errors.New(lang.L("Use {{.Min}} to {{.Max}} characters.", map[string]any{"Min": protocol.MinLockPasswordLen, "Max": protocol.MaxLockPasswordLen}))
		}
		return nil
	}
	again.Validator = func(s string) error {
		if s != pw.Text {
			return errors.New(lang.L("The two passwords are not the same."))
		}
		return nil
	}
	pw.OnChanged = func(string) { again.Validate() }
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Lock password"), pw),
		widget.NewFormItem(lang.L("Type it again"), again),
	}
	items[0].HintText = lang.L("{{.Min}} to {{.Max}} characters. It stays on this computer.", map[string]any{"Min": protocol.MinLockPasswordLen, "Max": protocol.MaxLockPasswordLen})
	form := dialog.NewForm(lang.L("Set a lock password"), lang.L("Set password"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		secret := pw.Text
		l.work.run(func(context.Context) error {
			return l.lk.Set(secret)
		}, func(err error) {
			if err != nil {
				l.work.dialogs.info(l.win, lang.L("Could not do that"), errorText(err))
				return
			}
			if l.settings != nil {
				l.settings.render() // the options that need a password
			}
			if next != nil {
				next()
			}
		})
	}, l.win)
	// Enter in either field submits, as [Set password] would (the form
	// checks both fields first).
	pw.OnSubmitted = func(string) { form.Submit() }
	again.OnSubmitted = func(string) { form.Submit() }
	form.Resize(fyne.NewSize(420, 0))
	l.work.dialogs.show(l.win, form, form.Submit)
	l.win.Canvas().Focus(pw)
}

// lockScreen is what the window shows while locked: the app's name, a
// password field with [Unlock], the wait after wrong passwords counting
// down, and "Forgot password?".
type lockScreen struct {
	l          *locker
	content    fyne.CanvasObject
	pw         *widget.Entry
	unlock     *widget.Button
	msg        *widget.Label
	forgot     *widget.Button
	checking   bool
	dialogOpen bool // the forgot-password confirm is up
}

func newLockScreen(l *locker) *lockScreen {
	s := &lockScreen{l: l}
	s.pw = widget.NewPasswordEntry()
	s.pw.SetPlaceHolder(lang.L("Lock password"))
	s.pw.OnSubmitted = func(string) { s.onUnlockTapped() }
	s.unlock = widget.NewButtonWithIcon(lang.L("Unlock"), theme.LoginIcon(), s.onUnlockTapped)
	s.unlock.Importance = widget.HighImportance
	s.msg = widget.NewLabel("")
	s.msg.Alignment = fyne.TextAlignCenter
	s.msg.Wrapping = fyne.TextWrapWord
	s.msg.Importance = widget.WarningImportance
	s.msg.Hide()
	s.forgot = widget.NewButton(lang.L("Forgot password?"), s.onForgotTapped)
	s.forgot.Importance = widget.LowImportance

	icon := canvas.NewImageFromResource(theme.NewPrimaryThemedResource(theme.VisibilityOffIcon()))
	icon.SetMinSize(fyne.NewSquareSize(48))
	icon.FillMode = canvas.ImageFillContain
	title := canvas.NewText(lang.L("Worktalk is locked"), theme.Color(theme.ColorNameForeground))
	title.TextSize = theme.TextHeadingSize()
	title.TextStyle.Bold = true
	title.Alignment = fyne.TextAlignCenter
	hint := widget.NewLabel(lang.L("Enter your lock password to continue."))
	hint.Alignment = fyne.TextAlignCenter
	hint.Importance = widget.LowImportance

	form := container.NewVBox(icon, title, hint, s.pw, s.unlock, s.msg, s.forgot)
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	box := container.NewGridWrap(fyne.NewSize(320, form.MinSize().Height+80), container.NewVBox(form))
	s.content = container.NewStack(bg, container.NewCenter(box))
	return s
}

// tick shows how long the wait after wrong passwords still lasts and
// keeps [Unlock] disabled until it is over.
func (s *lockScreen) tick() {
	if s.checking {
		// Verify counts the attempt before it hashes (so a crash cannot
		// skip the wait): the wait it set is not one to show.
		return
	}
	left := s.l.lk.NextAttempt().Sub(s.l.now())
	if left > 0 {
		s.msg.SetText(lang.L("Too many wrong passwords. Try again in {{.Left}}.", map[string]any{"Left": clockText(left)}))
		s.msg.Show()
		s.unlock.Disable()
		return
	}
	if s.unlock.Disabled() && !s.checking {
		s.unlock.Enable()
		if s.l.lk.Failures() > 0 {
			s.msg.SetText(lang.L("You can try again now."))
		}
	}
}

func (s *lockScreen) onUnlockTapped() {
	if s.checking || s.unlock.Disabled() {
		return
	}
	pw := s.pw.Text
	s.checking = true
	s.unlock.Disable()
	s.l.work.run(func(context.Context) error {
		return s.l.lk.Verify(pw) // Argon2id: about 170 ms, off the Fyne thread
	}, func(err error) {
		s.checking = false
		if s.l.screen != s {
			return // unlocked or forgotten meanwhile
		}
		var wait *lock.WaitError
		switch {
		case err == nil:
			s.l.unlock()
			return
		case errors.Is(err, lock.ErrWrongPassword):
			s.pw.SetText("")
			s.msg.SetText(lang.L("Wrong password."))
		case errors.As(err, &wait):
		case errors.Is(err, lock.ErrNotSet):
			s.l.unlock()
			return
		default:
			s.msg.SetText(errorText(err))
		}
		s.msg.Show()
		s.unlock.Enable()
		s.tick()
		s.l.win.Canvas().Focus(s.pw)
	})
}

func (s *lockScreen) onForgotTapped() {
	s.dialogOpen = true
	s.l.work.dialogs.confirmOr(s.l.win, lang.L("Forgot your lock password?"),
		lang.L("You will be logged out of this workspace and its messages and files are deleted from this computer. Everything stays on the server: sign in again to get it back. Lock mode is turned off."),
		lang.L("Log out and delete"), func(ok bool) {
			s.dialogOpen = false
			if ok {
				s.forgetConfirmed()
			}
		})
}

// forgetConfirmed logs out and wipes the workspace, then turns lock mode
// off (the password is forgotten, so it could never be unlocked again).
func (s *lockScreen) forgetConfirmed() {
	s.unlock.Disable()
	s.forgot.Disable()
	s.msg.SetText(lang.L("Logging out…"))
	s.msg.Show()
	s.l.forget(func(err error) {
		if err != nil {
			s.forgot.Enable()
			s.tick()
			s.msg.SetText(errorText(err))
			return
		}
		s.l.work.run(func(context.Context) error {
			return s.l.lk.Clear()
		}, func(err error) {
			if err != nil {
				s.l.work.log.Warn("clear lock", "err", err)
			}
			s.l.forgotten()
		})
	})
}

// lockSettings is the lock mode section of the More tab: set a password,
// auto-lock after idle minutes, start locked.
type lockSettings struct {
	l       *locker
	content fyne.CanvasObject
	body    *fyne.Container
}

// autoLockChoices are the idle minutes offered; 0 is off.
var autoLockChoices = []int{0, 1, 5, 10, 15, 30, 60}

func newLockSettings(l *locker) *lockSettings {
	s := &lockSettings{l: l, body: container.NewVBox()}
	l.settings = s
	s.content = section(lang.L("Lock mode"), s.body)
	s.render()
	return s
}

func (s *lockSettings) render() {
	s.body.RemoveAll()
	if !s.l.lk.IsSet() {
		off := widget.NewLabel(lang.L("Lock mode hides your chats behind a password when you step away."))
		off.Wrapping = fyne.TextWrapWord
		set := widget.NewButton(lang.L("Set a lock password"), func() { s.l.askNewPassword(nil) })
		s.body.Objects = []fyne.CanvasObject{off, container.NewHBox(set)}
		s.body.Refresh()
		return
	}
	st := s.l.lk.Settings()
	labels := make([]string, len(autoLockChoices))
	for i, m := range autoLockChoices {
		labels[i] = autoLockLabel(m)
	}
	sel := widget.NewSelect(labels, nil)
	sel.SetSelected(autoLockLabel(st.AutoLockMinutes))
	if sel.Selected == "" {
		sel.SetSelected(autoLockLabel(0))
	}
	sel.OnChanged = func(v string) {
		i := slices.Index(labels, v)
		if i >= 0 {
			s.save(func(st *lock.Settings) { st.AutoLockMinutes = autoLockChoices[i] })
		}
	}
	start := widget.NewCheck(lang.L("Start locked"), nil)
	start.SetChecked(st.StartLocked)
	start.OnChanged = func(on bool) { s.save(func(st *lock.Settings) { st.StartLocked = on }) }
	now := widget.NewButtonWithIcon(lang.L("Lock now"), theme.VisibilityOffIcon(), s.l.LockNow)
	hint := widget.NewLabel(lang.L("Ctrl+L locks at any time."))
	hint.Importance = widget.LowImportance
	s.body.Objects = []fyne.CanvasObject{
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("Lock when idle")), nil, sel),
		start, container.NewHBox(now), hint,
	}
	s.body.Refresh()
}

func autoLockLabel(minutes int) string {
	if minutes == 0 {
		return lang.L("Never")
	}
	return lang.L("After {{.N}} min", map[string]any{"N": minutes})
}

// save changes the settings in the keyring (off the Fyne thread) and the
// idle timeout at once.
func (s *lockSettings) save(change func(*lock.Settings)) {
	st := s.l.lk.Settings()
	change(&st)
	s.l.idle.SetTimeout(time.Duration(st.AutoLockMinutes) * time.Minute)
	s.l.work.run(func(context.Context) error {
		return s.l.lk.SetSettings(st)
	}, func(err error) {
		if err != nil {
			s.l.work.dialogs.info(s.l.win, lang.L("Could not do that"), errorText(err))
		}
	})
}
