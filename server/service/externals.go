package service

import (
	"context"
	"encoding/json"
	"errors"

	"worktalk.dev/worktalk/protocol"
)

// addExternal applies external.add, from a link (checked as link.view does,
// and a one-time link is used up: of two concurrent redemptions exactly one
// wins) or by member id (see mayAddByID; EForbidden otherwise). Adding someone already added changes nothing and returns them.
func (s *Service) addExternal(ctx context.Context, w *wtx, c Caller, _ string, data json.RawMessage) (any, error) {
	var req protocol.AddExternal
	if err := decode(data, &req); err != nil {
		return nil, err
	}
	if (req.Link == "") == (req.MemberID == "") {
		return nil, protocol.Errorf(protocol.EInvalid, "give either a link or a member id")
	}
	v := newView(w)
	me, err := v.member(ctx, c.MemberID)
	if err != nil {
		return nil, err
	}
	var other MemberRow
	var link LinkRow
	if req.Link != "" {
		if link, other, err = s.liveLink(ctx, v, req.Link); err != nil {
			return nil, err
		}
	} else if other, err = v.member(ctx, req.MemberID); err != nil {
		return nil, err
	}
	if err := v.checkCanAdd(ctx, me, other); err != nil {
		return nil, err
	}
	if !other.DisabledAt.IsZero() {
		return nil, errDeparted(other)
	}
	if already, err := w.HasExternal(ctx, me.ID, other.ID); err != nil {
		return nil, err
	} else if already {
		return v.profile(ctx, other)
	}
	if req.MemberID != "" {
		if ok, err := mayAddByID(ctx, w, me.ID, other.ID); err != nil {
			return nil, err
		} else if !ok {
			return nil, protocol.Errorf(protocol.EForbidden, "you can add back only members who added you; ask for their profile link").Because(protocol.RAddBackOnly)
		}
	}
	if link.Kind == protocol.LinkOnce {
		won, err := w.UseLink(ctx, link.ID, w.now)
		if err != nil {
			return nil, err
		}
		if !won {
			return nil, errLinkInvalid
		}
	}
	return s.relate(ctx, w, v, me, other)
}

// mayAddByID reports whether me may add other without a link: other added
// me, or we already have a 1:1 room, which only external members get. The
// room outlives a block, so an unblocked member can be added again at once
// (product section 4); checkCanAdd still refuses a pair that is blocked.
func mayAddByID(ctx context.Context, tx Tx, me, other string) (bool, error) {
	if addedMe, err := tx.HasExternal(ctx, other, me); err != nil || addedMe {
		return addedMe, err
	}
	_, err := tx.Room(ctx, protocol.DirectRoomID(me, other))
	if errors.Is(err, ErrNoRow) {
		return false, nil
	}
	return err == nil, err
}

// relate records that me added other and tells both: EvExternalAdd to me,
// my profile to them, and a system message to them in our 1:1 room (made,
// or reopened after a block, as needed).
func (s *Service) relate(ctx context.Context, w *wtx, v *view, me, other MemberRow) (protocol.Profile, error) {
	if err := w.InsertExternal(ctx, me.ID, other.ID, w.now); err != nil {
		return protocol.Profile{}, err
	}
	theirs, err := v.profile(ctx, other)
	if err != nil {
		return theirs, err
	}
	if err := w.emit(ctx, protocol.EvExternalAdd, theirs, me.ID); err != nil {
		return theirs, err
	}
	mine, err := v.profile(ctx, me)
	if err != nil {
		return theirs, err
	}
	if err := w.emit(ctx, protocol.EvMemberUpsert, mine, other.ID); err != nil {
		return theirs, err
	}
	pair := []string{me.ID, other.ID}
	r := RoomRow{ID: protocol.DirectRoomID(me.ID, other.ID), Kind: protocol.RoomDirect}
	if _, err := s.ensureRoom(ctx, w, v, r, pair); err != nil {
		return theirs, err
	}
	if r, err = w.Room(ctx, r.ID); err != nil {
		return theirs, err
	}
	if r.Closed {
		if err := s.setClosed(ctx, w, v, r, false); err != nil {
			return theirs, err
		}
	}
	msg := protocol.Message{
		ID:        protocol.NewID(),
		RoomID:    r.ID,
		Kind:      protocol.MessageSystem,
		Text:      me.Name + " added you as an external member",
		System:    protocol.SystemExternalAdded,
		ActorID:   me.ID,
		ActorName: me.Name,
		Action:    &protocol.Action{Kind: protocol.ActionViewProfile, MemberID: me.ID},
		SentAt:    w.now.UnixMilli(),
	}
	_, err = s.postMessage(ctx, w, msg, pair)
	return theirs, err
}

