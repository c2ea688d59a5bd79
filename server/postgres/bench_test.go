package postgres_test

import (
	"context"
	"testing"
	"time"

	"worktalk.dev/worktalk/server/service"
)

// BenchmarkWriteEvent is one write transaction that appends an event for
// two members: the unit of every mutation. Writes are serialized by the
// advisory lock, so parallel callers show the cluster-wide write ceiling.
func BenchmarkWriteEvent(b *testing.B) {
	for _, parallel := range []bool{false, true} {
		name := "serial"
		if parallel {
			name = "parallel"
		}
		b.Run(name, func(b *testing.B) {
			db := mustOpen(b, newSchema(b))
			ctx := context.Background()
			write := func() {
				err := db.Write(ctx, func(tx service.Tx) error {
					_, err := tx.AppendEvent(ctx, "message.new", []byte(`{"text":"hello"}`), []string{"m-a", "m-b"}, time.Now())
					return err
				})
				if err != nil {
					b.Error(err)
				}
			}
			if parallel {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						write()
					}
				})
			} else {
				for b.Loop() {
					write()
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}
