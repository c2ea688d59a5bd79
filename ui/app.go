// Package ui is the Worktalk desktop app: its windows and screens. It talks
// to the sync engine only through the Engine interface, and only off the
// Fyne thread (see worker).
package ui

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/client/lock"
)

// Config is what cmd/worktalk hands the app.
type Config struct {
	Accounts Accounts
	// ServerURL fills the sign-in screen's server field.
	ServerURL string
	// Open is the account to open at start; nil opens the first account
	// signed in on this device, or the sign-in screen when there is none.
	Open *client.Account
	// Warnings are shown in the More tab (and once at start), e.g. that
	// session tokens are kept in a file.
	Warnings []string
	Logger   *slog.Logger

	// Lock is the lock password of this device; nil leaves lock mode off,
	// and LockError then says why (e.g. no OS keyring).
	Lock      *lock.Lock
	LockError error
	// OpenLink is a profile link (https://HOST/p/TOKEN or
	// worktalk://p/TOKEN) to open in "Add external member" once a
	// workspace shows, e.g. from the command line.
	OpenLink string

	// OpenSelfRoom opens my own room once the workspace shows.
	OpenSelfRoom bool
	// StartupProbe, when set, is called on the Fyne thread with "main" when
	// the main screen first shows the engine's state and with "room" when
	// the first room shows its messages; cmd/worktalk times start-up with it.
	StartupProbe func(event string)
	// EventProbe, when set, is called on the Fyne thread with what the
	// app just did: "main" (the main screen first shows the engine's
	// state), "raised" (Activate raised the window), "card" (the
	// card of a viewed link shows), "locked" and "unlocked",
	// "lock-written" (the locked state is in the keyring), "notified"
	// (an OS notification went out). cmd/worktalk reports them for process
	// tests and benchmarks.
	EventProbe func(event string)

	// OSIdle, when set, is the OS's idle time (input anywhere), which
	// auto-lock then uses together with input in Worktalk's windows.
	OSIdle func() (time.Duration, error)
	// TrayAvailable, when set, reports whether the desktop shows tray
	// icons now; closing the window quits where it does not. nil: it does.
	TrayAvailable func() bool
	// NoTray sets up no tray icon at all, where the desktop cannot have
	// one (Linux without a D-Bus session bus): closing the window quits.
	NoTray bool
}

// App owns the main window and the open workspace. All its fields belong
// to the Fyne thread, but for closing and loopRuns.
type App struct {
	fa   fyne.App
	win  fyne.Window
	cfg  Config
	log  *slog.Logger
	work *worker

	// closing is set once the app quits: work posted to the Fyne thread
	// from then on is dropped. Fyne may end its loop first (it quits on
	// SIGTERM by itself), and then runs what is posted at once on the
	// poster's goroutine, where GLFW and the tray's D-Bus connection are
	// gone.
	closing atomic.Bool
	// loopRuns is set once Fyne's loop started, and with it Fyne's own
	// handling of SIGTERM and SIGINT.
	loopRuns atomic.Bool

	sess   *session      // the open workspace; nil when signed out
	signIn *signInScreen // the sign-in screen while it shows
	// The newest of these screens, for tests and focus.
	memberWin *memberProfile
	newRoom   *newRoomDialog
	share     *shareDialog
	addExt    *addExternalDialog
	accounts  []client.Account // signed in on this device, for the switcher
	main      *mainScreen      // built when a workspace opens
	locker    *locker          // nil when lock mode is unavailable
	// pendingLink is a profile link to open once a workspace shows.
	pendingLink string
	windows     []fyne.Window // secondary windows of the open workspace
	pics        *pictureCache
	quit        func() // quits the Fyne app; replaced in tests
	// now and loc place message times; fixed in golden image tests.
	now    func() time.Time
	loc    *time.Location
	probed map[string]bool // start-up events reported

	focused bool            // a window of the app has the focus
	hidden  bool            // the main window is closed to the tray
	marking map[string]bool // rooms whose MarkRead is on its way
	tray    *tray           // nil without a desktop driver
	notify  *notifier
}

