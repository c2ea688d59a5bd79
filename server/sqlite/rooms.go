package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func (t *Tx) InsertRoom(ctx context.Context, r service.RoomRow, members []string) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO rooms (id, kind, title, closed, created_at) VALUES (?, ?, ?, ?, ?)`,
		r.ID, string(r.Kind), r.Title, r.Closed, ms(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert room: %w", err)
	}
	stmt, err := t.tx.PrepareContext(ctx, `INSERT INTO room_members (room_id, member_id) VALUES (?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, m := range members {
		if _, err := stmt.ExecContext(ctx, r.ID, m); err != nil {
			return fmt.Errorf("insert room member: %w", err)
		}
	}
	return nil
}

const roomCols = `id, kind, title, closed, created_at`

func scanRoom(sc interface{ Scan(...any) error }) (service.RoomRow, error) {
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
	return scanRoom(t.tx.QueryRowContext(ctx, `SELECT `+roomCols+` FROM rooms WHERE id = ?`, id))
}

func (t *Tx) SetRoomClosed(ctx context.Context, id string, closed bool) error {
	return mustAffect(t.tx.ExecContext(ctx, `UPDATE rooms SET closed = ? WHERE id = ?`, closed, id))
}

func (t *Tx) RoomMembers(ctx context.Context, roomID string) ([]string, error) {
	return t.strings(ctx, `SELECT member_id FROM room_members WHERE room_id = ? ORDER BY member_id`, roomID)
}

func (t *Tx) IsRoomMember(ctx context.Context, roomID, memberID string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM room_members WHERE room_id = ? AND member_id = ?`, roomID, memberID)
}

func (t *Tx) MemberRooms(ctx context.Context, memberID string) ([]service.RoomRow, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT r.id, r.kind, r.title, r.closed, r.created_at
		FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.member_id = ? ORDER BY r.created_at, r.id`, memberID)
	if err != nil {
		return nil, fmt.Errorf("list rooms: %w", err)
	}
	defer rows.Close()
	var out []service.RoomRow
	for rows.Next() {
		r, err := scanRoom(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *Tx) InsertMessage(ctx context.Context, m protocol.Message) (int64, error) {
	action := ""
	if m.Action != nil {
		b, err := json.Marshal(m.Action)
		if err != nil {
			return 0, err
		}
		action = string(b)
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO messages (id, room_id, sender_id, kind, text, system, actor_id, actor_name, action, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.RoomID, m.SenderID, string(m.Kind), m.Text, string(m.System), m.ActorID, m.ActorName, action, m.SentAt)
	if err != nil {
		return 0, fmt.Errorf("insert message: %w", err)
	}
	return res.LastInsertId()
}

func (t *Tx) NewestMessageSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := t.tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM messages`).Scan(&seq)
	return seq, err
}

func (t *Tx) MessageExists(ctx context.Context, id string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM messages WHERE id = ?`, id)
}

func (t *Tx) Messages(ctx context.Context, roomID string, before int64, limit int) ([]protocol.Message, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT seq, id, room_id, sender_id, kind, text, system, actor_id, actor_name, action, sent_at
		FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`, roomID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	var out []protocol.Message
	for rows.Next() {
		var m protocol.Message
		var kind, system, action string
		if err := rows.Scan(&m.Seq, &m.ID, &m.RoomID, &m.SenderID, &kind, &m.Text, &system, &m.ActorID, &m.ActorName, &action, &m.SentAt); err != nil {
			return nil, err
		}
		m.Kind, m.System = protocol.MessageKind(kind), protocol.SystemKind(system)
		if action != "" {
			m.Action = new(protocol.Action)
			if err := json.Unmarshal([]byte(action), m.Action); err != nil {
				return nil, fmt.Errorf("message %s action: %w", m.ID, err)
			}
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}
