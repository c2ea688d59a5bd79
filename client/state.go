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
	e.members = sortedProfiles(r.Coworkers)
	r.Coworkers = nil // e.members holds them
	e.replica = r
	e.names = make(map[string]string, len(e.members)+len(r.Externals))
	for _, ps := range [][]protocol.Profile{e.members, r.Externals} {
		for _, p := range ps {
			e.names[p.ID] = p.Name
		}
	}
	e.membersGen++
	e.membersChanged = nil
}

// setReplicaBase installs me, the workspace, blocks and rooms, keeping the
// profiles. e.applyMu must be held.
func (e *Engine) setReplicaBase(r store.Replica) {
	r.Externals = e.replica.Externals
	e.replica = r
}

// patchLimit is how many changed coworkers are put in place one by one;
// past it the list is sorted again at once.
const patchLimit = 64

// patchProfiles puts the re-read profiles of ids in place: a changed
// coworker moves to its place in e.members, one no longer stored (or no
// longer a coworker) leaves it, and the same for external members. The
// state gets a new members slice, so one rename costs a copy of the list,
// not a read of every profile. e.applyMu must be held.
func (e *Engine) patchProfiles(ids map[string]bool, found []store.RelProfile) {
	coworkers := map[string]protocol.Profile{}
	var externals []protocol.Profile
	for _, p := range found {
		switch p.Rel {
		case store.RelCoworker:
			coworkers[p.ID] = p.Profile
		case store.RelExternal:
			externals = append(externals, p.Profile)
		}
	}
	for id := range ids {
		delete(e.names, id)
	}
	for _, ps := range [][]protocol.Profile{slices.Collect(maps.Values(coworkers)), externals} {
		for _, p := range ps {
			e.names[p.ID] = p.Name
		}
	}
	e.replica.Externals = append(slices.DeleteFunc(slices.Clone(e.replica.Externals), func(p protocol.Profile) bool { return ids[p.ID] }), externals...)

	// Which coworkers changed: those in the list or found as coworkers.
	changed := slices.Collect(maps.Keys(coworkers))
	members := slices.DeleteFunc(slices.Clone(e.members), func(p protocol.Profile) bool {
		if !ids[p.ID] {
			return false
		}
		if _, ok := coworkers[p.ID]; !ok {
			changed = append(changed, p.ID) // left
		}
		return true
	})
	if len(changed) == 0 {
		return
	}
	slices.Sort(changed)
	if len(coworkers) > patchLimit {
		members = sortedProfiles(append(members, slices.Collect(maps.Values(coworkers))...))
	} else {
		for _, p := range coworkers {
			i, _ := slices.BinarySearchFunc(members, p, compareProfiles)
			members = slices.Insert(members, i, p)
		}
	}
	e.members = members
	e.membersGen++
	e.membersChanged = changed
}

// refresh re-reads what ch says changed and publishes the new state.
// e.applyMu must be held.
func (e *Engine) refresh(ctx context.Context, ch store.Changes) {
	switch {
	case ch.AllProfiles:
		r, err := e.db.Replica(ctx)
		if err != nil {
			e.log.Error("read replica", "err", err)
		} else {
			e.setReplica(r)
		}
	case ch.Replica:
		r, err := e.db.ReplicaBase(ctx)
		if err != nil {
			e.log.Error("read replica", "err", err)
		} else {
			e.setReplicaBase(r)
		}
	}
	if !ch.AllProfiles && len(ch.Profiles) > 0 {
		found, err := e.db.ReplicaProfiles(ctx, slices.Collect(maps.Keys(ch.Profiles)))
		if err != nil {
			e.log.Error("read profiles", "err", err)
		} else {
			e.patchProfiles(ch.Profiles, found)
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
		MembersGen:     e.membersGen,
		MembersChanged: e.membersChanged,
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

// sortedProfiles sorts by name, case-insensitively, then by id.
func sortedProfiles(ps []protocol.Profile) []protocol.Profile {
	type keyed struct {
		lower string
		p     protocol.Profile
	}
	ks := make([]keyed, len(ps))
	for i, p := range ps {
		ks[i] = keyed{strings.ToLower(p.Name), p}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := strings.Compare(a.lower, b.lower); c != 0 {
			return c
		}
		return strings.Compare(a.p.ID, b.p.ID)
	})
	out := make([]protocol.Profile, len(ks))
	for i, k := range ks {
		out[i] = k.p
	}
	return out
}

// compareProfiles is the order of sortedProfiles.
func compareProfiles(a, b protocol.Profile) int {
	if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
