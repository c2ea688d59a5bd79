// Package loadtest measures what one worktalkd node holds: N websocket
// connections, each signed in and synced, opened from several loopback
// source addresses to a node running in its own process; the node's RSS
// per connection; the latency of a message's fan-out to rooms of up to N
// members; and the rate of acknowledged writes.
//
// The node is this same program started again (see NodeMain), so that the
// node's memory is read from /proc apart from the clients'. Its database is
// seeded before it starts. cmd/worktalk-load runs it from the command line
// and BenchmarkNode from go test; docs/scale-out.md has the figures.
package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"worktalk.dev/worktalk/internal/procmem"
	"worktalk.dev/worktalk/protocol"
)

// Config says what Run measures.
type Config struct {
	Conns   int   // synced connections held open, one per member
	Rooms   []int // a fan-out is measured for a group room of each size, at most Conns
	Sources int   // loopback source addresses, 127.0.0.2 and up; 0: 8
	// Messages sent to each room, one at a time: each is delivered to
	// every member before the next is sent. 0: 50.
	Messages int
	// Writers send Writes messages in all, each in its own room, one at a
	// time per writer; 0 writers: no write phase.
	Writers, Writes int
	// Settle is how long the connections stay idle before their memory is
	// read: the runtime returns some freed memory to the system on its own
	// as time passes, and pings and pongs go by.
	Settle time.Duration
	// Coalesce is how long the clients' readers pause after a round of
	// reads, before they wait for more: deliveries that come meanwhile are
	// read together, the way a network card moderates its interrupts, so
	// the node's writes wake them less often. A delivery is then seen up to
	// this much late. 0: never pause.
	Coalesce time.Duration
	// NodeEnv is added to the node's environment, e.g. GOMEMLIMIT=120MiB.
	NodeEnv []string
	// Log gets progress lines and the node's stderr; nil: discarded.
	Log io.Writer
	// ProfileDir, when set, gets CPU profiles of the node and of the
	// clients during the fan-outs and writes (node-cpu.pprof,
	// clients-cpu.pprof) and a heap profile of the node holding its idle
	// synced connections (node-heap.pprof).
	ProfileDir string
}

// Report is what Run measured.
type Report struct {
	Conns, Sources int
	LoadBefore     string // /proc/loadavg when Run started
	LoadAfter      string // and when it ended
	Dial           time.Duration

	Empty  MemorySample // the node before any websocket
	Synced MemorySample // with Conns idle synced websockets
	Busy   MemorySample // the same, idle again after the fan-outs and writes
	Peak   uint64       // the node's highest RSS, bytes

	Fanouts []Fanout
	Writes  *Writes

	// Open is how many websockets the node held at the end; Dropped how
	// many of the clients' connections ended before Run closed them.
	Open, Dropped int
}

// MemorySample is the node's memory at one moment.
type MemorySample struct {
	AsIs         uint64 // RSS as the node left it, bytes
	AfterGC      uint64 // RSS right after a collection, bytes
	AfterRelease uint64 // RSS once freed memory is returned to the system, bytes
	Node         NodeStats
	// Kernel is the machine's unreclaimable kernel slab, where sockets
	// live (both ends' here), bytes; not part of any RSS.
	Kernel uint64
}

// PerConn is the RSS the node holds for each synced idle connection, from
// s minus the empty node, once freed memory is returned to the system.
func (r Report) PerConn(s MemorySample) float64 {
	return (float64(s.AfterRelease) - float64(r.Empty.AfterRelease)) / float64(r.Conns)
}

// PerConnGC is PerConn measured right after a collection.
func (r Report) PerConnGC(s MemorySample) float64 {
	return (float64(s.AfterGC) - float64(r.Empty.AfterGC)) / float64(r.Conns)
}

// PerConnAsIs is PerConn measured as the node left its memory.
func (r Report) PerConnAsIs(s MemorySample) float64 {
	return (float64(s.AsIs) - float64(r.Empty.AsIs)) / float64(r.Conns)
}

