package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"worktalk.dev/worktalk/server/service"
)

// LastSeq returns the newest committed event seq (0: none). A bus that relays
// events between nodes uses it to know where live delivery starts.
func (db *DB) LastSeq(ctx context.Context) (int64, error) {
	return counter(ctx, db.pool, "events")
}

// EventsBetween returns the committed events with after < seq <= through,
// oldest first, each with its recipients (in no set order). Pruned events
// are absent. A bus uses it to fill gaps in what it received.
func (db *DB) EventsBetween(ctx context.Context, after, through int64) ([]service.Event, error) {
	// A room event's recipients are the room's members (they never change).
	// A workspace event names its workspace; its feed rows are the
	// recipients outside it.
	rows, err := db.pool.Query(ctx, `SELECT e.seq, e.op, e.data, coalesce(e.workspace_id, ''), coalesce(CASE
			WHEN e.room_id IS NULL THEN (SELECT array_agg(f.member_id) FROM feed f WHERE f.seq = e.seq)
			ELSE (SELECT array_agg(rm.member_id) FROM room_members rm WHERE rm.room_id = e.room_id) END, '{}')
		FROM events e WHERE e.seq > $1 AND e.seq <= $2 ORDER BY e.seq`, after, through)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return collect(rows, func(r pgx.Row) (service.Event, error) {
		var ev service.Event
		var data []byte
		err := r.Scan(&ev.Seq, &ev.Op, &data, &ev.Workspace, &ev.Recipients)
		ev.Data = data
		return ev, err
	})
}
