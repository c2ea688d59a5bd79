package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// SetUserVersion sets a database's schema version, for tests of migration.
func SetUserVersion(path string, v int) error {
	db, err := sql.Open("sqlite", "file:"+escapePath(path))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(fmt.Sprintf("PRAGMA user_version = %d", v))
	return err
}

// CreateAtVersion makes a database at path with the schema of version v,
// for tests of the migrations after it. It returns a plain connection to it.
func CreateAtVersion(path string, v int) (*sql.DB, error) {
	w, err := sql.Open("sqlite", "file:"+escapePath(path)+"?_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	if err := (&DB{path: path, writer: w}).migrateTo(context.Background(), v); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// BulkFeed appends n events to member's feed in one statement, for tests
// that need more events than a loop of AppendEvent would make quickly.
func (db *DB) BulkFeed(member string, n int) error {
	tx, err := db.writer.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var first int64
	if err := tx.QueryRow(`SELECT coalesce(max(seq), 0) + 1 FROM events`).Scan(&first); err != nil {
		return err
	}
	if _, err := tx.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO events (op, data, created_at) SELECT 'test', x'7b7d', 1 FROM n`, n); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO feed (member_id, seq) SELECT ?, seq FROM events WHERE seq >= ?`, member, first); err != nil {
		return err
	}
	return tx.Commit()
}

// SetWALLimit changes the WAL size past which a write truncates it.
func (db *DB) SetWALLimit(n int64) { db.walLimit = n }
