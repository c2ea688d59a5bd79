package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/natsbus"
	"worktalk.dev/worktalk/server/natsbus/natstest"
	"worktalk.dev/worktalk/server/postgres"
)

// clusterNode is one complete worktalkd (HTTP, websocket, hub, service) on
// 127.0.0.1:0 over the shared PostgreSQL schema and NATS subject. Its Env
// gives the servertest websocket client and helpers.
type clusterNode struct {
	env *servertest.Env
	db  *postgres.DB
	bus *natsbus.Bus
}

// cluster is what the nodes of one test share.
type cluster struct {
	dbURL, natsURL, subject string
	poll                    time.Duration // natsbus Poll; 0: its default
}

func (c cluster) start(t testing.TB) *clusterNode {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := postgres.Open(ctx, c.dbURL)
	if err != nil {
		t.Fatalf("postgres.Open = %v", err)
	}
	bus, err := natsbus.Open(ctx, natsbus.Config{URL: c.natsURL, Subject: c.subject, Source: db, Logger: logger,
		GapWait: 50 * time.Millisecond, Poll: c.poll})
	if err != nil {
		db.Close()
		t.Fatalf("natsbus.Open = %v", err)
	}
	n := &clusterNode{db: db, bus: bus}
	t.Cleanup(n.stop) // after the Env's cleanup has closed the server
	n.env = servertest.NewWith(t, servertest.Options{Store: db, Bus: bus, PublicURL: "https://talk.test", Logger: logger})
	return n
}

// stop shuts the node down: its websockets close. Stopping twice is harmless.
func (n *clusterNode) stop() {
	if n.env != nil {
		n.env.Server.Close()
	}
	n.bus.Close()
	n.db.Close()
}

func newCluster(t *testing.T) cluster {
	return cluster{dbURL: newSchema(t), natsURL: natstest.URL(t), subject: natstest.Subject()}
}

// sendOn sends a text message through c and returns its id.
func sendOn(t *testing.T, c *servertest.Client, room, text string) string {
	t.Helper()
	id := c.NewID()
	c.SendID(id, protocol.OpMessageSend, protocol.SendMessage{RoomID: room, Text: text})
	if res := c.AwaitRes(id); res.Err != nil {
		t.Fatalf("send %q refused: %v", text, res.Err)
	}
	return id
}

// awaitMessage waits for the message.new event of message id.
func awaitMessage(t *testing.T, c *servertest.Client, id string) protocol.Frame {
	t.Helper()
	return c.AwaitEvent(protocol.EvMessageNew, func(f protocol.Frame) bool {
		return servertest.Decode[protocol.Message](t, f).ID == id
	})
}

// eventSeqs lists the seqs of event frames.
func eventSeqs(frames []protocol.Frame) []int64 {
	var out []int64
	for _, f := range frames {
		if f.T == protocol.FrameEvent && f.Seq > 0 {
			out = append(out, f.Seq)
		}
	}
	return out
}

// wantIncreasing fails unless seqs strictly grow: in order, none twice.
func wantIncreasing(t *testing.T, who string, seqs []int64) {
	t.Helper()
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Errorf("%s got event seqs %v: %d after %d", who, seqs, seqs[i], seqs[i-1])
			return
		}
	}
}

// connectExternal has bob (through cb) add alice (through ca) with a
// one-time link, and alice add bob back; it returns their 1:1 room.
func connectExternal(t *testing.T, ca, cb *servertest.Client, alice, bob *servertest.User) string {
	t.Helper()
	var link protocol.ProfileLink
	ca.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &link)
	cb.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: link.URL}, nil)
	cb.AwaitEvent(protocol.EvExternalAdd, nil)
	ca.AwaitEvent(protocol.EvMessageNew, func(f protocol.Frame) bool {
		return servertest.Decode[protocol.Message](t, f).System == protocol.SystemExternalAdded
	})
	ca.DoOK(protocol.OpExternalAdd, protocol.AddExternal{MemberID: bob.ID()}, nil)
	ca.AwaitEvent(protocol.EvExternalAdd, nil)
	return protocol.DirectRoomID(alice.ID(), bob.ID())
}

