package servertest

import (
	"sync"
	"time"
)

// Gate stands in for time.After in a client's reconnect waits
// (client.Options.After): while shut, every wait blocks; opening it
// releases every waiter at once. Tests never sleep for backoff.
type Gate struct {
	mu   sync.Mutex
	open bool           // guarded by mu
	ch   chan time.Time // guarded by mu; closed when the gate opens
}

// NewGate returns a gate, open or shut.
func NewGate(open bool) *Gate { return &Gate{open: open, ch: make(chan time.Time)} }

// After has the shape of time.After; the duration is ignored.
func (g *Gate) After(time.Duration) <-chan time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open {
		c := make(chan time.Time, 1)
		c <- time.Now()
		return c
	}
	return g.ch
}

// Set opens or shuts the gate.
func (g *Gate) Set(open bool) {
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
