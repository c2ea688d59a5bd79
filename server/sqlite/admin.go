package sqlite

import (
	"context"
	"fmt"
	"time"

	"worktalk.dev/worktalk/server/service"
)

func (t *Tx) InsertActivation(ctx context.Context, a service.ActivationRow) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO activations (token_hash, member_id, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?)`,
		a.TokenHash, a.MemberID, ms(a.CreatedAt), ms(a.ExpiresAt), ms(a.UsedAt))
	if err != nil {
		return fmt.Errorf("insert activation: %w", err)
	}
	return nil
}

func (t *Tx) ActivationByTokenHash(ctx context.Context, hash string) (service.ActivationRow, error) {
	a := service.ActivationRow{TokenHash: hash}
	var created, expires, used int64
	err := t.tx.QueryRowContext(ctx, `SELECT member_id, created_at, expires_at, used_at FROM activations WHERE token_hash = ?`, hash).
		Scan(&a.MemberID, &created, &expires, &used)
	a.CreatedAt, a.ExpiresAt, a.UsedAt = fromMS(created), fromMS(expires), fromMS(used)
	return a, noRow(err)
}

// UseActivation is a conditional update, so of two concurrent uses exactly
// one sees a changed row.
func (t *Tx) UseActivation(ctx context.Context, tokenHash string, at time.Time) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE activations SET used_at = ? WHERE token_hash = ? AND used_at = 0`, ms(at), tokenHash)
	if err != nil {
		return false, fmt.Errorf("use activation: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *Tx) InsertAudit(ctx context.Context, a service.AuditRow) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO audit (at, actor, action, workspace_id, target, detail) VALUES (?, ?, ?, ?, ?, ?)`,
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
	rows, err := t.tx.QueryContext(ctx, `SELECT seq, at, actor, action, workspace_id, target, detail FROM audit
		WHERE seq < ? AND (? = '' OR workspace_id = ?) ORDER BY seq DESC LIMIT ?`, before, workspaceID, workspaceID, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []service.AuditRow
	for rows.Next() {
		var a service.AuditRow
		var at int64
		if err := rows.Scan(&a.Seq, &at, &a.Actor, &a.Action, &a.WorkspaceID, &a.Target, &a.Detail); err != nil {
			return nil, err
		}
		a.At = fromMS(at)
		out = append(out, a)
	}
	return out, rows.Err()
}
