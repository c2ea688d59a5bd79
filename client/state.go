package client

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// load reads the replica summaries, outbox and notices at open. Message
// history stays in SQLite: only each room's newest message is read.
func (e *Engine) load(ctx context.Context) error {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	r, err := e.db.Replica(ctx)
	if err != nil {
		return err
	}
	e.setReplica(r)
	if e.outbox, err = e.db.Outbox(ctx); err != nil {
		return err
	}
	if e.notices, err = e.db.Notices(ctx); err != nil {
		return err
	}
	if e.reads, err = e.db.ReadMarks(ctx); err != nil {
		return err
	}
	rooms := map[string]bool{}
	for _, r := range e.replica.Rooms {
		rooms[r.ID] = true
	}
	for _, en := range e.outbox {
		if id := entryRoom(en); id != "" {
			rooms[id] = true
		}
	}
	for id := range rooms {
		if err := e.loadLast(ctx, id); err != nil {
			return err
		}
	}
	e.rebuild(false)
	return nil
}

func (e *Engine) loadLast(ctx context.Context, roomID string) error {
	m, ok, err := e.db.LastMessage(ctx, roomID)
	if err != nil {
		return err
	}
	if !ok {
		delete(e.last, roomID)
		return nil
	}
	mm := Message(m)
	e.last[roomID] = &mm
	return nil
}

// entryRoom returns the room an outbox entry creates or writes to.
func entryRoom(en store.Entry) string {
	switch en.Op {
	case protocol.OpMessageSend:
		var b protocol.SendMessage
		if json.Unmarshal(en.Body, &b) == nil {
			return b.RoomID
		}
	}
	return ""
}

// setReplica installs a freshly read replica with what is derived from it
// once rather than on every rebuild. e.applyMu must be held.
func (e *Engine) setReplica(r store.Replica) {
	e.replica = r
	e.members = sortedProfiles(r.Coworkers)
	e.names = make(map[string]string, len(r.Coworkers)+len(r.Externals))
	for _, ps := range [][]protocol.Profile{r.Coworkers, r.Externals} {
		for _, p := range ps {
			e.names[p.ID] = p.Name
		}
	}
}

// refresh re-reads what ch says changed and publishes the new state.
// e.applyMu must be held.
func (e *Engine) refresh(ctx context.Context, ch store.Changes) {
	if ch.Replica {
		r, err := e.db.Replica(ctx)
		if err != nil {
			e.log.Error("read replica", "err", err)
		} else {
			e.setReplica(r)
		}
	}
	if ch.Notices {
		ns, err := e.db.Notices(ctx)
		if err != nil {
			e.log.Error("read notices", "err", err)
		} else {
			e.notices = ns
		}
	}
	if ch.Reads {
		rs, err := e.db.ReadMarks(ctx)
		if err != nil {
			e.log.Error("read marks", "err", err)
		} else {
			e.reads = rs
		}
	}
	for id := range ch.Rooms {
		if err := e.loadLast(ctx, id); err != nil {
			e.log.Error("read last message", "room", id, "err", err)
		}
	}
	e.mu.Lock()
	for id := range ch.Rooms {
		e.roomVer[id]++
	}
	e.mu.Unlock()
	e.rebuild(true)
	if ch.Replica {
		e.noteName()
	}
}

// rebuild computes State from the replica with the pending outbox entries
// applied on top, and publishes it. e.applyMu must be held.
func (e *Engine) rebuild(publish bool) {
	ov := e.overlay()
	s := State{
		Account:        e.acct,
		Me:             ov.me,
		Workspace:      e.replica.Workspace,
		Members:        e.members,
		Externals:      sortedProfiles(ov.externals),
		Blocked:        ov.blocked,
		Pending:        len(e.outbox),
		ProfilePending: ov.profilePending,
	}
	if s.Me.Name != "" {
		s.Account.Name = s.Me.Name
	}
	s.Rooms = make([]RoomSummary, 0, len(ov.rooms))
	for _, r := range ov.rooms {
		rs := RoomSummary{Room: r, DisplayTitle: displayTitle(r, s.Me, e.names), Unread: ov.reads[r.ID].Unread}
		if m := e.last[r.ID]; m != nil {
			rs.Last = m
		}
		s.Rooms = append(s.Rooms, rs)
		s.Unread += rs.Unread
	}
	slices.SortStableFunc(s.Rooms, func(a, b RoomSummary) int {
		if c := activity(b) - activity(a); c != 0 {
			if c > 0 {
				return 1
			}
			return -1
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, n := range e.notices {
		s.Notices = append(s.Notices, Notice(n))
	}
	e.mu.Lock()
	s.Conn = e.conn
	s.Revoked = e.revoked
	s.Warnings = e.state.Warnings
	s.RoomVersion = maps.Clone(e.roomVer)
	e.state = s
	if publish {
		e.publishLocked()
	}
	e.mu.Unlock()
}

// setConn changes the connection state and publishes it.
func (e *Engine) setConn(fn func(c *ConnState)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fn(&e.conn)
	e.state.Conn = e.conn
	e.state.Revoked = e.revoked
	e.publishLocked()
}

func activity(r RoomSummary) int64 {
	t := r.CreatedAt
	if r.Last != nil && r.Last.SentAt > t {
		t = r.Last.SentAt
	}
	return t
}

func displayTitle(r protocol.Room, me protocol.Profile, names map[string]string) string {
	switch r.Kind {
	case protocol.RoomSelf:
		return me.Name
	case protocol.RoomDirect:
		for _, m := range r.Members {
			if m.ID == me.ID {
				continue
			}
			if n := names[m.ID]; n != "" {
				return n
			}
			return m.Name
		}
	}
	if r.Title != "" {
		return r.Title
	}
	var parts []string
	for _, m := range r.Members {
		if m.ID != me.ID {
			parts = append(parts, m.Name)
		}
	}
	return strings.Join(parts, ", ")
}

func sortedProfiles(ps []protocol.Profile) []protocol.Profile {
	out := slices.Clone(ps)
	slices.SortFunc(out, func(a, b protocol.Profile) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
