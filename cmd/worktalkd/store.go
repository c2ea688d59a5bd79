package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"worktalk.dev/worktalk/server/natsbus"
	"worktalk.dev/worktalk/server/postgres"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/sqlite"
)

// Store is the database worktalkd runs on: SQLite in --data or PostgreSQL
// at --db.
type Store interface {
	service.Store
	Close() error
}

// dbFlags choose the database: --data DIR (SQLite, one node) or --db URL
// (PostgreSQL, any number of nodes).
type dbFlags struct {
	data string
	db   string
}

func (d *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.data, "data", "", "data `DIR` holding the SQLite database (one node)")
	fs.StringVar(&d.db, "db", "", "PostgreSQL `URL` postgres://... instead of --data (several nodes)")
}

// check says what is wrong with the choice, if anything.
func (d dbFlags) check() error {
	switch {
	case d.data == "" && d.db == "":
		return errors.New("--data or --db is required")
	case d.data != "" && d.db != "":
		return errors.New("give --data (SQLite) or --db (PostgreSQL), not both")
	case d.db != "" && !isPostgresURL(d.db):
		return fmt.Errorf("--db must be a postgres:// URL, not %q", redactURL(d.db))
	}
	return nil
}

func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// redactURL hides a password in a URL given on the command line, so error
// messages and logs never show it.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return u
	}
	user, _, hasPW := strings.Cut(rest[:at], ":")
	if !hasPW {
		return u
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}

// openStore opens the chosen database, migrating its schema, and keeps it
// in m.DB.
func (m *Main) openStore(ctx context.Context, d dbFlags) error {
	if d.db != "" {
		db, err := postgres.Open(ctx, d.db)
		if err != nil {
			return fmt.Errorf("open database %s: %w", redactURL(d.db), err)
		}
		m.DB = db
		return nil
	}
	if err := os.MkdirAll(d.data, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	db, err := sqlite.Open(filepath.Join(d.data, dbFile))
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	m.DB = db
	return nil
}

// openNATS connects the bus to NATS, reading missed events back from the
// PostgreSQL store in m.DB.
func (m *Main) openNATS(ctx context.Context, urls, subject string, poll time.Duration) (*natsbus.Bus, error) {
	pg, ok := m.DB.(*postgres.DB)
	if !ok {
		return nil, errors.New("--nats needs a PostgreSQL --db")
	}
	bus, err := natsbus.Open(ctx, natsbus.Config{URL: urls, Subject: subject, Source: pg, Poll: poll, Logger: m.logger()})
	if err != nil {
		return nil, fmt.Errorf("open bus: %w", err)
	}
	return bus, nil
}
