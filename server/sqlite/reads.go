package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

func (t *Tx) LastMessageSeq(ctx context.Context, roomID string) (int64, error) {
	var seq int64
	err := t.tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM messages WHERE room_id = ?`, roomID).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("last message: %w", err)
	}
	return seq, nil
}

func (t *Tx) ReadMark(ctx context.Context, memberID, roomID string) (int64, error) {
	var seq int64
	err := t.tx.QueryRowContext(ctx, `SELECT seq FROM read_marks WHERE member_id = ? AND room_id = ?`, memberID, roomID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read mark: %w", err)
	}
	return seq, nil
}

func (t *Tx) SetReadMark(ctx context.Context, memberID, roomID string, seq int64) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO read_marks (member_id, room_id, seq) VALUES (?, ?, ?)
		ON CONFLICT (member_id, room_id) DO UPDATE SET seq = excluded.seq`, memberID, roomID, seq)
	if err != nil {
		return fmt.Errorf("set read mark: %w", err)
	}
	return nil
}

func (t *Tx) ReadMarks(ctx context.Context, memberID string) (map[string]int64, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT room_id, seq FROM read_marks WHERE member_id = ?`, memberID)
	if err != nil {
		return nil, fmt.Errorf("read marks: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var room string
		var seq int64
		if err := rows.Scan(&room, &seq); err != nil {
			return nil, fmt.Errorf("read marks: %w", err)
		}
		out[room] = seq
	}
	return out, rows.Err()
}

func (t *Tx) CountUnread(ctx context.Context, roomID string, after int64, memberID string) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM messages
		WHERE room_id = ?1 AND seq > ?2 AND sender_id != ?3 AND actor_id != ?3
			AND sender_id NOT IN (SELECT blocked_id FROM blocks WHERE blocker_id = ?3)`, roomID, after, memberID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unread: %w", err)
	}
	return n, nil
}
