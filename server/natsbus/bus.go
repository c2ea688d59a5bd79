// Package natsbus implements service.Bus over core NATS, for several
// worktalkd nodes that share one PostgreSQL database.
//
// Nodes only relay: the order of events is their database seq. A node
// publishes each event it committed; every node delivers events to its hub
// strictly in seq order, holding an event that arrives early until the ones
// before it arrive, and reading any it missed (a node that died between
// commit and publish, a NATS outage, a slow-consumer drop) back from the
// database. Core NATS is enough because the database is already the
// durable, ordered log; JetStream would add a second log whose order is
// arrival order, not commit order.
package natsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"worktalk.dev/worktalk/server/service"
)

var _ service.Bus = (*Bus)(nil)

// Source is the database a bus fills gaps from (postgres.DB is one).
type Source = service.EventSource

// Config configures a Bus.
type Config struct {
	URL     string // NATS server URLs, comma separated: "nats://a:4222,nats://b:4222"
	Subject string // "": DefaultSubject; nodes of one deployment share it
	Source  Source // required: the database the events come from
	Name    string // connection name NATS monitoring shows; "": "worktalkd"
	Logger  *slog.Logger

	// GapWait is how long an event that arrived early waits for the ones
	// before it before they are read from the database. Zero: 200ms.
	GapWait time.Duration
	// Poll is how often the bus checks the database for events nobody
	// published (a node died between commit and publish). Zero: 2s.
	Poll time.Duration
	// ReconnectBuf is how many bytes of publishes are kept while NATS is
	// unreachable. Zero: 8 MiB. Beyond it Publish fails; other nodes then
	// read those events from the database.
	ReconnectBuf int
}

// DefaultSubject is the subject events travel on when Config.Subject is empty.
const DefaultSubject = "worktalk.events"

// fillChunk is the most events one database read returns.
const fillChunk = 1000

// maxHeld is the most early events kept; beyond it the bus reads the gap
// from the database at once rather than wait.
const maxHeld = 10_000

// Bus relays events between nodes. Open starts it; Close stops it.
type Bus struct {
	cfg     Config
	log     *slog.Logger
	nc      *nats.Conn
	sub     *nats.Subscription
	subject string

	ctx    context.Context // canceled by Close; bounds database reads
	cancel context.CancelFunc
	wg     sync.WaitGroup // the poll loop

	// mu is held while delivering, so subscribers see one event at a time,
	// in seq order, and never after their unsubscribe returned.
	mu       sync.Mutex
	subs     service.Subscribers     // guarded by mu
	next     int64                   // the seq delivered next; guarded by mu
	held     map[int64]service.Event // early events by seq; guarded by mu
	maxSeen  int64                   // highest seq received; guarded by mu
	gapTimer *time.Timer             // armed while held is not empty; guarded by mu
	gapGen   uint64                  // counts timers armed, so a stale one does nothing; guarded by mu
	polled   int64                   // LastSeq at the previous poll; guarded by mu
	closed   bool                    // guarded by mu

	// kick asks the poll loop to read what this node may have missed, at
	// once: after a reconnect or a slow-consumer drop.
	kick chan struct{}
}

