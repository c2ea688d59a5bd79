package server

import (
	"encoding/json"
	"log/slog"
	"sync"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// hub routes published events to the open connections of their recipients.
// It never blocks on a connection: delivery only appends to the
// connection's bounded queue, and a connection whose queue is full is
// dropped (it resumes from its cursor when it reconnects).
type hub struct {
	log *slog.Logger

	mu          sync.RWMutex
	byMember    map[string]map[*conn]struct{} // guarded by mu
	bySession   map[string]map[*conn]struct{} // guarded by mu
	byWorkspace map[string]map[*conn]struct{} // guarded by mu
	n           int                           // open connections; guarded by mu
	closed      bool                          // closeAll ran; guarded by mu
}

func newHub(log *slog.Logger) *hub {
	return &hub{
		log:         log,
		byMember:    make(map[string]map[*conn]struct{}),
		bySession:   make(map[string]map[*conn]struct{}),
		byWorkspace: make(map[string]map[*conn]struct{}),
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
	addTo(h.byMember, c.caller.MemberID, c)
	addTo(h.bySession, c.caller.SessionID, c)
	addTo(h.byWorkspace, c.caller.WorkspaceID, c)
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

func addTo(m map[string]map[*conn]struct{}, key string, c *conn) {
	set := m[key]
	if set == nil {
		set = make(map[*conn]struct{}, 1)
		m[key] = set
	}
	set[c] = struct{}{}
}

func removeFrom(m map[string]map[*conn]struct{}, key string, c *conn) bool {
	set := m[key]
	if _, ok := set[c]; !ok {
		return false
	}
	delete(set, c)
	if len(set) == 0 {
		delete(m, key)
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
	for _, set := range h.byMember {
		for c := range set {
			all = append(all, c)
		}
	}
	h.mu.Unlock()
	for _, c := range all {
		c.kill("server closing")
	}
}

// publish is the bus subscriber. It encodes the event frame once and hands
// the same bytes to every connection concerned.
func (h *hub) publish(ev service.Event) {
	data, err := json.Marshal(protocol.Frame{T: protocol.FrameEvent, Seq: ev.Seq, Op: ev.Op, Data: ev.Data})
	if err != nil {
		h.log.Error("encode event", "op", ev.Op, "seq", ev.Seq, "err", err)
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	if ev.Seq == 0 {
		// Live-only: aimed at one session when SessionID is set.
		final := ev.Op == protocol.EvSessionRevoked
		if ev.SessionID != "" {
			for c := range h.bySession[ev.SessionID] {
				c.deliverLive(data, final)
			}
			return
		}
		for _, m := range ev.Recipients {
			for c := range h.byMember[m] {
				c.deliverLive(data, final)
			}
		}
		return
	}
	// A workspace event goes to the workspace's connections; its
	// recipients are outside it, so no connection gets it twice (and
	// deliver drops a seq it has already queued anyway).
	if ev.Workspace != "" {
		for c := range h.byWorkspace[ev.Workspace] {
			c.deliver(ev.Seq, data)
		}
	}
	for _, m := range ev.Recipients {
		for c := range h.byMember[m] {
			c.deliver(ev.Seq, data)
		}
	}
}
