package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"worktalk.dev/worktalk/protocol"
)

// Effect is the part of a mutation's local effect that lives in tables; the
// rest is derived from the outbox entry itself.
type Effect struct {
	Message *protocol.Message // a pending message (its id is the entry id)
	Picture []byte            // a pending profile picture, kept as LocalPictureID(entry id)
}

// LocalPictureID is the id a pending picture is cached under until the
// server names it.
func LocalPictureID(entryID string) string { return "local:" + entryID }

// Enqueue adds an outbox entry and its local effect in one transaction and
// returns the entry with its position.
func (d *DB) Enqueue(ctx context.Context, e Entry, eff Effect) (Entry, Changes, error) {
	var ch Changes
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO outbox(id, op, body, created) VALUES(?, ?, ?, ?)", e.ID, e.Op, string(e.Body), e.Created.UnixMilli())
		if err != nil {
			return fmt.Errorf("enqueue %s: %w", e.Op, err)
		}
		if e.N, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("enqueue %s: %w", e.Op, err)
		}
		ch.Outbox = true
		if m := eff.Message; m != nil {
			data, err := json.Marshal(m)
			if err != nil {
				return fmt.Errorf("encode message: %w", err)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO messages(id, room_id, key, seq, pending, data) VALUES(?, ?, ?, 0, 1, ?)", m.ID, m.RoomID, PendingKeyBase+e.N, data); err != nil {
				return fmt.Errorf("write pending message: %w", err)
			}
			ch.room(m.RoomID)
		}
		if eff.Picture != nil {
			if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO pictures(id, data, fetched) VALUES(?, ?, ?)", LocalPictureID(e.ID), eff.Picture, e.Created.UnixMilli()); err != nil {
				return fmt.Errorf("write pending picture: %w", err)
			}
		}
		return nil
	})
	return e, ch, err
}

// Outbox returns every entry, oldest first.
func (d *DB) Outbox(ctx context.Context) ([]Entry, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT n, id, op, body, created, attempts FROM outbox ORDER BY n")
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var body string
		var created int64
		if err := rows.Scan(&e.N, &e.ID, &e.Op, &body, &created, &e.Attempts); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		e.Body = json.RawMessage(body)
		e.Created = time.UnixMilli(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountAttempt records one more send of an entry.
func (d *DB) CountAttempt(ctx context.Context, id string) error {
	_, err := d.db.ExecContext(ctx, "UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("count attempt: %w", err)
	}
	return nil
}

// Refuse rolls back a refused mutation: its entry and local effect go, and
// the server's reason becomes a notice, in one transaction.
func (d *DB) Refuse(ctx context.Context, e Entry, n Notice) (Changes, error) {
	var ch Changes
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		if err := dropEntry(ctx, tx, e, &ch); err != nil {
			return err
		}
		if err := insertNotice(ctx, tx, n); err != nil {
			return err
		}
		ch.Notices = true
		return nil
	})
	return ch, err
}

// Drop deletes a refused entry and its local effect without a notice.
func (d *DB) Drop(ctx context.Context, e Entry) (Changes, error) {
	var ch Changes
	err := d.inTx(ctx, func(tx *sql.Tx) error { return dropEntry(ctx, tx, e, &ch) })
	return ch, err
}

// dropEntry deletes an entry and whatever local effect it still has.
func dropEntry(ctx context.Context, tx *sql.Tx, e Entry, ch *Changes) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE id = ?", e.ID); err != nil {
		return fmt.Errorf("delete outbox entry: %w", err)
	}
	ch.Outbox = true
	var room string
	err := tx.QueryRowContext(ctx, "DELETE FROM messages WHERE id = ? AND pending = 1 RETURNING room_id", e.ID).Scan(&room)
	switch {
	case err == nil:
		ch.room(room)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("delete pending message: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM pictures WHERE id = ?", LocalPictureID(e.ID)); err != nil {
		return fmt.Errorf("delete pending picture: %w", err)
	}
	return nil
}

func insertNotice(ctx context.Context, tx *sql.Tx, n Notice) error {
	_, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO notices(id, op, code, reason, text, at) VALUES(?, ?, ?, ?, ?, ?)", n.ID, n.Op, n.Code, n.Reason, n.Text, n.At.UnixMilli())
	if err != nil {
		return fmt.Errorf("write notice: %w", err)
	}
	return nil
}

// AddNotice stores a notice for the user.
func (d *DB) AddNotice(ctx context.Context, n Notice) error {
	return d.inTx(ctx, func(tx *sql.Tx) error { return insertNotice(ctx, tx, n) })
}

// DeleteNotice removes a notice the user has seen.
func (d *DB) DeleteNotice(ctx context.Context, id string) error {
	_, err := d.db.ExecContext(ctx, "DELETE FROM notices WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("delete notice: %w", err)
	}
	return nil
}

// Notices returns the stored notices, oldest first.
func (d *DB) Notices(ctx context.Context) ([]Notice, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT id, op, code, reason, text, at FROM notices ORDER BY n")
	if err != nil {
		return nil, fmt.Errorf("read notices: %w", err)
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		var n Notice
		var at int64
		if err := rows.Scan(&n.ID, &n.Op, &n.Code, &n.Reason, &n.Text, &at); err != nil {
			return nil, fmt.Errorf("read notices: %w", err)
		}
		n.At = time.UnixMilli(at)
		out = append(out, n)
	}
	return out, rows.Err()
}
