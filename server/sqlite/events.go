package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"worktalk.dev/worktalk/server/service"
)

func (t *Tx) AppendEvent(ctx context.Context, op string, data []byte, recipients []string, at time.Time) (int64, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO events (op, data, created_at) VALUES (?, coalesce(?, x''), ?)`, op, data, ms(at))
	if err != nil {
		return 0, fmt.Errorf("insert event: %w", err)
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	// One statement for all recipients: a room of 1,000 members costs one
	// exec, not 1,000.
	if len(recipients) == 0 {
		return seq, nil
	}
	rcpt, err := json.Marshal(recipients)
	if err != nil {
		return 0, err
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO feed (member_id, seq) SELECT DISTINCT value, ? FROM json_each(?)
		WHERE true ON CONFLICT DO NOTHING`, seq, string(rcpt))
	if err != nil {
		return 0, fmt.Errorf("insert feed: %w", err)
	}
	return seq, nil
}

var _ service.RoomFeeder = (*Tx)(nil)

// AppendRoomEvent stores an event for every member of a room in one row;
// FeedSince and FeedCount find it through room_members.
func (t *Tx) AppendRoomEvent(ctx context.Context, op string, data []byte, roomID string, at time.Time) (int64, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO events (op, data, created_at, room_id) VALUES (?, coalesce(?, x''), ?, ?)`, op, data, ms(at), roomID)
	if err != nil {
		return 0, fmt.Errorf("insert room event: %w", err)
	}
	return res.LastInsertId()
}

var _ service.WorkspaceFeeder = (*Tx)(nil)

// AppendWorkspaceEvent stores an event for every member of a workspace in
// one row, FeedSince and FeedCount find it through members; others outside
// the workspace get feed rows.
func (t *Tx) AppendWorkspaceEvent(ctx context.Context, op string, data []byte, workspaceID string, others []string, at time.Time) (int64, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO events (op, data, created_at, workspace_id) VALUES (?, coalesce(?, x''), ?, ?)`, op, data, ms(at), workspaceID)
	if err != nil {
		return 0, fmt.Errorf("insert workspace event: %w", err)
	}
	seq, err := res.LastInsertId()
	if err != nil || len(others) == 0 {
		return seq, err
	}
	rcpt, err := json.Marshal(others)
	if err != nil {
		return 0, err
	}
	// A member of the workspace already has the event: no row, or it would
	// be read twice.
	_, err = t.tx.ExecContext(ctx, `INSERT INTO feed (member_id, seq) SELECT DISTINCT j.value, ? FROM json_each(?) j
		WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id = j.value AND m.workspace_id = ?) ON CONFLICT DO NOTHING`,
		seq, string(rcpt), workspaceID)
	if err != nil {
		return 0, fmt.Errorf("insert feed: %w", err)
	}
	return seq, nil
}

// memberSeqs selects the seqs of a member's events after ?2, at most ?3 from
// each part: its own feed rows, the events of the rooms it is in and those
// of its workspace.
const memberSeqs = `
	SELECT seq FROM (SELECT seq FROM feed WHERE member_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3)
	UNION ALL
	SELECT seq FROM (SELECT e.seq FROM room_members rm JOIN events e ON e.room_id = rm.room_id AND e.seq > ?2
		WHERE rm.member_id = ?1 ORDER BY e.seq LIMIT ?3)
	UNION ALL
	SELECT seq FROM (SELECT e.seq FROM members m JOIN events e ON e.workspace_id = m.workspace_id AND e.seq > ?2
		WHERE m.id = ?1 ORDER BY e.seq LIMIT ?3)`

func (t *Tx) FeedSince(ctx context.Context, memberID string, after int64, limit int) ([]service.StoredEvent, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT e.seq, e.op, e.data FROM (`+memberSeqs+`) s JOIN events e ON e.seq = s.seq
		ORDER BY s.seq LIMIT ?3`, memberID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read feed: %w", err)
	}
	defer rows.Close()
	var out []service.StoredEvent
	for rows.Next() {
		var e service.StoredEvent
		if err := rows.Scan(&e.Seq, &e.Op, &e.Data); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *Tx) FeedCount(ctx context.Context, memberID string, after int64, max int) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT min(count(*), ?3) FROM (`+memberSeqs+`)`, memberID, after, max).Scan(&n)
	return n, err
}

func (t *Tx) LastSeq(ctx context.Context) (int64, error) {
	// sqlite_sequence keeps the highest seq even after pruning removed it.
	var seq int64
	err := t.tx.QueryRowContext(ctx, `SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)`).Scan(&seq)
	return seq, err
}

func (t *Tx) PrunedThrough(ctx context.Context) (int64, error) {
	var seq int64
	err := t.tx.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = 'pruned_through'), 0)`).Scan(&seq)
	return seq, err
}

func (t *Tx) PruneEvents(ctx context.Context, before time.Time) error {
	var last int64
	err := t.tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM events WHERE created_at < ?`, ms(before)).Scan(&last)
	if err != nil || last == 0 {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM feed WHERE seq <= ?`, last); err != nil {
		return fmt.Errorf("prune feed: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM events WHERE seq <= ?`, last); err != nil {
		return fmt.Errorf("prune events: %w", err)
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('pruned_through', ?)
		ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`, last)
	return err
}

func (t *Tx) Mutation(ctx context.Context, memberID, id string) (service.MutationRow, error) {
	m := service.MutationRow{MemberID: memberID, ID: id}
	var created int64
	err := t.tx.QueryRowContext(ctx, `SELECT op, result, err, sealed, created_at FROM mutations WHERE member_id = ? AND id = ?`, memberID, id).
		Scan(&m.Op, &m.Result, &m.Err, &m.Sealed, &created)
	m.CreatedAt = fromMS(created)
	return m, noRow(err)
}

func (t *Tx) InsertMutation(ctx context.Context, m service.MutationRow) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO mutations (member_id, id, op, result, err, sealed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		m.MemberID, m.ID, m.Op, m.Result, m.Err, m.Sealed, ms(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert mutation: %w", err)
	}
	return nil
}