// Fanout is the delivery of messages to every other member of one room.
type Fanout struct {
	Members  int
	Messages int
	// From the send to each delivery (Deliveries: messages × receivers),
	// and from the send to the last delivery of each message.
	Each, Last Percentiles
	// CPU time the node and the clients used while the messages went out,
	// the uncounted first one included: less dependent on what else runs
	// on the machine than the latencies.
	NodeCPU, ClientsCPU time.Duration
	Deliveries          int // what that CPU time delivered: every message, the first too, to every other member
}

// NodeCPUPer is the node's CPU time per delivery.
func (f Fanout) NodeCPUPer() time.Duration { return f.NodeCPU / time.Duration(max(f.Deliveries, 1)) }

// ClientsCPUPer is the clients' CPU time per delivery.
func (f Fanout) ClientsCPUPer() time.Duration {
	return f.ClientsCPU / time.Duration(max(f.Deliveries, 1))
}

// Writes is the write phase: messages each acknowledged before the
// writer's next.
type Writes struct {
	Writers, Writes int
	Elapsed         time.Duration
	Ack             Percentiles
}

// PerSecond is the rate of acknowledged writes.
func (w Writes) PerSecond() float64 { return float64(w.Writes) / w.Elapsed.Seconds() }

// Percentiles of a set of durations.
type Percentiles struct {
	N             int
	P50, P99, Max time.Duration
}

func percentiles(ds []time.Duration) Percentiles {
	slices.Sort(ds)
	at := func(q float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		return ds[max(0, int(math.Ceil(q*float64(len(ds))))-1)]
	}
	return Percentiles{N: len(ds), P50: at(0.50), P99: at(0.99), Max: at(1)}
}

// fileMargin is the files a process needs besides its websockets: the
// database, the listener, the runtime's own.
const fileMargin = 256

