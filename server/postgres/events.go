package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"worktalk.dev/worktalk/server/service"
)

// AppendEvent takes the next event seq from its counter; the write lock
// makes the seqs gapless and visible in commit order.
func (t *Tx) AppendEvent(ctx context.Context, op string, data []byte, recipients []string, at time.Time) (int64, error) {
	if data == nil {
		data = []byte{} // stored as empty, as SQLite does
	}
	var seq int64
	err := t.tx.QueryRow(ctx, `WITH c AS (UPDATE counters SET value = value + 1 WHERE name = 'events' RETURNING value)
		INSERT INTO events (seq, op, data, created_at) SELECT c.value, $1, $2, $3 FROM c RETURNING seq`,
		op, data, ms(at)).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("insert event: %w", err)
	}
	if len(recipients) == 0 {
		return seq, nil
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO feed (member_id, seq) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`, recipients, seq)
	if err != nil {
		return 0, fmt.Errorf("insert feed: %w", err)
	}
	return seq, nil
}

var _ service.RoomFeeder = (*Tx)(nil)

// AppendRoomEvent stores an event for every member of a room in one row;
// FeedSince and FeedCount find it through room_members, which never change
// once a room is made.
func (t *Tx) AppendRoomEvent(ctx context.Context, op string, data []byte, roomID string, at time.Time) (int64, error) {
	if data == nil {
		data = []byte{}
	}
	var seq int64
	err := t.tx.QueryRow(ctx, `WITH c AS (UPDATE counters SET value = value + 1 WHERE name = 'events' RETURNING value)
		INSERT INTO events (seq, op, data, created_at, room_id) SELECT c.value, $1, $2, $3, $4 FROM c RETURNING seq`,
		op, data, ms(at), roomID).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("insert room event: %w", err)
	}
	return seq, nil
}

var _ service.WorkspaceFeeder = (*Tx)(nil)

// AppendWorkspaceEvent stores an event for every member of a workspace in
// one row, FeedSince and FeedCount find it through members; others outside
// the workspace get feed rows.
func (t *Tx) AppendWorkspaceEvent(ctx context.Context, op string, data []byte, workspaceID string, others []string, at time.Time) (int64, error) {
	if data == nil {
		data = []byte{}
	}
	var seq int64
	err := t.tx.QueryRow(ctx, `WITH c AS (UPDATE counters SET value = value + 1 WHERE name = 'events' RETURNING value)
		INSERT INTO events (seq, op, data, created_at, workspace_id) SELECT c.value, $1, $2, $3, $4 FROM c RETURNING seq`,
		op, data, ms(at), workspaceID).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("insert workspace event: %w", err)
	}
	if len(others) == 0 {
		return seq, nil
	}
	// A member of the workspace already has the event: no row, or it would
	// be read twice.
	_, err = t.tx.Exec(ctx, `INSERT INTO feed (member_id, seq) SELECT r, $2 FROM unnest($1::text[]) r
		WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id = r AND m.workspace_id = $3) ON CONFLICT DO NOTHING`,
		others, seq, workspaceID)
	if err != nil {
		return 0, fmt.Errorf("insert feed: %w", err)
	}
	return seq, nil
}

// memberSeqs selects the seqs of a member ($1) after $2, at most $3 from
// each part: its own feed rows, the events of the rooms it is in and those
// of its workspace.
const memberSeqs = `
	(SELECT seq FROM feed WHERE member_id = $1 AND seq > $2 ORDER BY seq LIMIT $3)
	UNION ALL
	(SELECT e.seq FROM room_members rm JOIN events e ON e.room_id = rm.room_id AND e.seq > $2
		WHERE rm.member_id = $1 ORDER BY e.seq LIMIT $3)
	UNION ALL
	(SELECT e.seq FROM members m JOIN events e ON e.workspace_id = m.workspace_id AND e.seq > $2
		WHERE m.id = $1 ORDER BY e.seq LIMIT $3)`

func scanStoredEvent(r pgx.Row) (service.StoredEvent, error) {
	var e service.StoredEvent
	err := r.Scan(&e.Seq, &e.Op, &e.Data)
	return e, err
}

func (t *Tx) FeedSince(ctx context.Context, memberID string, after int64, limit int) ([]service.StoredEvent, error) {
	rows, err := t.tx.Query(ctx, `SELECT e.seq, e.op, e.data FROM (`+memberSeqs+`) s JOIN events e ON e.seq = s.seq
		ORDER BY s.seq LIMIT $3`, memberID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read feed: %w", err)
	}
	return collect(rows, scanStoredEvent)
}

func (t *Tx) FeedCount(ctx context.Context, memberID string, after int64, max int) (int, error) {
	var n int
	err := t.tx.QueryRow(ctx, `SELECT least(count(*), $3) FROM (`+memberSeqs+`) s`, memberID, after, max).Scan(&n)
	return n, err
}

// LastSeq reads the counter, which keeps the highest seq even after pruning.
func (t *Tx) LastSeq(ctx context.Context) (int64, error) {
	return counter(ctx, t.tx, "events")
}

func (t *Tx) PrunedThrough(ctx context.Context) (int64, error) {
	return counter(ctx, t.tx, "pruned_through")
}

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func counter(ctx context.Context, q queryRower, name string) (int64, error) {
	var v int64
	err := q.QueryRow(ctx, `SELECT coalesce((SELECT value FROM counters WHERE name = $1), 0)`, name).Scan(&v)
	return v, err
}

func (t *Tx) PruneEvents(ctx context.Context, before time.Time) error {
	var last int64
	err := t.tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM events WHERE created_at < $1`, ms(before)).Scan(&last)
	if err != nil || last == 0 {
		return err
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM feed WHERE seq <= $1`, last); err != nil {
		return fmt.Errorf("prune feed: %w", err)
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM events WHERE seq <= $1`, last); err != nil {
		return fmt.Errorf("prune events: %w", err)
	}
	_, err = t.tx.Exec(ctx, `UPDATE counters SET value = greatest(value, $1) WHERE name = 'pruned_through'`, last)
	return err
}

func (t *Tx) Mutation(ctx context.Context, memberID, id string) (service.MutationRow, error) {
	m := service.MutationRow{MemberID: memberID, ID: id}
	var created int64
	err := t.tx.QueryRow(ctx, `SELECT op, result, err, sealed, created_at FROM mutations WHERE member_id = $1 AND id = $2`, memberID, id).
		Scan(&m.Op, &m.Result, &m.Err, &m.Sealed, &created)
	m.CreatedAt = fromMS(created)
	return m, noRow(err)
}

func (t *Tx) InsertMutation(ctx context.Context, m service.MutationRow) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO mutations (member_id, id, op, result, err, sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		m.MemberID, m.ID, m.Op, m.Result, m.Err, m.Sealed, ms(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert mutation: %w", err)
	}
	return nil
}
