package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"worktalk.dev/worktalk/server/service"
)

func (t *Tx) InsertExternal(ctx context.Context, owner, member string, at time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO externals (owner_id, member_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, owner, member, ms(at))
	if err != nil {
		return fmt.Errorf("insert external: %w", err)
	}
	return nil
}

func (t *Tx) DeleteExternal(ctx context.Context, owner, member string) (bool, error) {
	return t.deleted(ctx, `DELETE FROM externals WHERE owner_id = $1 AND member_id = $2`, owner, member)
}

func (t *Tx) deleted(ctx context.Context, q string, args ...any) (bool, error) {
	tag, err := t.tx.Exec(ctx, q, args...)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() > 0, nil
}

func (t *Tx) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (`+q+`)`, args...).Scan(&ok)
	return ok, err
}

func (t *Tx) HasExternal(ctx context.Context, owner, member string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM externals WHERE owner_id = $1 AND member_id = $2`, owner, member)
}

// strings returns the first column of every row; nil for no rows.
func (t *Tx) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := t.tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r pgx.Row) (string, error) {
		var s string
		err := r.Scan(&s)
		return s, err
	})
}

func (t *Tx) Externals(ctx context.Context, owner string) ([]string, error) {
	return t.strings(ctx, `SELECT member_id FROM externals WHERE owner_id = $1 ORDER BY created_at, member_id`, owner)
}

func (t *Tx) ExternalOwners(ctx context.Context, member string) ([]string, error) {
	return t.strings(ctx, `SELECT owner_id FROM externals WHERE member_id = $1 ORDER BY created_at, owner_id`, member)
}

func (t *Tx) InsertBlock(ctx context.Context, blocker, blocked string, at time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, blocker, blocked, ms(at))
	if err != nil {
		return fmt.Errorf("insert block: %w", err)
	}
	return nil
}

func (t *Tx) DeleteBlock(ctx context.Context, blocker, blocked string) (bool, error) {
	return t.deleted(ctx, `DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2`, blocker, blocked)
}

func (t *Tx) Block(ctx context.Context, blocker, blocked string) (service.BlockRow, error) {
	b := service.BlockRow{Blocker: blocker, Blocked: blocked}
	var at int64
	err := t.tx.QueryRow(ctx, `SELECT created_at FROM blocks WHERE blocker_id = $1 AND blocked_id = $2`, blocker, blocked).Scan(&at)
	b.CreatedAt = fromMS(at)
	return b, noRow(err)
}

func (t *Tx) Blocks(ctx context.Context, blocker string) ([]service.BlockRow, error) {
	rows, err := t.tx.Query(ctx, `SELECT blocked_id, created_at FROM blocks WHERE blocker_id = $1 ORDER BY created_at, blocked_id`, blocker)
	if err != nil {
		return nil, fmt.Errorf("list blocks: %w", err)
	}
	return collect(rows, func(r pgx.Row) (service.BlockRow, error) {
		b := service.BlockRow{Blocker: blocker}
		var at int64
		err := r.Scan(&b.Blocked, &at)
		b.CreatedAt = fromMS(at)
		return b, err
	})
}

func (t *Tx) BlockAmong(ctx context.Context, ids []string) (bool, error) {
	if len(ids) < 2 {
		return false, nil
	}
	return t.exists(ctx, `SELECT 1 FROM blocks WHERE blocker_id = ANY($1) AND blocked_id = ANY($1)`, ids)
}