// TestClusterProfileStory: a member on node A and an external member on
// node B (with a second device of the first on B) run the profile story:
// link, add, chat, block, refusals, unblock, re-add. Every device sees every
// event once, in seq order.
func TestClusterProfileStory(t *testing.T) {
	c := newCluster(t)
	a, b := c.start(t), c.start(t)
	alice := a.env.NewUser(a.env.CreateWorkspace("Acme").ID, "Alice Kim")
	bob := b.env.NewUser(b.env.CreateWorkspace("한빛소프트").ID, "박보검")
	alice2 := b.env.SignIn(alice.Email, alice.Password, alice.Profile.WorkspaceID)
	ca, cb, ca2 := a.env.Dial(alice.Token), b.env.Dial(bob.Token), b.env.Dial(alice2.Token)
	for _, cl := range []*servertest.Client{ca, cb, ca2} {
		cl.Sync(0)
	}

	// The one-time link made on A works once, through B.
	var link protocol.ProfileLink
	ca.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &link)
	cb.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: link.URL}, nil)
	if code := cb.DoCode(protocol.OpExternalAdd, protocol.AddExternal{Link: link.URL}); code != protocol.ELinkInvalid {
		t.Errorf("second use of a one-time link: code %q, want %q", code, protocol.ELinkInvalid)
	}
	// Alice hears of it on A and on B.
	isAdded := func(f protocol.Frame) bool {
		return servertest.Decode[protocol.Message](t, f).System == protocol.SystemExternalAdded
	}
	sys := ca.AwaitEvent(protocol.EvMessageNew, isAdded)
	if sys2 := ca2.AwaitEvent(protocol.EvMessageNew, isAdded); sys2.Seq != sys.Seq {
		t.Errorf("Alice's devices got the system message as seq %d and %d, want one seq", sys.Seq, sys2.Seq)
	}
	ca.DoOK(protocol.OpExternalAdd, protocol.AddExternal{MemberID: bob.ID()}, nil)
	dm := protocol.DirectRoomID(alice.ID(), bob.ID())

	// Chat across nodes.
	hello := sendOn(t, ca, dm, "안녕하세요, Bob")
	awaitMessage(t, cb, hello)
	reply := sendOn(t, cb, dm, "Hi Alice")
	awaitMessage(t, ca, reply)
	awaitMessage(t, ca2, hello)
	awaitMessage(t, ca2, reply)

	// Bob blocks Alice on B; Alice is refused on A.
	cb.DoOK(protocol.OpBlock, protocol.MemberRef{MemberID: alice.ID()}, nil)
	if code := ca.DoCode(protocol.OpMessageSend, protocol.SendMessage{RoomID: dm, Text: "hello?"}); code != protocol.EBlocked {
		t.Errorf("Alice sends on A after Bob blocked her on B: code %q, want %q", code, protocol.EBlocked)
	}
	if code := ca.DoCode(protocol.OpMemberGet, protocol.MemberRef{MemberID: bob.ID()}); code != protocol.ENotFound {
		t.Errorf("Alice views Bob: code %q, want %q", code, protocol.ENotFound)
	}

	// Unblock on B; Alice's new link from A adds her again at once.
	cb.DoOK(protocol.OpUnblock, protocol.MemberRef{MemberID: alice.ID()}, nil)
	var link2 protocol.ProfileLink
	ca.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &link2)
	cb.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: link2.URL}, nil)
	again := sendOn(t, cb, dm, "Sorry, wrong button")
	awaitMessage(t, ca, again)
	awaitMessage(t, ca2, again)

	// Alice's devices on two nodes saw the same events in the same order.
	s1, s2 := eventSeqs(ca.History()), eventSeqs(ca2.History())
	wantIncreasing(t, "Alice on A", s1)
	if !slices.Equal(s1, s2) {
		t.Errorf("Alice's device on A got seqs %v, on B %v; want the same", s1, s2)
	}
}

