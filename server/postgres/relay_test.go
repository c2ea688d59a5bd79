package postgres_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/natsbus"
	"worktalk.dev/worktalk/server/postgres"
	"worktalk.dev/worktalk/server/service"
)

var _ natsbus.Source = (*postgres.DB)(nil)

func TestEventsBetween(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, newSchema(t))
	last, err := db.LastSeq(ctx)
	if err != nil || last != 0 {
		t.Fatalf("LastSeq of an empty store = %d, %v; want 0", last, err)
	}
	day := time.UnixMilli(1_767_225_600_000)
	appendAt := func(op string, data string, at time.Time, to ...string) int64 {
		t.Helper()
		var seq int64
		err := db.Write(ctx, func(tx service.Tx) error {
			var err error
			seq, err = tx.AppendEvent(ctx, op, []byte(data), to, at)
			return err
		})
		if err != nil {
			t.Fatalf("AppendEvent = %v", err)
		}
		return seq
	}
	s1 := appendAt("a", `{"n":1}`, day, "m-b", "m-a")
	s2 := appendAt("b", `{"n":2}`, day.Add(time.Hour))
	s3 := appendAt("c", `{"n":3}`, day.Add(2*time.Hour), "m-c")

	got, err := db.EventsBetween(ctx, 0, s3)
	if err != nil {
		t.Fatalf("EventsBetween = %v", err)
	}
	for i := range got {
		slices.Sort(got[i].Recipients) // in no set order
	}
	want := []service.Event{
		{Seq: s1, Op: "a", Data: []byte(`{"n":1}`), Recipients: []string{"m-a", "m-b"}},
		{Seq: s2, Op: "b", Data: []byte(`{"n":2}`), Recipients: []string{}},
		{Seq: s3, Op: "c", Data: []byte(`{"n":3}`), Recipients: []string{"m-c"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EventsBetween(0, %d) = %+v, want %+v", s3, got, want)
	}
	if got, err := db.EventsBetween(ctx, s1, s2); err != nil || len(got) != 1 || got[0].Seq != s2 {
		t.Errorf("EventsBetween(%d, %d) = %+v, %v; want only %d", s1, s2, got, err, s2)
	}

	if err := db.Write(ctx, func(tx service.Tx) error { return tx.PruneEvents(ctx, day.Add(time.Minute)) }); err != nil {
		t.Fatalf("PruneEvents = %v", err)
	}
	got, err = db.EventsBetween(ctx, 0, s3)
	if err != nil || len(got) != 2 || got[0].Seq != s2 {
		t.Errorf("EventsBetween after pruning %d = %+v, %v; want %d and %d", s1, got, err, s2, s3)
	}
	if last, err := db.LastSeq(ctx); err != nil || last != s3 {
		t.Errorf("LastSeq = %d, %v; want %d", last, err, s3)
	}
}

// TestNULRefused: PostgreSQL text cannot hold NUL (SQLite can); a write of
// one is a client refusal, not an internal error.
func TestNULRefused(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, newSchema(t))
	err := db.Write(ctx, func(tx service.Tx) error {
		return tx.InsertMutation(ctx, service.MutationRow{MemberID: "m-a", ID: "req\x00", Op: "x", CreatedAt: time.UnixMilli(1)})
	})
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Code != protocol.EInvalid {
		t.Errorf("Write of a NUL id = %v, want a protocol error %s", err, protocol.EInvalid)
	}
}

// TestEventsBetweenRoomEvent: an event stored once for a room is read back
// addressed to the room's members.
func TestEventsBetweenRoomEvent(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, newSchema(t))
	at := time.UnixMilli(1_767_225_600_000)
	var seq int64
	err := db.Write(ctx, func(tx service.Tx) error {
		if err := tx.InsertWorkspace(ctx, service.WorkspaceRow{ID: "ws", Name: "W", CreatedAt: at}); err != nil {
			return err
		}
		for _, id := range []string{"m-b", "m-a", "m-c"} {
			if err := tx.InsertMember(ctx, service.MemberRow{ID: id, WorkspaceID: "ws", Email: id + "@x.example", Name: id, Version: 1, CreatedAt: at}); err != nil {
				return err
			}
		}
		if err := tx.InsertRoom(ctx, service.RoomRow{ID: "r", Kind: protocol.RoomGroup, CreatedAt: at}, []string{"m-b", "m-a"}); err != nil {
			return err
		}
		var err error
		seq, err = tx.(service.RoomFeeder).AppendRoomEvent(ctx, "message.new", []byte(`{}`), "r", at)
		return err
	})
	if err != nil {
		t.Fatalf("Write = %v", err)
	}
	got, err := db.EventsBetween(ctx, seq-1, seq)
	if err != nil || len(got) != 1 {
		t.Fatalf("EventsBetween = %+v, %v; want one event", got, err)
	}
	slices.Sort(got[0].Recipients)
	if want := []string{"m-a", "m-b"}; !slices.Equal(got[0].Recipients, want) {
		t.Errorf("room event recipients = %v, want the room's members %v", got[0].Recipients, want)
	}
}

// TestEventsBetweenWorkspaceEvent: an event stored once for a workspace is
// read back naming the workspace, with the recipients outside it.
func TestEventsBetweenWorkspaceEvent(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, newSchema(t))
	at := time.UnixMilli(1_767_225_600_000)
	var seq int64
	err := db.Write(ctx, func(tx service.Tx) error {
		if err := tx.InsertWorkspace(ctx, service.WorkspaceRow{ID: "ws", Name: "W", CreatedAt: at}); err != nil {
			return err
		}
		if err := tx.InsertMember(ctx, service.MemberRow{ID: "m-a", WorkspaceID: "ws", Email: "a@x.example", Name: "A", Version: 1, CreatedAt: at}); err != nil {
			return err
		}
		var err error
		seq, err = tx.(service.WorkspaceFeeder).AppendWorkspaceEvent(ctx, "member.upsert", []byte(`{}`), "ws", []string{"m-out", "m-a"}, at)
		return err
	})
	if err != nil {
		t.Fatalf("Write = %v", err)
	}
	got, err := db.EventsBetween(ctx, seq-1, seq)
	if err != nil || len(got) != 1 {
		t.Fatalf("EventsBetween = %+v, %v; want one event", got, err)
	}
	if got[0].Workspace != "ws" || !slices.Equal(got[0].Recipients, []string{"m-out"}) {
		t.Errorf("workspace event = workspace %q, recipients %v; want ws and [m-out] (m-a is in ws)", got[0].Workspace, got[0].Recipients)
	}
}
