package storetest

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func appendEvent(t *testing.T, s service.Store, op string, data []byte, recipients []string, sec int) int64 {
	t.Helper()
	var seq int64
	write(t, s, func(tx service.Tx) error {
		var err error
		seq, err = tx.AppendEvent(context.Background(), op, data, recipients, at(sec))
		return err
	})
	return seq
}

func feedSeqs(evs []service.StoredEvent) []int64 {
	var out []int64
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

func testEvents(t *testing.T, s service.Store) {
	ctx := context.Background()
	read(t, s, func(tx service.Tx) error {
		last, err := tx.LastSeq(ctx)
		if err != nil || last != 0 {
			t.Errorf("LastSeq of an empty store = %d, %v; want 0", last, err)
		}
		evs, err := tx.FeedSince(ctx, "m-a", 0, 10)
		if err != nil || len(evs) != 0 {
			t.Errorf("FeedSince of an empty store = %v, %v; want none", evs, err)
		}
		return nil
	})
	s1 := appendEvent(t, s, "message", []byte(`{"n":1}`), []string{"m-a", "m-b"}, 1)
	s2 := appendEvent(t, s, "profile", []byte(`{"n":2}`), []string{"m-b", "m-b"}, 2) // a repeated recipient gets one feed row
	s3 := appendEvent(t, s, "message", []byte(`{"n":3}`), []string{"m-a"}, 3)
	s4 := appendEvent(t, s, "empty", nil, []string{"m-c"}, 4) // nil data is stored as empty
	s5 := appendEvent(t, s, "nobody", []byte(`{}`), nil, 5)
	if got, want := []int64{s1, s2, s3, s4, s5}, []int64{s1, s1 + 1, s1 + 2, s1 + 3, s1 + 4}; s1 <= 0 || !slices.Equal(got, want) {
		t.Errorf("AppendEvent seqs = %v, want consecutive from a positive seq", got)
	}
	read(t, s, func(tx service.Tx) error {
		evs, err := tx.FeedSince(ctx, "m-c", 0, 10)
		if err != nil || len(evs) != 1 || evs[0].Seq != s4 || len(evs[0].Data) != 0 {
			t.Errorf("FeedSince(m-c) = %+v, %v; want event %d with empty data", evs, err, s4)
		}
		last, err := tx.LastSeq(ctx)
		if err != nil || last != s5 {
			t.Errorf("LastSeq = %d, %v; want %d", last, err, s5)
		}
		tests := []struct {
			member string
			after  int64
			limit  int
			want   []service.StoredEvent
		}{
			{"m-a", 0, 10, []service.StoredEvent{{Seq: s1, Op: "message", Data: []byte(`{"n":1}`)}, {Seq: s3, Op: "message", Data: []byte(`{"n":3}`)}}},
			{"m-a", s1, 10, []service.StoredEvent{{Seq: s3, Op: "message", Data: []byte(`{"n":3}`)}}},
			{"m-a", 0, 1, []service.StoredEvent{{Seq: s1, Op: "message", Data: []byte(`{"n":1}`)}}},
			{"m-b", 0, 10, []service.StoredEvent{{Seq: s1, Op: "message", Data: []byte(`{"n":1}`)}, {Seq: s2, Op: "profile", Data: []byte(`{"n":2}`)}}},
			{"m-a", s3, 10, nil},
			{"m-none", 0, 10, nil},
		}
		for _, tt := range tests {
			got, err := tx.FeedSince(ctx, tt.member, tt.after, tt.limit)
			if err != nil || len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("FeedSince(%s, %d, %d) = %+v, %v; want %+v", tt.member, tt.after, tt.limit, got, err, tt.want)
			}
		}
		counts := []struct {
			member     string
			after      int64
			max, wantN int
		}{
			{"m-a", 0, 10, 2}, {"m-a", 0, 1, 1}, {"m-a", s1, 10, 1}, {"m-b", 0, 10, 2}, {"m-none", 0, 10, 0},
		}
		for _, c := range counts {
			n, err := tx.FeedCount(ctx, c.member, c.after, c.max)
			if err != nil || n != c.wantN {
				t.Errorf("FeedCount(%s, %d, %d) = %d, %v; want %d", c.member, c.after, c.max, n, err, c.wantN)
			}
		}
		return nil
	})
}

