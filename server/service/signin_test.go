package service_test

import (
	"fmt"
	"runtime"
	"testing"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func (e *env) signIn(email, password, addr, deviceToken string) (protocol.SignInResponse, error) {
	e.t.Helper()
	return e.svc.SignIn(e.ctx, protocol.SignInRequest{Email: email, Password: password, DeviceToken: deviceToken}, addr)
}

// TestSuccessfulSignInsNotCounted: people behind one address who type
// their password right are never limited, however many they are.
func TestSuccessfulSignInsNotCounted(t *testing.T) {
	e, w := newWorld(t)
	for i := range 30 {
		e.member(w.A, fmt.Sprintf("user%d@acme.test", i), fmt.Sprintf("User %d", i))
	}
	for i := range 30 {
		if _, err := e.signIn(fmt.Sprintf("user%d@acme.test", i), testPassword, "203.0.113.9", ""); err != nil {
			t.Fatalf("sign-in %d of 30 correct ones from one address: %v", i+1, err)
		}
	}
	// The owner of a mistyped password is limited only by failures.
	for i := range 9 {
		if _, err := e.signIn("alice@acme.test", "typo typo", "203.0.113.9", ""); code(err) != protocol.EUnauthorized {
			t.Fatalf("wrong password %d: %v, want %s", i+1, err, protocol.EUnauthorized)
		}
	}
	if _, err := e.signIn("alice@acme.test", testPassword, "203.0.113.9", ""); err != nil {
		t.Fatalf("right password after 9 wrong ones: %v", err)
	}
}

// TestOwnerNotLockedOut: wrong passwords from anywhere lock a new device
// out of the account for a while, but not the devices that signed in before
// and present their device token.
func TestOwnerNotLockedOut(t *testing.T) {
	e, w := newWorld(t)
	res, err := e.signIn("alice@acme.test", testPassword, "198.51.100.1", "")
	if err != nil || res.DeviceToken == "" {
		t.Fatalf("first sign-in: %+v, %v; want a session and a device token", res, err)
	}
	device := res.DeviceToken

	// An attacker spreads guesses over many addresses.
	limited := 0
	for i := range 40 {
		_, err := e.signIn("alice@acme.test", "guess guess", fmt.Sprintf("192.0.2.%d", i), "")
		if code(err) == protocol.ERateLimited {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("40 wrong passwords for one account from 40 addresses were never limited")
	}
	// A new device of the owner waits like the attacker...
	if _, err := e.signIn("alice@acme.test", testPassword, "198.51.100.77", ""); code(err) != protocol.ERateLimited {
		t.Errorf("owner on a new device during the attack: %v, want %s", err, protocol.ERateLimited)
	}
	// ...but the device that signed in before gets in, from a fresh address too.
	res, err = e.signIn("alice@acme.test", testPassword, "198.51.100.78", device)
	if err != nil || res.Session == nil {
		t.Fatalf("owner with the device token during the attack: %+v, %v; want a session", res, err)
	}
	// A made-up token is no token, and Alice's does nothing for another
	// account under attack.
	if _, err := e.signIn("alice@acme.test", testPassword, "198.51.100.79", "made-up-token"); code(err) != protocol.ERateLimited {
		t.Errorf("owner with a made-up device token: %v, want %s", err, protocol.ERateLimited)
	}
	e.member(w.A, "aaron2@acme.test", "Aaron Two")
	for i := range 40 {
		e.signIn("aaron2@acme.test", "guess guess", fmt.Sprintf("192.0.2.%d", i), "")
	}
	if _, err := e.signIn("aaron2@acme.test", testPassword, "198.51.100.80", device); code(err) != protocol.ERateLimited {
		t.Errorf("another account with Alice's device token: %v, want %s", err, protocol.ERateLimited)
	}
}

// TestDeviceTokenGuessesLimited: a stolen device token does not let its
// holder guess without end.
func TestDeviceTokenGuessesLimited(t *testing.T) {
	e, _ := newWorld(t)
	res, err := e.signIn("alice@acme.test", testPassword, "198.51.100.1", "")
	if err != nil {
		t.Fatal(err)
	}
	limited := false
	for i := range 30 {
		_, err := e.signIn("alice@acme.test", "guess guess", fmt.Sprintf("192.0.2.%d", i), res.DeviceToken)
		limited = limited || code(err) == protocol.ERateLimited
	}
	if !limited {
		t.Fatal("30 wrong passwords with one device token were never limited")
	}
}

// TestDeviceTokenSurvivesRotation: a device token made before a key
// rotation still counts while the old key is kept.
func TestDeviceTokenSurvivesRotation(t *testing.T) {
	e, _ := newWorld(t)
	res, err := e.signIn("alice@acme.test", testPassword, "198.51.100.1", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		e.signIn("alice@acme.test", "guess guess", fmt.Sprintf("192.0.2.%d", i), "")
	}
	rotated := e.withKeys(service.Keys{Current: service.NewKey(), Old: [][]byte{testKey}})
	// The limits live in the service; a restart forgets them, so guess again.
	for i := range 40 {
		rotated.SignIn(e.ctx, protocol.SignInRequest{Email: "alice@acme.test", Password: "guess guess"}, fmt.Sprintf("192.0.2.%d", i))
	}
	if _, err := rotated.SignIn(e.ctx, protocol.SignInRequest{Email: "alice@acme.test", Password: testPassword, DeviceToken: res.DeviceToken}, "198.51.100.9"); err != nil {
		t.Fatalf("device token from before the rotation: %v", err)
	}
}

// TestSignInBusy: with every hashing place taken, a sign-in is answered
// EUnavailable at once and does not count against the limits.
func TestSignInBusy(t *testing.T) {
	e, _ := newWorld(t)
	svc := service.New(service.Config{Store: e.db, Now: e.clock.Now, Argon: argon2id.TestParams,
		HashWorkers: 1, HashQueue: 1, Keys: service.Keys{Current: testKey}})
	release := make(chan struct{})
	done := service.FillHashPool(t, svc, release)
	for range 30 {
		_, err := svc.SignIn(e.ctx, protocol.SignInRequest{Email: "alice@acme.test", Password: "guess guess"}, "192.0.2.1")
		if code(err) != protocol.EUnavailable {
			t.Fatalf("sign-in with the pool full: %v, want %s", err, protocol.EUnavailable)
		}
	}
	close(release)
	for range service.HashPlaces(svc) {
		<-done
	}
	res, err := svc.SignIn(e.ctx, protocol.SignInRequest{Email: "alice@acme.test", Password: testPassword}, "192.0.2.1")
	if err != nil || res.Session == nil {
		t.Fatalf("sign-in once the pool is free: %+v, %v; want a session (busy answers do not count)", res, err)
	}

	// A known device gets in line while strangers are turned away.
	release = make(chan struct{})
	done = service.FillHashPool(t, svc, release)
	known := make(chan error, 1)
	go func() {
		_, err := svc.SignIn(e.ctx, protocol.SignInRequest{Email: "alice@acme.test", Password: testPassword, DeviceToken: res.DeviceToken}, "192.0.2.1")
		known <- err
	}()
	for service.KnownWaiting(svc) == 0 {
		runtime.Gosched() // the sign-in above is taking its place
	}
	if _, err := svc.SignIn(e.ctx, protocol.SignInRequest{Email: "alice@acme.test", Password: testPassword}, "192.0.2.1"); code(err) != protocol.EUnavailable {
		t.Errorf("a stranger while the pool is full: %v, want %s", err, protocol.EUnavailable)
	}
	close(release)
	for range service.HashPlaces(svc) {
		<-done
	}
	if err := <-known; err != nil {
		t.Errorf("known device during the flood: %v, want a session", err)
	}
	res, err = svc.SignIn(e.ctx, protocol.SignInRequest{Email: "alice@acme.test", Password: testPassword}, "192.0.2.1")
	if err != nil || res.Session == nil {
		t.Fatalf("sign-in once the pool is free: %+v, %v; want a session (busy answers do not count)", res, err)
	}
}
