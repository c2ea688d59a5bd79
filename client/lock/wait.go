package lock

import "time"

// The wait schedule after wrong passwords: the first FreeAttempts failures
// cost nothing (typos happen), then each one doubles the wait from
// FirstWait up to MaxWait.
const (
	FreeAttempts = 3
	FirstWait    = 2 * time.Second
	MaxWait      = 5 * time.Minute
)

// WaitAfter returns how long the next attempt must wait after n failures
// in a row: 0, 0, 0, 2s, 4s, 8s, ... capped at MaxWait.
func WaitAfter(n int) time.Duration {
	if n < FreeAttempts {
		return 0
	}
	d := FirstWait
	for i := FreeAttempts; i < n; i++ {
		d *= 2
		if d >= MaxWait {
			return MaxWait
		}
	}
	return d
}
