package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func (t *Tx) InsertSession(ctx context.Context, s service.SessionRow) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO sessions (id, token_hash, member_id, device, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		s.ID, s.TokenHash, s.MemberID, s.Device, ms(s.CreatedAt), ms(s.RevokedAt))
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

func (t *Tx) SessionByTokenHash(ctx context.Context, hash string) (service.SessionRow, error) {
	var s service.SessionRow
	var created, revoked int64
	err := t.tx.QueryRow(ctx, `SELECT id, token_hash, member_id, device, created_at, revoked_at FROM sessions WHERE token_hash = $1`, hash).
		Scan(&s.ID, &s.TokenHash, &s.MemberID, &s.Device, &created, &revoked)
	if err != nil {
		return s, noRow(err)
	}
	s.CreatedAt, s.RevokedAt = fromMS(created), fromMS(revoked)
	return s, nil
}

func (t *Tx) RevokeSession(ctx context.Context, id string, at time.Time) error {
	return mustAffect(t.tx.Exec(ctx, `UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at = 0`, ms(at), id))
}

func (t *Tx) RevokeMemberSessions(ctx context.Context, memberID string, at time.Time) ([]string, error) {
	rows, err := t.tx.Query(ctx, `UPDATE sessions SET revoked_at = $1 WHERE member_id = $2 AND revoked_at = 0 RETURNING id`, ms(at), memberID)
	if err != nil {
		return nil, fmt.Errorf("revoke sessions: %w", err)
	}
	return collect(rows, func(r pgx.Row) (string, error) {
		var id string
		err := r.Scan(&id)
		return id, err
	})
}

func (t *Tx) InsertLink(ctx context.Context, l service.LinkRow) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO links (id, token_hash, member_id, kind, expires_at, sealed, created_at, used_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		l.ID, l.TokenHash, l.MemberID, string(l.Kind), ms(l.ExpiresAt), l.Sealed, ms(l.CreatedAt), ms(l.UsedAt), ms(l.RevokedAt))
	if err != nil {
		return fmt.Errorf("insert link: %w", err)
	}
	return nil
}

const linkCols = `id, token_hash, member_id, kind, expires_at, sealed, created_at, used_at, revoked_at`

func scanLink(sc pgx.Row) (service.LinkRow, error) {
	var l service.LinkRow
	var kind string
	var expires, created, used, revoked int64
	if err := sc.Scan(&l.ID, &l.TokenHash, &l.MemberID, &kind, &expires, &l.Sealed, &created, &used, &revoked); err != nil {
		return l, noRow(err)
	}
	l.Kind = protocol.LinkKind(kind)
	l.ExpiresAt, l.CreatedAt, l.UsedAt, l.RevokedAt = fromMS(expires), fromMS(created), fromMS(used), fromMS(revoked)
	return l, nil
}

func (t *Tx) LinkByTokenHash(ctx context.Context, hash string) (service.LinkRow, error) {
	return scanLink(t.tx.QueryRow(ctx, `SELECT `+linkCols+` FROM links WHERE token_hash = $1`, hash))
}

func (t *Tx) ActiveQRLink(ctx context.Context, memberID string) (service.LinkRow, error) {
	return scanLink(t.tx.QueryRow(ctx, `SELECT `+linkCols+` FROM links
		WHERE member_id = $1 AND kind = 'qr' AND revoked_at = 0 ORDER BY created_at DESC LIMIT 1`, memberID))
}

func (t *Tx) RevokeQRLinks(ctx context.Context, memberID string, at time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE links SET revoked_at = $1, sealed = NULL WHERE member_id = $2 AND kind = 'qr' AND revoked_at = 0`, ms(at), memberID)
	if err != nil {
		return fmt.Errorf("revoke qr links: %w", err)
	}
	return nil
}

// UseLink is a conditional update. Writes are serialized by the write lock,
// and even without it PostgreSQL re-checks the WHERE clause after waiting
// for a concurrent update of the row, so of two redemptions on any nodes
func (t *Tx) RevokeMemberLinks(ctx context.Context, memberID string, at time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE links SET revoked_at = $1, sealed = NULL WHERE member_id = $2 AND revoked_at = 0`, ms(at), memberID)
	if err != nil {
		return fmt.Errorf("revoke links: %w", err)
	}
	return nil
}