func testPruneEvents(t *testing.T, s service.Store) {
	ctx := context.Background()
	read(t, s, func(tx service.Tx) error {
		p, err := tx.PrunedThrough(ctx)
		if err != nil || p != 0 {
			t.Errorf("PrunedThrough of an empty store = %d, %v; want 0", p, err)
		}
		return nil
	})
	write(t, s, func(tx service.Tx) error { return tx.PruneEvents(ctx, at(100)) }) // nothing to prune
	s1 := appendEvent(t, s, "a", []byte("1"), []string{"m-a"}, 1)
	s2 := appendEvent(t, s, "a", []byte("2"), []string{"m-a"}, 2)
	s3 := appendEvent(t, s, "a", []byte("3"), []string{"m-a"}, 3)
	write(t, s, func(tx service.Tx) error { return tx.PruneEvents(ctx, at(3)) }) // removes s1, s2
	read(t, s, func(tx service.Tx) error {
		p, err := tx.PrunedThrough(ctx)
		if err != nil || p != s2 {
			t.Errorf("PrunedThrough = %d, %v; want %d", p, err, s2)
		}
		evs, err := tx.FeedSince(ctx, "m-a", 0, 10)
		if got := feedSeqs(evs); err != nil || !slices.Equal(got, []int64{s3}) {
			t.Errorf("FeedSince after prune = %v, %v; want [%d]", got, err, s3)
		}
		n, err := tx.FeedCount(ctx, "m-a", s1-1, 10)
		if err != nil || n != 1 {
			t.Errorf("FeedCount after prune = %d, %v; want 1", n, err)
		}
		return nil
	})
	write(t, s, func(tx service.Tx) error { return tx.PruneEvents(ctx, at(10)) }) // removes every event
	write(t, s, func(tx service.Tx) error { return tx.PruneEvents(ctx, at(2)) })  // older cut: no step back
	read(t, s, func(tx service.Tx) error {
		p, err := tx.PrunedThrough(ctx)
		if err != nil || p != s3 {
			t.Errorf("PrunedThrough after pruning all = %d, %v; want %d", p, err, s3)
		}
		last, err := tx.LastSeq(ctx)
		if err != nil || last != s3 {
			t.Errorf("LastSeq after pruning all = %d, %v; want %d (kept)", last, err, s3)
		}
		return nil
	})
	if s4 := appendEvent(t, s, "a", []byte("4"), []string{"m-a"}, 11); s4 != s3+1 {
		t.Errorf("AppendEvent after pruning all = %d, want %d (seqs never reused)", s4, s3+1)
	}
}

