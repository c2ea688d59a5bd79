package service

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

const (
	signInRate  = rate.Limit(5.0 / 60) // 5 a minute
	signInBurst = 10
	linkRate    = rate.Limit(20.0 / 60) // 20 a minute
	linkBurst   = 20
	maxLimiters = 10_000 // keys kept before full buckets are forgotten
)

// limiter is a token bucket per key (an e-mail, an address, a member) on the
// service's clock, so tests can move time instead of waiting.
type limiter struct {
	r     rate.Limit
	burst int

	mu   sync.Mutex
	keys map[string]*rate.Limiter // guarded by mu
}

func newLimiter(r rate.Limit, burst int) *limiter {
	return &limiter{r: r, burst: burst, keys: make(map[string]*rate.Limiter)}
}

// allow takes one token for key at now and reports whether there was one.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.keys[key]
	if !ok {
		if len(l.keys) >= maxLimiters {
			l.forgetFullLocked(now)
		}
		lim = rate.NewLimiter(l.r, l.burst)
		l.keys[key] = lim
	}
	return lim.AllowN(now, 1)
}

// forgetFullLocked drops buckets that have refilled: they behave like new ones.
func (l *limiter) forgetFullLocked(now time.Time) {
	for k, lim := range l.keys {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.keys, k)
		}
	}
}
