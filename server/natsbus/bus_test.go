package natsbus

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"worktalk.dev/worktalk/server/natsbus/natstest"
	"worktalk.dev/worktalk/server/service"
)

// memSource is the database as the bus sees it: committed events in seq order.
type memSource struct {
	mu  sync.Mutex
	evs []service.Event
}

// commit stores the next event and returns it.
func (s *memSource) commit(recipients ...string) service.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq := int64(len(s.evs) + 1)
	ev := service.Event{Seq: seq, Op: "message.new", Data: json.RawMessage(`{"n":` + strconv.FormatInt(seq, 10) + `}`), Recipients: recipients}
	s.evs = append(s.evs, ev)
	return ev
}

func (s *memSource) LastSeq(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.evs)), nil
}

func (s *memSource) EventsBetween(_ context.Context, after, through int64) ([]service.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []service.Event
	for _, ev := range s.evs {
		if ev.Seq > after && ev.Seq <= through {
			out = append(out, ev)
		}
	}
	return out, nil
}

// slow is a GapWait or Poll that never fires within a test.
const slow = time.Hour

func mustOpen(t testing.TB, cfg Config) *Bus {
	t.Helper()
	if cfg.GapWait == 0 {
		cfg.GapWait = slow
	}
	if cfg.Poll == 0 {
		cfg.Poll = slow
	}
	b, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// recorder collects what a subscriber is given.
type recorder struct {
	ch chan service.Event
}

func record(b *Bus) *recorder {
	r := &recorder{ch: make(chan service.Event, 10_000)}
	b.Subscribe(func(ev service.Event) { r.ch <- ev })
	return r
}

// next waits for the next event.
func (r *recorder) next(t *testing.T) service.Event {
	t.Helper()
	select {
	case ev := <-r.ch:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatalf("no event within 10s")
		return service.Event{}
	}
}

// wantSeqs waits for len(want) events and checks their seqs.
func (r *recorder) wantSeqs(t *testing.T, want ...int64) []service.Event {
	t.Helper()
	var got []service.Event
	var seqs []int64
	for range want {
		ev := r.next(t)
		got = append(got, ev)
		seqs = append(seqs, ev.Seq)
	}
	if !slices.Equal(seqs, want) {
		t.Errorf("delivered seqs = %v, want %v", seqs, want)
	}
	return got
}

// wantNothingMore checks nothing else was delivered.
func (r *recorder) wantNothingMore(t *testing.T) {
	t.Helper()
	select {
	case ev := <-r.ch:
		t.Errorf("unexpected event %d %s delivered", ev.Seq, ev.Op)
	default:
	}
}

func publish(t *testing.T, b *Bus, ev service.Event) {
	t.Helper()
	if err := b.Publish(context.Background(), ev); err != nil {
		t.Fatalf("Publish(%d) = %v", ev.Seq, err)
	}
}

func TestRelayBetweenNodesInOrder(t *testing.T) {
	url, subject, src := natstest.URL(t), natstest.Subject(), &memSource{}
	a := mustOpen(t, Config{URL: url, Subject: subject, Source: src})
	b := mustOpen(t, Config{URL: url, Subject: subject, Source: src})
	onA, onB := record(a), record(b)
	var want []int64
	var sent []service.Event
	for i := range 100 {
		ev := src.commit("m-" + strconv.Itoa(i%3))
		sent = append(sent, ev)
		want = append(want, ev.Seq)
		publish(t, pickBus(i, a, b), ev) // both nodes publish, in commit order
	}
	gotB := onB.wantSeqs(t, want...)
	onA.wantSeqs(t, want...)
	if !reflect.DeepEqual(gotB, sent) {
		t.Errorf("node B got events %+v, want %+v", gotB[:2], sent[:2])
	}
}

func pickBus(i int, a, b *Bus) *Bus {
	if i%2 == 0 {
		return a
	}
	return b
}

// TestEarlyEventWaitsForEarlierOne: seq 2 arrives before seq 1 (two nodes
// committed in one order and published in the other); it is held until 1
// arrives. A live event published after 2 shows 2 was already received.
func TestEarlyEventWaitsForEarlierOne(t *testing.T) {
	url, subject, src := natstest.URL(t), natstest.Subject(), &memSource{}
	a := mustOpen(t, Config{URL: url, Subject: subject, Source: src})
	c := mustOpen(t, Config{URL: url, Subject: subject, Source: src})
	onC := record(c)
	e1, e2 := src.commit("m-a"), src.commit("m-b")
	live := service.Event{Op: "session.revoked", SessionID: "s-1"}
	publish(t, a, e2)
	publish(t, a, live)
	if got := onC.next(t); got.Seq != 0 || got.SessionID != "s-1" {
		t.Fatalf("first delivery = %+v, want the live event (seq 2 held)", got)
	}
	onC.wantNothingMore(t)
	publish(t, a, e1)
	onC.wantSeqs(t, 1, 2)
	onC.wantNothingMore(t)
}

// TestGapReadFromDatabase: seq 3 is never published (its node died after
// commit); the next one arriving shows the gap, and 3 is read back.
func TestGapReadFromDatabase(t *testing.T) {
	url, subject, src := natstest.URL(t), natstest.Subject(), &memSource{}
	a := mustOpen(t, Config{URL: url, Subject: subject, Source: src})
	c := mustOpen(t, Config{URL: url, Subject: subject, Source: src, GapWait: 20 * time.Millisecond})
	onC := record(c)
	var evs []service.Event
	for range 4 {
		evs = append(evs, src.commit("m-a", "m-b"))
	}
	publish(t, a, evs[0])
	publish(t, a, evs[1])
	publish(t, a, evs[3])
	got := onC.wantSeqs(t, 1, 2, 3, 4)
	if !reflect.DeepEqual(got[2], evs[2]) {
		t.Errorf("event read back = %+v, want %+v", got[2], evs[2])
	}
}

// TestUnpublishedEventFoundByPoll: the last event is never published and no
// other follows; the poll finds it.
func TestUnpublishedEventFoundByPoll(t *testing.T) {
	url, subject, src := natstest.URL(t), natstest.Subject(), &memSource{}
	c := mustOpen(t, Config{URL: url, Subject: subject, Source: src, Poll: 20 * time.Millisecond})
	onC := record(c)
	src.commit("m-a")
	onC.wantSeqs(t, 1)
}

// TestStartsAfterLastSeq: events committed before Open are the clients'
// catch-up, not live events.
func TestStartsAfterLastSeq(t *testing.T) {
	url, subject, src := natstest.URL(t), natstest.Subject(), &memSource{}
	old := []service.Event{src.commit("m-a"), src.commit("m-a")}
	a := mustOpen(t, Config{URL: url, Subject: subject, Source: src})
	onA := record(a)
	publish(t, a, old[1]) // late publish of an event from before Open
	publish(t, a, src.commit("m-a"))
	onA.wantSeqs(t, 3)
	onA.wantNothingMore(t)
}

// TestOversizedEventReadFromDatabase: an event larger than a NATS message
// travels as a reference and is read from the database.
func TestOversizedEventReadFromDatabase(t *testing.T) {
	url, subject, src := natstest.URL(t), natstest.Subject(), &memSource{}
	a := mustOpen(t, Config{URL: url, Subject: subject, Source: src})
	b := mustOpen(t, Config{URL: url, Subject: subject, Source: src})
	onB := record(b)
	recipients := make([]string, int(a.nc.MaxPayload()/20)+1)
	for i := range recipients {
		recipients[i] = fmt.Sprintf("member-%013d", i)
	}
	big := src.commit(recipients...)
	publish(t, a, big)
	got := onB.wantSeqs(t, 1)
	if len(got) == 1 && len(got[0].Recipients) != len(recipients) {
		t.Errorf("oversized event has %d recipients, want %d", len(got[0].Recipients), len(recipients))
	}
}

func TestPublishAfterCancel(t *testing.T) {
	url, subject, src := natstest.URL(t), natstest.Subject(), &memSource{}
	a := mustOpen(t, Config{URL: url, Subject: subject, Source: src})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Publish(ctx, src.commit("m-a")); err == nil {
		t.Errorf("Publish with a canceled context = nil, want an error")
	}
}

func TestUnsubscribe(t *testing.T) {
	url, subject, src := natstest.URL(t), natstest.Subject(), &memSource{}
	a := mustOpen(t, Config{URL: url, Subject: subject, Source: src})
	var mu sync.Mutex
	var first []int64
	unsub := a.Subscribe(func(ev service.Event) {
		mu.Lock()
		first = append(first, ev.Seq)
		mu.Unlock()
	})
	second := record(a)
	publish(t, a, src.commit("m-a"))
	second.wantSeqs(t, 1)
	unsub()
	unsub() // harmless
	publish(t, a, src.commit("m-a"))
	second.wantSeqs(t, 2)
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(first, []int64{1}) {
		t.Errorf("unsubscribed subscriber got %v, want [1]", first)
	}
}

// TestSurvivesNATSRestart: NATS goes away while events are committed; when
// it is back, both nodes reconnect and deliver everything, in order: what
// was buffered during the outage, and what was never published.
func TestSurvivesNATSRestart(t *testing.T) {
	srv := natstest.Start(t, 0)
	subject, src := natstest.Subject(), &memSource{}
	a := mustOpen(t, Config{URL: srv.URL(), Subject: subject, Source: src})
	b := mustOpen(t, Config{URL: srv.URL(), Subject: subject, Source: src})
	onB := record(b)
	publish(t, a, src.commit("m-a"))
	onB.wantSeqs(t, 1)

	srv.Stop()
	publish(t, a, src.commit("m-a")) // buffered by a until it reconnects
	src.commit("m-a")                // its node "died" before publishing
	natstest.Start(t, srv.Port())    // on the same port; it stops when the test ends
	onB.wantSeqs(t, 2, 3)
	publish(t, a, src.commit("m-a"))
	onB.wantSeqs(t, 4)
	onB.wantNothingMore(t)
}