func testMutations(t *testing.T, s service.Store) {
	ctx := context.Background()
	ok := service.MutationRow{MemberID: "m-a", ID: "req-1", Op: "profile.update", Result: []byte(`{"version":2}`), CreatedAt: at(1)}
	refused := service.MutationRow{MemberID: "m-a", ID: "req-2", Op: "block", Err: []byte(`{"code":"forbidden"}`), CreatedAt: at(2)}
	sealed := service.MutationRow{MemberID: "m-b", ID: "req-1", Op: "link.once", Result: []byte{0, 0xff, 7}, Sealed: true, CreatedAt: at(3)}
	write(t, s, func(tx service.Tx) error {
		for _, m := range []service.MutationRow{ok, refused, sealed} {
			if err := tx.InsertMutation(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, s, func(tx service.Tx) error {
		for _, want := range []service.MutationRow{ok, refused, sealed} {
			got, err := tx.Mutation(ctx, want.MemberID, want.ID)
			if err != nil || !equalMutation(got, want) {
				t.Errorf("Mutation(%s, %s) = %+v, %v; want %+v", want.MemberID, want.ID, got, err, want)
			}
		}
		_, err := tx.Mutation(ctx, "m-b", "req-2")
		wantNoRow(t, "Mutation(other member's id)", err)
		return nil
	})
	err := s.Write(ctx, func(tx service.Tx) error { return tx.InsertMutation(ctx, ok) })
	if err == nil {
		t.Errorf("InsertMutation(same member and id) = nil, want an error")
	}
}

// equalMutation compares rows, treating nil and empty byte slices alike.
func equalMutation(a, b service.MutationRow) bool {
	if !bytes.Equal(a.Result, b.Result) || !bytes.Equal(a.Err, b.Err) {
		return false
	}
	a.Result, a.Err, b.Result, b.Err = nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
}

var errAbort = errors.New("abort")

// testWriteRollsBack checks a failed Write leaves nothing behind, returns
// fn's error as is, and uses up no seq.
func testWriteRollsBack(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	write(t, s, func(tx service.Tx) error {
		return tx.InsertRoom(ctx, service.RoomRow{ID: "r-1", Kind: protocol.RoomSelf, CreatedAt: at(0)}, []string{f.alice})
	})
	s1 := appendEvent(t, s, "a", []byte("{}"), []string{f.alice}, 1)
	err := s.Write(ctx, func(tx service.Tx) error {
		if _, err := tx.AppendEvent(ctx, "b", []byte("x"), []string{f.alice}, at(2)); err != nil {
			return err
		}
		if _, err := tx.InsertMessage(ctx, protocol.Message{ID: "msg-x", RoomID: "r-1", SenderID: f.alice, Kind: protocol.MessageText, Text: "x", SentAt: 1}); err != nil {
			return err
		}
		if err := tx.InsertExternal(ctx, f.alice, f.carol, at(2)); err != nil {
			return err
		}
		return errAbort
	})
	if !errors.Is(err, errAbort) {
		t.Fatalf("Write = %v, want fn's error", err)
	}
	read(t, s, func(tx service.Tx) error {
		evs, err := tx.FeedSince(ctx, f.alice, 0, 10)
		if got := feedSeqs(evs); err != nil || !slices.Equal(got, []int64{s1}) {
			t.Errorf("FeedSince after rollback = %v, %v; want [%d]", got, err, s1)
		}
		has, err := tx.HasExternal(ctx, f.alice, f.carol)
		if err != nil || has {
			t.Errorf("HasExternal after rollback = %v, %v; want false", has, err)
		}
		exists, err := tx.MessageExists(ctx, "msg-x")
		if err != nil || exists {
			t.Errorf("MessageExists after rollback = %v, %v; want false", exists, err)
		}
		return nil
	})
	if s2 := appendEvent(t, s, "c", []byte("{}"), []string{f.alice}, 3); s2 != s1+1 {
		t.Errorf("AppendEvent after a rolled-back append = %d, want %d (no gap)", s2, s1+1)
	}
}

// testRoomEvents covers service.RoomFeeder, for stores that have it: an
// event stored once for a room reaches every member's feed, in seq order
// with the member's own events.
func testRoomEvents(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	var feeder bool
	read(t, s, func(tx service.Tx) error {
		_, feeder = tx.(service.RoomFeeder)
		return nil
	})
	if !feeder {
		t.Skip("the store does not implement service.RoomFeeder")
	}
	write(t, s, func(tx service.Tx) error {
		return tx.InsertRoom(ctx, service.RoomRow{ID: "r-g", Kind: protocol.RoomGroup, CreatedAt: at(0)}, []string{f.alice, f.carol})
	})
	appendRoom := func(data string, sec int) int64 {
		t.Helper()
		var seq int64
		write(t, s, func(tx service.Tx) error {
			var err error
			seq, err = tx.(service.RoomFeeder).AppendRoomEvent(ctx, "message.new", []byte(data), "r-g", at(sec))
			return err
		})
		return seq
	}
	r1 := appendRoom(`{"n":1}`, 1)
	own := appendEvent(t, s, "member.upsert", []byte(`{"n":2}`), []string{f.alice, f.bob}, 2)
	r2 := appendRoom(`{"n":3}`, 3)
	if r1 <= 0 || own != r1+1 || r2 != own+1 {
		t.Errorf("seqs = %d, %d, %d; want consecutive across room and member events", r1, own, r2)
	}
	read(t, s, func(tx service.Tx) error {
		tests := []struct {
			member string
			after  int64
			limit  int
			want   []int64
		}{
			{f.alice, 0, 10, []int64{r1, own, r2}},
			{f.alice, r1, 10, []int64{own, r2}},
			{f.alice, 0, 2, []int64{r1, own}},
			{f.carol, 0, 10, []int64{r1, r2}},
			{f.bob, 0, 10, []int64{own}},
			{f.dave, 0, 10, nil},
		}
		for _, tt := range tests {
			evs, err := tx.FeedSince(ctx, tt.member, tt.after, tt.limit)
			if got := feedSeqs(evs); err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("FeedSince(%s, %d, %d) = %v, %v; want %v", tt.member, tt.after, tt.limit, got, err, tt.want)
			}
			n, err := tx.FeedCount(ctx, tt.member, tt.after, tt.limit)
			if want := min(len(tt.want), tt.limit); err != nil || n != want {
				t.Errorf("FeedCount(%s, %d, %d) = %d, %v; want %d", tt.member, tt.after, tt.limit, n, err, want)
			}
		}
		evs, err := tx.FeedSince(ctx, f.carol, 0, 1)
		if err != nil || len(evs) != 1 || string(evs[0].Data) != `{"n":1}` || evs[0].Op != "message.new" {
			t.Errorf("room event read back = %+v, %v", evs, err)
		}
		return nil
	})
	write(t, s, func(tx service.Tx) error { return tx.PruneEvents(ctx, at(2)) })
	read(t, s, func(tx service.Tx) error {
		evs, err := tx.FeedSince(ctx, f.carol, 0, 10)
		if got := feedSeqs(evs); err != nil || !slices.Equal(got, []int64{r2}) {
			t.Errorf("FeedSince(carol) after pruning %d = %v, %v; want [%d]", r1, got, err, r2)
		}
		return nil
	})
}

// testWorkspaceEvents covers service.WorkspaceFeeder, for stores that have
// it: an event stored once for a workspace reaches every member's feed, in
// seq order with the member's own and room events; members outside it get
// it through their feed rows, and a workspace member named among the others
// still gets it once.
func testWorkspaceEvents(t *testing.T, s service.Store) {
	ctx := context.Background()
	f := seed(t, s)
	var feeder bool
	read(t, s, func(tx service.Tx) error {
		_, feeder = tx.(service.WorkspaceFeeder)
		return nil
	})
	if !feeder {
		t.Skip("the store does not implement service.WorkspaceFeeder")
	}
	appendWS := func(data string, ws string, others []string, sec int) int64 {
		t.Helper()
		var seq int64
		write(t, s, func(tx service.Tx) error {
			var err error
			seq, err = tx.(service.WorkspaceFeeder).AppendWorkspaceEvent(ctx, "member.upsert", []byte(data), ws, others, at(sec))
			return err
		})
		return seq
	}
	w1 := appendWS(`{"n":1}`, f.wsA, nil, 1)
	own := appendEvent(t, s, "block.add", []byte(`{"n":2}`), []string{f.bob}, 2)
	w2 := appendWS(`{"n":3}`, f.wsA, []string{f.carol, f.alice, f.carol}, 3) // alice is in wsA already
	w3 := appendWS(`{"n":4}`, f.wsB, nil, 4)
	if w1 <= 0 || own != w1+1 || w2 != own+1 || w3 != w2+1 {
		t.Errorf("seqs = %d, %d, %d, %d; want consecutive across workspace and member events", w1, own, w2, w3)
	}
	read(t, s, func(tx service.Tx) error {
		tests := []struct {
			member string
			after  int64
			limit  int
			want   []int64
		}{
			{f.alice, 0, 10, []int64{w1, w2}},
			{f.bob, 0, 10, []int64{w1, own, w2}},
			{f.bob, w1, 10, []int64{own, w2}},
			{f.bob, 0, 2, []int64{w1, own}},
			{f.carol, 0, 10, []int64{w2, w3}},
			{f.dave, 0, 10, []int64{w3}},
			{"m-nobody", 0, 10, nil},
		}
		for _, tt := range tests {
			evs, err := tx.FeedSince(ctx, tt.member, tt.after, tt.limit)
			if got := feedSeqs(evs); err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("FeedSince(%s, %d, %d) = %v, %v; want %v", tt.member, tt.after, tt.limit, got, err, tt.want)
			}
			n, err := tx.FeedCount(ctx, tt.member, tt.after, tt.limit)
			if want := min(len(tt.want), tt.limit); err != nil || n != want {
				t.Errorf("FeedCount(%s, %d, %d) = %d, %v; want %d", tt.member, tt.after, tt.limit, n, err, want)
			}
		}
		evs, err := tx.FeedSince(ctx, f.carol, 0, 1)
		if err != nil || len(evs) != 1 || string(evs[0].Data) != `{"n":3}` || evs[0].Op != "member.upsert" {
			t.Errorf("workspace event read back = %+v, %v", evs, err)
		}
		return nil
	})
	write(t, s, func(tx service.Tx) error { return tx.PruneEvents(ctx, at(3)) })
	read(t, s, func(tx service.Tx) error {
		for _, m := range []string{f.alice, f.carol} {
			evs, err := tx.FeedSince(ctx, m, 0, 10)
			want := []int64{w2}
			if m == f.carol {
				want = []int64{w2, w3}
			}
			if got := feedSeqs(evs); err != nil || !slices.Equal(got, want) {
				t.Errorf("FeedSince(%s) after pruning through %d = %v, %v; want %v", m, own, got, err, want)
			}
		}
		return nil
	})
}
