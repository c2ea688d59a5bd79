package client

import (
	"context"
	"encoding/json"
	"maps"
	"slices"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// view is the replica with the effects of pending outbox entries applied in
// outbox order. Server events only ever change the replica; the pending
// effects are re-applied on top each time, so a server change and a local
// edit of different fields both show, and dropping a refused entry is the
// whole rollback.
type view struct {
	me             protocol.Profile
	externals      []protocol.Profile
	blocked        []protocol.BlockedMember
	rooms          []protocol.Room
	reads          map[string]protocol.ReadMark // by room
	readsOwn       bool                         // reads is a copy this view may change
	profilePending bool
}

// overlay computes the view. e.applyMu must be held.
func (e *Engine) overlay() view {
	v := view{
		me:        e.replica.Me,
		externals: slices.Clone(e.replica.Externals),
		blocked:   slices.Clone(e.replica.Blocked),
		rooms:     slices.Clone(e.replica.Rooms),
		reads:     e.reads,
	}
	v.me.Fields = maps.Clone(v.me.Fields)
	if v.me.ID == "" {
		// Before the first sync the replica has no profile yet; sign-in
		// told us who we are, so my own room gets its real id offline too.
		v.me.ID, v.me.WorkspaceID, v.me.WorkspaceName = e.acct.MemberID, e.acct.WorkspaceID, e.acct.WorkspaceName
		v.me.Name = e.acct.Name
	}
	for _, en := range e.outbox {
		switch en.Op {
		case protocol.OpProfileUpdate:
			var u protocol.ProfileUpdate
			if json.Unmarshal(en.Body, &u) == nil {
				applyUpdate(&v.me, u, en.ID)
				v.profilePending = true
			}
		case protocol.OpRoomCreate:
			var c protocol.CreateRoom
			if json.Unmarshal(en.Body, &c) == nil {
				id := createdRoomID(en.ID, c, v.me.ID)
				if v.roomIndex(id) < 0 {
					v.rooms = append(v.rooms, e.localRoom(id, c, v.me, en))
				}
			}
		case protocol.OpBlock:
			var r protocol.MemberRef
			if json.Unmarshal(en.Body, &r) == nil {
				v.block(e, r.MemberID, en)
			}
		case protocol.OpUnblock:
			var r protocol.MemberRef
			if json.Unmarshal(en.Body, &r) == nil {
				v.blocked = slices.DeleteFunc(v.blocked, func(b protocol.BlockedMember) bool { return b.ID == r.MemberID })
			}
		case protocol.OpRoomRead:
			var m protocol.ReadMark
			if json.Unmarshal(en.Body, &m) == nil {
				v.markRead(e, m)
			}
		case protocol.OpExternalAdd:
			var a protocol.AddExternal
			if json.Unmarshal(en.Body, &a) == nil && a.MemberID != "" && profileIndex(v.externals, a.MemberID) < 0 {
				if p, ok := e.knownProfile(a.MemberID); ok {
					v.externals = append(v.externals, p)
				}
			}
		}
	}
	return v
}

func applyUpdate(me *protocol.Profile, u protocol.ProfileUpdate, entryID string) {
	if u.Name != nil {
		me.Name = *u.Name
	}
	for k, val := range u.Fields {
		if me.Fields == nil {
			me.Fields = map[string]string{}
		}
		if val == "" {
			delete(me.Fields, k)
		} else {
			me.Fields[k] = val
		}
	}
	if u.Picture != nil {
		if len(*u.Picture) == 0 {
			me.PictureID = ""
		} else {
			me.PictureID = store.LocalPictureID(entryID)
		}
	}
}

// createdRoomID is the id of the room a room.create entry makes.
func createdRoomID(entryID string, c protocol.CreateRoom, meID string) string {
	switch c.Kind {
	case protocol.RoomSelf:
		return protocol.SelfRoomID(meID)
	case protocol.RoomDirect:
		if len(c.Members) == 1 {
			return protocol.DirectRoomID(meID, c.Members[0])
		}
	}
	return entryID
}

func (e *Engine) localRoom(id string, c protocol.CreateRoom, me protocol.Profile, en store.Entry) protocol.Room {
	r := protocol.Room{ID: id, Kind: c.Kind, Title: c.Title, CreatedAt: en.Created.UnixMilli()}
	r.Members = append(r.Members, protocol.RoomMember{ID: me.ID, Name: me.Name, WorkspaceID: me.WorkspaceID, WorkspaceName: me.WorkspaceName})
	for _, m := range c.Members {
		p, _ := e.knownProfile(m)
		r.Members = append(r.Members, protocol.RoomMember{ID: m, Name: p.Name, WorkspaceID: p.WorkspaceID, WorkspaceName: p.WorkspaceName})
	}
	return r
}

func (v *view) roomIndex(id string) int {
	return slices.IndexFunc(v.rooms, func(r protocol.Room) bool { return r.ID == id })
}

func profileIndex(ps []protocol.Profile, id string) int {
	return slices.IndexFunc(ps, func(p protocol.Profile) bool { return p.ID == id })
}

// block applies what the server does when I block someone: they move to my
// blocked list, leave my external members, and our 1:1 room closes.
func (v *view) block(e *Engine, id string, en store.Entry) {
	if !slices.ContainsFunc(v.blocked, func(b protocol.BlockedMember) bool { return b.ID == id }) {
		p, _ := e.knownProfile(id)
		v.blocked = append(v.blocked, protocol.BlockedMember{ID: id, Name: p.Name, WorkspaceName: p.WorkspaceName, BlockedAt: en.Created.UnixMilli()})
	}
	v.externals = slices.DeleteFunc(v.externals, func(p protocol.Profile) bool { return p.ID == id })
	if i := v.roomIndex(protocol.DirectRoomID(v.me.ID, id)); i >= 0 && !v.rooms[i].Closed {
		r := v.rooms[i]
		r.Closed = true
		v.rooms[i] = r
	}
}

// knownProfile finds a profile in the replica or the profile cache.
// e.applyMu must be held.
func (e *Engine) knownProfile(id string) (protocol.Profile, bool) {
	for _, ps := range [][]protocol.Profile{e.members, e.replica.Externals} {
		if i := profileIndex(ps, id); i >= 0 {
			return ps[i], true
		}
	}
	p, ok, err := e.db.Profile(context.Background(), id)
	if err != nil {
		e.log.Error("read profile", "err", err)
	}
	return p, ok
}

// markRead applies a pending read mark: what the server will do, counted
// from the messages stored here (those after a mark I just made all came
// live, so the count is exact).
func (v *view) markRead(e *Engine, m protocol.ReadMark) {
	cur := v.reads[m.RoomID]
	if m.Seq <= cur.Seq {
		return
	}
	n, err := e.db.CountUnreadAfter(context.Background(), m.RoomID, m.Seq, v.me.ID)
	if err != nil {
		e.log.Error("count unread", "err", err)
		return
	}
	if !v.readsOwn { // e.reads is shared with the engine: copy before writing
		v.reads, v.readsOwn = maps.Clone(v.reads), true
		if v.reads == nil {
			v.reads = map[string]protocol.ReadMark{}
		}
	}
	v.reads[m.RoomID] = protocol.ReadMark{RoomID: m.RoomID, Seq: m.Seq, Unread: n}
}
