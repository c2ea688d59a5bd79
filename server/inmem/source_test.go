package inmem_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"worktalk.dev/worktalk/server/inmem"
	"worktalk.dev/worktalk/server/service"
)

// fakeSource is a database other processes append to. Seqs it lacks below
// its last one count as pruned.
type fakeSource struct {
	mu   sync.Mutex
	evs  []service.Event
	last int64
	err  error // returned by EventsBetween while set
}

func (s *fakeSource) add(seqs ...int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, seq := range seqs {
		s.evs = append(s.evs, service.Event{Seq: seq, Op: "test"})
		s.last = max(s.last, seq)
	}
}

// skipTo moves the last seq to seq without events: those were pruned.
func (s *fakeSource) skipTo(seq int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = seq
}

func (s *fakeSource) setErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *fakeSource) LastSeq(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, nil
}

func (s *fakeSource) EventsBetween(_ context.Context, after, through int64) ([]service.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	var out []service.Event
	for _, ev := range s.evs {
		if ev.Seq > after && ev.Seq <= through {
			out = append(out, ev)
		}
	}
	return out, nil
}

// openBus opens a bus over src that polls every poll, with a subscriber
// that records the seqs it gets.
func openBus(t *testing.T, src inmem.Source, poll time.Duration) (*inmem.Bus, chan int64) {
	t.Helper()
	b, err := inmem.Open(context.Background(), inmem.Config{Source: src, Poll: poll})
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	t.Cleanup(func() { b.Close() })
	got := make(chan int64, 10_000)
	b.Subscribe(func(ev service.Event) { got <- ev.Seq })
	return b, got
}

// drain returns the seqs delivered so far.
func drain(got chan int64) []int64 {
	var seqs []int64
	for {
		select {
		case seq := <-got:
			seqs = append(seqs, seq)
		default:
			return seqs
		}
	}
}

func publish(t *testing.T, b *inmem.Bus, seq int64) {
	t.Helper()
	if err := b.Publish(context.Background(), service.Event{Seq: seq, Op: "test"}); err != nil {
		t.Fatalf("Publish(%d) = %v, want nil", seq, err)
	}
}

const noPoll = time.Hour

func TestSourceFillsGapBeforeNextEvent(t *testing.T) {
	tests := []struct {
		name    string
		before  []int64 // in the database when the bus opens
		written []int64 // written by another process afterwards
		pruned  int64   // last seq after pruning, 0: none
		publish []int64
		want    []int64
	}{
		{name: "gap", written: []int64{1, 2}, publish: []int64{3}, want: []int64{1, 2, 3}},
		{name: "no gap", publish: []int64{1, 2}, want: []int64{1, 2}},
		{name: "older events are catch-up", before: []int64{1, 2}, written: []int64{3}, publish: []int64{4}, want: []int64{3, 4}},
		{name: "pruned seqs skipped", written: []int64{1}, pruned: 4, publish: []int64{5}, want: []int64{1, 5}},
		{name: "repeat and old skipped", written: []int64{1, 2}, publish: []int64{3, 2, 3, 4}, want: []int64{1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{}
			src.add(tt.before...)
			b, got := openBus(t, src, noPoll)
			src.add(tt.written...)
			if tt.pruned > 0 {
				src.skipTo(tt.pruned)
			}
			for _, seq := range tt.publish {
				src.add(seq)
				publish(t, b, seq)
			}
			if seqs := drain(got); !slices.Equal(seqs, tt.want) {
				t.Errorf("delivered %v, want %v", seqs, tt.want)
			}
		})
	}
}

func TestSourceFillsLongGapInChunks(t *testing.T) {
	src := &fakeSource{}
	b, got := openBus(t, src, noPoll)
	var want []int64
	for seq := int64(1); seq <= 2500; seq++ {
		src.add(seq)
		want = append(want, seq)
	}
	want = append(want, 2501)
	publish(t, b, 2501)
	if seqs := drain(got); !slices.Equal(seqs, want) {
		t.Errorf("delivered %d events (first %v), want 1..2501 in order", len(seqs), seqs[:min(len(seqs), 5)])
	}
}

func TestSourcePollDeliversEventWithNothingAfter(t *testing.T) {
	src := &fakeSource{}
	b, got := openBus(t, src, time.Millisecond)
	src.add(1, 2)
	for _, want := range []int64{1, 2} {
		select {
		case seq := <-got:
			if seq != want {
				t.Fatalf("poll delivered %d, want %d", seq, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("poll delivered nothing in 5s, want %d", want)
		}
	}
	// The process that wrote 2 publishes it late: no repeat.
	publish(t, b, 2)
	src.add(3)
	publish(t, b, 3)
	select {
	case seq := <-got:
		if seq != 3 {
			t.Errorf("after the poll delivered %d, want 3", seq)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Publish(3) delivered nothing, want 3")
	}
}

func TestSourceReadErrorDeliversNothingUntilRead(t *testing.T) {
	src := &fakeSource{}
	b, got := openBus(t, src, noPoll)
	src.add(1, 2)
	src.setErr(errors.New("disk on fire"))
	if err := b.Publish(context.Background(), service.Event{Seq: 2}); err == nil {
		t.Errorf("Publish(2) with the gap unreadable = nil, want an error")
	}
	if seqs := drain(got); len(seqs) != 0 {
		t.Errorf("delivered %v with the gap unreadable, want nothing (2 would jump over 1)", seqs)
	}
	src.setErr(nil)
	src.add(3)
	publish(t, b, 3)
	if seqs, want := drain(got), []int64{1, 2, 3}; !slices.Equal(seqs, want) {
		t.Errorf("delivered %v once readable, want %v", seqs, want)
	}
}

func TestSourceLiveEventsPassThrough(t *testing.T) {
	src := &fakeSource{}
	src.add(1, 2)
	b, got := openBus(t, src, noPoll)
	if err := b.Publish(context.Background(), service.Event{Op: "session.revoked"}); err != nil {
		t.Fatalf("Publish(live) = %v, want nil", err)
	}
	if seqs, want := drain(got), []int64{0}; !slices.Equal(seqs, want) {
		t.Errorf("delivered %v, want the live event alone %v", seqs, want)
	}
}

func TestSourceClose(t *testing.T) {
	src := &fakeSource{}
	b, got := openBus(t, src, time.Millisecond)
	if err := b.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	src.add(1)
	if err := b.Publish(context.Background(), service.Event{Seq: 1}); err == nil {
		t.Errorf("Publish(1) after Close = nil, want an error")
	}
	if seqs := drain(got); len(seqs) != 0 {
		t.Errorf("delivered %v after Close, want nothing", seqs)
	}
}

func TestOpenNeedsSource(t *testing.T) {
	if _, err := inmem.Open(context.Background(), inmem.Config{}); err == nil {
		t.Errorf("Open without a source = nil error, want one")
	}
}
