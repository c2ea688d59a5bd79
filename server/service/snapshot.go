package service

import (
	"context"
	"sort"

	"worktalk.dev/worktalk/protocol"
)

// snapshotPageItems is about how many things one snapshot page carries: a
// member, a message, a blocked member or every 10 members of a room count
// one. 500 members make a page of about 150 KB of JSON.
const snapshotPageItems = 500

// SnapshotPages sends the caller's full state as a snapshot in pages
// (protocol.Snapshot): emit gets each page in order, the last with Last
// set, and its error stops the snapshot. Each page is read in a short read
// transaction of its own, so a slow client holds no database connection
// and a workspace of any size is never in memory at once.
//
// Every page shows the state at the snapshot's cursor or later: the cursor
// is read first, and every state change writes its events in the same
// transaction as the change. The events after the cursor bring every page
// up to date because each sets what it changes (a newer profile version, a
// room, a message by id, a block), so one already seen in a page does no
// harm when it is applied again. Members come in pages by name: one renamed
// between two pages may come twice or only with its event, and either way
// the client ends up right. Messages, which are not a state but a stream,
// are exact: pages hold only those sent before the cursor, and the events
// bring the rest, each once.
func (s *Service) SnapshotPages(ctx context.Context, c Caller, emit func(protocol.Snapshot) error) error {
	p := &snapshotPager{emit: emit}
	var (
		me      MemberRow
		ws      WorkspaceRow
		rooms   []RoomRow
		lastMsg int64 // the newest message seq at the cursor
	)
	err := s.read(ctx, func(tx Tx) error {
		v := newView(tx)
		var err error
		if p.page.Cursor, err = tx.LastSeq(ctx); err != nil {
			return err
		}
		if lastMsg, err = tx.NewestMessageSeq(ctx); err != nil {
			return err
		}
		if me, err = v.member(ctx, c.MemberID); err != nil {
			return protocol.Errorf(protocol.EUnauthorized, "not signed in").Because(protocol.RSignedOut)
		}
		if p.page.Me, err = v.profile(ctx, me); err != nil {
			return err
		}
		if ws, err = v.workspace(ctx, me.WorkspaceID); err != nil {
			return err
		}
		p.page.Workspace = publicWorkspace(ws)
		if err := s.snapshotRelations(ctx, tx, v, me, &p.page); err != nil {
			return err
		}
		if rooms, err = tx.MemberRooms(ctx, me.ID); err != nil {
			return err
		}
		// Unread counts go with the cursor, not with a later page: the
		// client adds one for every later message.new.
		p.page.Reads, err = readMarks(ctx, tx, me.ID, rooms)
		return err
	})
	if err != nil {
		return s.clientError("snapshot", err)
	}
	p.items = len(p.page.Externals) + len(p.page.Contacts) + len(p.page.Blocked) + len(p.page.Reads)
	if err := s.snapshotMembers(ctx, ws, p); err != nil {
		return err
	}
	if err := s.snapshotRooms(ctx, rooms, lastMsg, p); err != nil {
		return err
	}
	return p.flush(true)
}

// Snapshot returns the caller's whole snapshot in one value: the pages of
// SnapshotPages put together.
func (s *Service) Snapshot(ctx context.Context, c Caller) (protocol.Snapshot, error) {
	var snap protocol.Snapshot
	err := s.SnapshotPages(ctx, c, snap.Append)
	if err != nil {
		return protocol.Snapshot{}, err
	}
	snap.Page, snap.Last = 0, false
	return snap, nil
}

// snapshotPager collects things into pages and hands each full one to emit.
type snapshotPager struct {
	emit  func(protocol.Snapshot) error
	page  protocol.Snapshot // the page being filled; Cursor set throughout
	items int
	n     int // pages emitted
}

// add counts cost items in the page, sending it when it is full.
func (p *snapshotPager) add(cost int) error {
	p.items += cost
	if p.items < snapshotPageItems {
		return nil
	}
	return p.flush(false)
}

func (p *snapshotPager) flush(last bool) error {
	p.n++
	page := p.page
	page.Page, page.Last = p.n, last
	if p.n > 1 {
		page.Me, page.Workspace = protocol.Profile{}, protocol.Workspace{}
	}
	p.page = protocol.Snapshot{Cursor: page.Cursor}
	p.items = 0
	return p.emit(page)
}

// snapshotRelations fills in my external members, contacts and blocks.
func (s *Service) snapshotRelations(ctx context.Context, tx Tx, v *view, me MemberRow, page *protocol.Snapshot) error {
	extIDs, err := tx.Externals(ctx, me.ID)
	if err != nil {
		return err
	}
	exts, err := tx.Members(ctx, extIDs)
	if err != nil {
		return err
	}
	sort.Slice(exts, func(i, j int) bool { return exts[i].Name < exts[j].Name })
	for _, m := range exts {
		p, err := v.profile(ctx, m)
		if err != nil {
			return err
		}
		page.Externals = append(page.Externals, p)
	}
	if page.Contacts, err = contacts(ctx, tx, v, me.ID, extIDs); err != nil {
		return err
	}
	blocks, err := tx.Blocks(ctx, me.ID)
	if err != nil {
		return err
	}
	for _, b := range blocks {
		bm, err := v.blockedMember(ctx, b)
		if err != nil {
			return err
		}
		page.Blocked = append(page.Blocked, bm)
	}
	return nil
}

// snapshotMembers pages through the workspace's members.
func (s *Service) snapshotMembers(ctx context.Context, ws WorkspaceRow, p *snapshotPager) error {
	var name, id string
	for {
		var rows []MemberRow
		err := s.read(ctx, func(tx Tx) error {
			var err error
			rows, err = tx.WorkspaceMembersAfter(ctx, ws.ID, name, id, snapshotPageItems-p.items)
			return err
		})
		if err != nil {
			return s.clientError("snapshot", err)
		}
		if len(rows) == 0 {
			return nil
		}
		for _, m := range rows {
			p.page.Members = append(p.page.Members, profileOf(m, ws))
		}
		last := rows[len(rows)-1]
		name, id = last.Name, last.ID
		if err := p.add(len(rows)); err != nil {
			return err
		}
	}
}

// snapshotRooms sends my rooms, a few at a time, each followed by its
// newest messages up to lastMsg.
func (s *Service) snapshotRooms(ctx context.Context, rooms []RoomRow, lastMsg int64, p *snapshotPager) error {
	for _, r := range rooms {
		var msgs []protocol.Message
		err := s.read(ctx, func(tx Tx) error {
			room, err := newView(tx).room(ctx, r)
			if err != nil {
				return err
			}
			p.page.Rooms = append(p.page.Rooms, room)
			msgs, err = tx.Messages(ctx, r.ID, lastMsg+1, protocol.SnapshotMessagesPerRoom)
			return err
		})
		if err != nil {
			return s.clientError("snapshot", err)
		}
		p.page.Messages = append(p.page.Messages, msgs...)
		if err := p.add(1 + len(p.page.Rooms[len(p.page.Rooms)-1].Members)/10 + len(msgs)); err != nil {
			return err
		}
	}
	return nil
}
