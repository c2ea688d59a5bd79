package ui

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// waitTime bounds every wait for async work.
const waitTime = 15 * time.Second

// loop stands in for the Fyne thread: posted functions run on the test
// goroutine when it waits, so widgets are only touched from there.
type loop struct {
	mu   sync.Mutex
	q    []func() // guarded by mu
	wake chan struct{}
	// busy, when set, adds up the time posted functions run: the work
	// done on the Fyne thread, as wall time and as the CPU time of the
	// thread (which leaves out waiting for a core on a loaded machine;
	// the caller locks its goroutine to its thread).
	busy, busyCPU *time.Duration
}

func newLoop() *loop { return &loop{wake: make(chan struct{}, 1)} }

func (l *loop) post(fn func()) {
	l.mu.Lock()
	l.q = append(l.q, fn)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// drain runs what is queued now.
func (l *loop) drain() {
	for {
		l.mu.Lock()
		q := l.q
		l.q = nil
		l.mu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, fn := range q {
			if l.busy == nil {
				fn()
				continue
			}
			start, cpu := time.Now(), threadCPU()
			fn()
			*l.busy += time.Since(start)
			*l.busyCPU += threadCPU() - cpu
		}
	}
}

// until runs posted work until cond holds, failing the test after waitTime.
func (l *loop) until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(waitTime)
	defer deadline.Stop()
	for {
		l.drain()
		if cond() {
			return
		}
		select {
		case <-l.wake:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// world is a real server behind a proxy, and the options of one device.
type world struct {
	env     *servertest.Env
	proxy   *servertest.Proxy
	gate    *servertest.Gate
	opt     client.Options
	secrets *secret.Memory
	ws      protocol.Workspace
}

func newWorld(t testing.TB) *world {
	t.Helper()
	setLanguage(t, "en") // the tests read English strings
	env := servertest.New(t)
	w := &world{env: env, proxy: env.NewProxy(t), gate: servertest.NewGate(true), secrets: &secret.Memory{}}
	w.opt = client.Options{DataDir: t.TempDir(), Secrets: w.secrets, After: w.gate.After, RequestTimeout: 5 * time.Second}
	w.ws = env.CreateWorkspace("Acme")
	return w
}

// offline cuts the app off the server; online lets it back in.
func (w *world) offline() { w.gate.Set(false); w.proxy.SetDown(true) }
func (w *world) online()  { w.proxy.SetDown(false); w.gate.Set(true) }

// harness is the app under test on a Fyne test app.
type harness struct {
	t    testing.TB
	w    *world
	loop *loop
	app  *App
	quit bool
}

// start runs the app with cfg's Open account (or the sign-in screen);
// opts change the rest of its Config.
func (w *world) start(t testing.TB, open *client.Account, opts ...func(*Config)) *harness {
	t.Helper()
	return w.startOn(t, test.NewTempApp(t), open, opts...)
}

// startOn is start on a Fyne app of the test's choosing.
func (w *world) startOn(t testing.TB, fa fyne.App, open *client.Account, opts ...func(*Config)) *harness {
	t.Helper()
	th, err := NewTheme()
	if err != nil {
		t.Fatal(err)
	}
	fa.Settings().SetTheme(th)
	h := &harness{t: t, w: w, loop: newLoop()}
	cfg := Config{Accounts: ClientAccounts{Options: w.opt}, Open: open, ServerURL: w.proxy.URL()}
	for _, o := range opts {
		o(&cfg)
	}
	h.app = newApp(fa, cfg, h.loop.post)
	h.app.quit = func() { h.quit = true }
	t.Cleanup(h.shutdown)
	h.app.Start()
	return h
}

// signedIn signs u in (as the sign-in screen would) and starts the app on
// that account, waiting for the first sync.
func (w *world) signedIn(t testing.TB, u *servertest.User, opts ...func(*Config)) *harness {
	t.Helper()
	return w.signedInOn(t, test.NewTempApp(t), u, opts...)
}

// signedInOn is signedIn on a Fyne app of the test's choosing.
func (w *world) signedInOn(t testing.TB, fa fyne.App, u *servertest.User, opts ...func(*Config)) *harness {
	t.Helper()
	acct, _, err := client.SignIn(context.Background(), w.opt, w.proxy.URL(), u.Email, u.Password, "")
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	h := w.startOn(t, fa, &acct, opts...)
	h.until("the first sync", func() bool {
		st := h.app.state()
		return h.app.main != nil && st.Conn.Online && !st.Conn.CatchingUp && st.Me.ID == u.ID()
	})
	return h
}

func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	h.loop.until(h.t, what, cond)
}

// shutdown quits the app the way the Quit menu does and waits for it.
func (h *harness) shutdown() {
	if h.quit {
		return
	}
	h.app.Quit()
	h.loop.until(h.t, "quit", func() bool { return h.quit })
}

// settled waits until nothing is waiting to be sent.
func (h *harness) settled() {
	h.t.Helper()
	h.until("the outbox to drain", func() bool {
		st := h.app.state()
		return st.Conn.Online && st.Pending == 0 && !st.ProfilePending
	})
}

// findButton returns the visible button with text in o's tree.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	walk(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() && found == nil {
			found = b
		}
	})
	return found
}

// walk visits o and every object under it (widgets through their
// renderers).
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, fn)
		}
	}
}

// topOverlay is the newest popup or dialog on w.
func topOverlay(w fyne.Window) fyne.CanvasObject { return w.Canvas().Overlays().Top() }

// tapButton taps the button with text under o, failing when there is none.
func tapButton(t testing.TB, o fyne.CanvasObject, text string) {
	t.Helper()
	b := findButton(o, text)
	if b == nil {
		t.Fatalf("no button %q on screen", text)
	}
	if b.Disabled() {
		t.Fatalf("button %q is disabled", text)
	}
	test.Tap(b)
}
