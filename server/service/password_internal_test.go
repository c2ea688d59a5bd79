package service

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
)

// fill occupies every worker and queue place of p with calls that wait for
// release, and returns once they all hold their place.
func fill(t *testing.T, p *hashPool, release <-chan struct{}) (done <-chan error, peak *atomic.Int32) {
	t.Helper()
	n := cap(p.admitted)
	errs := make(chan error, n)
	var running atomic.Int32
	peak = &atomic.Int32{}
	for range n {
		go func() {
			errs <- p.do(context.Background(), false, func() {
				now := running.Add(1)
				for {
					old := peak.Load()
					if now <= old || peak.CompareAndSwap(old, now) {
						break
					}
				}
				<-release
				running.Add(-1)
			})
		}()
	}
	for len(p.admitted) < n || len(p.running) < cap(p.running) {
		runtime.Gosched() // the goroutines above are taking their places
	}
	return errs, peak
}

func TestHashPoolBounds(t *testing.T) {
	p := newHashPool(2, 3)
	release := make(chan struct{})
	done, peak := fill(t, p, release)
	if err := p.do(context.Background(), false, func() { t.Error("ran past a full queue") }); !errors.Is(err, errBusy) {
		t.Fatalf("do with workers and queue full = %v, want errBusy", err)
	}
	// A known device still gets in line, and runs once a worker is free.
	knownDone := make(chan error, 1)
	go func() { knownDone <- p.do(context.Background(), true, func() {}) }()
	for len(p.known) == 0 {
		runtime.Gosched()
	}
	close(release)
	for range cap(p.admitted) {
		if err := <-done; err != nil {
			t.Fatalf("queued call: %v", err)
		}
	}
	if err := <-knownDone; err != nil {
		t.Fatalf("known device's call: %v", err)
	}
	if peak.Load() != 2 {
		t.Errorf("%d hashes ran at once, want 2", peak.Load())
	}
}

// TestHashPoolGiveUp: a caller whose context ends while it waits for a
// worker leaves with the context's error, and its place with it.
func TestHashPoolGiveUp(t *testing.T) {
	p := newHashPool(1, 2)
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	go p.do(context.Background(), false, func() { close(started); <-release })
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.do(ctx, false, func() { t.Error("ran without a worker") }); !errors.Is(err, context.Canceled) {
		t.Fatalf("do with a canceled context and no free worker = %v, want context.Canceled", err)
	}
	if len(p.admitted) != 1 {
		t.Fatalf("%d places held after giving up, want 1 (the running call)", len(p.admitted))
	}
}
