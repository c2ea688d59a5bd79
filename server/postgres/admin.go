package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"worktalk.dev/worktalk/server/service"
)

func (t *Tx) InsertActivation(ctx context.Context, a service.ActivationRow) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO activations (token_hash, member_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5)`,
		a.TokenHash, a.MemberID, ms(a.CreatedAt), ms(a.ExpiresAt), ms(a.UsedAt))
	if err != nil {
		return fmt.Errorf("insert activation: %w", err)
	}
	return nil
}

func (t *Tx) ActivationByTokenHash(ctx context.Context, hash string) (service.ActivationRow, error) {
	a := service.ActivationRow{TokenHash: hash}
	var created, expires, used int64
	err := t.tx.QueryRow(ctx, `SELECT member_id, created_at, expires_at, used_at FROM activations WHERE token_hash = $1`, hash).
		Scan(&a.MemberID, &created, &expires, &used)
	a.CreatedAt, a.ExpiresAt, a.UsedAt = fromMS(created), fromMS(expires), fromMS(used)
	return a, noRow(err)
}

// UseActivation is a conditional update under the write lock, so of two
// concurrent uses exactly one sees a changed row.
func (t *Tx) UseActivation(ctx context.Context, tokenHash string, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `UPDATE activations SET used_at = $1 WHERE token_hash = $2 AND used_at = 0`, ms(at), tokenHash)
	if err != nil {
		return false, fmt.Errorf("use activation: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

func (t *Tx) InsertAudit(ctx context.Context, a service.AuditRow) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO audit (at, actor, action, workspace_id, target, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		ms(a.At), a.Actor, a.Action, a.WorkspaceID, a.Target, a.Detail)
	if err != nil {
		return fmt.Errorf("insert audit: %w", err)
	}
	return nil
}

func (t *Tx) AuditLog(ctx context.Context, workspaceID string, before int64, limit int) ([]service.AuditRow, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := t.tx.Query(ctx, `SELECT seq, at, actor, action, workspace_id, target, detail FROM audit
		WHERE seq < $1 AND ($2 = '' OR workspace_id = $2) ORDER BY seq DESC LIMIT $3`, before, workspaceID, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return collect(rows, func(r pgx.Row) (service.AuditRow, error) {
		var a service.AuditRow
		var at int64
		err := r.Scan(&a.Seq, &at, &a.Actor, &a.Action, &a.WorkspaceID, &a.Target, &a.Detail)
		a.At = fromMS(at)
		return a, err
	})
}