// setClosed opens or closes a room and tells its members.
func (s *Service) setClosed(ctx context.Context, w *wtx, v *view, r RoomRow, closed bool) error {
	if err := w.SetRoomClosed(ctx, r.ID, closed); err != nil {
		return err
	}
	r.Closed = closed
	room, err := v.room(ctx, r)
	if err != nil {
		return err
	}
	members, err := w.RoomMembers(ctx, r.ID)
	if err != nil {
		return err
	}
	return w.emit(ctx, protocol.EvRoomUpsert, room, members...)
}

// block applies block.add. The target must be a member of another workspace
// I know (an external relation either way, or a room in common): ESelf,
// ECoworker, ENotFound. The block removes the relation both ways and closes
// our 1:1 room. Blocking twice returns the first block.
func (s *Service) block(ctx context.Context, w *wtx, c Caller, _ string, data json.RawMessage) (any, error) {
	var ref protocol.MemberRef
	if err := decode(data, &ref); err != nil {
		return nil, err
	}
	v := newView(w)
	if ref.MemberID == c.MemberID {
		return nil, protocol.Errorf(protocol.ESelf, "you cannot block yourself")
	}
	other, err := v.member(ctx, ref.MemberID)
	if err != nil {
		return nil, err
	}
	if other.WorkspaceID == c.WorkspaceID {
		return nil, protocol.Errorf(protocol.ECoworker, "members of your own workspace cannot be blocked")
	}
	if b, err := w.Block(ctx, c.MemberID, other.ID); err == nil {
		return v.blockedMember(ctx, b)
	} else if !errors.Is(err, ErrNoRow) {
		return nil, err
	}
	if known, err := s.knows(ctx, w, c.MemberID, other.ID); err != nil {
		return nil, err
	} else if !known {
		return nil, protocol.Errorf(protocol.ENotFound, "no such member").Because(protocol.RNoMember)
	}
	if err := w.InsertBlock(ctx, c.MemberID, other.ID, w.now); err != nil {
		return nil, err
	}
	for _, p := range [][2]string{{c.MemberID, other.ID}, {other.ID, c.MemberID}} {
		removed, err := w.DeleteExternal(ctx, p[0], p[1])
		if err != nil {
			return nil, err
		}
		if removed {
			if err := w.emit(ctx, protocol.EvExternalRemove, protocol.MemberRef{MemberID: p[1]}, p[0]); err != nil {
				return nil, err
			}
		}
	}
	r, err := w.Room(ctx, protocol.DirectRoomID(c.MemberID, other.ID))
	if err == nil && !r.Closed {
		err = s.setClosed(ctx, w, v, r, true)
	}
	if err != nil && !errors.Is(err, ErrNoRow) {
		return nil, err
	}
	bm, err := v.blockedMember(ctx, BlockRow{Blocker: c.MemberID, Blocked: other.ID, CreatedAt: w.now})
	if err != nil {
		return nil, err
	}
	if err := w.emit(ctx, protocol.EvBlockAdd, bm, c.MemberID); err != nil {
		return nil, err
	}
	return bm, recountShared(ctx, w, c.MemberID, other.ID)
}

// knows reports whether a and b have an external relation either way or a
// room in common.
func (s *Service) knows(ctx context.Context, tx Tx, a, b string) (bool, error) {
	if ok, err := related(ctx, tx, a, b); err != nil || ok {
		return ok, err
	}
	rooms, err := tx.MemberRooms(ctx, a)
	if err != nil {
		return false, err
	}
	for _, r := range rooms {
		if in, err := tx.IsRoomMember(ctx, r.ID, b); err != nil || in {
			return in, err
		}
	}
	return false, nil
}

// unblock applies block.remove. The 1:1 room stays closed until the two are
// external members again (adding reopens it), so unblocking alone does not
// let anyone write. Removing a block that does not exist changes nothing.
func (s *Service) unblock(ctx context.Context, w *wtx, c Caller, _ string, data json.RawMessage) (any, error) {
	var ref protocol.MemberRef
	if err := decode(data, &ref); err != nil {
		return nil, err
	}
	if ref.MemberID == "" || len(ref.MemberID) > protocol.MaxIDLen {
		return nil, protocol.FieldError(protocol.EInvalid, "member_id", "no such member").Because(protocol.RNoMember)
	}
	removed, err := w.DeleteBlock(ctx, c.MemberID, ref.MemberID)
	if err != nil {
		return nil, err
	}
	if removed {
		if err := w.emit(ctx, protocol.EvBlockRemove, ref, c.MemberID); err != nil {
			return nil, err
		}
		if err := recountShared(ctx, w, c.MemberID, ref.MemberID); err != nil {
			return nil, err
		}
	}
	return protocol.Empty{}, nil
}
