package sqlite

import (
	"context"
	"fmt"
)

// migrations[i] moves the schema from version i to i+1 (PRAGMA user_version).
// Append new steps; never edit a released one.
var migrations = []string{
	`
CREATE TABLE workspaces (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	settings   TEXT NOT NULL, -- JSON protocol.WorkspaceSettings
	created_at INTEGER NOT NULL
);
CREATE TABLE members (
	id            TEXT PRIMARY KEY,
	workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
	email         TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	name          TEXT NOT NULL,
	fields        TEXT NOT NULL, -- JSON object, hidden fields included
	picture_id    TEXT NOT NULL DEFAULT '',
	admin         INTEGER NOT NULL DEFAULT 0,
	version       INTEGER NOT NULL DEFAULT 1,
	created_at    INTEGER NOT NULL,
	UNIQUE (workspace_id, email)
);
CREATE INDEX members_email ON members(email);
CREATE TABLE pictures (
	id    TEXT PRIMARY KEY, -- hex SHA-256 of bytes
	bytes BLOB NOT NULL
);
CREATE TABLE sessions (
	id         TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	member_id  TEXT NOT NULL REFERENCES members(id),
	device     TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE links (
	id         TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	member_id  TEXT NOT NULL REFERENCES members(id),
	kind       TEXT NOT NULL, -- once | qr
	expires_at INTEGER NOT NULL DEFAULT 0,
	sealed     BLOB,
	created_at INTEGER NOT NULL,
	used_at    INTEGER NOT NULL DEFAULT 0,
	revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX links_member ON links(member_id, kind);
CREATE TABLE server_keys (
	name TEXT PRIMARY KEY,
	key  BLOB NOT NULL
);
CREATE TABLE externals (
	owner_id   TEXT NOT NULL REFERENCES members(id),
	member_id  TEXT NOT NULL REFERENCES members(id),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (owner_id, member_id)
);
CREATE INDEX externals_member ON externals(member_id);
CREATE TABLE blocks (
	blocker_id TEXT NOT NULL REFERENCES members(id),
	blocked_id TEXT NOT NULL REFERENCES members(id),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (blocker_id, blocked_id)
);
CREATE TABLE rooms (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	title      TEXT NOT NULL DEFAULT '',
	closed     INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);
CREATE TABLE room_members (
	room_id   TEXT NOT NULL REFERENCES rooms(id),
	member_id TEXT NOT NULL REFERENCES members(id),
	PRIMARY KEY (room_id, member_id)
);
CREATE INDEX room_members_member ON room_members(member_id);
CREATE TABLE messages (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	id         TEXT NOT NULL UNIQUE,
	room_id    TEXT NOT NULL REFERENCES rooms(id),
	sender_id  TEXT NOT NULL DEFAULT '',
	kind       TEXT NOT NULL,
	text       TEXT NOT NULL,
	system     TEXT NOT NULL DEFAULT '',
	actor_id   TEXT NOT NULL DEFAULT '',
	actor_name TEXT NOT NULL DEFAULT '',
	action     TEXT NOT NULL DEFAULT '', -- JSON protocol.Action or ''
	sent_at    INTEGER NOT NULL
);
CREATE INDEX messages_room ON messages(room_id, seq);
CREATE TABLE events (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	op         TEXT NOT NULL,
	data       BLOB NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE feed (
	member_id TEXT NOT NULL,
	seq       INTEGER NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
	PRIMARY KEY (member_id, seq)
) WITHOUT ROWID;
CREATE INDEX feed_seq ON feed(seq);
CREATE TABLE mutations (
	member_id  TEXT NOT NULL,
	id         TEXT NOT NULL,
	op         TEXT NOT NULL,
	result     BLOB,
	err        BLOB,
	sealed     INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (member_id, id)
) WITHOUT ROWID;
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
`,
	// 2: room events, stored once for all members of a room (service.RoomFeeder).
	`
ALTER TABLE events ADD COLUMN room_id TEXT;
CREATE INDEX events_room ON events(room_id, seq) WHERE room_id IS NOT NULL;
`,
	// 3: workspace events, stored once for all members of a workspace
	// (service.WorkspaceFeeder). Stored member.upsert and workspace.update
	// events that every member of their workspace had (every member who
	// existed then) become workspace events, and those members' feed rows
	// go; feed rows of members outside it (external viewers) stay. An event
	// some coworker lacked stays as it was.
	`
ALTER TABLE events ADD COLUMN workspace_id TEXT;
CREATE INDEX events_workspace ON events(workspace_id, seq) WHERE workspace_id IS NOT NULL;
CREATE INDEX members_workspace ON members(workspace_id, name, id);
UPDATE events SET workspace_id = w.id
	FROM (SELECT e.seq AS seq, CASE e.op
			WHEN 'member.upsert' THEN json_extract(CAST(e.data AS TEXT), '$.workspace_id')
			ELSE json_extract(CAST(e.data AS TEXT), '$.id') END AS id
		FROM events e
		WHERE e.room_id IS NULL AND e.op IN ('member.upsert', 'workspace.update') AND json_valid(CAST(e.data AS TEXT))) w
	WHERE events.seq = w.seq AND w.id IS NOT NULL
	AND EXISTS (SELECT 1 FROM workspaces WHERE id = w.id)
	AND NOT EXISTS (SELECT 1 FROM members m
		WHERE m.workspace_id = w.id AND m.created_at <= events.created_at
		AND NOT EXISTS (SELECT 1 FROM feed f WHERE f.member_id = m.id AND f.seq = events.seq));
DELETE FROM feed WHERE EXISTS (SELECT 1 FROM events e JOIN members m ON m.id = feed.member_id
	WHERE e.seq = feed.seq AND e.workspace_id = m.workspace_id);
`,
	// 4: read marks, the newest message each member has read per room.
	`
CREATE TABLE read_marks (
	member_id TEXT NOT NULL,
	room_id   TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	PRIMARY KEY (member_id, room_id)
) WITHOUT ROWID;
`,
	// 5: departed members, activation links and the audit log.
	`
ALTER TABLE members ADD COLUMN disabled_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX sessions_member ON sessions(member_id);
CREATE TABLE activations (
	token_hash TEXT PRIMARY KEY,
	member_id  TEXT NOT NULL REFERENCES members(id),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX activations_member ON activations(member_id);
CREATE TABLE audit (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	at           INTEGER NOT NULL,
	actor        TEXT NOT NULL,
	action       TEXT NOT NULL,
	workspace_id TEXT NOT NULL DEFAULT '',
	target       TEXT NOT NULL DEFAULT '',
	detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_workspace ON audit(workspace_id, seq);
`,
	// 6: a thumbnail beside every picture (lists use it), and pictures
	// found by owner: only who may see an owner's profile gets the picture.
	`
ALTER TABLE pictures ADD COLUMN thumb BLOB;
CREATE INDEX members_picture ON members(picture_id) WHERE picture_id != '';
`,
}

// SchemaVersion is the schema version this build migrates to.
var SchemaVersion = len(migrations)

// migrate applies the steps the database has not had yet, each in its own
// transaction together with the new user_version.
func (db *DB) migrate(ctx context.Context) error { return db.migrateTo(ctx, len(migrations)) }

// migrateTo migrates up to version target (tests start from old versions).
func (db *DB) migrateTo(ctx context.Context, target int) error {
	for {
		var v int
		if err := db.writer.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if v > len(migrations) {
			return fmt.Errorf("database schema version %d is newer than this program (%d)", v, len(migrations))
		}
		if v >= target {
			return nil
		}
		tx, err := db.writer.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
	}
}
