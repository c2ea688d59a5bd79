package natsbus

import (
	"context"
	"slices"
	"testing"
	"time"

	"worktalk.dev/worktalk/server/natsbus/natstest"
	"worktalk.dev/worktalk/server/service"
)

// BenchmarkRelay publishes events on one node and receives them on
// another. "one-at-a-time" waits for each event before the next and
// reports the delivery latency nodes add; "burst" publishes without waiting
// and reports throughput.
func BenchmarkRelay(b *testing.B) {
	recipients := make([]string, 10)
	for i := range recipients {
		recipients[i] = "member-0000000000000"
	}
	setup := func(b *testing.B) (pub *Bus, got chan service.Event, evs []service.Event) {
		url, subject, src := natstest.URL(b), natstest.Subject(), &memSource{}
		pub = mustOpen(b, Config{URL: url, Subject: subject, Source: src})
		sub := mustOpen(b, Config{URL: url, Subject: subject, Source: src})
		got = make(chan service.Event, b.N)
		sub.Subscribe(func(ev service.Event) { got <- ev })
		for range b.N {
			evs = append(evs, src.commit(recipients...))
		}
		return pub, got, evs
	}
	ctx := context.Background()
	b.Run("one-at-a-time", func(b *testing.B) {
		pub, got, evs := setup(b)
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for _, ev := range evs {
			start := time.Now()
			if err := pub.Publish(ctx, ev); err != nil {
				b.Fatal(err)
			}
			<-got
			lat = append(lat, time.Since(start))
		}
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	})
	b.Run("burst", func(b *testing.B) {
		pub, got, evs := setup(b)
		b.ResetTimer()
		for _, ev := range evs {
			if err := pub.Publish(ctx, ev); err != nil {
				b.Fatal(err)
			}
		}
		for range evs {
			<-got
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
