package store

// migrations are applied in order; PRAGMA user_version counts the applied
// ones. Append only: never edit a migration that has shipped.
var migrations = []string{
	`
CREATE TABLE meta (
	k TEXT PRIMARY KEY,
	v TEXT NOT NULL
);
-- Profiles I know: coworkers (rel 1), external members (rel 2), and
-- profiles fetched on demand (rel 0, a cache). My own profile lives in meta.
CREATE TABLE profiles (
	id      TEXT PRIMARY KEY,
	rel     INTEGER NOT NULL,
	version INTEGER NOT NULL,
	data    TEXT NOT NULL
);
CREATE TABLE blocked (
	id   TEXT PRIMARY KEY,
	data TEXT NOT NULL
);
CREATE TABLE rooms (
	id   TEXT PRIMARY KEY,
	data TEXT NOT NULL
);
CREATE TABLE room_members (
	room_id   TEXT NOT NULL,
	member_id TEXT NOT NULL,
	PRIMARY KEY (room_id, member_id)
) WITHOUT ROWID;
CREATE INDEX room_members_member ON room_members(member_id);
-- key orders a room's messages: the server seq once acknowledged,
-- pendingKeyBase + outbox position while pending.
CREATE TABLE messages (
	id      TEXT PRIMARY KEY,
	room_id TEXT NOT NULL,
	key     INTEGER NOT NULL,
	seq     INTEGER NOT NULL,
	pending INTEGER NOT NULL,
	data    TEXT NOT NULL
);
CREATE INDEX messages_room_key ON messages(room_id, key);
CREATE TABLE pictures (
	id      TEXT PRIMARY KEY,
	data    BLOB NOT NULL,
	fetched INTEGER NOT NULL
);
-- id is the client-made mutation id, sent as the request id.
CREATE TABLE outbox (
	n        INTEGER PRIMARY KEY AUTOINCREMENT,
	id       TEXT NOT NULL UNIQUE,
	op       TEXT NOT NULL,
	body     TEXT NOT NULL,
	created  INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE notices (
	n    INTEGER PRIMARY KEY AUTOINCREMENT,
	id   TEXT NOT NULL UNIQUE,
	op   TEXT NOT NULL,
	code TEXT NOT NULL,
	text TEXT NOT NULL,
	at   INTEGER NOT NULL
);
`,
	// 2: read marks: my read position and unread count per room.
	`
CREATE TABLE reads (
	room_id TEXT PRIMARY KEY,
	seq     INTEGER NOT NULL,
	unread  INTEGER NOT NULL
);
`,
	// 3: the reason of a refusal, for the UI to say it in its language.
	`ALTER TABLE notices ADD COLUMN reason TEXT NOT NULL DEFAULT '';`,
}