// exactly one sees a changed row.
func (t *Tx) UseLink(ctx context.Context, id string, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `UPDATE links SET used_at = $1 WHERE id = $2 AND used_at = 0 AND revoked_at = 0`, ms(at), id)
	if err != nil {
		return false, fmt.Errorf("use link: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

func (t *Tx) LiveOnceLinks(ctx context.Context, memberID string, now time.Time, limit int) ([]service.LinkRow, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+linkCols+` FROM links
		WHERE member_id = $1 AND kind = 'once' AND used_at = 0 AND revoked_at = 0 AND expires_at > $2
		ORDER BY created_at DESC, id LIMIT $3`, memberID, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list live links: %w", err)
	}
	defer rows.Close()
	var out []service.LinkRow
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (t *Tx) RevokeOnceLink(ctx context.Context, memberID, id string, at time.Time) error {
	return mustAffect(t.tx.Exec(ctx, `UPDATE links SET revoked_at = CASE revoked_at WHEN 0 THEN $1 ELSE revoked_at END
		WHERE id = $2 AND member_id = $3 AND kind = 'once'`, ms(at), id, memberID))
}

func (t *Tx) RevokeOnceLinks(ctx context.Context, memberID string, at time.Time) error {
	_, err := t.tx.Exec(ctx, `UPDATE links SET revoked_at = $1 WHERE member_id = $2 AND kind = 'once' AND used_at = 0 AND revoked_at = 0`, ms(at), memberID)
	if err != nil {
		return fmt.Errorf("revoke one-time links: %w", err)
	}
	return nil
}

func (t *Tx) ServerKey(ctx context.Context, name string) ([]byte, error) {
	var k []byte
	err := t.tx.QueryRow(ctx, `SELECT key FROM server_keys WHERE name = $1`, name).Scan(&k)
	return k, noRow(err)
}

func (t *Tx) InsertServerKey(ctx context.Context, name string, key []byte) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO server_keys (name, key) VALUES ($1, $2)`, name, key)
	if err != nil {
		return fmt.Errorf("insert server key: %w", err)
	}
	return nil
}

func (t *Tx) DeleteServerKey(ctx context.Context, name string) error {
	_, err := t.tx.Exec(ctx, `DELETE FROM server_keys WHERE name = $1`, name)
	if err != nil {
		return fmt.Errorf("delete server key: %w", err)
	}
	return nil
}

func (t *Tx) SealedValues(ctx context.Context) ([]service.SealedValue, error) {
	rows, err := t.tx.Query(ctx, `SELECT id, '', '', sealed FROM links WHERE sealed IS NOT NULL AND revoked_at = 0
		UNION ALL SELECT '', member_id, id, result FROM mutations WHERE sealed AND result IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("list sealed values: %w", err)
	}
	return collect(rows, func(r pgx.Row) (service.SealedValue, error) {
		var v service.SealedValue
		err := r.Scan(&v.LinkID, &v.MemberID, &v.ID, &v.Data)
		return v, err
	})
}

func (t *Tx) UpdateSealedValue(ctx context.Context, v service.SealedValue, at time.Time) error {
	var err error
	switch {
	case v.LinkID != "" && v.Data == nil:
		_, err = t.tx.Exec(ctx, `UPDATE links SET sealed = NULL, revoked_at = $1 WHERE id = $2`, ms(at), v.LinkID)
	case v.LinkID != "":
		_, err = t.tx.Exec(ctx, `UPDATE links SET sealed = $1 WHERE id = $2`, v.Data, v.LinkID)
	case v.Data == nil:
		_, err = t.tx.Exec(ctx, `DELETE FROM mutations WHERE member_id = $1 AND id = $2`, v.MemberID, v.ID)
	default:
		_, err = t.tx.Exec(ctx, `UPDATE mutations SET result = $1 WHERE member_id = $2 AND id = $3`, v.Data, v.MemberID, v.ID)
	}
	if err != nil {
		return fmt.Errorf("update sealed value: %w", err)
	}
	return nil
}
