package lock_test

import (
	"testing"
	"time"

	"worktalk.dev/worktalk/client/lock"
)

func TestIdle(t *testing.T) {
	c := newClock()
	i := lock.NewIdle(c.Now, 0)
	c.Advance(time.Hour)
	if i.Due() {
		t.Fatalf("Due with auto-lock off = true, want false")
	}
	i.SetTimeout(5 * time.Minute)
	if !i.Due() {
		t.Fatalf("Due after an hour idle with a 5 min timeout = false, want true")
	}
	i.Touch()
	c.Advance(4 * time.Minute)
	if i.Due() {
		t.Fatalf("Due 4 min after a touch = true, want false")
	}
	if got, want := i.Remaining(), time.Minute; got != want {
		t.Fatalf("Remaining = %v, want %v", got, want)
	}
	c.Advance(time.Minute)
	if !i.Due() {
		t.Fatalf("Due 5 min after a touch = false, want true")
	}
}
