package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"worktalk.dev/worktalk/server/service"
)

func (t *Tx) InsertExternal(ctx context.Context, owner, member string, at time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO externals (owner_id, member_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, owner, member, ms(at))
	if err != nil {
		return fmt.Errorf("insert external: %w", err)
	}
	return nil
}

func (t *Tx) DeleteExternal(ctx context.Context, owner, member string) (bool, error) {
	return t.deleted(ctx, `DELETE FROM externals WHERE owner_id = ? AND member_id = ?`, owner, member)
}

func (t *Tx) deleted(ctx context.Context, q string, args ...any) (bool, error) {
	res, err := t.tx.ExecContext(ctx, q, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (t *Tx) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var one int
	err := t.tx.QueryRowContext(ctx, `SELECT EXISTS (`+q+`)`, args...).Scan(&one)
	return one == 1, err
}

func (t *Tx) HasExternal(ctx context.Context, owner, member string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM externals WHERE owner_id = ? AND member_id = ?`, owner, member)
}

func (t *Tx) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *Tx) Externals(ctx context.Context, owner string) ([]string, error) {
	return t.strings(ctx, `SELECT member_id FROM externals WHERE owner_id = ? ORDER BY created_at, member_id`, owner)
}

func (t *Tx) ExternalOwners(ctx context.Context, member string) ([]string, error) {
	return t.strings(ctx, `SELECT owner_id FROM externals WHERE member_id = ? ORDER BY created_at, owner_id`, member)
}

func (t *Tx) InsertBlock(ctx context.Context, blocker, blocked string, at time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, blocker, blocked, ms(at))
	if err != nil {
		return fmt.Errorf("insert block: %w", err)
	}
	return nil
}

func (t *Tx) DeleteBlock(ctx context.Context, blocker, blocked string) (bool, error) {
	return t.deleted(ctx, `DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?`, blocker, blocked)
}

func (t *Tx) Block(ctx context.Context, blocker, blocked string) (service.BlockRow, error) {
	b := service.BlockRow{Blocker: blocker, Blocked: blocked}
	var at int64
	err := t.tx.QueryRowContext(ctx, `SELECT created_at FROM blocks WHERE blocker_id = ? AND blocked_id = ?`, blocker, blocked).Scan(&at)
	b.CreatedAt = fromMS(at)
	return b, noRow(err)
}

func (t *Tx) Blocks(ctx context.Context, blocker string) ([]service.BlockRow, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT blocked_id, created_at FROM blocks WHERE blocker_id = ? ORDER BY created_at, blocked_id`, blocker)
	if err != nil {
		return nil, fmt.Errorf("list blocks: %w", err)
	}
	defer rows.Close()
	var out []service.BlockRow
	for rows.Next() {
		b := service.BlockRow{Blocker: blocker}
		var at int64
		if err := rows.Scan(&b.Blocked, &at); err != nil {
			return nil, err
		}
		b.CreatedAt = fromMS(at)
		out = append(out, b)
	}
	return out, rows.Err()
}

func (t *Tx) BlockAmong(ctx context.Context, ids []string) (bool, error) {
	if len(ids) < 2 {
		return false, nil
	}
	set, err := json.Marshal(ids)
	if err != nil {
		return false, err
	}
	return t.exists(ctx, `SELECT 1 FROM blocks WHERE blocker_id IN (SELECT value FROM json_each(?1))
		AND blocked_id IN (SELECT value FROM json_each(?1))`, string(set))
}
