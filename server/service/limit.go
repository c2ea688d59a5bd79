package service

import (
	"net/netip"
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

// get returns key's bucket, making it if needed.
func (l *limiter) get(key string, now time.Time) *rate.Limiter {
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
	return lim
}

// allow takes one token for key at now and reports whether there was one.
func (l *limiter) allow(key string, now time.Time) bool {
	return l.get(key, now).AllowN(now, 1)
}

// forgetFullLocked drops buckets that have refilled: they behave like new ones.
func (l *limiter) forgetFullLocked(now time.Time) {
	for k, lim := range l.keys {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.keys, k)
		}
	}
}

// attempt is one sign-in's claim on the buckets it is subject to: a token
// from each, taken before any work and given back when the attempt turns
// out not to count (the password was right, or the server was too busy to
// check it). Only failures use the limits up.
type attempt struct {
	now  time.Time
	held []*rate.Reservation
	ok   bool // every bucket had a token
}

func newAttempt(now time.Time) *attempt { return &attempt{now: now, ok: true} }

// take claims a token from l's bucket for key.
func (a *attempt) take(l *limiter, key string) {
	r := l.get(key, a.now).ReserveN(a.now, 1)
	if !r.OK() || r.DelayFrom(a.now) > 0 {
		r.CancelAt(a.now)
		a.ok = false
		return
	}
	a.held = append(a.held, r)
}

// giveBack returns the tokens taken: this attempt does not count.
func (a *attempt) giveBack() {
	for _, r := range a.held {
		r.CancelAt(a.now)
	}
	a.held = nil
}

// addrKey is the bucket of a client address: IPv6 clients by their /64,
// which one subscriber usually holds whole.
func addrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
