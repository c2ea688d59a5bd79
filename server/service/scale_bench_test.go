package service_test

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// fileSize is the size of path, 0 if it does not exist.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// walWatch samples the size of a SQLite database's WAL every few
// milliseconds until stop is called, and returns the largest it saw.
func walWatch(dbPath string) (stop func() int64) {
	var peak atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			if n := fileSize(dbPath + "-wal"); n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() int64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// BenchmarkWorkspaceGrowth10k: 10,000 members join one workspace, one at a
// time (each join is a workspace-wide event). It reports the database's
// growth per member in the first and the last quarter (equal when the size
// is linear in the events), each join's time (p50/p99 of the last quarter),
// and the largest the WAL grew.
func BenchmarkWorkspaceGrowth10k(b *testing.B) {
	const members, quarter = 10_000, 2_500
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b)
		ws := e.workspace("Acme", true)
		path := e.dbPath
		b.StartTimer()
		stop := walWatch(path)
		var sizes []int64
		var lat []time.Duration
		for i := range members {
			if i%quarter == 0 {
				sizes = append(sizes, dbBytes(b, e, path))
			}
			start := time.Now()
			if _, err := e.svc.CreateMember(e.ctx, service.NewMember{WorkspaceID: ws, Email: fmt.Sprintf("m%d@acme.test", i),
				Password: testPassword, Name: fmt.Sprintf("Member %d", i), Fields: map[string]string{"title": "Engineer", "department": "R&D"}}); err != nil {
				b.Fatal(err)
			}
			if i >= members-quarter {
				lat = append(lat, time.Since(start))
			}
		}
		sizes = append(sizes, dbBytes(b, e, path))
		peak := stop()
		b.ReportMetric(float64(sizes[1]-sizes[0])/quarter, "bytes/member-first")
		b.ReportMetric(float64(sizes[4]-sizes[3])/quarter, "bytes/member-last")
		b.ReportMetric(float64(sizes[4])/(1<<20), "db-MB")
		b.ReportMetric(float64(peak)/(1<<20), "max-wal-MB")
		reportPercentiles(b, lat)
	}
}

// dbBytes is the database's size with its WAL checkpointed into it, so
// that it counts what is stored and not what the WAL holds twice.
func dbBytes(tb testing.TB, e *env, path string) int64 {
	tb.Helper()
	if err := e.db.Checkpoint(e.ctx); err != nil {
		tb.Fatal(err)
	}
	return fileSize(path)
}

// BenchmarkRename10k: profile.update of a member's name in a workspace of
// 10,000, from the request to the answer (the commit and the hand-over of
// the event to the bus).
func BenchmarkRename10k(b *testing.B) {
	e := newEnv(b)
	ws := e.workspace("Acme", true)
	var me service.Caller
	for i := range 10_000 {
		c := e.member(ws, fmt.Sprintf("m%d@acme.test", i), fmt.Sprintf("Member %d", i))
		if i == 0 {
			me = c
		}
	}
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		name := fmt.Sprintf("Renamed %d", i)
		start := time.Now()
		if err := e.do(me, protocol.OpProfileUpdate, protocol.ProfileUpdate{Name: &name}, nil); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportPercentiles(b, lat)
}