// wireEvent is an event on the wire. Ref marks an event too large for one
// NATS message: receivers read it from the database.
type wireEvent struct {
	Seq        int64           `json:"seq"`
	Op         string          `json:"op,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Workspace  string          `json:"ws,omitempty"`
	Recipients []string        `json:"to,omitempty"`
	SessionID  string          `json:"sid,omitempty"`
	Ref        bool            `json:"ref,omitempty"`
}

// Open connects to NATS and subscribes. It fails if NATS cannot be reached
// now; once connected, the bus reconnects for ever. Live delivery starts
// after the database's current last seq: older events are the clients'
// catch-up, read from the database.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	if cfg.Source == nil {
		return nil, errors.New("natsbus: Config.Source is required")
	}
	if cfg.Subject == "" {
		cfg.Subject = DefaultSubject
	}
	if cfg.Name == "" {
		cfg.Name = "worktalkd"
	}
	if cfg.GapWait <= 0 {
		cfg.GapWait = 200 * time.Millisecond
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.ReconnectBuf <= 0 {
		cfg.ReconnectBuf = 8 << 20
	}
	b := &Bus{cfg: cfg, log: cfg.Logger, subject: cfg.Subject, held: make(map[int64]service.Event), kick: make(chan struct{}, 1)}
	if b.log == nil {
		b.log = slog.Default()
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())

	nc, err := nats.Connect(cfg.URL,
		nats.Name(cfg.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.ReconnectBufSize(cfg.ReconnectBuf),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				b.log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("nats reconnected", "url", nc.ConnectedUrlRedacted())
			// Events published while we were away are gone; the database has them.
			b.catchUpSoon()
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			b.log.Warn("nats error", "err", err)
			if errors.Is(err, nats.ErrSlowConsumer) {
				b.catchUpSoon()
			}
		}),
	)
	if err != nil {
		b.cancel()
		return nil, fmt.Errorf("connect to nats: %w", err)
	}
	b.nc = nc

	// Subscribe, make sure the server has the subscription, then read the
	// last seq: every event after it will reach us or be read back.
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sub, err = nc.Subscribe(cfg.Subject, b.onMsg)
	if err == nil {
		err = nc.FlushTimeout(10 * time.Second)
	}
	var last int64
	if err == nil {
		last, err = cfg.Source.LastSeq(ctx)
	}
	if err != nil {
		nc.Close()
		b.cancel()
		return nil, fmt.Errorf("subscribe to %s: %w", cfg.Subject, err)
	}
	b.next, b.maxSeen, b.polled = last+1, last, last
	b.wg.Add(1)
	go b.pollLoop()
	return b, nil
}

// Close stops the bus: it flushes publishes still buffered, stops relaying
// and waits for its goroutines. Subscribers are not called after it returns.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	if b.gapTimer != nil {
		b.gapTimer.Stop()
	}
	b.mu.Unlock()
	b.cancel()
	b.wg.Wait()
	var err error
	if b.nc.IsConnected() {
		err = b.nc.FlushTimeout(2 * time.Second)
	}
	b.nc.Close()
	if errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrConnectionReconnecting) {
		// NATS went away while we flushed: the other nodes read whatever
		// did not go out back from the database, so shutdown is still clean.
		err = nil
	}
	return err
}

// Publish sends ev to every node, this one included. It does not wait for
// delivery; it fails when ctx is done, when NATS is unreachable and the
// reconnect buffer is full, or when the bus is closed. A stored event
// (Seq > 0) that fails to publish still reaches the other nodes: they read
// it from the database at their next gap or poll.
func (b *Bus) Publish(ctx context.Context, ev service.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	msg, err := json.Marshal(wireEvent{Seq: ev.Seq, Op: ev.Op, Data: ev.Data, Workspace: ev.Workspace, Recipients: ev.Recipients, SessionID: ev.SessionID})
	if err != nil {
		return fmt.Errorf("encode event %d: %w", ev.Seq, err)
	}
	if int64(len(msg)) > b.nc.MaxPayload() {
		if ev.Seq == 0 {
			return fmt.Errorf("live event %s of %d bytes is larger than NATS allows (%d)", ev.Op, len(msg), b.nc.MaxPayload())
		}
		msg, _ = json.Marshal(wireEvent{Seq: ev.Seq, Ref: true})
	}
	if err := b.nc.Publish(b.subject, msg); err != nil {
		return fmt.Errorf("publish event %d: %w", ev.Seq, err)
	}
	return nil
}

// Subscribe registers fn until the returned function is called. fn gets
// every node's events, stored ones in seq order without gaps or repeats; it
// must not block and must not call Subscribe or unsubscribe. Once
// unsubscribe returns, fn is not running and will not be called again.
func (b *Bus) Subscribe(fn func(service.Event)) (unsubscribe func()) {
	return b.subs.Add(&b.mu, fn)
}

// onMsg runs on the subscription's goroutine, one message at a time.
func (b *Bus) onMsg(m *nats.Msg) {
	var w wireEvent
	if err := json.Unmarshal(m.Data, &w); err != nil {
		b.log.Error("decode event from nats", "err", err)
		return
	}
	ev := service.Event{Seq: w.Seq, Op: w.Op, Data: w.Data, Workspace: w.Workspace, Recipients: w.Recipients, SessionID: w.SessionID}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	switch {
	case ev.Seq == 0:
		b.deliverLocked(ev) // live-only: no place in the order
	case w.Ref:
		b.maxSeen = max(b.maxSeen, ev.Seq)
		b.fillLocked(ev.Seq)
	default:
		b.acceptLocked(ev)
	}
}

// acceptLocked delivers ev if it is next, holds it if it is early, and
// drops it if it was delivered already.
func (b *Bus) acceptLocked(ev service.Event) {
	if ev.Seq < b.next {
		return
	}
	b.maxSeen = max(b.maxSeen, ev.Seq)
	b.held[ev.Seq] = ev
	b.drainLocked()
	if len(b.held) >= maxHeld {
		b.fillLocked(b.maxSeen)
	}
}

// drainLocked delivers held events from next on while there is no gap, and
// arms or stops the gap timer.
func (b *Bus) drainLocked() {
	for {
		ev, ok := b.held[b.next]
		if !ok {
			break
		}
		delete(b.held, b.next)
		b.next++
		b.deliverLocked(ev)
	}
	switch {
	case len(b.held) == 0 && b.gapTimer != nil:
		b.gapTimer.Stop()
		b.gapTimer = nil
	case len(b.held) > 0 && b.gapTimer == nil:
		b.armGapTimerLocked()
	}
}

// armGapTimerLocked starts the wait for the events missing before the held
// ones. A timer that already fired cannot be stopped; the generation makes
// it do nothing once another has replaced it.
func (b *Bus) armGapTimerLocked() {
	b.gapGen++
	gen := b.gapGen
	b.gapTimer = time.AfterFunc(b.cfg.GapWait, func() { b.onGapTimeout(gen) })
}

func (b *Bus) deliverLocked(ev service.Event) { b.subs.DeliverLocked(ev) }

// onGapTimeout reads the events still missing before the held ones.
func (b *Bus) onGapTimeout(gen uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || gen != b.gapGen || b.gapTimer == nil {
		return // stopped or replaced after it fired
	}
	b.gapTimer = nil
	if len(b.held) == 0 {
		return
	}
	b.fillLocked(b.maxSeen)
}

// fillLocked reads the events from next through seq from the database and
// delivers them with the held ones, in order. Seqs the database no longer
// has (pruned) are skipped. On a database error it keeps what it has and
// tries again after GapWait.
func (b *Bus) fillLocked(through int64) {
	for b.next <= through {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		evs, err := b.cfg.Source.EventsBetween(ctx, b.next-1, min(through, b.next-1+fillChunk))
		cancel()
		if err != nil {
			if b.ctx.Err() == nil {
				b.log.Error("read missed events from the database", "after", b.next-1, "err", err)
				if b.gapTimer == nil {
					b.armGapTimerLocked()
				}
			}
			return
		}
		end := min(through, b.next-1+fillChunk)
		for _, ev := range evs {
			if _, ok := b.held[ev.Seq]; !ok && ev.Seq >= b.next {
				b.held[ev.Seq] = ev
			}
		}
		for b.next <= end {
			if ev, ok := b.held[b.next]; ok {
				delete(b.held, b.next)
				b.deliverLocked(ev)
			}
			b.next++
		}
	}
	b.drainLocked()
}

// catchUpSoon asks the poll loop to catch up without waiting for its tick.
func (b *Bus) catchUpSoon() {
	select {
	case b.kick <- struct{}{}:
	default: // one is pending already
	}
}

// pollLoop reads from the database the events this node did not get over
// NATS. On a kick it reads up to the last seq at once. On each tick it
// reads up to the last seq of the previous tick if those are still not
// delivered: that leaves one period for publishes in flight, and finds
// events nobody published (a node died between commit and publish).
func (b *Bus) pollLoop() {
	defer b.wg.Done()
	t := time.NewTicker(b.cfg.Poll)
	defer t.Stop()
	for {
		kicked := false
		select {
		case <-b.ctx.Done():
			return
		case <-t.C:
		case <-b.kick:
			kicked = true
			// After a reconnect, a round trip makes sure the server has our
			// subscription again: every event committed after the last seq
			// read below then reaches us over NATS.
			if err := b.nc.FlushTimeout(5 * time.Second); err != nil {
				b.log.Warn("flush after reconnect", "err", err)
				continue // the next reconnect kicks again; the poll covers the rest
			}
		}
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		last, err := b.cfg.Source.LastSeq(ctx)
		cancel()
		if err != nil {
			if b.ctx.Err() == nil {
				b.log.Warn("read last seq", "err", err)
			}
			continue
		}
		b.mu.Lock()
		through := b.polled
		if kicked {
			through = last
		}
		if !b.closed && b.next <= through {
			b.maxSeen = max(b.maxSeen, through)
			b.fillLocked(through)
		}
		if !kicked {
			b.polled = last
		}
		b.mu.Unlock()
	}
}
