// Package store is the client's local database: one SQLite file per signed-in
// workspace holding the replica of the server state, the outbox of local
// mutations not yet acknowledged, the sync cursor and the notices to show.
//
// The replica tables hold what the server said, except for pending messages
// (so that message pages come from one index). Every other optimistic effect
// is derived by the engine from the outbox, which makes rolling back a refused
// mutation a matter of deleting its outbox entry.
//
// The file, its WAL and any temporary file are encrypted at rest with a
// 256-bit key (see encrypt.go); without the key they read as random bytes.
package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"
)

// DB is an open local database. It is safe for concurrent use.
type DB struct {
	db   *sql.DB
	path string
}

// Open opens (creating if needed) the database at path, encrypted with key
// (KeySize bytes), and migrates it. A plain database left by an older
// version is encrypted in place first, losing nothing. A nil key opens an
// unencrypted database; only tests and benchmarks do that.
//
// Errors: ErrWrongKey when the file cannot be read with key (the file is
// left as it was), ErrNotEncrypted for a nil key and an encrypted file.
func Open(path string, key []byte) (*DB, error) {
	if key != nil && len(key) != KeySize {
		return nil, fmt.Errorf("open store: the key must be %d bytes, not %d", KeySize, len(key))
	}
	kind, err := Inspect(path)
	if err != nil {
		return nil, err
	}
	switch {
	case kind == FileEncrypted && key == nil:
		return nil, ErrNotEncrypted
	case kind == FileEncrypted:
		if err := CheckKey(path, key); err != nil {
			return nil, err
		}
	case kind == FilePlain && key != nil:
		if err := encryptInPlace(path, key); err != nil {
			return nil, err
		}
	}
	d, err := openPool(path, key)
	if err != nil {
		return nil, err
	}
	if err := d.migrate(context.Background()); err != nil {
		d.db.Close()
		return nil, err
	}
	return d, nil
}

func openPool(path string, key []byte) (*DB, error) {
	dsn := "file:" + path
	if key != nil {
		dsn += "?vfs=" + vfsName
	}
	// The key goes in by PRAGMA, not in the file name, so that no error
	// message or file name parameter ever carries it.
	hexKey := hex.EncodeToString(key)
	sqldb, err := driver.Open(dsn, func(c *sqlite3.Conn) error {
		if key != nil {
			if err := c.Exec("PRAGMA hexkey='" + hexKey + "'"); err != nil {
				return fmt.Errorf("set key: %w", err)
			}
		}
		return c.Exec(`PRAGMA busy_timeout = 10000;
			PRAGMA journal_mode = WAL;
			-- NORMAL in WAL mode survives a process crash (kill -9); only a
			-- power loss may lose the last commits.
			PRAGMA synchronous = NORMAL;
			PRAGMA foreign_keys = 1;
			-- Sorts and temporary tables stay in memory: never on disk.
			PRAGMA temp_store = MEMORY;`)
	})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// Every transaction here writes; the driver takes the write lock at
	// BEGIN (IMMEDIATE) so two transactions never deadlock upgrading a
	// read lock.
	sqldb.SetMaxOpenConns(4)
	sqldb.SetMaxIdleConns(4)
	return &DB{db: sqldb, path: path}, nil
}

// Path returns the file the database lives in.
func (d *DB) Path() string { return d.path }

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// Remove deletes the database file at path, its WAL and shared-memory
// files and what an interrupted encryption left. The database must be
// closed.
func Remove(path string) error {
	for _, p := range append(sideFiles(path), sideFiles(path+encryptingSuffix)...) {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("remove store: %w", err)
		}
	}
	return nil
}

// sideFiles are the database file at path and the files SQLite keeps next
// to it.
func sideFiles(path string) []string {
	return []string{path, path + "-wal", path + "-shm", path + "-journal"}
}

func (d *DB) migrate(ctx context.Context) error {
	var v int
	if err := d.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > len(migrations) {
		// A newer app wrote this file: changing it could lose what that
		// version keeps and older code cannot read.
		return fmt.Errorf("local database schema version %d is newer than this program (%d): update Worktalk", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := d.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
	}
	return nil
}

// inTx runs fn in one write transaction.
func (d *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
