package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// Times are stored as unix milliseconds; 0 stands for the zero time.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// mustAffect turns "no row changed" into service.ErrNoRow.
func mustAffect(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return service.ErrNoRow
	}
	return nil
}

func (t *Tx) InsertWorkspace(ctx context.Context, w service.WorkspaceRow) error {
	s, err := json.Marshal(w.Settings)
	if err != nil {
		return err
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO workspaces (id, name, settings, created_at) VALUES ($1, $2, $3, $4)`,
		w.ID, w.Name, string(s), ms(w.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert workspace: %w", err)
	}
	return nil
}

const workspaceCols = `id, name, settings, created_at`

func scanWorkspace(sc pgx.Row) (service.WorkspaceRow, error) {
	var w service.WorkspaceRow
	var settings string
	var created int64
	if err := sc.Scan(&w.ID, &w.Name, &settings, &created); err != nil {
		return w, noRow(err)
	}
	if err := json.Unmarshal([]byte(settings), &w.Settings); err != nil {
		return w, fmt.Errorf("workspace %s settings: %w", w.ID, err)
	}
	w.CreatedAt = fromMS(created)
	return w, nil
}

func (t *Tx) Workspace(ctx context.Context, id string) (service.WorkspaceRow, error) {
	return scanWorkspace(t.tx.QueryRow(ctx, `SELECT `+workspaceCols+` FROM workspaces WHERE id = $1`, id))
}

func (t *Tx) Workspaces(ctx context.Context) ([]service.WorkspaceRow, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+workspaceCols+` FROM workspaces ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	return collect(rows, scanWorkspace)
}

// collect scans every row with scan; it returns nil for no rows.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (t *Tx) UpdateWorkspaceSettings(ctx context.Context, id string, settings protocol.WorkspaceSettings) error {
	s, err := json.Marshal(settings)
	if err != nil {
		return err
	}
	return mustAffect(t.tx.Exec(ctx, `UPDATE workspaces SET settings = $1 WHERE id = $2`, string(s), id))
}

func (t *Tx) InsertMember(ctx context.Context, m service.MemberRow) error {
	f, err := json.Marshal(nonNil(m.Fields))
	if err != nil {
		return err
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO members (id, workspace_id, email, password_hash, name, fields, picture_id, admin, version, created_at, disabled_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		m.ID, m.WorkspaceID, m.Email, m.PasswordHash, m.Name, string(f), m.PictureID, m.Admin, m.Version, ms(m.CreatedAt), ms(m.DisabledAt))
	if err != nil {
		return fmt.Errorf("insert member: %w", err)
	}
	return nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

const memberCols = `id, workspace_id, email, password_hash, name, fields, picture_id, admin, version, created_at, disabled_at`

func scanMember(sc pgx.Row) (service.MemberRow, error) {
	var m service.MemberRow
	var fields string
	var created, disabled int64
	if err := sc.Scan(&m.ID, &m.WorkspaceID, &m.Email, &m.PasswordHash, &m.Name, &fields, &m.PictureID, &m.Admin, &m.Version, &created, &disabled); err != nil {
		return m, noRow(err)
	}
	if err := json.Unmarshal([]byte(fields), &m.Fields); err != nil {
		return m, fmt.Errorf("member %s fields: %w", m.ID, err)
	}
	m.CreatedAt, m.DisabledAt = fromMS(created), fromMS(disabled)
	return m, nil
}

func (t *Tx) queryMembers(ctx context.Context, q string, args ...any) ([]service.MemberRow, error) {
	rows, err := t.tx.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query members: %w", err)
	}
	return collect(rows, scanMember)
}

func (t *Tx) Member(ctx context.Context, id string) (service.MemberRow, error) {
	return scanMember(t.tx.QueryRow(ctx, `SELECT `+memberCols+` FROM members WHERE id = $1`, id))
}

// Members returns the members with the given ids that exist, in no set order.
func (t *Tx) Members(ctx context.Context, ids []string) ([]service.MemberRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return t.queryMembers(ctx, `SELECT `+memberCols+` FROM members WHERE id = ANY($1)`, ids)
}

func (t *Tx) MembersByEmail(ctx context.Context, email string) ([]service.MemberRow, error) {
	return t.queryMembers(ctx, `SELECT `+memberCols+` FROM members WHERE email = $1 ORDER BY created_at, id`, email)
}

func (t *Tx) WorkspaceMembers(ctx context.Context, workspaceID string) ([]service.MemberRow, error) {
	return t.queryMembers(ctx, `SELECT `+memberCols+` FROM members WHERE workspace_id = $1 ORDER BY name, id`, workspaceID)
}

func (t *Tx) WorkspaceMembersAfter(ctx context.Context, workspaceID, afterName, afterID string, limit int) ([]service.MemberRow, error) {
	return t.queryMembers(ctx, `SELECT `+memberCols+` FROM members WHERE workspace_id = $1 AND (name, id) > ($2, $3)
		ORDER BY name, id LIMIT $4`, workspaceID, afterName, afterID, limit)
}

func (t *Tx) UpdateMember(ctx context.Context, m service.MemberRow) error {
	f, err := json.Marshal(nonNil(m.Fields))
	if err != nil {
		return err
	}
	return mustAffect(t.tx.Exec(ctx, `UPDATE members SET name = $1, fields = $2, picture_id = $3, version = $4 WHERE id = $5`,
		m.Name, string(f), m.PictureID, m.Version, m.ID))
}

func (t *Tx) SetMemberDisabled(ctx context.Context, id string, at time.Time) error {
	return mustAffect(t.tx.Exec(ctx, `UPDATE members SET disabled_at = $1 WHERE id = $2`, ms(at), id))
}

func (t *Tx) SetPassword(ctx context.Context, id, hash string) error {
	return mustAffect(t.tx.Exec(ctx, `UPDATE members SET password_hash = $1 WHERE id = $2`, hash, id))
}

func (t *Tx) PutPicture(ctx context.Context, id string, b, thumb []byte) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO pictures (id, bytes, thumb) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`, id, b, thumb)
	if err != nil {
		return fmt.Errorf("put picture: %w", err)
	}
	return nil
}

func (t *Tx) Picture(ctx context.Context, id string, thumb bool) ([]byte, error) {
	col := "bytes"
	if thumb {
		col = "coalesce(thumb, bytes)"
	}
	var b []byte
	err := t.tx.QueryRow(ctx, `SELECT `+col+` FROM pictures WHERE id = $1`, id).Scan(&b)
	return b, noRow(err)
}

func (t *Tx) PictureOwners(ctx context.Context, id string) ([]string, error) {
	return t.strings(ctx, `SELECT id FROM members WHERE picture_id = $1 ORDER BY id`, id)
}
