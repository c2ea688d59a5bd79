package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"worktalk.dev/worktalk/protocol"
)

// The reads table holds my read mark per room and the room's unread count
// as the server last told it (a snapshot, a room.read event, or the answer
// to my own room.read), plus one for every message.new from someone else
// after the mark applied since. Events arrive in seq order, so the count
// stays exact without the room's history.

// readMark stores a mark the server sent. With newer set it is stored only
// when it is ahead of the stored one (an answer to my own room.read, which
// may come after the event it caused); otherwise when not behind (events
// and snapshots, which are in order).
func (a *applier) readMark(m protocol.ReadMark, newer bool) error {
	cond := "excluded.seq >= reads.seq"
	if newer {
		cond = "excluded.seq > reads.seq"
	}
	_, err := a.tx.ExecContext(a.ctx, `INSERT INTO reads(room_id, seq, unread) VALUES(?, ?, ?)
ON CONFLICT(room_id) DO UPDATE SET seq = excluded.seq, unread = excluded.unread WHERE `+cond,
		m.RoomID, m.Seq, max(m.Unread, 0))
	a.ch.Reads = true
	return err
}

// newMessage stores a message.new and counts it as unread when it is new
// here, after my mark, not mine and not from a member I block.
func (a *applier) newMessage(m protocol.Message) error {
	lookup, err := a.stmt("SELECT pending FROM messages WHERE id = ?")
	if err != nil {
		return err
	}
	var pending bool
	err = lookup.QueryRowContext(a.ctx, m.ID).Scan(&pending)
	known := err == nil && !pending
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err := a.message(m); err != nil {
		return err
	}
	if known || m.Seq <= 0 || Mine(m, a.me.ID) {
		return nil
	}
	// Nor does what a member I block sends (in a group we still share).
	count, err := a.stmt(`INSERT INTO reads(room_id, seq, unread)
SELECT ?1, 0, 1 WHERE NOT EXISTS (SELECT 1 FROM blocked WHERE id = ?3)
ON CONFLICT(room_id) DO UPDATE SET unread = reads.unread + 1 WHERE reads.seq < ?2`)
	if err != nil {
		return err
	}
	_, err = count.ExecContext(a.ctx, m.RoomID, m.Seq, m.SenderID)
	a.ch.Reads = true
	return err
}

// Mine reports whether I wrote m (from any device), or am the actor of a
// system message: those never count as unread.
func Mine(m protocol.Message, me string) bool {
	return me != "" && (m.SenderID == me || m.ActorID == me)
}

// ReadMarks returns the stored read mark of every room that has one.
func (d *DB) ReadMarks(ctx context.Context) (map[string]protocol.ReadMark, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT room_id, seq, unread FROM reads")
	if err != nil {
		return nil, fmt.Errorf("read marks: %w", err)
	}
	defer rows.Close()
	out := map[string]protocol.ReadMark{}
	for rows.Next() {
		var m protocol.ReadMark
		if err := rows.Scan(&m.RoomID, &m.Seq, &m.Unread); err != nil {
			return nil, fmt.Errorf("read marks: %w", err)
		}
		out[m.RoomID] = m
	}
	return out, rows.Err()
}

// NewestSeq is the seq of the newest acknowledged message of a room that is
// stored here; 0 when none.
func (d *DB) NewestSeq(ctx context.Context, roomID string) (int64, error) {
	var seq sql.NullInt64
	err := d.db.QueryRowContext(ctx, "SELECT max(seq) FROM messages WHERE room_id = ? AND pending = 0", roomID).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("read newest message: %w", err)
	}
	return seq.Int64, nil
}

// CountUnreadAfter counts the stored acknowledged messages of a room after
// seq that someone else, not a member I block, wrote. Messages after a mark
// I just made arrived live, so they are all stored: the count is exact.
func (d *DB) CountUnreadAfter(ctx context.Context, roomID string, seq int64, me string) (int, error) {
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM messages
WHERE room_id = ?1 AND pending = 0 AND seq > ?2
	AND coalesce(json_extract(data, '$.sender_id'), '') != ?3
	AND coalesce(json_extract(data, '$.actor_id'), '') != ?3
	AND coalesce(json_extract(data, '$.sender_id'), '') NOT IN (SELECT id FROM blocked)`, roomID, seq, me).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unread: %w", err)
	}
	return n, nil
}
