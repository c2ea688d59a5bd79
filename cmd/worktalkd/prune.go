package main

import (
	"context"
	"log/slog"
	"time"

	"worktalk.dev/worktalk/server/service"
)

// pruneInterval is how often events older than the retention are dropped:
// often enough that each prune is small and a cursor is never kept much
// past the retention.
func pruneInterval(retention time.Duration) time.Duration {
	return min(max(retention/24, time.Minute), time.Hour)
}

// pruner drops events older than the service's retention, at start and
// then at every tick. It owns one goroutine, which stop ends and waits for.
type pruner struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startPruner starts pruning svc's feeds. ticks nil: every interval.
// onPrune, when not nil, hears the outcome of every prune (tests).
func startPruner(svc *service.Service, interval time.Duration, ticks <-chan time.Time, log *slog.Logger, onPrune func(error)) *pruner {
	ctx, cancel := context.WithCancel(context.Background())
	p := &pruner{cancel: cancel, done: make(chan struct{})}
	var ticker *time.Ticker
	if ticks == nil {
		ticker = time.NewTicker(interval)
		ticks = ticker.C
	}
	go func() {
		defer close(p.done)
		if ticker != nil {
			defer ticker.Stop()
		}
		for {
			err := svc.Prune(ctx)
			if err != nil && ctx.Err() == nil {
				log.Error("prune events", "err", err)
			}
			if onPrune != nil {
				onPrune(err)
			}
			select {
			case <-ctx.Done():
				return
			case <-ticks:
			}
		}
	}()
	return p
}

func (p *pruner) stop() {
	p.cancel()
	<-p.done
}
