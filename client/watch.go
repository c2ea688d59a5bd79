package client

import "context"

// watcher receives the latest state; its channel holds at most one value.
type watcher struct {
	ch chan State
}

// Watch returns a channel whose first value is the full current state and
// whose later values are newer states, latest wins: a slow reader skips
// states and never blocks the engine. The channel is closed when ctx is done
// or the engine is closed.
func (e *Engine) Watch(ctx context.Context) <-chan State {
	w := &watcher{ch: make(chan State, 1)}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		close(w.ch)
		return w.ch
	}
	w.ch <- e.state
	e.watchers[w] = struct{}{}
	e.wg.Add(1) // under mu with closed false: Close has not begun waiting
	e.mu.Unlock()
	go func() {
		defer e.wg.Done()
		select {
		case <-ctx.Done():
		case <-e.ctx.Done():
		}
		e.mu.Lock()
		if _, ok := e.watchers[w]; ok {
			delete(e.watchers, w)
			close(w.ch)
		}
		e.mu.Unlock()
	}()
	return w.ch
}

// publishLocked hands e.state to every watcher, replacing a value not yet
// read. e.mu must be held.
func (e *Engine) publishLocked() {
	for w := range e.watchers {
		select {
		case w.ch <- e.state:
			continue
		default:
		}
		select {
		case <-w.ch:
		default:
		}
		select {
		case w.ch <- e.state:
		default:
		}
	}
}
