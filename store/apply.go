package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"worktalk.dev/worktalk/protocol"
)

// Event is one server event as it came off the wire.
type Event struct {
	Seq  int64
	Op   string
	Data json.RawMessage
}

// applier applies server truth inside one transaction.
type applier struct {
	ctx  context.Context
	tx   *sql.Tx
	ch   Changes
	me   protocol.Profile
	wsID string
	// stmts are the statements prepared once per transaction for what
	// runs once per event: parsing them again for each of thousands of
	// events costs more than running them.
	stmts map[string]*sql.Stmt
}

func (d *DB) newApplier(ctx context.Context, tx *sql.Tx) (*applier, error) {
	a := &applier{ctx: ctx, tx: tx}
	if err := getJSON(ctx, tx, metaMe, &a.me); err != nil {
		return nil, err
	}
	var ws protocol.Workspace
	if err := getJSON(ctx, tx, metaWorkspace, &ws); err != nil {
		return nil, err
	}
	a.wsID = ws.ID
	return a, nil
}

func (a *applier) close() {
	for _, s := range a.stmts {
		s.Close()
	}
}

// stmt returns query prepared in the applier's transaction.
func (a *applier) stmt(query string) (*sql.Stmt, error) {
	if s, ok := a.stmts[query]; ok {
		return s, nil
	}
	s, err := a.tx.PrepareContext(a.ctx, query)
	if err != nil {
		return nil, err
	}
	if a.stmts == nil {
		a.stmts = map[string]*sql.Stmt{}
	}
	a.stmts[query] = s
	return s, nil
}

// ApplyEvents applies events in order and advances the cursor to the last
// one, in one transaction. Events at or below the cursor are skipped, so a
// replay is harmless.
func (d *DB) ApplyEvents(ctx context.Context, evs []Event) (Changes, error) {
	var ch Changes
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		a, err := d.newApplier(ctx, tx)
		if err != nil {
			return err
		}
		defer a.close()
		cur, err := cursor(ctx, tx)
		if err != nil {
			return err
		}
		last := cur
		for _, ev := range evs {
			if ev.Seq > 0 && ev.Seq <= last {
				continue
			}
			if err := a.event(ev.Op, ev.Data); err != nil {
				return fmt.Errorf("apply %s %d: %w", ev.Op, ev.Seq, err)
			}
			if ev.Seq > last {
				last = ev.Seq
			}
		}
		if last != cur {
			if err := setMeta(ctx, tx, metaCursor, strconv.FormatInt(last, 10)); err != nil {
				return err
			}
			a.ch.Cursor = true
		}
		ch = a.ch
		return nil
	})
	return ch, err
}

// AdvanceCursor moves the cursor forward to c (the server's caught-up mark).
func (d *DB) AdvanceCursor(ctx context.Context, c int64) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := cursor(ctx, tx)
		if err != nil || c <= cur {
			return err
		}
		return setMeta(ctx, tx, metaCursor, strconv.FormatInt(c, 10))
	})
}

func (a *applier) event(op string, data json.RawMessage) error {
	switch op {
	case protocol.EvMemberUpsert:
		return applyJSON(data, a.profile)
	case protocol.EvMemberRemove:
		return applyJSON(data, func(r protocol.MemberRef) error {
			a.ch.profile(r.MemberID)
			return a.exec("DELETE FROM profiles WHERE id = ?", r.MemberID)
		})
	case protocol.EvWorkspaceUpdate:
		return applyJSON(data, func(w protocol.Workspace) error {
			a.wsID = w.ID
			a.ch.Replica = true
			return setJSON(a.ctx, a.tx, metaWorkspace, w)
		})
	case protocol.EvExternalAdd:
		return applyJSON(data, a.external)
	case protocol.EvExternalRemove:
		return applyJSON(data, func(r protocol.MemberRef) error {
			a.ch.profile(r.MemberID)
			return a.exec("UPDATE profiles SET rel = ? WHERE id = ? AND rel = ?", RelCached, r.MemberID, RelExternal)
		})
	case protocol.EvBlockAdd:
		return applyJSON(data, a.block)
	case protocol.EvBlockRemove:
		return applyJSON(data, func(r protocol.MemberRef) error {
			a.ch.Replica = true
			return a.exec("DELETE FROM blocked WHERE id = ?", r.MemberID)
		})
	case protocol.EvRoomUpsert:
		return applyJSON(data, a.room)
	case protocol.EvMessageNew:
		return applyJSON(data, a.newMessage)
	case protocol.EvRoomRead:
		return applyJSON(data, func(m protocol.ReadMark) error { return a.readMark(m, false) })
	}
	// Unknown events come from a newer server: nothing to store.
	return nil
}

// exec runs a statement; the caller marks in a.ch what it changed.
func (a *applier) exec(q string, args ...any) error {
	_, err := a.tx.ExecContext(a.ctx, q, args...)
	return err
}

