package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"worktalk.dev/worktalk/server/postgres/pgtest"
)

// BenchmarkCellWrites simulates the design in docs/scale-out.md ("Writes
// past one lock"): events ordered per cell instead of in one global order.
// Each transaction takes its cell's advisory lock, bumps its cell's seq
// counter and inserts an event under (cell, seq), which is what Write and
// AppendEvent do today with one lock and one counter for everything.
// Sixteen writers share cells=1 (today) or spread over more; with one cell
// every commit waits for the one before it, flush to disk included.
//
//	go test -run '^$' -bench CellWrites ./server/postgres/
func BenchmarkCellWrites(b *testing.B) {
	for _, cells := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("cells=%d", cells), func(b *testing.B) { benchCells(b, cells, 16) })
	}
}

func benchCells(b *testing.B, cells, writers int) {
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(pgtest.NewSchema(b))
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = int32(writers)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	_, err = pool.Exec(ctx, `
		CREATE TABLE cell_counters (cell int PRIMARY KEY, value bigint NOT NULL);
		CREATE TABLE cell_events (cell int, seq bigint, op text NOT NULL, data bytea NOT NULL,
			created_at bigint NOT NULL, PRIMARY KEY (cell, seq));
		INSERT INTO cell_counters SELECT g, 0 FROM generate_series(0, 255) g`)
	if err != nil {
		b.Fatal(err)
	}
	write := func(cell int) error {
		tx, err := pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, int32(0x77746b63), int32(cell)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `WITH c AS (UPDATE cell_counters SET value = value + 1 WHERE cell = $1 RETURNING value)
			INSERT INTO cell_events SELECT $1, c.value, 'message.new', $2, $3 FROM c`,
			cell, []byte(`{"text":"hello"}`), time.Now().UnixMilli())
		if err != nil {
			return err
		}
		return tx.Commit(ctx)
	}

	var (
		next atomic.Int64 // hands out the iterations
		mu   sync.Mutex
		lat  []time.Duration
		wg   sync.WaitGroup
	)
	n := int64(b.N)
	b.ResetTimer()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for next.Add(1) <= n {
				t := time.Now()
				if err := write(w % cells); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2])/float64(time.Millisecond), "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100])/float64(time.Millisecond), "p99-ms")
	}
	var stored int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM cell_events`).Scan(&stored); err != nil || stored != n {
		b.Fatalf("%d events stored (%v), want %d", stored, err, n)
	}
}
