package service

import (
	"context"
	"encoding/json"

	"worktalk.dev/worktalk/protocol"
)

// markRead applies room.read: my read mark in a room moves forward to the
// given message seq, never past the room's newest message and never back.
// A move is sent to all my devices as room.read with the unread count
// after the mark; a mark that does not move answers the current one and
// sends nothing. The caller must be in the room (ENotFound).
func (s *Service) markRead(ctx context.Context, w *wtx, c Caller, _ string, data json.RawMessage) (any, error) {
	var req protocol.ReadMark
	if err := decode(data, &req); err != nil {
		return nil, err
	}
	if req.RoomID == "" || len(req.RoomID) > maxRoomIDLen {
		return nil, protocol.FieldError(protocol.ENotFound, "room_id", "no such room").Because(protocol.RNoRoom)
	}
	if req.Seq < 0 {
		return nil, protocol.FieldError(protocol.EInvalid, "seq", "seq cannot be negative")
	}
	if _, _, err := newView(w).roomOf(ctx, c, req.RoomID); err != nil {
		return nil, err
	}
	cur, err := w.ReadMark(ctx, c.MemberID, req.RoomID)
	if err != nil {
		return nil, err
	}
	last, err := w.LastMessageSeq(ctx, req.RoomID)
	if err != nil {
		return nil, err
	}
	seq := min(req.Seq, last)
	if seq <= cur {
		n, err := w.CountUnread(ctx, req.RoomID, cur, c.MemberID)
		return protocol.ReadMark{RoomID: req.RoomID, Seq: cur, Unread: n}, err
	}
	if err := w.SetReadMark(ctx, c.MemberID, req.RoomID, seq); err != nil {
		return nil, err
	}
	n, err := w.CountUnread(ctx, req.RoomID, seq, c.MemberID)
	if err != nil {
		return nil, err
	}
	mark := protocol.ReadMark{RoomID: req.RoomID, Seq: seq, Unread: n}
	return mark, w.emit(ctx, protocol.EvRoomRead, mark, c.MemberID)
}

// recountShared sends my devices the unread count of every room I share
// with other: blocking or unblocking them changes what counts, since what
// a member I block sends is never unread for me.
func recountShared(ctx context.Context, w *wtx, me, other string) error {
	rooms, err := w.MemberRooms(ctx, me)
	if err != nil {
		return err
	}
	for _, r := range rooms {
		if in, err := w.IsRoomMember(ctx, r.ID, other); err != nil || !in {
			if err != nil {
				return err
			}
			continue
		}
		seq, err := w.ReadMark(ctx, me, r.ID)
		if err != nil {
			return err
		}
		n, err := w.CountUnread(ctx, r.ID, seq, me)
		if err != nil {
			return err
		}
		if err := w.emit(ctx, protocol.EvRoomRead, protocol.ReadMark{RoomID: r.ID, Seq: seq, Unread: n}, me); err != nil {
			return err
		}
	}
	return nil
}

// readMarks returns the snapshot's read marks: every room of rooms that
// has a mark or unread messages, counted as of the snapshot.
func readMarks(ctx context.Context, tx Tx, me string, rooms []RoomRow) ([]protocol.ReadMark, error) {
	marks, err := tx.ReadMarks(ctx, me)
	if err != nil {
		return nil, err
	}
	var out []protocol.ReadMark
	for _, r := range rooms {
		seq := marks[r.ID]
		n, err := tx.CountUnread(ctx, r.ID, seq, me)
		if err != nil {
			return nil, err
		}
		if seq > 0 || n > 0 {
			out = append(out, protocol.ReadMark{RoomID: r.ID, Seq: seq, Unread: n})
		}
	}
	return out, nil
}