func (a *applier) profile(p protocol.Profile) error {
	if p.ID == a.me.ID {
		if p.Version < a.me.Version {
			return nil
		}
		a.ch.Replica = true
		a.me = p
		return setJSON(a.ctx, a.tx, metaMe, p)
	}
	rel := RelCached
	if p.WorkspaceID == a.wsID {
		rel = RelCoworker
	}
	a.ch.profile(p.ID)
	return a.upsertProfile(p, rel, false)
}

func (a *applier) external(p protocol.Profile) error {
	a.ch.profile(p.ID)
	return a.upsertProfile(p, RelExternal, true)
}

// upsertProfile is upsertProfile with the statement prepared once per
// transaction: a burst of thousands of profile events (a settings change
// sends every member again) runs it thousands of times.
func (a *applier) upsertProfile(p protocol.Profile, rel int, setRel bool) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	s, err := a.stmt(upsertProfileSQL(setRel))
	if err != nil {
		return err
	}
	_, err = s.ExecContext(a.ctx, p.ID, rel, p.Version, data)
	return err
}

// upsertProfile writes p unless a newer version is stored. setRel forces the
// relation; otherwise an existing row keeps its relation.
func upsertProfile(ctx context.Context, q querier, p protocol.Profile, rel int, setRel bool) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, upsertProfileSQL(setRel), p.ID, rel, p.Version, data)
	return err
}

// upsertProfileSQL is the statement of upsertProfile; its arguments are
// id, rel, version and data.
func upsertProfileSQL(setRel bool) string {
	relSet := "rel = profiles.rel"
	if setRel {
		relSet = "rel = excluded.rel"
	}
	return `INSERT INTO profiles(id, rel, version, data) VALUES(?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET ` + relSet + `,
	data = CASE WHEN excluded.version >= profiles.version THEN excluded.data ELSE profiles.data END,
	version = max(profiles.version, excluded.version)`
}

func (a *applier) block(b protocol.BlockedMember) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	a.ch.Replica = true
	return a.exec("INSERT INTO blocked(id, data) VALUES(?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data", b.ID, data)
}

func (a *applier) room(r protocol.Room) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	a.ch.Replica = true
	if err := a.exec("INSERT INTO rooms(id, data) VALUES(?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data", r.ID, data); err != nil {
		return err
	}
	if err := a.exec("DELETE FROM room_members WHERE room_id = ?", r.ID); err != nil {
		return err
	}
	for _, m := range r.Members {
		if err := a.exec("INSERT OR IGNORE INTO room_members(room_id, member_id) VALUES(?, ?)", r.ID, m.ID); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) message(m protocol.Message) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	s, err := a.stmt(`INSERT INTO messages(id, room_id, key, seq, pending, data) VALUES(?, ?, ?, ?, 0, ?)
ON CONFLICT(id) DO UPDATE SET room_id = excluded.room_id, key = excluded.key, seq = excluded.seq, pending = 0, data = excluded.data`)
	if err != nil {
		return err
	}
	if _, err := s.ExecContext(a.ctx, m.ID, m.RoomID, m.Seq, m.Seq, data); err != nil {
		return err
	}
	a.ch.room(m.RoomID)
	return nil
}