// TestClusterNodeDies: node A stops mid-conversation; Alice reconnects to
// node B and resumes from her cursor: the messages sent meanwhile arrive,
// nothing she had is sent again, and her unanswered resend is applied once.
func TestClusterNodeDies(t *testing.T) {
	c := newCluster(t)
	a, b := c.start(t), c.start(t)
	alice := a.env.NewUser(a.env.CreateWorkspace("Acme").ID, "Alice")
	bob := b.env.NewUser(b.env.CreateWorkspace("Globex").ID, "Bob")
	ca, cb := a.env.Dial(alice.Token), b.env.Dial(bob.Token)
	ca.Sync(0)
	cb.Sync(0)
	dm := connectExternal(t, ca, cb, alice, bob)
	awaitMessage(t, ca, sendOn(t, cb, dm, "one"))

	// Alice sends through A and A dies before she sees her own event.
	lastID := ca.NewID()
	ca.SendID(lastID, protocol.OpMessageSend, protocol.SendMessage{RoomID: dm, Text: "two"})
	first := ca.AwaitRes(lastID)
	if first.Err != nil {
		t.Fatalf("send refused: %v", first.Err)
	}
	seen := eventSeqs(ca.History())
	cursor := seen[len(seen)-1]
	a.stop()
	ca.Closed()

	var during []string
	for _, text := range []string{"three", "four", "five"} {
		during = append(during, sendOn(t, cb, dm, text))
	}

	// Alice reconnects through B from her cursor.
	ca2 := b.env.Dial(alice.Token)
	res := ca2.Sync(cursor)
	if res.Snapshot != nil {
		t.Fatalf("Sync(%d) sent a snapshot, want a replay", cursor)
	}
	replayed := eventSeqs(res.Events)
	wantIncreasing(t, "Alice's replay", replayed)
	if len(replayed) == 0 || replayed[0] <= cursor {
		t.Errorf("replay seqs %v, want all after the cursor %d", replayed, cursor)
	}
	var ids []string
	for _, f := range res.Events {
		if f.Op == protocol.EvMessageNew {
			ids = append(ids, servertest.Decode[protocol.Message](t, f).ID)
		}
	}
	for _, id := range during {
		if !slices.Contains(ids, id) {
			t.Errorf("replay lacks message %s sent while Alice was away (got %v)", id, ids)
		}
	}

	// Her resend of "two" through B answers as A did, and adds nothing.
	ca2.SendID(lastID, protocol.OpMessageSend, protocol.SendMessage{RoomID: dm, Text: "two"})
	again := ca2.AwaitRes(lastID)
	m1, m2 := servertest.Decode[protocol.Message](t, first), servertest.Decode[protocol.Message](t, again)
	if again.Err != nil || m1.Seq != m2.Seq {
		t.Errorf("resend answered seq %d (%v), want the first answer's seq %d", m2.Seq, again.Err, m1.Seq)
	}

	// Live again, through B.
	awaitMessage(t, ca2, sendOn(t, cb, dm, "six"))
	all := append(seen, eventSeqs(ca2.History())...)
	wantIncreasing(t, "Alice across both nodes", all)
}

// TestClusterNATSRestart: NATS stops while messages flow and comes back.
// Nodes keep delivering from the database meanwhile, reconnect, and every
// message reaches Alice once, in order.
func TestClusterNATSRestart(t *testing.T) {
	nats := natstest.Start(t, 0)
	c := cluster{dbURL: newSchema(t), natsURL: nats.URL(), subject: natstest.Subject(), poll: 100 * time.Millisecond}
	a, b := c.start(t), c.start(t)
	alice := a.env.NewUser(a.env.CreateWorkspace("Acme").ID, "Alice")
	bob := b.env.NewUser(b.env.CreateWorkspace("Globex").ID, "Bob")
	ca, cb := a.env.Dial(alice.Token), b.env.Dial(bob.Token)
	ca.Sync(0)
	cb.Sync(0)
	dm := connectExternal(t, ca, cb, alice, bob)

	var sent []string
	sent = append(sent, sendOn(t, cb, dm, "before"))
	awaitMessage(t, ca, sent[0])

	nats.Stop()
	for _, text := range []string{"during 1", "during 2", "during 3"} {
		id := sendOn(t, cb, dm, text)
		sent = append(sent, id)
		awaitMessage(t, ca, id) // from the database, by A's poll
	}
	natstest.Start(t, nats.Port()) // on the same port; it stops when the test ends
	for _, text := range []string{"after 1", "after 2"} {
		id := sendOn(t, cb, dm, text)
		sent = append(sent, id)
		awaitMessage(t, ca, id)
	}

	wantIncreasing(t, "Alice", eventSeqs(ca.History()))
	var got []string
	for _, f := range ca.History() {
		if f.T == protocol.FrameEvent && f.Op == protocol.EvMessageNew {
			if m := servertest.Decode[protocol.Message](t, f); m.Kind == protocol.MessageText {
				got = append(got, m.ID)
			}
		}
	}
	if !slices.Equal(got, sent) {
		t.Errorf("Alice got messages %v, want %v once each, in order", got, sent)
	}
}
