package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"worktalk.dev/worktalk/server/service"
)

// LastSeq returns the newest committed event seq (0: none), pruned or not.
// A bus uses it to learn of events that another process (an admin
// command) wrote into the same database.
func (db *DB) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := db.reader.QueryRowContext(ctx, `SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)`).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("read last seq: %w", err)
	}
	return seq, nil
}

// EventsBetween returns the committed events with after < seq <= through,
// oldest first, each with its recipients (in no set order). Pruned events
// are absent. A bus uses it to fill gaps in what it was given.
func (db *DB) EventsBetween(ctx context.Context, after, through int64) ([]service.Event, error) {
	// A room event is one row for the whole room; its recipients are the
	// room's members (they never change). A workspace event names its
	// workspace; its feed rows are the recipients outside it.
	rows, err := db.reader.QueryContext(ctx, `SELECT e.seq, e.op, e.data, coalesce(e.workspace_id, ''), CASE
			WHEN e.room_id IS NULL THEN (SELECT json_group_array(f.member_id) FROM feed f WHERE f.seq = e.seq)
			ELSE (SELECT json_group_array(rm.member_id) FROM room_members rm WHERE rm.room_id = e.room_id) END
		FROM events e WHERE e.seq > ? AND e.seq <= ? ORDER BY e.seq`, after, through)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var out []service.Event
	for rows.Next() {
		var ev service.Event
		var data []byte
		var rcpt string
		if err := rows.Scan(&ev.Seq, &ev.Op, &data, &ev.Workspace, &rcpt); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		if len(data) > 0 { // stored as x'' when there was none
			ev.Data = data
		}
		if err := json.Unmarshal([]byte(rcpt), &ev.Recipients); err != nil {
			return nil, fmt.Errorf("read recipients of event %d: %w", ev.Seq, err)
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}