// ApplySnapshot replaces the replica with a snapshot and sets the cursor, in
// one transaction. The outbox and pending messages stay: their effects are
// re-applied on top by whoever reads the state. Messages of rooms that are
// still in the snapshot are kept (they never change) unless a gap may lie
// between them and the snapshot's; others go.
func (d *DB) ApplySnapshot(ctx context.Context, s protocol.Snapshot) (Changes, error) {
	var ch Changes
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			"DELETE FROM profiles WHERE rel != 0",
			"DELETE FROM blocked",
			"DELETE FROM rooms",
			"DELETE FROM room_members",
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("clear replica: %w", err)
			}
		}
		if err := setJSON(ctx, tx, metaMe, s.Me); err != nil {
			return err
		}
		if err := setJSON(ctx, tx, metaWorkspace, s.Workspace); err != nil {
			return err
		}
		a := &applier{ctx: ctx, tx: tx, me: s.Me, wsID: s.Workspace.ID}
		defer a.close()
		// One prepared statement for every coworker: a workspace of
		// thousands spends more on preparing than on running statements.
		upsert, err := tx.PrepareContext(ctx, upsertProfileSQL(true))
		if err != nil {
			return fmt.Errorf("write members: %w", err)
		}
		defer upsert.Close()
		for _, p := range s.Members {
			if p.ID == s.Me.ID {
				continue
			}
			data, err := json.Marshal(p)
			if err != nil {
				return err
			}
			if _, err := upsert.ExecContext(ctx, p.ID, RelCoworker, p.Version, data); err != nil {
				return fmt.Errorf("write member: %w", err)
			}
		}
		for _, p := range s.Externals {
			if err := a.external(p); err != nil {
				return fmt.Errorf("write external: %w", err)
			}
		}
		for _, p := range s.Contacts {
			if err := a.profile(p); err != nil {
				return fmt.Errorf("write contact: %w", err)
			}
		}
		for _, b := range s.Blocked {
			if err := a.block(b); err != nil {
				return fmt.Errorf("write blocked: %w", err)
			}
		}
		for _, r := range s.Rooms {
			if err := a.room(r); err != nil {
				return fmt.Errorf("write room: %w", err)
			}
		}
		rows, err := tx.QueryContext(ctx, "SELECT DISTINCT room_id FROM messages WHERE pending = 0 AND room_id NOT IN (SELECT id FROM rooms)")
		if err != nil {
			return fmt.Errorf("find stale messages: %w", err)
		}
		var stale []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			stale = append(stale, id)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("find stale messages: %w", err)
		}
		for _, id := range stale {
			if _, err := tx.ExecContext(ctx, "DELETE FROM messages WHERE room_id = ? AND pending = 0", id); err != nil {
				return fmt.Errorf("delete stale messages: %w", err)
			}
			a.ch.room(id)
		}
		count, oldest := map[string]int{}, map[string]int64{}
		for _, m := range s.Messages {
			if err := a.message(m); err != nil {
				return fmt.Errorf("write message: %w", err)
			}
			count[m.RoomID]++
			if o, ok := oldest[m.RoomID]; !ok || m.Seq < o {
				oldest[m.RoomID] = m.Seq
			}
		}
		// A room at the snapshot's limit may have had messages between the
		// ones kept here and the ones it carries: drop the older kept ones,
		// so that paging back fetches that history instead of skipping it.
		for id, n := range count {
			if n < protocol.SnapshotMessagesPerRoom {
				continue
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM messages WHERE room_id = ? AND pending = 0 AND seq < ?", id, oldest[id]); err != nil {
				return fmt.Errorf("delete messages before the snapshot: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM reads"); err != nil {
			return fmt.Errorf("clear read marks: %w", err)
		}
		for _, m := range s.Reads {
			if err := a.readMark(m, false); err != nil {
				return fmt.Errorf("write read mark: %w", err)
			}
		}
		if err := setMeta(ctx, tx, metaCursor, strconv.FormatInt(s.Cursor, 10)); err != nil {
			return err
		}
		ch = a.ch
		ch.Replica, ch.AllProfiles, ch.Cursor, ch.Reads = true, true, true, true
		return nil
	})
	return ch, err
}

// Ack applies an acknowledged mutation's result and deletes its entry, in
// one transaction. The events of the change arrive on their own too; the
// result is applied at once so the state never flickers back in between.
func (d *DB) Ack(ctx context.Context, e Entry, result json.RawMessage) (Changes, error) {
	var ch Changes
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		a, err := d.newApplier(ctx, tx)
		if err != nil {
			return err
		}
		defer a.close()
		if err := a.result(e, result); err != nil {
			return fmt.Errorf("apply %s result: %w", e.Op, err)
		}
		if err := dropEntry(ctx, tx, e, &a.ch); err != nil {
			return err
		}
		ch = a.ch
		return nil
	})
	return ch, err
}

func (a *applier) result(e Entry, result json.RawMessage) error {
	switch e.Op {
	case protocol.OpProfileUpdate:
		// The server stores the picture it re-encoded, not the bytes sent:
		// its id is fetched like any other picture.
		return applyJSON(result, a.profile)
	case protocol.OpMessageSend:
		return applyJSON(result, a.message)
	case protocol.OpRoomCreate:
		return applyJSON(result, a.room)
	case protocol.OpExternalAdd:
		return applyJSON(result, a.external)
	case protocol.OpBlock:
		var b protocol.BlockedMember
		if err := json.Unmarshal(result, &b); err != nil {
			return err
		}
		if err := a.block(b); err != nil {
			return err
		}
		// What the server does with a block, before its events arrive.
		a.ch.profile(b.ID)
		if err := a.exec("UPDATE profiles SET rel = ? WHERE id = ? AND rel = ?", RelCached, b.ID, RelExternal); err != nil {
			return err
		}
		return a.closeRoom(protocol.DirectRoomID(a.me.ID, b.ID))
	case protocol.OpRoomRead:
		// Only a mark newer than the stored one: a room.read event may
		// have come first, and later messages counted on top of it.
		return applyJSON(result, func(m protocol.ReadMark) error { return a.readMark(m, true) })
	case protocol.OpUnblock:
		var r protocol.MemberRef
		if err := json.Unmarshal(e.Body, &r); err != nil {
			return err
		}
		a.ch.Replica = true
		return a.exec("DELETE FROM blocked WHERE id = ?", r.MemberID)
	}
	return nil
}

func (a *applier) closeRoom(id string) error {
	var data []byte
	err := a.tx.QueryRowContext(a.ctx, "SELECT data FROM rooms WHERE id = ?", id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	var r protocol.Room
	if err := json.Unmarshal(data, &r); err != nil {
		return err
	}
	if r.Closed {
		return nil
	}
	r.Closed = true
	return a.room(r)
}

// applyJSON decodes data as a T and hands it to apply.
func applyJSON[T any](data json.RawMessage, apply func(T) error) error {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	return apply(v)
}
