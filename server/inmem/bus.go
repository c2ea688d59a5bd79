// Package inmem implements service.Bus inside one process: the default for a
// single worktalkd node, where the service and the hub share memory.
package inmem

import (
	"context"
	"sync"

	"worktalk.dev/worktalk/server/service"
)

var _ service.Bus = (*Bus)(nil)

// Bus delivers each published event to every subscriber, synchronously and
// in publish order, oldest subscriber first. Subscribers must not block (the
// hub only queues) and must not call Subscribe or an unsubscribe function
// from inside their callback.
//
// The zero Bus is ready to use.
type Bus struct {
	mu   sync.Mutex // held while delivering, so one event reaches all before the next
	subs []subscriber
	next int
}

type subscriber struct {
	id int
	fn func(service.Event)
}

// New returns an empty bus.
func New() *Bus { return &Bus{} }

// Publish calls every subscriber with ev before it returns. It fails only
// when ctx is already done.
func (b *Bus) Publish(ctx context.Context, ev service.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.subs {
		s.fn(ev)
	}
	return nil
}

// Subscribe registers fn until the returned function is called. Once
// unsubscribe returns, fn is not running and will not be called again.
// Calling unsubscribe more than once is harmless.
func (b *Bus) Subscribe(fn func(service.Event)) (unsubscribe func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.next
	b.next++
	b.subs = append(b.subs, subscriber{id: id, fn: fn})
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for i, s := range b.subs {
			if s.id == id {
				b.subs = append(b.subs[:i:i], b.subs[i+1:]...)
				return
			}
		}
	}
}
