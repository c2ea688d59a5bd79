package service

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"worktalk.dev/worktalk/protocol"
)

const (
	maxRoomIDLen     = 2*protocol.MaxIDLen + 4 // "dm:" + two member ids
	defaultPageLimit = 50
)

// createRoom applies room.create. Self and direct rooms have derived ids and
// an existing one is returned as is; a group room's id is the request id.
// Errors: EInvalid, ESelf, ENotFound, EBlocked, EExternalOff, EForbidden,
// ETooLarge, EConflict.
func (s *Service) createRoom(ctx context.Context, w *wtx, c Caller, reqID string, data json.RawMessage) (any, error) {
	var req protocol.CreateRoom
	if err := decode(data, &req); err != nil {
		return nil, err
	}
	v := newView(w)
	me, err := v.member(ctx, c.MemberID)
	if err != nil {
		return nil, err
	}
	switch req.Kind {
	case protocol.RoomSelf:
		return s.ensureRoom(ctx, w, v, RoomRow{ID: protocol.SelfRoomID(me.ID), Kind: protocol.RoomSelf}, []string{me.ID})
	case protocol.RoomDirect:
		if len(req.Members) != 1 {
			return nil, protocol.FieldError(protocol.EInvalid, "members", "a 1:1 room needs exactly one other member")
		}
		if req.Members[0] == me.ID {
			return nil, protocol.Errorf(protocol.ESelf, "use your own room to chat with yourself")
		}
		other, err := v.member(ctx, req.Members[0])
		if err != nil {
			return nil, err
		}
		if !other.DisabledAt.IsZero() {
			return nil, errDeparted(other)
		}
		if other.WorkspaceID != me.WorkspaceID {
			if err := v.checkExternalChat(ctx, me, other); err != nil {
				return nil, err
			}
		}
		r := RoomRow{ID: protocol.DirectRoomID(me.ID, other.ID), Kind: protocol.RoomDirect}
		return s.ensureRoom(ctx, w, v, r, []string{me.ID, other.ID})
	case protocol.RoomGroup:
		return s.createGroup(ctx, w, v, me, reqID, req)
	default:
		return nil, protocol.FieldError(protocol.EInvalid, "kind", "room kind must be self, direct or group")
	}
}

// ensureRoom returns room r, creating it with members (and telling them) if
// it does not exist yet.
func (s *Service) ensureRoom(ctx context.Context, w *wtx, v *view, r RoomRow, members []string) (protocol.Room, error) {
	existing, err := w.Room(ctx, r.ID)
	if err == nil {
		return v.room(ctx, existing)
	}
	if !errors.Is(err, ErrNoRow) {
		return protocol.Room{}, err
	}
	r.CreatedAt = w.now
	if err := w.InsertRoom(ctx, r, members); err != nil {
		return protocol.Room{}, err
	}
	room, err := v.room(ctx, r)
	if err != nil {
		return protocol.Room{}, err
	}
	return room, w.emit(ctx, protocol.EvRoomUpsert, room, members...)
}

func (s *Service) createGroup(ctx context.Context, w *wtx, v *view, me MemberRow, reqID string, req protocol.CreateRoom) (any, error) {
	if err := protocol.ValidateRoomTitle(req.Title); err != nil {
		return nil, err
	}
	title := strings.TrimSpace(req.Title)
	// Derived ids contain ':'; a group may not take one.
	if strings.Contains(reqID, ":") {
		return nil, protocol.Errorf(protocol.EInvalid, "a group room id cannot contain ':'")
	}
	others := unique(req.Members)
	for i, id := range others {
		if id == me.ID {
			others = append(others[:i], others[i+1:]...)
			break
		}
	}
	if len(others) == 0 {
		return nil, protocol.FieldError(protocol.EInvalid, "members", "a group room needs at least one other member").Because(protocol.REmpty)
	}
	if len(others)+1 > protocol.MaxGroupMembers {
		return nil, protocol.FieldError(protocol.ETooLarge, "members", "a group room has at most %d members", protocol.MaxGroupMembers).Because(protocol.RTooLong)
	}
	if _, err := w.Room(ctx, reqID); err == nil {
		return nil, protocol.Errorf(protocol.EConflict, "a room with this id already exists").Because(protocol.RExists)
	} else if !errors.Is(err, ErrNoRow) {
		return nil, err
	}
	members := append([]string{me.ID}, others...)
	if err := checkNoBlockAmong(ctx, w, members); err != nil {
		return nil, err
	}
	for _, id := range others {
		other, err := v.member(ctx, id)
		if err != nil {
			return nil, err
		}
		if !other.DisabledAt.IsZero() {
			return nil, errDeparted(other)
		}
		if other.WorkspaceID == me.WorkspaceID {
			continue
		}
		if err := v.checkExternalAllowed(ctx, me, other); err != nil {
			return nil, err
		}
		if ok, err := w.HasExternal(ctx, me.ID, other.ID); err != nil {
			return nil, err
		} else if !ok {
			return nil, protocol.Errorf(protocol.EForbidden, "%s is not one of your coworkers or external members", other.Name).Because(protocol.RNotContact)
		}
	}
	return s.ensureRoom(ctx, w, v, RoomRow{ID: reqID, Kind: protocol.RoomGroup, Title: title}, members)
}

