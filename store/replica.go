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

const (
	metaCursor    = "cursor"
	metaMe        = "me"
	metaWorkspace = "workspace"
)

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func getMeta(ctx context.Context, q querier, k string) (string, bool, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT v FROM meta WHERE k = ?", k).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read %s: %w", k, err)
	}
	return v, true, nil
}

func setMeta(ctx context.Context, q querier, k, v string) error {
	_, err := q.ExecContext(ctx, "INSERT INTO meta(k, v) VALUES(?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", k, v)
	if err != nil {
		return fmt.Errorf("write %s: %w", k, err)
	}
	return nil
}

func getJSON(ctx context.Context, q querier, k string, v any) error {
	s, ok, err := getMeta(ctx, q, k)
	if err != nil || !ok {
		return err
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode %s: %w", k, err)
	}
	return nil
}

func setJSON(ctx context.Context, q querier, k string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", k, err)
	}
	return setMeta(ctx, q, k, string(b))
}

// Cursor returns the seq of the last event applied (0: never synced).
func (d *DB) Cursor(ctx context.Context) (int64, error) {
	return cursor(ctx, d.db)
}

func cursor(ctx context.Context, q querier) (int64, error) {
	s, ok, err := getMeta(ctx, q, metaCursor)
	if err != nil || !ok {
		return 0, err
	}
	return strconv.ParseInt(s, 10, 64)
}

// Replica reads the synced state without messages: profiles, rooms and
// blocks, never message history.
func (d *DB) Replica(ctx context.Context) (Replica, error) {
	r, err := d.ReplicaBase(ctx)
	if err != nil {
		return r, err
	}
	err = d.scanProfiles(ctx, "SELECT rel, data FROM profiles WHERE rel != ?", func(rel int, p protocol.Profile) {
		if rel == RelExternal {
			r.Externals = append(r.Externals, p)
		} else {
			r.Coworkers = append(r.Coworkers, p)
		}
	}, RelCached)
	return r, err
}

// ReplicaBase reads the replica without its coworkers and external
// members: me, the workspace, blocks and rooms.
func (d *DB) ReplicaBase(ctx context.Context) (Replica, error) {
	var r Replica
	if err := getJSON(ctx, d.db, metaMe, &r.Me); err != nil {
		return r, err
	}
	if err := getJSON(ctx, d.db, metaWorkspace, &r.Workspace); err != nil {
		return r, err
	}
	if err := scanJSONRows(ctx, d.db, "SELECT data FROM blocked ORDER BY rowid", func(b []byte) error {
		var m protocol.BlockedMember
		err := json.Unmarshal(b, &m)
		r.Blocked = append(r.Blocked, m)
		return err
	}); err != nil {
		return r, fmt.Errorf("read blocked: %w", err)
	}
	if err := scanJSONRows(ctx, d.db, "SELECT data FROM rooms", func(b []byte) error {
		var m protocol.Room
		err := json.Unmarshal(b, &m)
		r.Rooms = append(r.Rooms, m)
		return err
	}); err != nil {
		return r, fmt.Errorf("read rooms: %w", err)
	}
	return r, nil
}

// ReplicaProfiles reads the stored profiles of ids with their relation to
// me; an id not returned is no longer stored.
func (d *DB) ReplicaProfiles(ctx context.Context, ids []string) ([]RelProfile, error) {
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	var out []RelProfile
	err = d.scanProfiles(ctx, "SELECT rel, data FROM profiles WHERE id IN (SELECT value FROM json_each(?))", func(rel int, p protocol.Profile) {
		out = append(out, RelProfile{Rel: rel, Profile: p})
	}, string(list))
	return out, err
}

// RelProfile is a stored profile and its relation to me (RelCached etc.).
type RelProfile struct {
	Rel int
	protocol.Profile
}

