package lock_test

import (
	"errors"
	"testing"
	"time"

	"worktalk.dev/worktalk/client/lock"
)

// The locked state is written down with the password, so the next run of
// the app (a fresh Open: after a quit, a crash or kill -9) starts locked
// until a password matches.
func TestLockedStateSurvivesARestart(t *testing.T) {
	st, svc := testStore(t)
	c := newClock()
	l := mustOpen(t, st, svc, c)
	if err := l.SetLocked(true); !errors.Is(err, lock.ErrNotSet) {
		t.Fatalf("SetLocked without a password = %v, want ErrNotSet", err)
	}
	if err := l.Set("sesame-123"); err != nil {
		t.Fatal(err)
	}
	if err := l.SetLocked(true); err != nil {
		t.Fatal(err)
	}
	again := mustOpen(t, st, svc, c)
	if !again.Locked() {
		t.Fatalf("Locked after a restart = false, want true")
	}
	if err := again.Verify("wrong-password"); !errors.Is(err, lock.ErrWrongPassword) {
		t.Fatalf("Verify(wrong) = %v", err)
	}
	if !mustOpen(t, st, svc, c).Locked() {
		t.Fatalf("a wrong password unlocked the written-down state")
	}
	if err := again.Verify("sesame-123"); err != nil {
		t.Fatal(err)
	}
	if mustOpen(t, st, svc, c).Locked() {
		t.Fatalf("Locked after the right password and a restart = true, want false")
	}
	// A new password keeps the locked state as it is; Clear forgets it.
	if err := again.SetLocked(true); err != nil {
		t.Fatal(err)
	}
	if err := again.Set("another-456"); err != nil {
		t.Fatal(err)
	}
	if !mustOpen(t, st, svc, c).Locked() {
		t.Errorf("a new password dropped the locked state")
	}
	if err := again.Clear(); err != nil {
		t.Fatal(err)
	}
	if mustOpen(t, st, svc, c).Locked() {
		t.Errorf("Locked after Clear = true, want false")
	}
}

// With the OS's idle time, input in other apps keeps auto-lock away and
// none anywhere brings it on; a failing OS source leaves the app's count.
func TestIdleWithOSSource(t *testing.T) {
	c := newClock()
	i := lock.NewIdle(c.Now, 5*time.Minute)
	osIdle := 30 * time.Second
	var osErr error
	i.SetOSIdle(func() (time.Duration, error) { return osIdle, osErr })
	c.Advance(time.Hour) // nothing in our window for an hour
	if i.Due() {
		t.Fatalf("Due with input elsewhere 30 s ago = true, want false")
	}
	if got := i.Remaining(); got != 5*time.Minute-30*time.Second {
		t.Errorf("Remaining = %v, want 4m30s", got)
	}
	osIdle = 6 * time.Minute
	if !i.Due() {
		t.Fatalf("Due with no input anywhere for 6 min = false, want true")
	}
	// The OS may not see our own window's input: a touch here counts too.
	i.Touch()
	if i.Due() {
		t.Fatalf("Due right after input in our window = true, want false")
	}
	osErr = errors.New("display gone")
	c.Advance(4 * time.Minute)
	if got := i.Remaining(); got != time.Minute {
		t.Errorf("Remaining with a failing OS source = %v, want 1m from our own count", got)
	}
}
