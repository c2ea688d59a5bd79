package client

import (
	"context"
	"testing"
	"time"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/internal/servertest"
)

// world is a test server behind a proxy.
type world struct {
	env   *servertest.Env
	proxy *servertest.Proxy
	gate  *servertest.Gate
}

func newWorld(t testing.TB) *world {
	t.Helper()
	env := servertest.New(t)
	return &world{env: env, proxy: env.NewProxy(t), gate: servertest.NewGate(true)}
}

// device opens an engine for u with a session of its own and a data dir
// of its own, as a separate device of the same account would.
func (w *world) device(t testing.TB, u *servertest.User) *Engine {
	t.Helper()
	return w.deviceVia(t, u, w.proxy)
}

// deviceVia is device reaching the server through a proxy of its own.
func (w *world) deviceVia(t testing.TB, u *servertest.User, p *servertest.Proxy) *Engine {
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

// optionsFor returns options over dir, with reconnect waits held shut and a
// token for acct stored, for tests that need no server or a fake one.
func optionsFor(tb testing.TB, dir string, acct Account) Options {
	tb.Helper()
	opt := Options{DataDir: dir, Secrets: &secret.Memory{}, After: servertest.NewGate(false).After}
	if err := opt.Secrets.Set(SecretService, secretUser(acct.ServerURL, acct.MemberID), "token"); err != nil {
		tb.Fatal(err)
	}
	return opt
}

func (w *world) options(t testing.TB) Options {
	return Options{DataDir: t.TempDir(), Secrets: &secret.Memory{}, After: w.gate.After, RequestTimeout: 5 * time.Second}
}

// account signs u in anew and stores the token where opt finds it.
func (w *world) account(t testing.TB, opt Options, u *servertest.User, p *servertest.Proxy) Account {
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
