package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/ncruces/go-sqlite3/driver" // the "sqlite3" driver, for raw access

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// MustOpen opens an encrypted store in a temporary directory and closes it
// at the end.
func MustOpen(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "local.db"), store.NewKey())
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func mustJSON(tb testing.TB, v any) json.RawMessage {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func testSnapshot() protocol.Snapshot {
	me := protocol.Profile{ID: "me", WorkspaceID: "w1", Name: "Me", Version: 1}
	return protocol.Snapshot{
		Cursor:    10,
		Me:        me,
		Workspace: protocol.Workspace{ID: "w1", Name: "Acme"},
		Members:   []protocol.Profile{me, {ID: "bob", WorkspaceID: "w1", Name: "Bob", Version: 1}},
		Externals: []protocol.Profile{{ID: "eve", WorkspaceID: "w2", Name: "Eve", Version: 1}},
		Rooms: []protocol.Room{{ID: protocol.SelfRoomID("me"), Kind: protocol.RoomSelf,
			Members: []protocol.RoomMember{{ID: "me", Name: "Me"}}}},
		Messages: []protocol.Message{
			{ID: "m1", RoomID: protocol.SelfRoomID("me"), SenderID: "me", Kind: protocol.MessageText, Text: "one", Seq: 5},
			{ID: "m2", RoomID: protocol.SelfRoomID("me"), SenderID: "me", Kind: protocol.MessageText, Text: "two", Seq: 9},
		},
	}
}

func TestSnapshotThenEvents(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if _, err := db.ApplySnapshot(ctx, testSnapshot()); err != nil {
		t.Fatalf("ApplySnapshot: %v", err)
	}
	r, err := db.Replica(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Me.ID != "me" || len(r.Coworkers) != 1 || len(r.Externals) != 1 || len(r.Rooms) != 1 {
		t.Fatalf("replica = %+v, want me, 1 coworker, 1 external, 1 room", r)
	}
	self := protocol.SelfRoomID("me")
	newer := protocol.Profile{ID: "me", WorkspaceID: "w1", Name: "Me2", Version: 3}
	older := protocol.Profile{ID: "me", WorkspaceID: "w1", Name: "Old", Version: 2}
	ch, err := db.ApplyEvents(ctx, []store.Event{
		{Seq: 8, Op: protocol.EvMessageNew, Data: mustJSON(t, protocol.Message{ID: "dup", RoomID: self, Seq: 8})}, // at or below cursor: skipped
		{Seq: 11, Op: protocol.EvMemberUpsert, Data: mustJSON(t, newer)},
		{Seq: 12, Op: protocol.EvMemberUpsert, Data: mustJSON(t, older)},
		{Seq: 13, Op: protocol.EvMessageNew, Data: mustJSON(t, protocol.Message{ID: "m3", RoomID: self, Text: "three", Seq: 13})},
		{Seq: 14, Op: protocol.EvExternalRemove, Data: mustJSON(t, protocol.MemberRef{MemberID: "eve"})},
		{Seq: 15, Op: "future.event", Data: mustJSON(t, protocol.Empty{})},
	})
	if err != nil {
		t.Fatalf("ApplyEvents: %v", err)
	}
	if !ch.Rooms[self] || !ch.Replica {
		t.Errorf("changes = %+v, want replica and room %s", ch, self)
	}
	c, _ := db.Cursor(ctx)
	if c != 15 {
		t.Errorf("Cursor = %d, want 15", c)
	}
	r, _ = db.Replica(ctx)
	if r.Me.Name != "Me2" {
		t.Errorf("Me.Name = %q, want %q (older versions never win)", r.Me.Name, "Me2")
	}
	if len(r.Externals) != 0 {
		t.Errorf("Externals = %v, want none", r.Externals)
	}
	ms, err := db.Messages(ctx, self, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(ms); got != "one,two,three" {
		t.Errorf("messages = %s, want one,two,three", got)
	}
}

func texts(ms []store.Message) string {
	s := ""
	for i, m := range ms {
		if i > 0 {
			s += ","
		}
		s += m.Text
	}
	return s
}

func TestPendingAckRefuse(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	if _, err := db.ApplySnapshot(ctx, testSnapshot()); err != nil {
		t.Fatal(err)
	}
	self := protocol.SelfRoomID("me")
	send := func(id, text string) store.Entry {
		t.Helper()
		m := protocol.Message{ID: id, RoomID: self, SenderID: "me", Kind: protocol.MessageText, Text: text}
		e, _, err := db.Enqueue(ctx, store.Entry{ID: id, Op: protocol.OpMessageSend, Body: mustJSON(t, protocol.SendMessage{RoomID: self, Text: text}), Created: time.Now()}, store.Effect{Message: &m})
		if err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		return e
	}
	a := send("pa", "pending a")
	b := send("pb", "pending b")
	ms, _ := db.Messages(ctx, self, 0, 10)
	if got := texts(ms); got != "one,two,pending a,pending b" {
		t.Fatalf("messages = %s, want pending after acked", got)
	}
	if !ms[3].Pending || ms[3].Key <= store.PendingKeyBase {
		t.Errorf("pending message = %+v, want Pending and a key above PendingKeyBase", ms[3])
	}
	if _, err := db.Ack(ctx, a, mustJSON(t, protocol.Message{ID: "pa", RoomID: self, Text: "pending a", Seq: 20})); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	if _, err := db.Refuse(ctx, b, store.Notice{ID: "n1", Op: b.Op, Code: protocol.EBlocked, Text: "blocked", At: time.Now()}); err != nil {
		t.Fatalf("Refuse: %v", err)
	}
	ms, _ = db.Messages(ctx, self, 0, 10)
	if got := texts(ms); got != "one,two,pending a" || ms[2].Pending || ms[2].Key != 20 {
		t.Errorf("messages = %s (last %+v), want acked a with key 20 and b gone", got, ms[len(ms)-1])
	}
	out, _ := db.Outbox(ctx)
	if len(out) != 0 {
		t.Errorf("outbox = %v, want empty", out)
	}
	ns, _ := db.Notices(ctx)
	if len(ns) != 1 || ns[0].Code != protocol.EBlocked {
		t.Errorf("notices = %+v, want one blocked notice", ns)
	}
	// Paging walks back by key.
	older, _ := db.Messages(ctx, self, ms[1].Key, 10)
	if got := texts(older); got != "one" {
		t.Errorf("page before %d = %s, want one", ms[1].Key, got)
	}
}

func TestSnapshotKeepsOutbox(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	s := testSnapshot()
	if _, err := db.ApplySnapshot(ctx, s); err != nil {
		t.Fatal(err)
	}
	m := protocol.Message{ID: "p1", RoomID: "room-x", Text: "queued"}
	if _, _, err := db.Enqueue(ctx, store.Entry{ID: "p1", Op: protocol.OpMessageSend, Body: mustJSON(t, protocol.SendMessage{RoomID: "room-x", Text: "queued"}), Created: time.Now()}, store.Effect{Message: &m}); err != nil {
		t.Fatal(err)
	}
	s.Cursor = 100
	s.Rooms = nil
	s.Messages = nil
	if _, err := db.ApplySnapshot(ctx, s); err != nil {
		t.Fatal(err)
	}
	if ms, _ := db.Messages(ctx, protocol.SelfRoomID("me"), 0, 10); len(ms) != 0 {
		t.Errorf("messages of a room gone from the snapshot = %d, want 0", len(ms))
	}
	if ms, _ := db.Messages(ctx, "room-x", 0, 10); len(ms) != 1 {
		t.Errorf("pending messages = %d, want 1 kept", len(ms))
	}
	if out, _ := db.Outbox(ctx); len(out) != 1 {
		t.Errorf("outbox = %d entries, want 1 kept", len(out))
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "local.db")
	key := store.NewKey()
	db, err := store.Open(path, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplySnapshot(ctx, testSnapshot()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = store.Open(path, key)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	c, _ := db.Cursor(ctx)
	if c != 10 {
		t.Errorf("Cursor after reopen = %d, want 10", c)
	}
	db.Close()
	if err := store.Remove(path); err != nil {
		t.Errorf("Remove: %v", err)
	}
	if k, err := store.Inspect(path); k != store.FileMissing || err != nil {
		t.Errorf("Inspect after Remove = %v, %v; want FileMissing", k, err)
	}
}

// catchUpEvents makes n message events after cursor 10.
func catchUpEvents(tb testing.TB, n int) []store.Event {
	evs := make([]store.Event, n)
	for i := range evs {
		seq := int64(11 + i)
		m := protocol.Message{ID: fmt.Sprintf("c%06d", i), RoomID: protocol.SelfRoomID("me"), SenderID: "me", Kind: protocol.MessageText, Text: fmt.Sprintf("catch-up message number %d", i), Seq: seq, SentAt: 1700000000000 + seq}
		evs[i] = store.Event{Seq: seq, Op: protocol.EvMessageNew, Data: mustJSON(tb, m)}
	}
	return evs
}

// A database written by a newer app is refused, not migrated "down" or
// used with columns this program does not know.
func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "local.db")
	db, err := store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("PRAGMA user_version = 9999"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err = store.Open(path, nil)
	if err == nil {
		db.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "newer than this program") {
		t.Errorf("Open of a newer schema = %v, want a 'newer than this program' error", err)
	}
}