// session is one open workspace: its engine and the goroutine that feeds
// engine states to the screens.
type session struct {
	eng    Engine
	acct   client.Account
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	latest  *client.State // newest state not yet applied; guarded by mu
	posted  bool          // an apply is queued on the Fyne thread; guarded by mu
	applied client.State  // Fyne thread only
}

// New builds the app on the Fyne app fa. Call Start to show it.
func New(fa fyne.App, cfg Config) *App {
	return newApp(fa, cfg, postFyne)
}

func newApp(fa fyne.App, cfg Config, post func(func())) *App {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &App{
		fa:   fa,
		cfg:  cfg,
		log:  cfg.Logger,
		quit: fa.Quit,
		now:  time.Now,
		loc:  time.Local,

		pendingLink: cfg.OpenLink,
	}
	a.work = newWorker(func(fn func()) {
		post(func() {
			if !a.closing.Load() {
				fn()
			}
		})
	}, cfg.Logger)
	a.pics = newPictureCache(a)
	a.win = fa.NewWindow("Worktalk")
	a.win.Resize(fyne.NewSize(1040, 700))
	a.win.SetMaster()
	a.win.SetCloseIntercept(a.onCloseTapped)
	a.focused = true // a new window gets the focus; the driver says when it goes
	a.notify = newNotifier(a)
	a.watchKeys(a.win, nil)
	if cfg.Lock != nil {
		a.locker = newLocker(a.work, a.win, cfg.Lock, nil, a.forgetLocked)
		a.locker.Others = func() []fyne.Window { return a.windows }
		a.locker.OnChange = a.onLockChanged
		a.locker.OnWritten = func() { a.event("lock-written") }
		if cfg.OSIdle != nil {
			a.locker.idle.SetOSIdle(cfg.OSIdle)
		}
		a.work.dialogs.afterShow = a.locker.hideNewOverlays // an answer that came after the lock
	}
	return a
}

// probe reports a start-up event once.
func (a *App) probe(event string) {
	if a.cfg.StartupProbe == nil || a.probed[event] {
		return
	}
	if a.probed == nil {
		a.probed = map[string]bool{}
	}
	a.probed[event] = true
	a.cfg.StartupProbe(event)
}

// localTime is a unix-millisecond time in the app's time zone.
func (a *App) localTime(ms int64) time.Time { return time.UnixMilli(ms).In(a.loc) }

// Window is the main window.
func (a *App) Window() fyne.Window { return a.win }

// Start shows the main window and opens the first workspace (or the
// sign-in screen).
func (a *App) Start() {
	if a.locker != nil {
		a.locker.Start() // before any name shows: it may start locked
	}
	a.tray = newTray(a)
	lc := a.fa.Lifecycle()
	lc.SetOnStarted(func() { a.loopRuns.Store(true) })
	lc.SetOnEnteredForeground(func() { a.setFocused(true) })
	lc.SetOnExitedForeground(func() { a.setFocused(false) })
	a.setContent(loadingView())
	a.win.Show()
	if a.locked() {
		a.locker.focusPassword() // a window focuses only once it shows
	}
	// Sessions logged out while their server was unreachable are revoked
	// now if it is back; the engines retry at each connection too.
	a.run(func(ctx context.Context) error {
		_, err := a.cfg.Accounts.RetrySignOuts(ctx)
		return err
	}, func(err error) {
		if err != nil {
			a.log.Info("retry sign-outs", "err", err)
		}
	})
	var (
		acct  client.Account
		found bool
	)
	a.run(func(ctx context.Context) error {
		if a.cfg.Open != nil {
			acct, found = *a.cfg.Open, true
			return nil
		}
		list, err := a.cfg.Accounts.List()
		if err != nil {
			return err
		}
		if len(list) > 0 {
			acct, found = list[0], true
		}
		return nil
	}, func(err error) {
		if err != nil || !found {
			s := a.showSignIn(false)
			if err != nil {
				a.log.Warn("list accounts", "err", err)
				s.setError(errorText(err))
			}
			return
		}
		a.openAccount(acct)
	})
}