// Run seeds a node's database, starts the node, opens and syncs cfg.Conns
// connections, and measures. Every wait is bounded; a connection the node
// drops, a message not delivered to every member within a minute, or a
// message delivered twice fails the run.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Sources <= 0 {
		cfg.Sources = 8
	}
	if cfg.Messages <= 0 {
		cfg.Messages = 50
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	rep := Report{Conns: cfg.Conns, Sources: cfg.Sources, LoadBefore: loadAverage()}
	switch {
	case cfg.Conns < 2:
		return rep, errors.New("at least 2 connections are needed")
	case cfg.Sources > 250:
		return rep, errors.New("at most 250 source addresses (127.0.0.2 to 127.0.0.251)")
	case cfg.Writers > cfg.Conns:
		return rep, fmt.Errorf("%d writers but only %d connections", cfg.Writers, cfg.Conns)
	case cfg.Writers > 0 && cfg.Writes < cfg.Writers:
		return rep, fmt.Errorf("%d writes is fewer than one for each of %d writers", cfg.Writes, cfg.Writers)
	}
	for _, size := range cfg.Rooms {
		if size < 2 || size > cfg.Conns {
			return rep, fmt.Errorf("a room of %d: sizes run from 2 to the %d connections", size, cfg.Conns)
		}
	}
	// The clients hold one descriptor per connection, and so does the node.
	if _, err := raiseFileLimit(uint64(cfg.Conns) + fileMargin); err != nil {
		return rep, err
	}

	dir, err := os.MkdirTemp("", "worktalk-load-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(cfg.Log, "seeding %d members and rooms of %v\n", cfg.Conns, cfg.Rooms)
	fx, err := seed(ctx, dir, cfg.Conns, cfg.Rooms)
	if err != nil {
		return rep, fmt.Errorf("seed: %w", err)
	}
	node, err := startNode(dir, cfg.NodeEnv, cfg.Log)
	if err != nil {
		return rep, err
	}
	m := &measurement{cfg: cfg, rep: &rep, fx: fx, node: node}
	err = m.run(ctx)
	if serr := m.close(); err == nil {
		err = serr
	}
	rep.LoadAfter = loadAverage()
	return rep, err
}

// measurement is one Run in progress.
type measurement struct {
	cfg  Config
	rep  *Report
	fx   fixture
	node *nodeProcess

	clients  []*client
	pollers  []*poller      // read the clients, each its share
	reading  sync.WaitGroup // one count per poller running
	stopping atomic.Bool    // set before Run closes the connections itself
	dropped  atomic.Int64
	probe    atomic.Pointer[probe] // the fan-out in flight
	failed   atomic.Pointer[error] // the first reader failure
}

func (m *measurement) run(ctx context.Context) error {
	for range runtime.GOMAXPROCS(0) {
		p, err := newPoller(m.cfg.Coalesce, m.onText, m.onEnd)
		if err != nil {
			return err
		}
		m.pollers = append(m.pollers, p)
		m.reading.Add(1)
		go func() {
			defer m.reading.Done()
			p.run()
		}()
	}
	var err error
	if m.rep.Empty, err = m.sample(); err != nil {
		return err
	}
	if need := uint64(m.cfg.Conns) + fileMargin; m.rep.Empty.Node.NoFile < need {
		return fmt.Errorf("the node may open %d files but needs %d: raise the hard limit (ulimit -Hn)", m.rep.Empty.Node.NoFile, need)
	}
	start := time.Now()
	if err := m.dialAll(ctx); err != nil {
		return err
	}
	m.rep.Dial = time.Since(start)
	fmt.Fprintf(m.cfg.Log, "%d connections synced in %v\n", len(m.clients), m.rep.Dial.Round(time.Millisecond))
	if m.cfg.Settle > 0 {
		fmt.Fprintf(m.cfg.Log, "idle for %v\n", m.cfg.Settle)
		select {
		case <-time.After(m.cfg.Settle):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if m.rep.Synced, err = m.sample(); err != nil {
		return err
	}
	if dir := m.cfg.ProfileDir; dir != "" {
		if _, err := m.node.command("heap-profile " + dir); err != nil {
			return err
		}
	}
	if dir := m.cfg.ProfileDir; dir != "" {
		stop, err := m.profile(dir)
		if err != nil {
			return err
		}
		defer stop()
	}
	for i, r := range m.fx.rooms {
		f, err := m.fanout(ctx, r)
		if err != nil {
			return err
		}
		m.rep.Fanouts = append(m.rep.Fanouts, f)
		fmt.Fprintf(m.cfg.Log, "room %d of %d: %d members, last delivery p50 %v p99 %v\n",
			i+1, len(m.fx.rooms), r.size, f.Last.P50, f.Last.P99)
	}
	if m.cfg.Writers > 0 {
		w, err := m.writes(ctx)
		if err != nil {
			return err
		}
		m.rep.Writes = &w
	}
	if m.rep.Busy, err = m.sample(); err != nil {
		return err
	}
	m.rep.Open = m.rep.Busy.Node.Conns
	mem, err := procmem.Read(m.node.cmd.Process.Pid)
	if err != nil {
		return err
	}
	m.rep.Peak = mem.Peak
	if err := m.failure(); err != nil {
		return err
	}
	if m.rep.Open != len(m.clients) {
		return fmt.Errorf("the node holds %d websockets, want %d", m.rep.Open, len(m.clients))
	}
	return nil
}

// profile starts CPU profiles of the node and of this process.
func (m *measurement) profile(dir string) (stop func(), err error) {
	f, err := os.Create(filepath.Join(dir, "clients-cpu.pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := m.node.command("profile-start " + dir); err != nil {
		pprof.StopCPUProfile()
		f.Close()
		return nil, err
	}
	return func() {
		_, _ = m.node.command("profile-stop")
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// close stops the node, which closes every websocket, then the clients.
func (m *measurement) close() error {
	m.stopping.Store(true)
	err := m.node.stop()
	for _, p := range m.pollers {
		p.stop.Store(true)
	}
	m.reading.Wait()
	for _, p := range m.pollers {
		p.close()
	}
	for _, c := range m.clients {
		c.close()
	}
	m.rep.Dropped = int(m.dropped.Load())
	if err == nil && m.rep.Dropped > 0 {
		err = fmt.Errorf("%d connections ended before the run closed them", m.rep.Dropped)
	}
	return err
}

// sample reads the node's RSS, then collects garbage in the node and reads
// it again, then returns freed memory to the system and reads it a third
// time.
func (m *measurement) sample() (MemorySample, error) {
	var s MemorySample
	pid := m.node.cmd.Process.Pid
	mem, err := procmem.Read(pid)
	if err != nil {
		return s, err
	}
	s.AsIs = mem.RSS
	if _, err := m.node.command("gc"); err != nil {
		return s, err
	}
	if mem, err = procmem.Read(pid); err != nil {
		return s, err
	}
	s.AfterGC = mem.RSS
	if s.Node, err = m.node.command("release"); err != nil {
		return s, err
	}
	if mem, err = procmem.Read(pid); err != nil {
		return s, err
	}
	s.AfterRelease = mem.RSS
	s.Kernel = kernelSlab()
	return s, nil
}

// dialers is how many connections are opened at once.
const dialers = 32

// dialAll opens and syncs one connection per member, from the source
// addresses in turn, and starts its reader.
func (m *measurement) dialAll(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m.clients = make([]*client, m.cfg.Conns)
	next := make(chan int)
	errs := make(chan error, dialers)
	var wg sync.WaitGroup
	for range dialers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				src := net.IPv4(127, 0, 0, byte(2+i%m.cfg.Sources))
				c, err := dial(ctx, i, src, m.node.addr, m.fx.tokens[i], m.fx.cursor)
				if err != nil {
					errs <- fmt.Errorf("connection %d from %v: %w", i, src, err)
					cancel()
					return
				}
				m.clients[i] = c
				if err := m.pollers[i%len(m.pollers)].add(c); err != nil {
					errs <- fmt.Errorf("connection %d: %w", i, err)
					cancel()
					return
				}
			}
		}()
	}
	step := max(m.cfg.Conns/10, 1)
feed:
	for i := range m.cfg.Conns {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
		if (i+1)%step == 0 {
			fmt.Fprintf(m.cfg.Log, "dialing: %d of %d\n", i+1, m.cfg.Conns)
		}
	}
	close(next)
	wg.Wait()
	opened := m.clients[:0:0]
	for _, c := range m.clients {
		if c != nil {
			opened = append(opened, c)
		}
	}
	m.clients = opened // what close must close
	select {
	case err := <-errs:
		return err
	default:
		return ctx.Err()
	}
}

// onEnd counts a connection that ended before Run closed it.
func (m *measurement) onEnd(c *client, err error) {
	if m.stopping.Load() {
		return
	}
	m.dropped.Add(1)
	m.fail(fmt.Errorf("connection %d ended: %w", c.i, err))
}

func (m *measurement) fail(err error) { m.failed.CompareAndSwap(nil, &err) }

func (m *measurement) failure() error {
	if p := m.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// probe is one message in flight to a room whose members are the clients
// 0..members-1; client 0 sends it.
type probe struct {
	marker  []byte // `"id":"MESSAGE"`, in the event and nowhere else
	members int
	sent    time.Time
	arrived []time.Duration // by client; written only by that client's reader
	got     atomic.Int64
	done    chan struct{} // closed at the last delivery
	wrong   atomic.Int64  // deliveries twice or to non-members
}

func (m *measurement) onText(c *client, p []byte) {
	pr := m.probe.Load()
	if pr == nil || c.i == 0 || !bytes.Contains(p, pr.marker) {
		return
	}
	if c.i >= pr.members || pr.arrived[c.i] != 0 {
		pr.wrong.Add(1)
		return
	}
	pr.arrived[c.i] = time.Since(pr.sent)
	if pr.got.Add(1) == int64(pr.members-1) {
		close(pr.done)
	}
}

// deliveryWait bounds the wait for one message to reach every member.
const deliveryWait = time.Minute

// fanout sends cfg.Messages messages to room r, one at a time, after one
// that is not counted (it fills the service's caches for the room).
func (m *measurement) fanout(ctx context.Context, r room) (Fanout, error) {
	f := Fanout{Members: r.size, Messages: m.cfg.Messages}
	var each, last []time.Duration
	sender := m.clients[0]
	pid := m.node.cmd.Process.Pid
	nodeStart, err := processCPU(pid)
	if err != nil {
		return f, err
	}
	clientsStart := selfCPU()
	for n := range m.cfg.Messages + 1 {
		if err := ctx.Err(); err != nil {
			return f, err
		}
		id := protocol.NewID()
		pr := &probe{
			marker: []byte(`"id":"` + id + `"`), members: r.size,
			arrived: make([]time.Duration, r.size), done: make(chan struct{}),
		}
		pr.sent = time.Now() // before Store: the readers read it after Load
		m.probe.Store(pr)
		if err := sender.request(id, protocol.OpMessageSend, protocol.SendMessage{RoomID: r.id, Text: fmt.Sprintf("message %d to %d members", n, r.size)}); err != nil {
			return f, err
		}
		if _, err := sender.await(id, deliveryWait); err != nil {
			return f, fmt.Errorf("send to %d members: %w", r.size, err)
		}
		select {
		case <-pr.done:
		case <-time.After(deliveryWait):
			return f, fmt.Errorf("a message to %d members reached %d of the %d others in %v",
				r.size, pr.got.Load(), r.size-1, deliveryWait)
		}
		m.probe.Store(nil)
		if w := pr.wrong.Load(); w > 0 {
			return f, fmt.Errorf("a message to %d members was delivered %d times more than once or to non-members", r.size, w)
		}
		if err := m.failure(); err != nil {
			return f, err
		}
		if n == 0 {
			continue // warm-up
		}
		slowest := time.Duration(0)
		for _, d := range pr.arrived[1:] {
			each = append(each, d)
			slowest = max(slowest, d)
		}
		last = append(last, slowest)
	}
	nodeEnd, err := processCPU(pid)
	if err != nil {
		return f, err
	}
	f.NodeCPU, f.ClientsCPU = nodeEnd-nodeStart, selfCPU()-clientsStart
	f.Deliveries = (m.cfg.Messages + 1) * (r.size - 1)
	f.Each, f.Last = percentiles(each), percentiles(last)
	return f, nil
}

// writes has cfg.Writers clients send cfg.Writes messages in all, each in
// its own self room, each writer waiting for an answer before its next.
func (m *measurement) writes(ctx context.Context) (Writes, error) {
	w := Writes{Writers: m.cfg.Writers, Writes: m.cfg.Writes / m.cfg.Writers * m.cfg.Writers}
	per := w.Writes / w.Writers
	acks := make([][]time.Duration, w.Writers)
	errs := make(chan error, w.Writers)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range w.Writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, room := m.clients[i], protocol.SelfRoomID(m.fx.ids[i])
			for n := range per {
				if ctx.Err() != nil {
					errs <- ctx.Err()
					return
				}
				id := protocol.NewID()
				t := time.Now()
				if err := c.request(id, protocol.OpMessageSend, protocol.SendMessage{RoomID: room, Text: fmt.Sprintf("note %d", n)}); err != nil {
					errs <- err
					return
				}
				if _, err := c.await(id, deliveryWait); err != nil {
					errs <- fmt.Errorf("writer %d: %w", i, err)
					return
				}
				acks[i] = append(acks[i], time.Since(t))
			}
		}()
	}
	wg.Wait()
	w.Elapsed = time.Since(start)
	select {
	case err := <-errs:
		return w, err
	default:
	}
	w.Ack = percentiles(slices.Concat(acks...))
	fmt.Fprintf(m.cfg.Log, "writes: %d in %v, %.0f/s\n", w.Writes, w.Elapsed.Round(time.Millisecond), w.PerSecond())
	return w, nil
}
