package server

import (
	"encoding/json"
	"log/slog"
	"slices"
	"sync"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// hub routes published events to the open connections of their recipients.
// It never blocks on a connection: delivery only appends to the
// connection's bounded queue and hands it to the writers, and a connection
// whose queue is full is dropped (it resumes from its cursor when it
// reconnects).
type hub struct {
	log     *slog.Logger
	writers *writers

	mu          sync.RWMutex
	byMember    map[string][]*conn // guarded by mu
	bySession   map[string][]*conn // guarded by mu
	byWorkspace map[string][]*conn // guarded by mu
	n           int                // open connections; guarded by mu
	added       int                // connections ever added, for their ping slot; guarded by mu
	closed      bool               // closeAll ran; guarded by mu
}

// pingSlots is how many keepalive ticks one ping period has: each tick pings
// the connections of one slot, so pings go out in small batches instead of
// all at once.
const pingSlots = 8

func newHub(log *slog.Logger, w *writers) *hub {
	return &hub{
		log:         log,
		writers:     w,
		byMember:    make(map[string][]*conn),
		bySession:   make(map[string][]*conn),
		byWorkspace: make(map[string][]*conn),
	}
}

// add registers c for its member's and session's events. It reports false
// once closeAll has run.
func (h *hub) add(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.byMember[c.caller.MemberID] = append(h.byMember[c.caller.MemberID], c)
	h.bySession[c.caller.SessionID] = append(h.bySession[c.caller.SessionID], c)
	h.byWorkspace[c.caller.WorkspaceID] = append(h.byWorkspace[c.caller.WorkspaceID], c)
	c.slot = h.added % pingSlots
	h.added++
	h.n++
	return true
}

// remove forgets c; removing twice is harmless.
func (h *hub) remove(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if removeFrom(h.byMember, c.caller.MemberID, c) {
		h.n--
	}
	removeFrom(h.bySession, c.caller.SessionID, c)
	removeFrom(h.byWorkspace, c.caller.WorkspaceID, c)
}

// removeFrom drops c from m[key]. The lists are not kept in order. A list
// costs a pointer a connection where a set costs five times that; finding
// c in a workspace of 10,000 connections takes microseconds.
func removeFrom(m map[string][]*conn, key string, c *conn) bool {
	cs := m[key]
	i := slices.Index(cs, c)
	if i < 0 {
		return false
	}
	last := len(cs) - 1
	cs[i], cs[last] = cs[last], nil
	if last == 0 {
		delete(m, key)
	} else {
		m[key] = cs[:last]
	}
	return true
}

func (h *hub) count() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.n
}

// closeAll drops every connection and refuses new ones.
func (h *hub) closeAll() {
	h.mu.Lock()
	h.closed = true
	var all []*conn
	for _, cs := range h.byMember {
		all = append(all, cs...)
	}
	h.mu.Unlock()
	for _, c := range all {
		c.kill("server closing")
	}
}

// publish is the bus subscriber. It frames the event once and queues the
// same bytes on every connection concerned.
func (h *hub) publish(ev service.Event) {
	data, err := json.Marshal(protocol.Frame{T: protocol.FrameEvent, Seq: ev.Seq, Op: ev.Op, Data: ev.Data})
	if err != nil {
		h.log.Error("encode event", "op", ev.Op, "seq", ev.Seq, "err", err)
		return
	}
	f := textFrame(data)
	h.mu.RLock()
	defer h.mu.RUnlock()
	var s scheduler
	defer s.done(h.writers)
	// A member's sessions revoked (disabled by an admin) come stored, and
	// close the connections as a sign-out does, whatever their state.
	final := ev.Op == protocol.EvSessionRevoked
	if ev.Seq == 0 || final {
		// Live-only: aimed at one session when SessionID is set.
		if ev.SessionID != "" {
			for _, c := range h.bySession[ev.SessionID] {
				s.add(h.writers, c, c.deliverLive(f, final))
			}
			return
		}
		for _, m := range ev.Recipients {
			for _, c := range h.byMember[m] {
				s.add(h.writers, c, c.deliverLive(f, final))
			}
		}
		return
	}
	// A workspace event goes to the workspace's connections; its
	// recipients are outside it, so no connection gets it twice (and
	// deliver drops a seq it has already queued anyway).
	if ev.Workspace != "" {
		for _, c := range h.byWorkspace[ev.Workspace] {
			s.add(h.writers, c, c.deliver(ev.Seq, f))
		}
	}
	for _, m := range ev.Recipients {
		for _, c := range h.byMember[m] {
			s.add(h.writers, c, c.deliver(ev.Seq, f))
		}
	}
}

// ping queues a ping on every connection of one slot.
func (h *hub) ping(slot int) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var s scheduler
	defer s.done(h.writers)
	for _, cs := range h.byMember {
		for _, c := range cs {
			if c.slot == slot {
				s.add(h.writers, c, c.deliverLive(pingFrame, false))
			}
		}
	}
}

// scheduler hands connections to the writers in batches: the first ones
// are written while the hub is still queuing for the rest, and the writers'
// lock is taken once a batch, not once a connection.
type scheduler struct {
	batch [writerBatch]*conn
	n     int
}

func (s *scheduler) add(w *writers, c *conn, ready bool) {
	if !ready {
		return
	}
	s.batch[s.n] = c
	if s.n++; s.n == len(s.batch) {
		s.done(w)
	}
}

func (s *scheduler) done(w *writers) {
	w.schedule(s.batch[:s.n]...)
	clear(s.batch[:s.n])
	s.n = 0
}