// run is the one way screens call the engine: work runs on its own
// goroutine, done runs on the Fyne thread with work's error. A nil done
// shows a failure in the main window.
func (a *App) run(work func(ctx context.Context) error, done func(err error)) {
	a.touch() // screens call the engine when the user does something
	if done == nil {
		done = func(err error) {
			if err != nil {
				a.showError(a.win, err)
			}
		}
	}
	a.work.run(work, done)
}

// engine is the open workspace's engine (nil when signed out).
func (a *App) engine() Engine {
	if a.sess == nil {
		return nil
	}
	return a.sess.eng
}

// state is the newest engine state the screens have applied.
func (a *App) state() client.State {
	if a.sess == nil {
		return client.State{}
	}
	return a.sess.applied
}

// openAccount opens acct's engine and shows the main screen.
func (a *App) openAccount(acct client.Account) {
	a.setContent(loadingView())
	fetch(a.run, func(ctx context.Context) (Engine, error) {
		return a.cfg.Accounts.Open(ctx, acct)
	}, func(eng Engine, err error) {
		if err != nil {
			a.log.Warn("open workspace", "err", err)
			s := a.showSignIn(false)
			s.setError(lang.L("Could not open {{.Name}}: {{.Err}}", map[string]any{"Name": acct.WorkspaceName, "Err": errorText(err)}))
			return
		}
		a.startSession(acct, eng)
		a.refreshAccounts(a.main.more.applyAccounts)
	})
}

// startSession makes eng the open workspace and starts feeding its states
// to the main screen.
func (a *App) startSession(acct client.Account, eng Engine) {
	a.signIn = nil
	ctx, cancel := context.WithCancel(a.work.ctx)
	s := &session{eng: eng, acct: acct, cancel: cancel}
	a.sess = s
	a.main = newMainScreen(a)
	a.setContent(a.main.content)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for st := range eng.Watch(ctx) {
			a.offer(s, st)
		}
	}()
}

// offer queues st for the Fyne thread; states arriving while one is queued
// replace it (latest wins), so a busy UI never falls behind.
func (a *App) offer(s *session, st client.State) {
	s.mu.Lock()
	s.latest = &st
	queue := !s.posted
	s.posted = true
	s.mu.Unlock()
	if !queue {
		return
	}
	a.work.post(func() {
		s.mu.Lock()
		st := *s.latest
		s.posted = false
		s.mu.Unlock()
		if a.sess != s {
			return // switched away meanwhile
		}
		first := s.applied.Me.ID == ""
		s.applied = st
		a.log.Debug("state", "rooms", len(st.Rooms), "members", len(st.Members), "online", st.Conn.Online,
			"catching_up", st.Conn.CatchingUp, "pending", st.Pending, "notices", len(st.Notices))
		a.main.apply(st)
		a.notify.apply(st)
		a.showUnread(st.Unread)
		a.markSeen()
		if first {
			a.probe("main")
			a.event("main")
			if a.cfg.OpenSelfRoom {
				a.main.openSelfRoom()
			}
		}
		if link := a.pendingLink; link != "" && linkReady(st) {
			a.pendingLink = ""
			a.openAddExternal(link)
		}
		if st.Revoked {
			a.onRevoked()
		}
	})
}

// closeSession stops the open workspace's screens and its engine; then
// runs next on the Fyne thread. logOut also signs out and wipes it.
func (a *App) closeSession(logOut bool, next func(err error)) {
	s := a.sess
	a.sess = nil
	a.main = nil
	a.notify.reset()
	a.showUnread(0)
	for _, w := range a.windows {
		w.Close()
	}
	a.windows = nil
	a.pics.clear()
	if s == nil {
		next(nil)
		return
	}
	a.run(func(ctx context.Context) error {
		s.cancel()
		s.wg.Wait()
		if logOut {
			return s.eng.LogOut(ctx) // closes the engine
		}
		return s.eng.Close()
	}, next)
}

// showUnread shows the unread total where it shows outside the chats
// list: on the tray icon and in the lock screen's title (the main screen
// puts it in its own).
func (a *App) showUnread(n int) {
	if a.tray != nil {
		a.tray.setCount(n)
	}
	if a.locker != nil {
		a.locker.SetUnread(n)
	}
}

