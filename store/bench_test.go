package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"worktalk.dev/worktalk/store"
)

// keyVariants are the stores the benchmarks compare in one run: the same
// engine with and without encryption at rest.
var keyVariants = []struct {
	name string
	key  func() []byte
}{
	{"plain", func() []byte { return nil }},
	{"encrypted", store.NewKey},
}

// BenchmarkCatchUp10k applies 10,000 missed message events in one batch.
func BenchmarkCatchUp10k(b *testing.B) {
	ctx := context.Background()
	evs := catchUpEvents(b, 10000)
	for _, v := range keyVariants {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db, err := store.Open(filepath.Join(b.TempDir(), "local.db"), v.key())
				if err != nil {
					b.Fatal(err)
				}
				if _, err := db.ApplySnapshot(ctx, testSnapshot()); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := db.ApplyEvents(ctx, evs); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
		})
	}
}