// checkNoBlockAmong refuses (EBlocked) a set of room members that holds a
// blocker and a member they blocked. Every way of putting members in a room
// goes through it. The message names no one: the caller may be a third
// member, who must not learn who blocked whom.
func checkNoBlockAmong(ctx context.Context, tx Tx, members []string) error {
	b, err := tx.BlockAmong(ctx, members)
	if err != nil {
		return err
	}
	if b {
		return protocol.Errorf(protocol.EBlocked, "some of these members cannot be in a room together")
	}
	return nil
}

// sendMessage applies message.send; the message id is the request id.
// The caller must be in the room (ENotFound). A direct room with an external
// member needs, at the time of sending, no block (EBlocked), external chat
// allowed by both workspaces (EExternalOff) and an external relation either
// way (EForbidden); a closed room refuses (EForbidden). A group room with
// members of other workspaces needs external chat allowed by all of them.
// Sending in one's own self room creates it if needed.
func (s *Service) sendMessage(ctx context.Context, w *wtx, c Caller, reqID string, data json.RawMessage) (any, error) {
	var req protocol.SendMessage
	if err := decode(data, &req); err != nil {
		return nil, err
	}
	if e := protocol.ValidateMessageText(req.Text); e != nil {
		return nil, e
	}
	if req.RoomID == "" || len(req.RoomID) > maxRoomIDLen {
		return nil, protocol.FieldError(protocol.EInvalid, "room_id", "no such room").Because(protocol.RNoRoom)
	}
	v := newView(w)
	v.cache = &s.groupRooms
	me, err := v.member(ctx, c.MemberID)
	if err != nil {
		return nil, err
	}
	if used, err := w.MessageExists(ctx, reqID); err != nil {
		return nil, err
	} else if used {
		return nil, protocol.Errorf(protocol.EConflict, "a message with this id already exists").Because(protocol.RExists)
	}
	if req.RoomID == protocol.SelfRoomID(me.ID) {
		if _, err := s.ensureRoom(ctx, w, v, RoomRow{ID: req.RoomID, Kind: protocol.RoomSelf}, []string{me.ID}); err != nil {
			return nil, err
		}
	}
	room, members, err := v.roomOf(ctx, c, req.RoomID)
	if err != nil {
		return nil, err
	}
	if err := v.checkCanSend(ctx, me, room, members); err != nil {
		return nil, err
	}
	msg := protocol.Message{ID: reqID, RoomID: room.ID, SenderID: me.ID, Kind: protocol.MessageText, Text: req.Text, SentAt: w.now.UnixMilli()}
	return s.postMessage(ctx, w, msg, members)
}

// postMessage stores msg and sends it to the room's members.
func (s *Service) postMessage(ctx context.Context, w *wtx, msg protocol.Message, members []string) (protocol.Message, error) {
	seq, err := w.InsertMessage(ctx, msg)
	if err != nil {
		return msg, err
	}
	msg.Seq = seq
	return msg, w.emitRoom(ctx, protocol.EvMessageNew, msg, msg.RoomID, members)
}

// roomOf returns a room the caller is in and its member ids; ENotFound when
// there is no such room or the caller is not in it.
func (v *view) roomOf(ctx context.Context, c Caller, id string) (RoomRow, []string, error) {
	notFound := protocol.FieldError(protocol.ENotFound, "room_id", "no such room").Because(protocol.RNoRoom)
	r, err := v.tx.Room(ctx, id)
	if errors.Is(err, ErrNoRow) {
		return r, nil, notFound
	}
	if err != nil {
		return r, nil, err
	}
	members, err := v.tx.RoomMembers(ctx, id)
	if err != nil {
		return r, nil, err
	}
	for _, m := range members {
		if m == c.MemberID {
			return r, members, nil
		}
	}
	return r, nil, notFound
}

