package postgres

import (
	"context"
	"fmt"
)

// migrations[i] moves the schema from version i to i+1 (the schema_version
// table). Append new steps; never edit a released one. Version numbers follow
// the same idea as server/sqlite, but the two lists are separate.
//
// Times are unix milliseconds in BIGINT, 0 for the zero time, as in SQLite,
// so both stores round-trip times identically. Text keys use the "C"
// collation so ORDER BY sorts bytewise like SQLite, whatever the database's
// locale. Seqs come from the counters table, bumped under the write lock, so
// they are gapless like SQLite's AUTOINCREMENT after a rollback.
var migrations = []string{
	`
CREATE TABLE workspaces (
	id         TEXT COLLATE "C" PRIMARY KEY,
	name       TEXT COLLATE "C" NOT NULL,
	settings   TEXT NOT NULL, -- JSON protocol.WorkspaceSettings
	created_at BIGINT NOT NULL
);
CREATE TABLE members (
	id            TEXT COLLATE "C" PRIMARY KEY,
	workspace_id  TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
	email         TEXT COLLATE "C" NOT NULL,
	password_hash TEXT NOT NULL,
	name          TEXT COLLATE "C" NOT NULL,
	fields        TEXT NOT NULL, -- JSON object, hidden fields included
	picture_id    TEXT NOT NULL DEFAULT '',
	admin         BOOLEAN NOT NULL DEFAULT false,
	version       BIGINT NOT NULL DEFAULT 1,
	created_at    BIGINT NOT NULL,
	UNIQUE (workspace_id, email)
);
CREATE INDEX members_email ON members(email);
CREATE INDEX members_workspace ON members(workspace_id, name, id);
CREATE TABLE pictures (
	id    TEXT COLLATE "C" PRIMARY KEY, -- hex SHA-256 of bytes
	bytes BYTEA NOT NULL
);
CREATE TABLE sessions (
	id         TEXT COLLATE "C" PRIMARY KEY,
	token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
	member_id  TEXT COLLATE "C" NOT NULL REFERENCES members(id),
	device     TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	revoked_at BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE links (
	id         TEXT COLLATE "C" PRIMARY KEY,
	token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
	member_id  TEXT COLLATE "C" NOT NULL REFERENCES members(id),
	kind       TEXT NOT NULL, -- once | qr
	expires_at BIGINT NOT NULL DEFAULT 0,
	sealed     BYTEA,
	created_at BIGINT NOT NULL,
	used_at    BIGINT NOT NULL DEFAULT 0,
	revoked_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX links_member ON links(member_id, kind);
CREATE TABLE server_keys (
	name TEXT COLLATE "C" PRIMARY KEY,
	key  BYTEA NOT NULL
);
CREATE TABLE externals (
	owner_id   TEXT COLLATE "C" NOT NULL REFERENCES members(id),
	member_id  TEXT COLLATE "C" NOT NULL REFERENCES members(id),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (owner_id, member_id)
);
CREATE INDEX externals_member ON externals(member_id);
CREATE TABLE blocks (
	blocker_id TEXT COLLATE "C" NOT NULL REFERENCES members(id),
	blocked_id TEXT COLLATE "C" NOT NULL REFERENCES members(id),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (blocker_id, blocked_id)
);
CREATE TABLE rooms (
	id         TEXT COLLATE "C" PRIMARY KEY,
	kind       TEXT NOT NULL,
	title      TEXT NOT NULL DEFAULT '',
	closed     BOOLEAN NOT NULL DEFAULT false,
	created_at BIGINT NOT NULL
);
CREATE TABLE room_members (
	room_id   TEXT COLLATE "C" NOT NULL REFERENCES rooms(id),
	member_id TEXT COLLATE "C" NOT NULL REFERENCES members(id),
	PRIMARY KEY (room_id, member_id)
);
CREATE INDEX room_members_member ON room_members(member_id);
CREATE TABLE messages (
	seq        BIGINT PRIMARY KEY,
	id         TEXT COLLATE "C" NOT NULL UNIQUE,
	room_id    TEXT COLLATE "C" NOT NULL REFERENCES rooms(id),
	sender_id  TEXT NOT NULL DEFAULT '',
	kind       TEXT NOT NULL,
	text       TEXT NOT NULL,
	system     TEXT NOT NULL DEFAULT '',
	actor_id   TEXT NOT NULL DEFAULT '',
	actor_name TEXT NOT NULL DEFAULT '',
	action     TEXT NOT NULL DEFAULT '', -- JSON protocol.Action or ''
	sent_at    BIGINT NOT NULL
);
CREATE INDEX messages_room ON messages(room_id, seq);
CREATE TABLE events (
	seq        BIGINT PRIMARY KEY,
	op         TEXT NOT NULL,
	data       BYTEA NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX events_created ON events(created_at);
CREATE TABLE feed (
	member_id TEXT COLLATE "C" NOT NULL,
	seq       BIGINT NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
	PRIMARY KEY (member_id, seq)
);
CREATE INDEX feed_seq ON feed(seq);
CREATE TABLE mutations (
	member_id  TEXT COLLATE "C" NOT NULL,
	id         TEXT COLLATE "C" NOT NULL,
	op         TEXT NOT NULL,
	result     BYTEA,
	err        BYTEA,
	sealed     BOOLEAN NOT NULL DEFAULT false,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (member_id, id)
);
-- counters: the last seq handed out ('events', 'messages') and the newest
-- pruned event seq ('pruned_through').
CREATE TABLE counters (
	name  TEXT COLLATE "C" PRIMARY KEY,
	value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('events', 0), ('messages', 0), ('pruned_through', 0);
`,
	// 2: room events, stored once for all members of a room (service.RoomFeeder).
	`
ALTER TABLE events ADD COLUMN room_id TEXT COLLATE "C";
CREATE INDEX events_room ON events(room_id, seq) WHERE room_id IS NOT NULL;
`,
	// 3: workspace events, stored once for all members of a workspace
	// (service.WorkspaceFeeder). Stored member.upsert and workspace.update
	// events that every member of their workspace had (every member who
	// existed then) become workspace events, and those members' feed rows
	// go; feed rows of members outside it (external viewers) stay. An event
	// some coworker lacked stays as it was.
	`
ALTER TABLE events ADD COLUMN workspace_id TEXT COLLATE "C";
CREATE INDEX events_workspace ON events(workspace_id, seq) WHERE workspace_id IS NOT NULL;
UPDATE events SET workspace_id = w.id
	FROM (SELECT e.seq, CASE e.op
			WHEN 'member.upsert' THEN convert_from(e.data, 'UTF8')::jsonb->>'workspace_id'
			ELSE convert_from(e.data, 'UTF8')::jsonb->>'id' END AS id
		FROM events e
		WHERE e.room_id IS NULL AND e.op IN ('member.upsert', 'workspace.update') AND length(e.data) > 0) w
	WHERE events.seq = w.seq AND w.id IS NOT NULL
	AND EXISTS (SELECT 1 FROM workspaces WHERE id = w.id)
	AND NOT EXISTS (SELECT 1 FROM members m
		WHERE m.workspace_id = w.id AND m.created_at <= events.created_at
		AND NOT EXISTS (SELECT 1 FROM feed f WHERE f.member_id = m.id AND f.seq = events.seq));
DELETE FROM feed f USING events e, members m
	WHERE e.seq = f.seq AND m.id = f.member_id AND e.workspace_id = m.workspace_id;
`,
	// 4: read marks, the newest message each member has read per room.
	`
CREATE TABLE read_marks (
	member_id TEXT COLLATE "C" NOT NULL,
	room_id   TEXT COLLATE "C" NOT NULL,
	seq       BIGINT NOT NULL,
	PRIMARY KEY (member_id, room_id)
);
`,
	// 5: departed members, activation links and the audit log.
	`
ALTER TABLE members ADD COLUMN disabled_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sessions_member ON sessions(member_id);
CREATE TABLE activations (
	token_hash TEXT COLLATE "C" PRIMARY KEY,
	member_id  TEXT COLLATE "C" NOT NULL REFERENCES members(id),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	used_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX activations_member ON activations(member_id);
CREATE TABLE audit (
	seq          BIGSERIAL PRIMARY KEY,
	at           BIGINT NOT NULL,
	actor        TEXT NOT NULL,
	action       TEXT NOT NULL,
	workspace_id TEXT COLLATE "C" NOT NULL DEFAULT '',
	target       TEXT NOT NULL DEFAULT '',
	detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_workspace ON audit(workspace_id, seq);
`,
	// 6: a thumbnail beside every picture (lists use it), and pictures
	// found by owner: only who may see an owner's profile gets the picture.
	`
ALTER TABLE pictures ADD COLUMN thumb BYTEA;
CREATE INDEX members_picture ON members(picture_id) WHERE picture_id <> '';
`,
}

