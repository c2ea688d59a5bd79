package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

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

func noRow(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return service.ErrNoRow
	}
	return err
}

func (t *Tx) InsertWorkspace(ctx context.Context, w service.WorkspaceRow) error {
	s, err := json.Marshal(w.Settings)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO workspaces (id, name, settings, created_at) VALUES (?, ?, ?, ?)`,
		w.ID, w.Name, string(s), ms(w.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert workspace: %w", err)
	}
	return nil
}

const workspaceCols = `id, name, settings, created_at`

func scanWorkspace(sc interface{ Scan(...any) error }) (service.WorkspaceRow, error) {
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
	return scanWorkspace(t.tx.QueryRowContext(ctx, `SELECT `+workspaceCols+` FROM workspaces WHERE id = ?`, id))
}

func (t *Tx) Workspaces(ctx context.Context) ([]service.WorkspaceRow, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+workspaceCols+` FROM workspaces ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	defer rows.Close()
	var out []service.WorkspaceRow
	for rows.Next() {
		w, err := scanWorkspace(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func (t *Tx) UpdateWorkspaceSettings(ctx context.Context, id string, settings protocol.WorkspaceSettings) error {
	s, err := json.Marshal(settings)
	if err != nil {
		return err
	}
	return mustAffect(t.tx.ExecContext(ctx, `UPDATE workspaces SET settings = ? WHERE id = ?`, string(s), id))
}

// mustAffect turns "no row changed" into service.ErrNoRow.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return service.ErrNoRow
	}
	return nil
}

func (t *Tx) InsertMember(ctx context.Context, m service.MemberRow) error {
	f, err := json.Marshal(nonNil(m.Fields))
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO members (id, workspace_id, email, password_hash, name, fields, picture_id, admin, version, created_at, disabled_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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

func scanMember(sc interface{ Scan(...any) error }) (service.MemberRow, error) {
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
	rows, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query members: %w", err)
	}
	defer rows.Close()
	var out []service.MemberRow
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (t *Tx) Member(ctx context.Context, id string) (service.MemberRow, error) {
	return scanMember(t.tx.QueryRowContext(ctx, `SELECT `+memberCols+` FROM members WHERE id = ?`, id))
}

// Members returns the members with the given ids that exist, in no set order.
func (t *Tx) Members(ctx context.Context, ids []string) ([]service.MemberRow, error) {
	var out []service.MemberRow
	const chunk = 500 // stay under SQLite's bound-parameter limit
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		part := ids[:n]
		ids = ids[n:]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		ms, err := t.queryMembers(ctx, `SELECT `+memberCols+` FROM members WHERE id IN (?`+strings.Repeat(",?", n-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

func (t *Tx) MembersByEmail(ctx context.Context, email string) ([]service.MemberRow, error) {
	return t.queryMembers(ctx, `SELECT `+memberCols+` FROM members WHERE email = ? ORDER BY created_at, id`, email)
}

func (t *Tx) WorkspaceMembers(ctx context.Context, workspaceID string) ([]service.MemberRow, error) {
	return t.queryMembers(ctx, `SELECT `+memberCols+` FROM members WHERE workspace_id = ? ORDER BY name, id`, workspaceID)
}

func (t *Tx) WorkspaceMembersAfter(ctx context.Context, workspaceID, afterName, afterID string, limit int) ([]service.MemberRow, error) {
	return t.queryMembers(ctx, `SELECT `+memberCols+` FROM members WHERE workspace_id = ? AND (name, id) > (?, ?)
		ORDER BY name, id LIMIT ?`, workspaceID, afterName, afterID, limit)
}

func (t *Tx) UpdateMember(ctx context.Context, m service.MemberRow) error {
	f, err := json.Marshal(nonNil(m.Fields))
	if err != nil {
		return err
	}
	return mustAffect(t.tx.ExecContext(ctx, `UPDATE members SET name = ?, fields = ?, picture_id = ?, version = ? WHERE id = ?`,
		m.Name, string(f), m.PictureID, m.Version, m.ID))
}

func (t *Tx) SetMemberDisabled(ctx context.Context, id string, at time.Time) error {
	return mustAffect(t.tx.ExecContext(ctx, `UPDATE members SET disabled_at = ? WHERE id = ?`, ms(at), id))
}

func (t *Tx) SetPassword(ctx context.Context, id, hash string) error {
	return mustAffect(t.tx.ExecContext(ctx, `UPDATE members SET password_hash = ? WHERE id = ?`, hash, id))
}

func (t *Tx) PutPicture(ctx context.Context, id string, b, thumb []byte) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO pictures (id, bytes, thumb) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`, id, b, thumb)
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
	err := t.tx.QueryRowContext(ctx, `SELECT `+col+` FROM pictures WHERE id = ?`, id).Scan(&b)
	return b, noRow(err)
}

func (t *Tx) PictureOwners(ctx context.Context, id string) ([]string, error) {
	return t.strings(ctx, `SELECT id FROM members WHERE picture_id = ? ORDER BY id`, id)
}
