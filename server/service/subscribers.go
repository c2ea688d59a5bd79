package service

import "sync"

// Subscribers is the subscriber list a Bus keeps. Its methods take the
// bus's own mutex, the one the bus holds while delivering, so that once an
// unsubscribe returns its function is not running and is not called again.
// The zero value is empty.
type Subscribers struct {
	list []subscriber
	next int
}

type subscriber struct {
	id int
	fn func(Event)
}

// Add registers fn under mu and returns the function that removes it (also
// under mu); calling that more than once is harmless.
func (s *Subscribers) Add(mu *sync.Mutex, fn func(Event)) (remove func()) {
	mu.Lock()
	defer mu.Unlock()
	id := s.next
	s.next++
	s.list = append(s.list, subscriber{id: id, fn: fn})
	return func() {
		mu.Lock()
		defer mu.Unlock()
		for i, sub := range s.list {
			if sub.id == id {
				s.list = append(s.list[:i:i], s.list[i+1:]...)
				return
			}
		}
	}
}

// DeliverLocked calls every subscriber with ev, oldest first; the caller
// holds the mutex given to Add.
func (s *Subscribers) DeliverLocked(ev Event) {
	for _, sub := range s.list {
		sub.fn(ev)
	}
}