// SchemaVersion is the schema version this build migrates to.
var SchemaVersion = len(migrations)

// migrateTo applies the steps up to version target that the database has
// not had yet, each in its own transaction together with the new version.
// The migrate advisory lock makes nodes that start together take turns: the
// first migrates, the others then find nothing to do.
func (db *DB) migrateTo(ctx context.Context, target int) error {
	for {
		done, err := db.migrateStep(ctx, target)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies one step and reports whether the schema is at target.
func (db *DB) migrateStep(ctx context.Context, target int) (done bool, err error) {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, migrateLockClass, db.schemaKey); err != nil {
		return false, fmt.Errorf("migrate: take lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	var v int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	if v > len(migrations) {
		return false, fmt.Errorf("database schema version %d is newer than this program (%d)", v, len(migrations))
	}
	if v >= target {
		return true, tx.Commit(ctx)
	}
	if _, err := tx.Exec(ctx, migrations[v]); err != nil {
		return false, fmt.Errorf("migrate to %d: %w", v+1, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM schema_version`); err != nil {
		return false, fmt.Errorf("migrate to %d: %w", v+1, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, v+1); err != nil {
		return false, fmt.Errorf("migrate to %d: %w", v+1, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("migrate to %d: %w", v+1, err)
	}
	return false, nil
}