func (a *App) onRevoked() {
	acct := a.sess.acct
	a.closeSession(false, func(error) {
		s := a.showSignIn(false)
		s.server.SetText(acct.ServerURL)
		s.email.SetText(acct.Email)
		a.focus(s.password)
		s.setError(lang.L("You were signed out of this workspace. Please sign in again."))
	})
}

// Quit closes the open workspace cleanly, then the app.
func (a *App) Quit() {
	if a.closing.Load() {
		return
	}
	if a.locker != nil {
		a.locker.Stop()
	}
	a.closeSession(false, func(err error) {
		if err != nil {
			a.log.Warn("close engine", "err", err)
		}
		a.work.close()
		a.closing.Store(true)
		a.quit()
	})
}

// Interrupt quits on SIGTERM or SIGINT; any goroutine may call it. Once
// its loop runs, Fyne ends it on those signals by itself, so the app only
// stops posting work to it; before, the app ends the loop as soon as it
// starts. Close then closes the workspace, after the loop.
func (a *App) Interrupt() {
	a.closing.Store(true)
	if !a.loopRuns.Load() {
		fyne.Do(a.quit)
	}
}

// Do runs fn on the Fyne thread, unless the app is quitting by then.
func (a *App) Do(fn func()) { a.work.post(fn) }

// Close closes what is still open once Fyne's loop has ended, whoever
// ended it: the workspace's engine (its outbox stays for the next start),
// the lock's timers and the work running off the Fyne thread. Call it on
// the goroutine that ran the loop, after the loop returned. The lock's
// state is left as it is: an app locked when it stopped starts locked.
func (a *App) Close() {
	a.closing.Store(true)
	if a.locker != nil {
		a.locker.Stop()
	}
	if s := a.sess; s != nil {
		a.sess = nil
		s.cancel()
		s.wg.Wait()
		if err := s.eng.Close(); err != nil {
			a.log.Warn("close engine", "err", err)
		}
	}
	a.work.close() // waits for an engine that Quit began to close
}

// newWindow opens a secondary window that closes with the workspace.
func (a *App) newWindow(title string, onClose func()) fyne.Window {
	w := a.fa.NewWindow(title)
	a.windows = append(a.windows, w)
	w.SetOnClosed(func() {
		for i, x := range a.windows {
			if x == w {
				a.windows = append(a.windows[:i], a.windows[i+1:]...)
				break
			}
		}
		a.work.dialogs.forget(w)
		if onClose != nil {
			onClose()
		}
	})
	a.watchKeys(w, w.Close)
	// Ctrl+L locks from here too (locking hides this window).
	w.Canvas().AddShortcut(lockShortcut, func(fyne.Shortcut) { a.lockNow() })
	return w
}

// watchKeys makes Esc close the newest dialog of w, or call closeWindow,
// and Enter confirm the newest dialog. While locked only a dialog of the
// lock screen itself takes keys: the rest is hidden.
func (a *App) watchKeys(w fyne.Window, closeWindow func()) {
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		a.touch()
		if a.locked() && !a.locker.dialogUp() {
			return
		}
		switch ev.Name {
		case fyne.KeyEscape:
			if !a.work.dialogs.dismissTop(w) && closeWindow != nil && !a.locked() {
				closeWindow()
			}
		case fyne.KeyReturn, fyne.KeyEnter:
			a.work.dialogs.enterTop(w)
		}
	})
}

// showDialog shows d on w so that Esc closes it.
func (a *App) showDialog(w fyne.Window, d dialog.Dialog) { a.work.dialogs.show(w, d, nil) }

// dismissTop closes the newest dialog of w and reports whether there was one.
func (a *App) dismissTop(w fyne.Window) bool { return a.work.dialogs.dismissTop(w) }

// showError tells the user what went wrong, in plain words.
func (a *App) showError(w fyne.Window, err error) {
	a.log.Info("action failed", "err", err)
	a.work.dialogs.info(w, lang.L("Could not do that"), errorText(err))
}
