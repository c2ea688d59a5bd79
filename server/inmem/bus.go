// Package inmem implements service.Bus inside one process: the default for a
// single worktalkd node, where the service and the hub share memory.
//
// Other processes may write events into the same database (the admin
// commands do). A bus opened with a Source reads those back: it fills the
// gap before the next event it is given, and polls for events with nothing
// after them.
package inmem

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"worktalk.dev/worktalk/server/service"
)

var _ service.Bus = (*Bus)(nil)

// Source is the database a bus reads back from (sqlite.DB is one). Its seqs
// must be contiguous: every seq up to LastSeq is committed or was pruned,
// never still to come.
type Source = service.EventSource

// Config configures a Bus that reads from a database.
type Config struct {
	Source Source // required
	// Poll is how often the bus looks for events written by other
	// processes. Zero: 2s.
	Poll   time.Duration
	Logger *slog.Logger
}

// fillChunk is the most events one database read returns.
const fillChunk = 1000

// readTimeout bounds one database read.
const readTimeout = 5 * time.Second

// Bus delivers each published event to every subscriber, synchronously and
// in publish order, oldest subscriber first. Subscribers must not block (the
// hub only queues) and must not call Subscribe or an unsubscribe function
// from inside their callback.
//
// The zero Bus is ready to use and relays only what is published to it. A
// Bus from Open also delivers the stored events it was not given, in seq
// order without repeats; it owns a poll loop that Close stops.
type Bus struct {
	src  Source // nil: relay only what is published
	poll time.Duration
	log  *slog.Logger

	ctx    context.Context // canceled by Close; bounds database reads
	cancel context.CancelFunc
	wg     sync.WaitGroup // the poll loop

	mu     sync.Mutex          // held while delivering, so one event reaches all before the next
	subs   service.Subscribers // guarded by mu
	last   int64               // the highest seq delivered, with a source; guarded by mu
	closed bool                // guarded by mu
}

// New returns an empty bus.
func New() *Bus { return &Bus{} }

// Open returns a bus that reads missed events from cfg.Source. Live delivery
// starts after the database's current last seq: older events are the
// clients' catch-up. It fails if the last seq cannot be read.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	if cfg.Source == nil {
		return nil, errors.New("inmem: Config.Source is required")
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	last, err := cfg.Source.LastSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("open bus: %w", err)
	}
	b := &Bus{src: cfg.Source, poll: cfg.Poll, log: cfg.Logger, last: last}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.wg.Add(1)
	go b.pollLoop()
	return b, nil
}

// Close stops the poll loop and waits for it. A bus from New needs no
// Close; calling it is harmless, as is calling it twice.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed || b.src == nil {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	b.cancel()
	b.wg.Wait()
	return nil
}

// Publish calls every subscriber with ev before it returns. It fails when
// ctx is already done. With a source, a stored event (Seq > 0) is first
// preceded by the stored events missing before it, and skipped if it was
// delivered already; when those cannot be read, Publish delivers nothing,
// fails, and the next poll delivers them all in order.
func (b *Bus) Publish(ctx context.Context, ev service.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.src == nil || ev.Seq == 0 { // live-only events have no place in the order
		b.deliverLocked(ev)
		return nil
	}
	if b.closed {
		return errors.New("inmem: bus is closed")
	}
	if ev.Seq <= b.last {
		return nil // read from the database already
	}
	if err := b.fillLocked(ev.Seq - 1); err != nil {
		return fmt.Errorf("event %d: %w", ev.Seq, err)
	}
	b.deliverLocked(ev)
	b.last = ev.Seq
	return nil
}

// Subscribe registers fn until the returned function is called. Once
// unsubscribe returns, fn is not running and will not be called again.
// Calling unsubscribe more than once is harmless.
func (b *Bus) Subscribe(fn func(service.Event)) (unsubscribe func()) {
	return b.subs.Add(&b.mu, fn)
}

func (b *Bus) deliverLocked(ev service.Event) { b.subs.DeliverLocked(ev) }

// fillLocked reads the events after last through seq from the database and
// delivers them in order. Seqs the database does not have were pruned: the
// source's seqs are contiguous, so none of them is still to come.
func (b *Bus) fillLocked(through int64) error {
	for b.last < through {
		end := min(through, b.last+fillChunk)
		ctx, cancel := context.WithTimeout(b.ctx, readTimeout)
		evs, err := b.src.EventsBetween(ctx, b.last, end)
		cancel()
		if err != nil {
			return fmt.Errorf("read events after %d: %w", b.last, err)
		}
		for _, ev := range evs {
			if ev.Seq > b.last && ev.Seq <= end {
				b.deliverLocked(ev)
				b.last = ev.Seq
			}
		}
		b.last = end
	}
	return nil
}

// pollLoop delivers, on each tick, the events the database has beyond the
// last one delivered: those another process wrote with nothing after them.
func (b *Bus) pollLoop() {
	defer b.wg.Done()
	t := time.NewTicker(b.poll)
	defer t.Stop()
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-t.C:
		}
		if err := b.catchUp(); err != nil && b.ctx.Err() == nil {
			b.log.Warn("read events written by other processes", "err", err)
		}
	}
}

// catchUp delivers the events up to the database's last seq.
func (b *Bus) catchUp() error {
	ctx, cancel := context.WithTimeout(b.ctx, readTimeout)
	last, err := b.src.LastSeq(ctx)
	cancel()
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || last <= b.last {
		return nil
	}
	return b.fillLocked(last)
}
