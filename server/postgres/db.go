// Package postgres implements service.Store on PostgreSQL (pgx v5), the
// store for several worktalkd nodes that share one database.
package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

var _ service.Store = (*DB)(nil)

// Advisory locks take two keys: one of these classes and a hash of the
// schema, so deployments in different schemas of one database do not
// serialize against each other.
const (
	writeLockClass   = 0x77746b00 // "wtk" + 0
	migrateLockClass = 0x77746b01
)

// DB is a PostgreSQL database reached through a connection pool. Every Write
// takes one advisory lock for its whole transaction, so writes from all
// nodes run one at a time and commit in the order they were given seqs.
type DB struct {
	pool      *pgxpool.Pool
	schemaKey int32 // hashtext(current_schema()), the second advisory lock key
}

// Open connects to the database at url (postgres://...; a search_path query
// parameter picks the schema) and migrates its schema.
func Open(ctx context.Context, url string) (*DB, error) { return open(ctx, url, len(migrations)) }

// open opens the database and migrates it to schema version target.
func open(ctx context.Context, url string, target int) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse postgres url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := &DB{pool: pool}
	var schema *string
	if err := pool.QueryRow(ctx, `SELECT current_schema(), coalesce(hashtext(current_schema()), 0)`).Scan(&schema, &db.schemaKey); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if schema == nil {
		pool.Close()
		return nil, errors.New("open postgres: no schema of the search_path exists; create it first")
	}
	if err := db.migrateTo(ctx, target); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Scrub vacuums the tables that held secrets, so rows deleted or updated
// (the in-database key of older versions, resealed values) leave the data
// files instead of waiting for autovacuum.
func (db *DB) Scrub(ctx context.Context) error {
	if _, err := db.pool.Exec(ctx, `VACUUM server_keys, links, mutations`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

// Close closes the pool, waiting for connections in use to be returned.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Read runs fn in a read-only REPEATABLE READ transaction, so every query in
// it sees the same snapshot.
func (db *DB) Read(ctx context.Context, fn func(service.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	return fn(&Tx{tx: tx})
}

// Write runs fn in a transaction, committed if fn returns nil.
//
// It first takes the write advisory lock, held until commit or rollback, so
// write transactions from every node run one at a time. That is what the
// Store contract promises and what the service relies on:
//   - seqs become visible in commit order. A reader must never see seq N+1
//     before N: a client would move its cursor past N and never get N.
//   - the seq counters, bumped inside the transaction, stay gapless.
//   - check-then-insert sequences in the service (server key, mutation ids,
//     e-mail uniqueness) cannot interleave across nodes; at READ COMMITTED
//     each statement after the lock sees every earlier write.
//
// A statement that fails aborts the whole transaction (PostgreSQL's rule):
// fn must return its error rather than carry on.
func (db *DB) Write(ctx context.Context, fn func(service.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, writeLockClass, db.schemaKey); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return fmt.Errorf("take write lock: %w", err)
	}
	if err := fn(&Tx{tx: tx}); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return refuseNUL(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// errNUL is what a write of text holding a NUL character returns: SQLite
// stores it, PostgreSQL text cannot hold it. Clients get a refusal rather
// than an internal error.
var errNUL = &protocol.Error{Code: protocol.EInvalid, Reason: protocol.RNUL, Message: "text contains a NUL character"}

// refuseNUL turns PostgreSQL's "invalid byte sequence: 0x00" into errNUL.
// Go strings decoded from JSON are valid UTF-8, so NUL is the only byte
// sequence that reaches here.
func refuseNUL(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "22021" { // character_not_in_repertoire
		return errNUL
	}
	return err
}

// Tx is one transaction; it implements service.Tx.
type Tx struct {
	tx pgx.Tx
}

var _ service.Tx = (*Tx)(nil)

func noRow(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return service.ErrNoRow
	}
	return err
}
