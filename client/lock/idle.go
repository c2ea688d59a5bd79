package lock

import (
	"sync"
	"time"
)

// Idle tracks when the user last did something, for auto-lock. The window
// feeds it with Touch on input; whoever runs the auto-lock asks Due on a
// ticker. It is safe for concurrent use.
type Idle struct {
	now func() time.Time

	mu      sync.Mutex
	last    time.Time     // guarded by mu
	timeout time.Duration // guarded by mu; 0 = never due
	// os, when set, is the OS's idle time (input anywhere on the
	// computer); guarded by mu. The idle time is the smaller of it and the
	// time since Touch: the OS source may not see input to our own windows
	// (e.g. XWayland's count on a Wayland desktop).
	os func() (time.Duration, error)
}

// SetOSIdle makes the OS's idle time count, so that a person busy in other
// apps is not idle and one away with the pointer resting on our window is.
// A source that fails is asked again next time; meanwhile the time since
// Touch counts alone. nil turns it off.
func (i *Idle) SetOSIdle(f func() (time.Duration, error)) {
	i.mu.Lock()
	i.os = f
	i.mu.Unlock()
}

// NewIdle returns a tracker that counts from now. now nil = time.Now.
func NewIdle(now func() time.Time, timeout time.Duration) *Idle {
	if now == nil {
		now = time.Now
	}
	return &Idle{now: now, last: now(), timeout: timeout}
}

// Touch records user activity.
func (i *Idle) Touch() {
	t := i.now()
	i.mu.Lock()
	i.last = t
	i.mu.Unlock()
}

// SetTimeout changes the idle time after which Due reports true; 0 turns
// auto-lock off. The idle time counts from the last Touch.
func (i *Idle) SetTimeout(d time.Duration) {
	i.mu.Lock()
	i.timeout = d
	i.mu.Unlock()
}

// Due reports whether the user has been idle for the timeout (never when
// the timeout is 0).
func (i *Idle) Due() bool {
	return i.Remaining() == 0
}

// Remaining returns how long until Due; a negative value when auto-lock is
// off, 0 when due.
func (i *Idle) Remaining() time.Duration {
	now := i.now()
	i.mu.Lock()
	timeout, idle, os := i.timeout, now.Sub(i.last), i.os
	i.mu.Unlock()
	if timeout <= 0 {
		return -1
	}
	if os != nil {
		if d, err := os(); err == nil && d < idle {
			idle = d
		}
	}
	return max(timeout-idle, 0)
}
