package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// OpenAtVersion opens the database at url migrated only to schema version
// v, for tests of the migrations after it, and returns its pool.
func OpenAtVersion(ctx context.Context, url string, v int) (*pgxpool.Pool, error) {
	db, err := open(ctx, url, v)
	if err != nil {
		return nil, err
	}
	return db.pool, nil
}
