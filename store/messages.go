package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"worktalk.dev/worktalk/protocol"
)

// Messages returns up to limit messages of a room whose key is below
// beforeKey (0: the newest page), oldest first.
func (d *DB) Messages(ctx context.Context, roomID string, beforeKey int64, limit int) ([]Message, error) {
	if limit <= 0 {
		limit = 50
	}
	if beforeKey <= 0 {
		beforeKey = 1<<63 - 1
	}
	rows, err := d.db.QueryContext(ctx, "SELECT key, pending, data FROM messages WHERE room_id = ? AND key < ? ORDER BY key DESC LIMIT ?", roomID, beforeKey, limit)
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read messages: %w", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanMessage(s scanner) (Message, error) {
	var m Message
	var data []byte
	if err := s.Scan(&m.Key, &m.Pending, &data); err != nil {
		return m, fmt.Errorf("read message: %w", err)
	}
	if err := json.Unmarshal(data, &m.Message); err != nil {
		return m, fmt.Errorf("decode message: %w", err)
	}
	return m, nil
}

// LastMessage returns the newest message of a room.
func (d *DB) LastMessage(ctx context.Context, roomID string) (Message, bool, error) {
	row := d.db.QueryRowContext(ctx, "SELECT key, pending, data FROM messages WHERE room_id = ? ORDER BY key DESC LIMIT 1", roomID)
	m, err := scanMessage(row)
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	return m, true, nil
}

// MessageCount returns the number of stored messages of a room.
func (d *DB) MessageCount(ctx context.Context, roomID string) (int, error) {
	var n int
	err := d.db.QueryRowContext(ctx, "SELECT count(*) FROM messages WHERE room_id = ?", roomID).Scan(&n)
	return n, err
}

// OldestSeq returns the smallest server seq stored for a room (0: none).
func (d *DB) OldestSeq(ctx context.Context, roomID string) (int64, error) {
	var seq sql.NullInt64
	err := d.db.QueryRowContext(ctx, "SELECT min(seq) FROM messages WHERE room_id = ? AND pending = 0", roomID).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("read oldest message: %w", err)
	}
	return seq.Int64, nil
}

// PutMessages stores acknowledged messages fetched as history. The cursor
// does not move: history is not part of the event stream.
func (d *DB) PutMessages(ctx context.Context, ms []protocol.Message) (Changes, error) {
	var ch Changes
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		a := &applier{ctx: ctx, tx: tx}
		defer a.close()
		for _, m := range ms {
			if err := a.message(m); err != nil {
				return fmt.Errorf("write message: %w", err)
			}
		}
		ch = a.ch
		return nil
	})
	return ch, err
}
