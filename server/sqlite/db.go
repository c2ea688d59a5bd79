// Package sqlite implements service.Store on SQLite (modernc.org/sqlite, pure
// Go, so the server cross-compiles without a C toolchain).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"worktalk.dev/worktalk/server/service"
)

var _ service.Store = (*DB)(nil)

// DB is a SQLite database in WAL mode: one writer connection (SQLite has one
// writer, so writes queue here rather than fail with SQLITE_BUSY) and a pool
// of read-only connections that read while a write is in progress.
type DB struct {
	path   string
	writer *sql.DB // one connection; transactions start with BEGIN IMMEDIATE
	reader *sql.DB // query_only connections
}

// Open opens (creating if needed) the database at path and migrates its schema.
func Open(path string) (*DB, error) {
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	w, err := sql.Open("sqlite", "file:"+escapePath(path)+"?"+common+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db := &DB{path: path, writer: w}
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

func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

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
	return nil
}

// Tx is one transaction; it implements service.Tx.
type Tx struct {
	tx *sql.Tx
}

var _ service.Tx = (*Tx)(nil)