func (v *view) checkCanSend(ctx context.Context, me MemberRow, room RoomRow, members []string) error {
	switch room.Kind {
	case protocol.RoomSelf:
		if room.ID != protocol.SelfRoomID(me.ID) {
			return protocol.Errorf(protocol.EForbidden, "only its owner can write in this room").Because(protocol.RNotOwner)
		}
	case protocol.RoomDirect:
		for _, id := range members {
			if id == me.ID {
				continue
			}
			other, err := v.member(ctx, id)
			if err != nil {
				return err
			}
			if !other.DisabledAt.IsZero() {
				return errDeparted(other)
			}
			if other.WorkspaceID != me.WorkspaceID {
				if err := v.checkExternalChat(ctx, me, other); err != nil {
					return err
				}
			}
		}
		if room.Closed {
			return protocol.Errorf(protocol.EForbidden, "this chat is closed").Because(protocol.RRoomClosed)
		}
	case protocol.RoomGroup:
		wsIDs, err := v.groupWorkspaces(ctx, room.ID, members)
		if err != nil {
			return err
		}
		foreign := false
		for _, id := range wsIDs {
			foreign = foreign || id != me.WorkspaceID
		}
		if !foreign {
			return nil
		}
		for _, id := range append([]string{me.WorkspaceID}, wsIDs...) {
			w, err := v.workspace(ctx, id)
			if err != nil {
				return err
			}
			if !w.Settings.ExternalChat {
				if id == me.WorkspaceID {
					return protocol.Errorf(protocol.EExternalOff, "your workspace does not allow chatting with external members").Because(protocol.RMyWorkspace)
				}
				return protocol.Errorf(protocol.EExternalOff, "%s does not allow chatting with external members", w.Name).Because(protocol.RTheirWorkspace)
			}
		}
	}
	return nil
}

// groupWorkspaces returns the workspaces of a group room's members, from
// the service's cache when it can: neither a room's members nor a member's
// workspace ever change, and loading 1,000 members on every send was most of
// its cost.
func (v *view) groupWorkspaces(ctx context.Context, roomID string, members []string) ([]string, error) {
	if ids, ok := v.cache.get(roomID); ok {
		return ids, nil
	}
	ms, err := v.tx.Members(ctx, members)
	if err != nil {
		return nil, err
	}
	seen := make([]string, 0, 2)
	for _, m := range ms {
		seen = append(seen, m.WorkspaceID)
	}
	ids := unique(seen)
	v.cache.put(roomID, ids)
	return ids, nil
}

// messagesPage answers messages.page: older history of a room the caller is in.
func (s *Service) messagesPage(ctx context.Context, c Caller, data json.RawMessage) (any, error) {
	var req protocol.MessagesPageRequest
	if err := decode(data, &req); err != nil {
		return nil, err
	}
	if req.Limit < 0 || req.BeforeSeq < 0 {
		return nil, protocol.Errorf(protocol.EInvalid, "limit and before_seq cannot be negative")
	}
	if req.Limit == 0 {
		req.Limit = defaultPageLimit
	}
	req.Limit = min(req.Limit, protocol.MaxPageLimit)
	if req.RoomID == "" || len(req.RoomID) > maxRoomIDLen {
		return nil, protocol.FieldError(protocol.ENotFound, "room_id", "no such room").Because(protocol.RNoRoom)
	}
	list := protocol.MessageList{Messages: []protocol.Message{}}
	err := s.read(ctx, func(tx Tx) error {
		if _, _, err := newView(tx).roomOf(ctx, c, req.RoomID); err != nil {
			return err
		}
		msgs, err := tx.Messages(ctx, req.RoomID, req.BeforeSeq, req.Limit)
		if msgs != nil {
			list.Messages = msgs
		}
		return err
	})
	return list, err
}

// roomsInCommon answers rooms.common: the group rooms both the caller and
// the member are in. Only the caller's own rooms are looked at, and only
// for a member whose profile the caller may see (ENotFound otherwise).
func (s *Service) roomsInCommon(ctx context.Context, c Caller, data json.RawMessage) (any, error) {
	var ref protocol.MemberRef
	if err := decode(data, &ref); err != nil {
		return nil, err
	}
	if ref.MemberID == "" || len(ref.MemberID) > protocol.MaxIDLen {
		return nil, protocol.FieldError(protocol.EInvalid, "member_id", "no such member").Because(protocol.RNoMember)
	}
	list := protocol.RoomList{Rooms: []protocol.Room{}}
	err := s.read(ctx, func(tx Tx) error {
		v := newView(tx)
		// Refused as the profile is: a block either way looks like no member.
		if _, err := v.visibleMember(ctx, c, ref.MemberID); err != nil {
			return err
		}
		mine, err := tx.MemberRooms(ctx, c.MemberID)
		if err != nil {
			return err
		}
		for _, r := range mine {
			if r.Kind != protocol.RoomGroup {
				continue
			}
			in, err := tx.IsRoomMember(ctx, r.ID, ref.MemberID)
			if err != nil {
				return err
			}
			if !in {
				continue
			}
			room, err := v.room(ctx, r)
			if err != nil {
				return err
			}
			list.Rooms = append(list.Rooms, room)
		}
		return nil
	})
	return list, err
}
