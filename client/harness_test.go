package client

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/internal/servertest"
)

// proxy is a TCP relay in front of the test server that a test can cut, to
// make the server unreachable without stopping it.
type proxy struct {
	tb     testing.TB
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool                  // guarded by mu: refuse and drop connections
	conns map[net.Conn]struct{} // guarded by mu
}

func newProxy(tb testing.TB, target string) *proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	p := &proxy{tb: tb, ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.relay(c)
			}()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		p.setDown(true)
		wg.Wait()
	})
	return p
}

func (p *proxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *proxy) relay(c net.Conn) {
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); up.Close(); done <- struct{}{} }()
	go func() { io.Copy(c, up); c.Close(); done <- struct{}{} }()
	<-done
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// setDown cuts every connection and refuses new ones (true), or lets them
// through again (false).
func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
	}
}

// gate controls reconnect waits: while shut, the engine waits; opening it
// releases every waiter at once. Tests never sleep for backoff.
type gate struct {
	mu   sync.Mutex
	open bool
	ch   chan time.Time
}

func newGate(open bool) *gate { return &gate{open: open, ch: make(chan time.Time)} }

func (g *gate) After(time.Duration) <-chan time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open {
		c := make(chan time.Time, 1)
		c <- time.Now()
		return c
	}
	return g.ch
}

func (g *gate) set(open bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if open == g.open {
		return
	}
	g.open = open
	if open {
		close(g.ch)
	} else {
		g.ch = make(chan time.Time)
	}
}

// world is a test server behind a proxy.
type world struct {
	env   *servertest.Env
	proxy *proxy
	gate  *gate
}

func newWorld(t testing.TB) *world {
	t.Helper()
	env := servertest.New(t)
	return &world{env: env, proxy: newProxy(t, env.URL[len("http://"):]), gate: newGate(true)}
}

// device opens an engine for u with a session of its own and a data dir
// of its own, as a separate device of the same account would.
func (w *world) device(t testing.TB, u *servertest.User) *Engine {
	t.Helper()
	return w.deviceVia(t, u, w.proxy)
}

// deviceVia is device reaching the server through a proxy of its own.
func (w *world) deviceVia(t testing.TB, u *servertest.User, p *proxy) *Engine {
	t.Helper()
	opt := w.options(t)
	acct := w.account(t, opt, u, p)
	return mustOpen(t, opt, acct)
}

func mustOpen(t testing.TB, opt Options, acct Account) *Engine {
	t.Helper()
	e, err := Open(context.Background(), opt, acct)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// newProxy adds another way in to the server.
func (w *world) newProxy(t testing.TB) *proxy {
	return newProxy(t, w.env.URL[len("http://"):])
}

func (w *world) options(t testing.TB) Options {
	return Options{DataDir: t.TempDir(), Secrets: &secret.Memory{}, After: w.gate.After, RequestTimeout: 5 * time.Second}
}

// account signs u in anew and stores the token where opt finds it.
func (w *world) account(t testing.TB, opt Options, u *servertest.User, p *proxy) Account {
	t.Helper()
	s := w.env.SignIn(u.Email, u.Password, u.Profile.WorkspaceID)
	acct := Account{ServerURL: p.URL(), MemberID: s.MemberID, WorkspaceID: s.Workspace.ID, WorkspaceName: s.Workspace.Name, Email: u.Email}
	if err := opt.Secrets.Set(SecretService, secretUser(acct.ServerURL, acct.MemberID), s.Token); err != nil {
		t.Fatal(err)
	}
	if err := saveAccount(opt, accountRecord{Account: acct}); err != nil {
		t.Fatal(err)
	}
	return acct
}

// waitFor waits until cond holds for the engine's state, failing after a
// deadline with what was asked.
func waitFor(t testing.TB, e *Engine, what string, cond func(State) bool) State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch := e.Watch(ctx)
	var last State
	for s := range ch {
		last = s
		if cond(s) {
			return s
		}
	}
	t.Fatalf("timed out waiting for %s; last state: conn %+v, pending %d, notices %+v", what, last.Conn, last.Pending, last.Notices)
	return last
}

func online(s State) bool { return s.Conn.Online }

func synced(s State) bool { return s.Conn.Online && s.Pending == 0 }
