package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// testReadSeesOneSnapshot checks a Read does not see a write that commits
// while it runs.
func testReadSeesOneSnapshot(t *testing.T, s service.Store) {
	ctx := context.Background()
	appendEvent(t, s, "a", []byte("1"), []string{"m-a"}, 1)
	read(t, s, func(tx service.Tx) error {
		before, err := tx.LastSeq(ctx)
		if err != nil {
			return err
		}
		done := make(chan error, 1)
		go func() {
			done <- s.Write(ctx, func(tx service.Tx) error {
				_, err := tx.AppendEvent(ctx, "a", []byte("2"), []string{"m-a"}, at(2))
				return err
			})
		}()
		if err := <-done; err != nil {
			t.Fatalf("Write during Read = %v", err)
		}
		after, err := tx.LastSeq(ctx)
		if err != nil || after != before {
			t.Errorf("LastSeq inside one Read = %d then %d (%v), want the same", before, after, err)
		}
		evs, err := tx.FeedSince(ctx, "m-a", 0, 10)
		if err != nil || len(evs) != 1 {
			t.Errorf("FeedSince inside the Read = %v, %v; want only the event from before it began", feedSeqs(evs), err)
		}
		return nil
	})
	read(t, s, func(tx service.Tx) error {
		n, err := tx.FeedCount(ctx, "m-a", 0, 10)
		if err != nil || n != 2 {
			t.Errorf("FeedCount after the Read = %d, %v; want 2", n, err)
		}
		return nil
	})
}

// testReadCannotWrite checks a write inside Read fails and leaves nothing.
func testReadCannotWrite(t *testing.T, s service.Store) {
	ctx := context.Background()
	err := s.Read(ctx, func(tx service.Tx) error {
		return tx.InsertServerKey(ctx, "k", []byte("v"))
	})
	if err == nil {
		t.Errorf("InsertServerKey inside Read = nil, want an error")
	}
	read(t, s, func(tx service.Tx) error {
		_, err := tx.ServerKey(ctx, "k")
		wantNoRow(t, "ServerKey after a write inside Read", err)
		return nil
	})
}

// pick alternates between two stores so concurrent work spreads over both.
func pick(i int, a, b service.Store) service.Store {
	if i%2 == 0 {
		return a
	}
	return b
}

// testUseLinkOnce redeems one-time links from many goroutines at once (over
// two stores when a and b differ): exactly one redemption wins each time.
func testUseLinkOnce(t *testing.T, a, b service.Store) {
	ctx := context.Background()
	f := seed(t, a)
	const links, racers = 5, 8
	for l := range links {
		id := "l-race-" + string(rune('a'+l))
		write(t, a, func(tx service.Tx) error {
			return tx.InsertLink(ctx, service.LinkRow{ID: id, TokenHash: "th-" + id, MemberID: f.alice, Kind: protocol.LinkOnce, ExpiresAt: at(3600), CreatedAt: at(0)})
		})
		var wins atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, racers)
		for i := range racers {
			wg.Go(func() {
				<-start
				err := pick(i, a, b).Write(ctx, func(tx service.Tx) error {
					ok, err := tx.UseLink(ctx, id, at(10+i))
					if ok {
						wins.Add(1)
					}
					return err
				})
				if err != nil {
					errs <- err
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("UseLink(%s) = %v", id, err)
		}
		if n := wins.Load(); n != 1 {
			t.Errorf("UseLink(%s) from %d goroutines won %d times, want exactly 1", id, racers, n)
		}
	}
}

// testWritesSerialized checks the Store contract "writes are serialized":
// read-modify-write sequences in concurrent Writes lose no update, and
// check-then-insert never collides.
func testWritesSerialized(t *testing.T, a, b service.Store) {
	ctx := context.Background()
	f := seed(t, a)
	const workers, rounds = 4, 10
	var inserted atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Go(func() {
			s := pick(w, a, b)
			for range rounds {
				err := s.Write(ctx, func(tx service.Tx) error {
					m, err := tx.Member(ctx, f.alice)
					if err != nil {
						return err
					}
					m.Version++
					if err := tx.UpdateMember(ctx, m); err != nil {
						return err
					}
					_, err = tx.ServerKey(ctx, "once")
					if !errors.Is(err, service.ErrNoRow) {
						return err
					}
					inserted.Add(1)
					return tx.InsertServerKey(ctx, "once", []byte{byte(w)})
				})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Write = %v, want nil", err)
	}
	read(t, b, func(tx service.Tx) error {
		m, err := tx.Member(ctx, f.alice)
		if want := f.members[f.alice].Version + workers*rounds; err != nil || m.Version != want {
			t.Errorf("Version after %d concurrent increments = %d, %v; want %d", workers*rounds, m.Version, err, want)
		}
		return nil
	})
	if n := inserted.Load(); n != 1 {
		t.Errorf("check-then-insert ran its insert %d times, want 1", n)
	}
}

// testFeedVisibleInOrder appends events from concurrent writers while a
// reader follows the feed with a cursor, as a syncing client does. If a
// reader could see seq N+1 before N committed, it would move its cursor past
// N and never see N.
func testFeedVisibleInOrder(t *testing.T, a, b service.Store) {
	ctx := context.Background()
	const writers, each = 4, 25
	var written []int64
	var mu sync.Mutex
	var done atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			s := pick(w, a, b)
			for i := range each {
				var seq int64
				err := s.Write(ctx, func(tx service.Tx) error {
					var err error
					seq, err = tx.AppendEvent(ctx, "e", []byte("x"), []string{"m-r"}, at(i))
					return err
				})
				if err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				written = append(written, seq)
				mu.Unlock()
			}
		})
	}
	go func() {
		wg.Wait()
		done.Store(true)
	}()

	var seen []int64
	cursor := int64(0)
	for {
		finished := done.Load() // read before the feed: a last pass after the writers end
		read(t, pick(len(seen), b, a), func(tx service.Tx) error {
			evs, err := tx.FeedSince(ctx, "m-r", cursor, 1000)
			for _, e := range evs {
				if e.Seq <= cursor {
					t.Errorf("FeedSince(after %d) returned seq %d", cursor, e.Seq)
				}
				seen = append(seen, e.Seq)
				cursor = e.Seq
			}
			return err
		})
		if finished {
			break
		}
	}
	close(errs)
	for err := range errs {
		t.Errorf("AppendEvent = %v", err)
	}
	slices.Sort(written)
	if !slices.Equal(seen, written) {
		t.Errorf("a reader following the feed saw %d events %v, want all %d written %v", len(seen), seen, len(written), written)
	}
}

// testWriteVisibleToOther checks a committed write on one store is read on
// the other at once.
func testWriteVisibleToOther(t *testing.T, a, b service.Store) {
	ctx := context.Background()
	f := seed(t, a)
	seq := appendEvent(t, a, "a", []byte("1"), []string{f.alice}, 1)
	read(t, b, func(tx service.Tx) error {
		last, err := tx.LastSeq(ctx)
		if err != nil || last != seq {
			t.Errorf("LastSeq on the other store = %d, %v; want %d", last, err, seq)
		}
		m, err := tx.Member(ctx, f.carol)
		if err != nil || m.Name != f.members[f.carol].Name {
			t.Errorf("Member(carol) on the other store = %+v, %v", m, err)
		}
		return nil
	})
}
