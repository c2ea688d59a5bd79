package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// TestReconnectResumesFromCursor drops a connection while messages flow
// and reconnects (while they still flow) from the last seq the client
// processed: every message arrives exactly once, in seq order.
func TestReconnectResumesFromCursor(t *testing.T) {
	env := servertest.New(t)
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	bob := env.NewUser(acme.ID, "Bob")
	room := protocol.DirectRoomID(alice.ID(), bob.ID())
	ca := env.Dial(alice.Token)
	ca.Sync(0)
	ca.DoOK(protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomDirect, Members: []string{bob.ID()}}, nil)

	cb := env.Dial(bob.Token)
	cursor := cb.Sync(0).Cursor

	const total = 200
	aliceCaller, err := env.Service.Authenticate(context.Background(), alice.Token)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	sent := make(chan error, 1)
	go func() { // the sender: the service directly, so no test helper runs off the test goroutine
		for i := range total {
			d, _ := json.Marshal(protocol.SendMessage{RoomID: room, Text: strconv.Itoa(i)})
			if _, err := env.Service.Do(context.Background(), aliceCaller, fmt.Sprintf("m%03d", i), protocol.OpMessageSend, d); err != nil {
				sent <- fmt.Errorf("send %d: %w", i, err)
				return
			}
		}
		sent <- nil
	}()

	seen := map[string]int{}
	var last int64 = cursor
	take := func(f protocol.Frame) {
		t.Helper()
		if f.Seq <= last {
			t.Fatalf("event seq %d after %d, want increasing without repeats", f.Seq, last)
		}
		last = f.Seq
		if f.Op == protocol.EvMessageNew {
			seen[servertest.Decode[protocol.Message](t, f).Text]++
		}
	}
	for len(seen) < 20 {
		take(cb.AwaitEvent("", nil))
	}
	cb.Drop() // mid-stream: more events are on their way

	cb2 := env.Dial(bob.Token)
	res := cb2.Sync(last)
	if res.Snapshot != nil {
		t.Errorf("resume from cursor %d sent a snapshot, want a replay", last)
	}
	for _, f := range res.Events {
		take(f)
	}
	if res.Cursor != last {
		t.Errorf("sync res cursor = %d, want %d (the last replayed event)", res.Cursor, last)
	}
	for len(seen) < total {
		take(cb2.AwaitEvent("", nil))
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	for i := range total {
		if n := seen[strconv.Itoa(i)]; n != 1 {
			t.Errorf("message %d arrived %d times, want 1", i, n)
		}
	}
}

// TestResendAfterReconnect resends mutations with the same id on a new
// connection: each is applied once and answered the same way.
func TestResendAfterReconnect(t *testing.T) {
	env := servertest.New(t)
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	self := protocol.SelfRoomID(alice.ID())

	c1 := env.Dial(alice.Token)
	cursor := c1.Sync(0).Cursor
	// Answered before the drop.
	first := c1.Do(protocol.OpMessageSend, protocol.SendMessage{RoomID: self, Text: "answered"})
	if first.Err != nil {
		t.Fatalf("send: %v", first.Err)
	}
	// Sent, then the connection drops before the client reads an answer.
	lostID := c1.NewID()
	c1.SendID(lostID, protocol.OpMessageSend, protocol.SendMessage{RoomID: self, Text: "maybe lost"})
	c1.Drop()

	c2 := env.Dial(alice.Token)
	c2.Sync(cursor)
	again := c2.AwaitRes(resend(t, c2, self, first.ID, "answered"))
	if again.Err != nil || string(again.Data) != string(first.Data) {
		t.Errorf("resend answer = %s (err %v), want the first answer %s", again.Data, again.Err, first.Data)
	}
	if r := c2.AwaitRes(resend(t, c2, self, lostID, "maybe lost")); r.Err != nil {
		t.Errorf("resend of the unanswered request: %v, want success", r.Err)
	}
	// A second resend of the same id changes nothing either.
	if r := c2.AwaitRes(resend(t, c2, self, lostID, "maybe lost")); r.Err != nil {
		t.Errorf("second resend: %v, want success", r.Err)
	}

	var page protocol.MessageList
	c2.DoOK(protocol.OpMessagesPage, protocol.MessagesPageRequest{RoomID: self, Limit: 50}, &page)
	count := map[string]int{}
	for _, m := range page.Messages {
		count[m.ID]++
	}
	if count[first.ID] != 1 || count[lostID] != 1 || len(page.Messages) != 2 {
		t.Errorf("room holds %d messages %v, want exactly one each of %s and %s", len(page.Messages), count, first.ID, lostID)
	}
}

// resend sends message.send again with an id already used.
func resend(t *testing.T, c *servertest.Client, room, id, text string) string {
	t.Helper()
	c.SendID(id, protocol.OpMessageSend, protocol.SendMessage{RoomID: room, Text: text})
	return id
}

// TestOldCursorGetsSnapshot: a cursor older than the feeds keep gets a
// snapshot, then the events after the snapshot's cursor.
func TestOldCursorGetsSnapshot(t *testing.T) {
	env := servertest.NewWith(t, servertest.Options{Retention: time.Hour})
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	c := env.Dial(alice.Token)
	old := c.Sync(0).Cursor
	self := protocol.SelfRoomID(alice.ID())
	first := send(t, c, self, "before the horizon")
	c.Close()

	env.Clock.Advance(2 * time.Hour)
	if err := env.Service.Prune(context.Background()); err != nil {
		t.Fatalf("Prune: %v", err)
	}
	c2 := env.Dial(alice.Token)
	res := c2.Sync(old)
	if res.Snapshot == nil {
		t.Fatalf("sync from a pruned cursor: no snapshot, want one")
	}
	found := false
	for _, m := range res.Snapshot.Messages {
		found = found || m.ID == first
	}
	if !found {
		t.Errorf("snapshot lacks message %s sent before the horizon", first)
	}
	if res.Cursor < res.Snapshot.Cursor {
		t.Errorf("sync res cursor %d is before the snapshot's %d", res.Cursor, res.Snapshot.Cursor)
	}
	// Live events follow the catch-up.
	awaitText(t, c2, send(t, c2, self, "after"))
}