func (d *DB) scanProfiles(ctx context.Context, query string, fn func(rel int, p protocol.Profile), args ...any) error {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read profiles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rel int
		var data []byte
		if err := rows.Scan(&rel, &data); err != nil {
			return fmt.Errorf("read profiles: %w", err)
		}
		var p protocol.Profile
		if err := json.Unmarshal(data, &p); err != nil {
			return fmt.Errorf("decode profile: %w", err)
		}
		fn(rel, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read profiles: %w", err)
	}
	return nil
}

func scanJSONRows(ctx context.Context, q querier, query string, fn func([]byte) error, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Profile returns a stored profile (coworker, external or cached) by id.
func (d *DB) Profile(ctx context.Context, id string) (protocol.Profile, bool, error) {
	var p protocol.Profile
	var b []byte
	err := d.db.QueryRowContext(ctx, "SELECT data FROM profiles WHERE id = ?", id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("read profile: %w", err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, false, fmt.Errorf("decode profile: %w", err)
	}
	return p, true, nil
}

// CacheProfile stores a profile fetched on demand. It never demotes a
// coworker or external member and never replaces a newer version.
func (d *DB) CacheProfile(ctx context.Context, p protocol.Profile) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		return upsertProfile(ctx, tx, p, RelCached, false)
	})
}

// Picture returns a cached picture.
func (d *DB) Picture(ctx context.Context, id string) ([]byte, bool, error) {
	var b []byte
	err := d.db.QueryRowContext(ctx, "SELECT data FROM pictures WHERE id = ?", id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read picture: %w", err)
	}
	return b, true, nil
}

// PutPicture caches a picture by its id.
func (d *DB) PutPicture(ctx context.Context, id string, data []byte, fetchedMs int64) error {
	_, err := d.db.ExecContext(ctx, "INSERT INTO pictures(id, data, fetched) VALUES(?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, fetched = excluded.fetched", id, data, fetchedMs)
	if err != nil {
		return fmt.Errorf("write picture: %w", err)
	}
	return nil
}

// RoomsWith returns the ids of the stored rooms that memberID is in.
func (d *DB) RoomsWith(ctx context.Context, memberID string) ([]string, error) {
	rows, err := d.db.QueryContext(ctx, "SELECT room_id FROM room_members WHERE member_id = ?", memberID)
	if err != nil {
		return nil, fmt.Errorf("read room members: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read room members: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// SnapshotReplica is the replica ApplySnapshot(s) leaves, without reading
// it back: a fresh device of a workspace of 10,000 would otherwise decode
// every profile it just wrote. (A profile cached on demand with a newer
// version than the snapshot's keeps that version in the table; the next
// read of it shows it.)
func SnapshotReplica(s protocol.Snapshot) Replica {
	r := Replica{Me: s.Me, Workspace: s.Workspace, Blocked: s.Blocked, Rooms: s.Rooms}
	type stored struct {
		rel int
		p   protocol.Profile
	}
	byID := make(map[string]int, len(s.Members)+len(s.Externals)+len(s.Contacts))
	var list []stored
	put := func(p protocol.Profile, rel int, setRel bool) {
		i, ok := byID[p.ID]
		if !ok {
			byID[p.ID] = len(list)
			list = append(list, stored{rel, p})
			return
		}
		if setRel {
			list[i].rel = rel
		}
		if p.Version >= list[i].p.Version {
			list[i].p = p
		}
	}
	for _, p := range s.Members {
		if p.ID != s.Me.ID {
			put(p, RelCoworker, true)
		}
	}
	for _, p := range s.Externals {
		put(p, RelExternal, true)
	}
	for _, p := range s.Contacts {
		if p.ID == s.Me.ID {
			if p.Version >= r.Me.Version {
				r.Me = p
			}
			continue
		}
		rel := RelCached
		if p.WorkspaceID == s.Workspace.ID {
			rel = RelCoworker
		}
		put(p, rel, false)
	}
	for _, sp := range list {
		switch sp.rel {
		case RelCoworker:
			r.Coworkers = append(r.Coworkers, sp.p)
		case RelExternal:
			r.Externals = append(r.Externals, sp.p)
		}
	}
	return r
}
