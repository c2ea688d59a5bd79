package sqlite_test

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/inmem"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/sqlite"
)

var _ inmem.Source = (*sqlite.DB)(nil)

func TestEventsBetween(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "w.db"))
	seed(t, db)
	last, err := db.LastSeq(ctx)
	if err != nil || last != 0 {
		t.Fatalf("LastSeq of an empty store = %d, %v; want 0", last, err)
	}
	appendAt := func(op, data string, at time.Time, to ...string) int64 {
		t.Helper()
		var seq int64
		write(t, db, func(tx service.Tx) error {
			var err error
			seq, err = tx.AppendEvent(ctx, op, []byte(data), to, at)
			return err
		})
		return seq
	}
	s1 := appendAt("a", `{"n":1}`, t0, "m2", "m1")
	s2 := appendAt("b", `{"n":2}`, t0.Add(time.Hour))
	s3 := appendAt("c", `{"n":3}`, t0.Add(2*time.Hour), "m2")

	got, err := db.EventsBetween(ctx, 0, s3)
	if err != nil {
		t.Fatalf("EventsBetween = %v", err)
	}
	for i := range got {
		slices.Sort(got[i].Recipients) // in no set order
	}
	want := []service.Event{
		{Seq: s1, Op: "a", Data: []byte(`{"n":1}`), Recipients: []string{"m1", "m2"}},
		{Seq: s2, Op: "b", Data: []byte(`{"n":2}`), Recipients: []string{}},
		{Seq: s3, Op: "c", Data: []byte(`{"n":3}`), Recipients: []string{"m2"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EventsBetween(0, %d) = %+v, want %+v", s3, got, want)
	}
	if got, err := db.EventsBetween(ctx, s1, s2); err != nil || len(got) != 1 || got[0].Seq != s2 {
		t.Errorf("EventsBetween(%d, %d) = %+v, %v; want only %d", s1, s2, got, err, s2)
	}

	write(t, db, func(tx service.Tx) error { return tx.PruneEvents(ctx, t0.Add(time.Minute)) })
	got, err = db.EventsBetween(ctx, 0, s3)
	if err != nil || len(got) != 2 || got[0].Seq != s2 {
		t.Errorf("EventsBetween after pruning %d = %+v, %v; want %d and %d", s1, got, err, s2, s3)
	}
	if last, err := db.LastSeq(ctx); err != nil || last != s3 {
		t.Errorf("LastSeq after pruning = %d, %v; want %d", last, err, s3)
	}
}

// TestEventsBetweenRoomEvent: an event stored once for a room is read back
// addressed to the room's members.
func TestEventsBetweenRoomEvent(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "w.db"))
	seed(t, db)
	var seq int64
	write(t, db, func(tx service.Tx) error {
		if err := tx.InsertRoom(ctx, service.RoomRow{ID: "r1", Kind: protocol.RoomGroup, CreatedAt: t0}, []string{"m2", "m1"}); err != nil {
			return err
		}
		var err error
		seq, err = tx.(service.RoomFeeder).AppendRoomEvent(ctx, "message.new", []byte(`{}`), "r1", t0)
		return err
	})
	got, err := db.EventsBetween(ctx, seq-1, seq)
	if err != nil || len(got) != 1 {
		t.Fatalf("EventsBetween = %+v, %v; want one event", got, err)
	}
	slices.Sort(got[0].Recipients)
	if want := []string{"m1", "m2"}; !slices.Equal(got[0].Recipients, want) {
		t.Errorf("room event recipients = %v, want the room's members %v", got[0].Recipients, want)
	}
	if last, err := db.LastSeq(ctx); err != nil || last != seq {
		t.Errorf("LastSeq = %d, %v; want %d", last, err, seq)
	}
}

// TestEventsBetweenWorkspaceEvent: an event stored once for a workspace is
// read back naming the workspace, with the recipients outside it.
func TestEventsBetweenWorkspaceEvent(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "w.db"))
	seed(t, db)
	var seq int64
	write(t, db, func(tx service.Tx) error {
		var err error
		seq, err = tx.(service.WorkspaceFeeder).AppendWorkspaceEvent(ctx, "member.upsert", []byte(`{}`), "w1", []string{"m-outside"}, t0)
		return err
	})
	got, err := db.EventsBetween(ctx, seq-1, seq)
	if err != nil || len(got) != 1 {
		t.Fatalf("EventsBetween = %+v, %v; want one event", got, err)
	}
	if got[0].Workspace != "w1" || !slices.Equal(got[0].Recipients, []string{"m-outside"}) {
		t.Errorf("workspace event = workspace %q, recipients %v; want w1 and [m-outside]", got[0].Workspace, got[0].Recipients)
	}
	if !got[0].Reaches("m1", "w1") || !got[0].Reaches("m-outside", "w9") || got[0].Reaches("m9", "w9") {
		t.Errorf("Reaches: want every member of w1 and m-outside, nobody else")
	}
}
