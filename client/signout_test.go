package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// TestLogOutOffline: a logout while the server is unreachable wipes the
// local data at once but keeps the token until the server has revoked the
// session, which happens at the next connection to that server.
func TestLogOutOffline(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	bob := w.env.NewUser(ws.ID, "Bob")
	opt := w.options(t)
	acct := w.account(t, opt, alice, w.proxy)
	e := mustOpen(t, opt, acct)
	waitFor(t, e, "online", online)
	tok, err := opt.Secrets.Get(SecretService, secretUser(acct.ServerURL, acct.MemberID))
	if err != nil {
		t.Fatal(err)
	}

	w.proxy.SetDown(true)
	if err := e.LogOut(ctx); err != nil {
		t.Fatalf("LogOut offline: %v", err)
	}
	if accts, _ := Accounts(opt); len(accts) != 0 {
		t.Errorf("accounts after logout = %v, want none", accts)
	}
	if _, err := w.env.Service.Authenticate(ctx, tok); err != nil {
		t.Fatalf("the server lost the session without being told: %v", err)
	}
	f, err := readAccounts(opt)
	if err != nil || len(f.PendingSignOuts) != 1 {
		t.Fatalf("pending sign-outs = %+v, %v; want the one logged out", f.PendingSignOuts, err)
	}
	if got, err := opt.Secrets.Get(SecretService, f.PendingSignOuts[0].Key); err != nil || got != tok {
		t.Fatalf("token kept for the sign-out = %q, %v; want it kept until the server confirms", got, err)
	}
	if strings.Contains(f.PendingSignOuts[0].Key, tok) {
		t.Fatal("accounts.json names the token")
	}

	// Still down: a retry changes nothing.
	if left, err := RetrySignOuts(ctx, opt); err != nil || left != 1 {
		t.Fatalf("RetrySignOuts while down = %d, %v; want 1 left", left, err)
	}
	// Another account of this device connects to the server: that revokes it.
	w.proxy.SetDown(false)
	b := mustOpen(t, opt, w.account(t, opt, bob, w.proxy))
	waitFor(t, b, "Bob online", online)
	if err := b.Close(); err != nil { // Close waits for the connection's goroutines
		t.Fatal(err)
	}
	if _, err := w.env.Service.Authenticate(ctx, tok); protocol.ErrorCode(err) != protocol.EUnauthorized {
		t.Errorf("session after the next connection: %v, want it revoked", err)
	}
	if _, err := opt.Secrets.Get(SecretService, f.PendingSignOuts[0].Key); !errors.Is(err, secret.ErrNotFound) {
		t.Errorf("the token is still kept after the revocation: %v", err)
	}
	if f, _ := readAccounts(opt); len(f.PendingSignOuts) != 0 {
		t.Errorf("pending sign-outs after the revocation = %+v, want none", f.PendingSignOuts)
	}
}

// TestLogOutOnline: a logout that reaches the server forgets the token at
// once and leaves nothing pending.
func TestLogOutOnline(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	opt := w.options(t)
	acct := w.account(t, opt, alice, w.proxy)
	e := mustOpen(t, opt, acct)
	waitFor(t, e, "online", online)
	tok, _ := opt.Secrets.Get(SecretService, secretUser(acct.ServerURL, acct.MemberID))
	if err := e.LogOut(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.env.Service.Authenticate(ctx, tok); protocol.ErrorCode(err) != protocol.EUnauthorized {
		t.Errorf("session after an online logout: %v, want it revoked", err)
	}
	if _, err := opt.Secrets.Get(SecretService, secretUser(acct.ServerURL, acct.MemberID)); !errors.Is(err, secret.ErrNotFound) {
		t.Errorf("token after an online logout: %v, want it gone", err)
	}
	if f, _ := readAccounts(opt); len(f.PendingSignOuts) != 0 {
		t.Errorf("pending sign-outs = %+v, want none", f.PendingSignOuts)
	}
}

// TestDeviceTokenKeepsOwnerIn: the device token a sign-in brings back is
// kept with the session token and sent with the next sign-in, which then
// gets through while wrong passwords from elsewhere have locked the account
// for new devices.
func TestDeviceTokenKeepsOwnerIn(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	opt := w.options(t)
	if _, _, err := SignIn(ctx, opt, w.env.URL, alice.Email, alice.Password, ""); err != nil {
		t.Fatal(err)
	}
	if tok, err := opt.Secrets.Get(SecretService, deviceTokenUser(w.env.URL, alice.Email)); err != nil || tok == "" {
		t.Fatalf("device token after sign-in = %q, %v; want one kept", tok, err)
	}
	for range 15 { // someone guesses
		w.env.SignInHTTP(protocol.SignInRequest{Email: alice.Email, Password: "guess guess"})
	}
	if _, _, err := SignIn(ctx, w.options(t), w.env.URL, alice.Email, alice.Password, ""); protocol.ErrorCode(err) != protocol.ERateLimited {
		t.Fatalf("a new device during the guessing: %v, want %s", err, protocol.ERateLimited)
	}
	acct, _, err := SignIn(ctx, opt, w.env.URL, strings.ToUpper(alice.Email), alice.Password, "")
	if err != nil || acct.MemberID != alice.ID() {
		t.Fatalf("this device during the guessing: %+v, %v; want signed in", acct, err)
	}
}

// TestSignInWaitsOutBusyServer: a sign-in the server was too busy to check
// is sent again after its Retry-After, a few times.
func TestSignInWaitsOutBusyServer(t *testing.T) {
	for _, busy := range []int{2, signInTries} {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if int(calls.Add(1)) <= busy {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte(`{"code":"unavailable","message":"the server is busy; try again in a moment"}`))
				return
			}
			w.Write([]byte(`{"workspaces":[{"id":"w1","name":"Acme"},{"id":"w2","name":"Hanbit"}]}`))
		}))
		opt := Options{DataDir: t.TempDir(), Secrets: &secret.Memory{}, After: servertest.NewGate(true).After}
		_, choices, err := SignIn(context.Background(), opt, srv.URL, "kim@acme.test", "a long enough password", "")
		srv.Close()
		if busy < signInTries && (err != nil || len(choices) != 2) {
			t.Errorf("busy %d times: %v, %v; want the answer after waiting", busy, choices, err)
		}
		if busy == signInTries && protocol.ErrorCode(err) != protocol.EUnavailable {
			t.Errorf("busy every time: %v, want %s after %d tries", err, protocol.EUnavailable, signInTries)
		}
		if want := min(busy+1, signInTries); int(calls.Load()) != want {
			t.Errorf("busy %d times: %d requests, want %d", busy, calls.Load(), want)
		}
	}
}
