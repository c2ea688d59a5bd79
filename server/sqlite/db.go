// Package sqlite implements service.Store on SQLite (modernc.org/sqlite, pure
// Go, so the server cross-compiles without a C toolchain).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"worktalk.dev/worktalk/server/service"
)

var _ service.Store = (*DB)(nil)

// DB is a SQLite database in WAL mode: one writer connection (SQLite has one
// writer, so writes queue here rather than fail with SQLITE_BUSY) and a pool
// of read-only connections that read while a write is in progress.
//
// The write-ahead log is kept bounded: SQLite's own checkpoints after each
// commit copy it back into the database but cannot restart it while readers
// keep using it, so under steady reads it would grow without end. A write
// that leaves it over walCheckpointAt runs a checkpoint that waits for the
// readers of the moment and truncates it (see checkpointIfLarge).
type DB struct {
	path   string
	writer *sql.DB // one connection; transactions start with BEGIN IMMEDIATE
	reader *sql.DB // query_only connections

	walLimit int64 // walCheckpointAt; tests lower it
}

const (
	// walCheckpointAt is the WAL size past which a write truncates it.
	walCheckpointAt = 32 << 20
	// walCheckpointWait bounds how long a checkpoint waits for readers
	// (it holds the writer meanwhile); one that times out is tried again.
	walCheckpointWait = 2 * time.Second
)

// Open opens (creating if needed) the database at path and migrates its
// schema. The file is made readable by its owner only, and an existing one
// that others could read is narrowed: it holds password hashes and sealed
// secrets. SQLite gives its -wal and -shm files the database file's mode.
func Open(path string) (*DB, error) {
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	// journal_size_limit: the WAL file shrinks back to 64 MiB when it restarts.
	// secure_delete: deleted and overwritten rows (a revoked session, a
	// resealed value) are zeroed, not left readable in free space.
	w, err := sql.Open("sqlite", "file:"+escapePath(path)+"?"+common+"&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(67108864)&_pragma=secure_delete(1)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db := &DB{path: path, writer: w, walLimit: walCheckpointAt}
	// The writer sets WAL mode on its first connection; migrate before readers open.
	if err := db.migrate(context.Background()); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", "file:"+escapePath(path)+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.reader = r
	return db, nil
}

// ownerOnly creates path 0600 if it does not exist and takes the group and
// other permissions off it and its companion files if it does.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(p, perm&^0o077); err != nil {
				return fmt.Errorf("make %s private: %w", p, err)
			}
		}
	}
	return nil
}

func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// Scrub empties the write-ahead log into the database (Checkpoint), so old
// versions of pages (a deleted key among them) leave the log too;
// secure_delete has already zeroed them in the database file.
func (db *DB) Scrub(ctx context.Context) error { return db.Checkpoint(ctx) }

// Close closes both connection pools.
func (db *DB) Close() error {
	var errs []error
	if db.reader != nil {
		errs = append(errs, db.reader.Close())
	}
	errs = append(errs, db.writer.Close())
	return errors.Join(errs...)
}

// Read runs fn in a read transaction: every query in it sees the same state.
func (db *DB) Read(ctx context.Context, fn func(service.Tx) error) error {
	tx, err := db.reader.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(&Tx{tx: tx})
}

// Write runs fn in a write transaction, committed if fn returns nil.
func (db *DB) Write(ctx context.Context, fn func(service.Tx) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if err := fn(&Tx{tx: tx}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.checkpointIfLarge(ctx)
	return nil
}

// checkpointIfLarge truncates the WAL once a write left it larger than
// walCheckpointAt (a stat per write: far cheaper than the write). It runs
// on the writer connection between transactions. A checkpoint that cannot
// finish (a reader older than walCheckpointWait) is left for a later write;
// failing here fails no write.
func (db *DB) checkpointIfLarge(ctx context.Context) {
	fi, err := os.Stat(db.path + "-wal")
	if err != nil || fi.Size() < db.walLimit {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), walCheckpointWait+time.Second)
	defer cancel()
	_ = db.checkpoint(ctx, walCheckpointWait)
}

// Checkpoint copies the whole WAL into the database and truncates it,
// waiting up to 10 s for the readers of the moment to finish.
func (db *DB) Checkpoint(ctx context.Context) error {
	return db.checkpoint(ctx, 10*time.Second)
}

// checkpoint runs wal_checkpoint(TRUNCATE) on the writer connection with
// the busy timeout set to wait. It fails when a reader kept it from
// finishing.
func (db *DB) checkpoint(ctx context.Context, wait time.Duration) error {
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, wait.Milliseconds())); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA busy_timeout = 10000`)
	var busy, logPages, done int
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 {
		return errors.New("checkpoint: readers kept the WAL in use")
	}
	return nil
}

// Tx is one transaction; it implements service.Tx.
type Tx struct {
	tx *sql.Tx
}

var _ service.Tx = (*Tx)(nil)
