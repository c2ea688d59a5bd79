package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func (t *Tx) InsertRoom(ctx context.Context, r service.RoomRow, members []string) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO rooms (id, kind, title, closed, created_at) VALUES ($1, $2, $3, $4, $5)`,
		r.ID, string(r.Kind), r.Title, r.Closed, ms(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert room: %w", err)
	}
	if len(members) == 0 {
		return nil
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO room_members (room_id, member_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
		r.ID, members)
	if err != nil {
		return fmt.Errorf("insert room members: %w", err)
	}
	return nil
}

const roomCols = `id, kind, title, closed, created_at`

func scanRoom(sc pgx.Row) (service.RoomRow, error) {
	var r service.RoomRow
	var kind string
	var created int64
	if err := sc.Scan(&r.ID, &kind, &r.Title, &r.Closed, &created); err != nil {
		return r, noRow(err)
	}
	r.Kind = protocol.RoomKind(kind)
	r.CreatedAt = fromMS(created)
	return r, nil
}

func (t *Tx) Room(ctx context.Context, id string) (service.RoomRow, error) {
	return scanRoom(t.tx.QueryRow(ctx, `SELECT `+roomCols+` FROM rooms WHERE id = $1`, id))
}

func (t *Tx) SetRoomClosed(ctx context.Context, id string, closed bool) error {
	return mustAffect(t.tx.Exec(ctx, `UPDATE rooms SET closed = $1 WHERE id = $2`, closed, id))
}

func (t *Tx) RoomMembers(ctx context.Context, roomID string) ([]string, error) {
	return t.strings(ctx, `SELECT member_id FROM room_members WHERE room_id = $1 ORDER BY member_id`, roomID)
}

func (t *Tx) IsRoomMember(ctx context.Context, roomID, memberID string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM room_members WHERE room_id = $1 AND member_id = $2`, roomID, memberID)
}

func (t *Tx) MemberRooms(ctx context.Context, memberID string) ([]service.RoomRow, error) {
	rows, err := t.tx.Query(ctx, `SELECT r.id, r.kind, r.title, r.closed, r.created_at
		FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.member_id = $1 ORDER BY r.created_at, r.id`, memberID)
	if err != nil {
		return nil, fmt.Errorf("list rooms: %w", err)
	}
	return collect(rows, scanRoom)
}

// InsertMessage takes the next message seq from its counter in the same
// statement; the write lock makes the seqs gapless and commit-ordered.
func (t *Tx) InsertMessage(ctx context.Context, m protocol.Message) (int64, error) {
	action := ""
	if m.Action != nil {
		b, err := json.Marshal(m.Action)
		if err != nil {
			return 0, err
		}
		action = string(b)
	}
	var seq int64
	err := t.tx.QueryRow(ctx, `WITH c AS (UPDATE counters SET value = value + 1 WHERE name = 'messages' RETURNING value)
		INSERT INTO messages (seq, id, room_id, sender_id, kind, text, system, actor_id, actor_name, action, sent_at)
		SELECT c.value, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM c RETURNING seq`,
		m.ID, m.RoomID, m.SenderID, string(m.Kind), m.Text, string(m.System), m.ActorID, m.ActorName, action, m.SentAt).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("insert message: %w", err)
	}
	return seq, nil
}

func (t *Tx) NewestMessageSeq(ctx context.Context) (int64, error) {
	return counter(ctx, t.tx, "messages")
}

func (t *Tx) MessageExists(ctx context.Context, id string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM messages WHERE id = $1`, id)
}

func (t *Tx) Messages(ctx context.Context, roomID string, before int64, limit int) ([]protocol.Message, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := t.tx.Query(ctx, `SELECT seq, id, room_id, sender_id, kind, text, system, actor_id, actor_name, action, sent_at
		FROM messages WHERE room_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, roomID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	out, err := collect(rows, scanMessage)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

func scanMessage(r pgx.Row) (protocol.Message, error) {
	var m protocol.Message
	var kind, system, action string
	if err := r.Scan(&m.Seq, &m.ID, &m.RoomID, &m.SenderID, &kind, &m.Text, &system, &m.ActorID, &m.ActorName, &action, &m.SentAt); err != nil {
		return m, err
	}
	m.Kind, m.System = protocol.MessageKind(kind), protocol.SystemKind(system)
	if action != "" {
		m.Action = new(protocol.Action)
		if err := json.Unmarshal([]byte(action), m.Action); err != nil {
			return m, fmt.Errorf("message %s action: %w", m.ID, err)
		}
	}
	return m, nil
}
