package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sync/atomic"
	"testing"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/natsbus/natstest"
	"worktalk.dev/worktalk/server/postgres/pgtest"
)

// The tests in this file run in parallel (they mostly wait for the nodes'
// database poll), each with two real worktalkd processes (the test binary
// re-executed as worktalkd) on their own ports, sharing one fresh
// PostgreSQL schema and one NATS subject, and talk to them with raw
// websocket clients.

const password = "a long enough password"

var emails atomic.Int64

// newMember creates a workspace and a member in it with the admin commands
// on db, and returns the member's e-mail and workspace id.
func newMember(t *testing.T, db, workspace, name string) (email, wsID string) {
	t.Helper()
	_, out := runMain(t, "", "workspace", "create", "--db", db, "--name", workspace)
	m := regexp.MustCompile(`created workspace (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("workspace create printed %q, want the id", out)
	}
	email = fmt.Sprintf("member%d@example.test", emails.Add(1))
	runMain(t, "", "member", "create", "--db", db, "--workspace", m[1], "--email", email, "--name", name, "--password", password)
	return email, m[1]
}

// member is a signed-in member and one of their devices.
type member struct {
	id, email, wsID, token string
	c                      *servertest.Client
}

// signIn signs email in through p's HTTP API and connects a websocket to
// p, synced from scratch.
func signIn(t testing.TB, p *process, email, wsID string) *member {
	t.Helper()
	status, res, perr := p.env.SignInHTTP(protocol.SignInRequest{Email: email, Password: password, WorkspaceID: wsID, Device: "test"})
	if status != 200 || res.Session == nil {
		t.Fatalf("sign in %s on %s: status %d, %+v, %v", email, p.name, status, res, perr)
	}
	m := &member{id: res.Session.MemberID, email: email, wsID: wsID, token: res.Session.Token}
	m.c = p.env.Dial(m.token)
	m.c.Sync(0)
	return m
}

// connect has b add a through a one-time link a made, and a add b back;
// it returns their 1:1 room.
func connect(t *testing.T, a, b *member) string {
	t.Helper()
	var link protocol.ProfileLink
	a.c.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &link)
	b.c.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: link.URL}, nil)
	a.c.AwaitEvent(protocol.EvMessageNew, func(f protocol.Frame) bool {
		return servertest.Decode[protocol.Message](t, f).System == protocol.SystemExternalAdded
	})
	a.c.DoOK(protocol.OpExternalAdd, protocol.AddExternal{MemberID: b.id}, nil)
	a.c.AwaitEvent(protocol.EvExternalAdd, func(f protocol.Frame) bool {
		return servertest.Decode[protocol.Profile](t, f).ID == b.id
	})
	return protocol.DirectRoomID(a.id, b.id)
}

// send sends a text message through c, waits for its answer and returns
// the message id.
func send(t testing.TB, c *servertest.Client, room, text string) string {
	t.Helper()
	var msg protocol.Message
	c.DoOK(protocol.OpMessageSend, protocol.SendMessage{RoomID: room, Text: text}, &msg)
	return msg.ID
}

// awaitMessage waits for the message.new event of message id.
func awaitMessage(t *testing.T, c *servertest.Client, id string) {
	t.Helper()
	c.AwaitEvent(protocol.EvMessageNew, func(f protocol.Frame) bool {
		return servertest.Decode[protocol.Message](t, f).ID == id
	})
}

// textMessages lists the ids of the text messages among frames' message.new
// events, in order, and the seqs of all stored events.
func textMessages(t *testing.T, frames []protocol.Frame) (ids []string, seqs []int64) {
	t.Helper()
	for _, f := range frames {
		if f.T != protocol.FrameEvent || f.Seq == 0 {
			continue
		}
		seqs = append(seqs, f.Seq)
		if f.Op == protocol.EvMessageNew {
			if m := servertest.Decode[protocol.Message](t, f); m.Kind == protocol.MessageText {
				ids = append(ids, m.ID)
			}
		}
	}
	return ids, seqs
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

// wantOnceInOrder fails unless got is want: every message once, in order.
func wantOnceInOrder(t *testing.T, who string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s got messages %v, want %v: each once, in order", who, got, want)
	}
}

// twoNodes starts nodes A and B on a fresh schema and NATS at natsURL.
func twoNodes(t *testing.T, natsURL string) (db string, a, b *process) {
	db = pgtest.NewSchema(t)
	key := filepath.Join(t.TempDir(), "server.key")
	runMain(t, "", "key", "init", "--db", db, "--secret-key-file", key)
	args := []string{"--db", db, "--secret-key-file", key, "--nats", natsURL, "--nats-subject", natstest.Subject(), "--public-url", "https://talk.test"}
	return db, startProcess(t, "node A", args...), startProcess(t, "node B", args...)
}

// TestProcessesProfileStory: Alice on node A and Bob, an external member,
// on node B run the profile story: link, add, chat, block, unblock.
// Alice's second device on B sees exactly what her first sees on A.
func TestProcessesProfileStory(t *testing.T) {
	t.Parallel()
	db, a, b := twoNodes(t, natstest.URL(t))
	aliceEmail, acme := newMember(t, db, "Acme", "Alice Kim")
	bobEmail, globex := newMember(t, db, "한빛소프트", "박보검")
	alice, bob := signIn(t, a, aliceEmail, acme), signIn(t, b, bobEmail, globex)
	alice2 := signIn(t, b, aliceEmail, acme)

	// A one-time link made on A works once, through B.
	var link protocol.ProfileLink
	alice.c.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &link)
	bob.c.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: link.URL}, nil)
	if code := bob.c.DoCode(protocol.OpExternalAdd, protocol.AddExternal{Link: link.URL}); code != protocol.ELinkInvalid {
		t.Errorf("second use of a one-time link: code %q, want %q", code, protocol.ELinkInvalid)
	}
	isAdded := func(f protocol.Frame) bool {
		return servertest.Decode[protocol.Message](t, f).System == protocol.SystemExternalAdded
	}
	alice.c.AwaitEvent(protocol.EvMessageNew, isAdded)
	alice2.c.AwaitEvent(protocol.EvMessageNew, isAdded)
	alice.c.DoOK(protocol.OpExternalAdd, protocol.AddExternal{MemberID: bob.id}, nil)
	dm := protocol.DirectRoomID(alice.id, bob.id)

	// Chat across the processes.
	var sent []string
	hello := send(t, alice.c, dm, "안녕하세요, Bob")
	awaitMessage(t, bob.c, hello)
	reply := send(t, bob.c, dm, "Hi Alice")
	awaitMessage(t, alice.c, reply)
	sent = append(sent, hello, reply)

	// Bob blocks Alice on B; A refuses Alice's message and her view of Bob.
	bob.c.DoOK(protocol.OpBlock, protocol.MemberRef{MemberID: alice.id}, nil)
	if code := alice.c.DoCode(protocol.OpMessageSend, protocol.SendMessage{RoomID: dm, Text: "hello?"}); code != protocol.EBlocked {
		t.Errorf("Alice sends on A after Bob blocked her on B: code %q, want %q", code, protocol.EBlocked)
	}
	if code := alice.c.DoCode(protocol.OpMemberGet, protocol.MemberRef{MemberID: bob.id}); code != protocol.ENotFound {
		t.Errorf("Alice views Bob on A while blocked: code %q, want %q", code, protocol.ENotFound)
	}

	// Bob unblocks on B; a new link from Alice on A adds her again and they
	// chat again.
	bob.c.DoOK(protocol.OpUnblock, protocol.MemberRef{MemberID: alice.id}, nil)
	var link2 protocol.ProfileLink
	alice.c.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &link2)
	bob.c.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: link2.URL}, nil)
	again := send(t, bob.c, dm, "Sorry, wrong button")
	awaitMessage(t, alice.c, again)
	back := send(t, alice.c, dm, "괜찮아요")
	for _, c := range []*servertest.Client{alice.c, alice2.c, bob.c} { // the last event, so all before it too
		awaitMessage(t, c, back)
	}
	sent = append(sent, again, back)

	ids1, seqs1 := textMessages(t, alice.c.History())
	ids2, seqs2 := textMessages(t, alice2.c.History())
	wantIncreasing(t, "Alice on A", seqs1)
	if !slices.Equal(seqs1, seqs2) {
		t.Errorf("Alice's device on A got seqs %v, on B %v; want the same", seqs1, seqs2)
	}
	wantOnceInOrder(t, "Alice on A", ids1, sent)
	wantOnceInOrder(t, "Alice on B", ids2, sent)
	bobIDs, bobSeqs := textMessages(t, bob.c.History())
	wantIncreasing(t, "Bob", bobSeqs)
	wantOnceInOrder(t, "Bob", bobIDs, sent)
}

// TestProcessesNodeKilled: node A is killed (SIGKILL) while Alice's
// messages are in flight. Alice reconnects to node B and resumes from her
// cursor: she gets what was sent meanwhile, nothing she had comes again,
// and resending her unanswered messages with the same ids stores each
// once. Bob, on B throughout, sees every message once, in order.
func TestProcessesNodeKilled(t *testing.T) {
	t.Parallel()
	db, a, b := twoNodes(t, natstest.URL(t))
	aliceEmail, acme := newMember(t, db, "Acme", "Alice")
	bobEmail, globex := newMember(t, db, "Globex", "Bob")
	alice, bob := signIn(t, a, aliceEmail, acme), signIn(t, b, bobEmail, globex)
	dm := connect(t, alice, bob)
	one := send(t, bob.c, dm, "one")
	awaitMessage(t, alice.c, one)

	// Alice sends a burst through A without waiting for answers, and A
	// dies once the first is answered: some of the others may be stored,
	// some not.
	type outgoing struct{ reqID, text string }
	var burst []outgoing
	for i := range 5 {
		o := outgoing{alice.c.NewID(), fmt.Sprintf("burst %d", i)}
		burst = append(burst, o)
		alice.c.SendID(o.reqID, protocol.OpMessageSend, protocol.SendMessage{RoomID: dm, Text: o.text})
	}
	alice.c.AwaitRes(burst[0].reqID)
	a.kill()
	alice.c.Closed()
	before := alice.c.History()
	answered := map[string]protocol.Message{}
	for _, f := range before {
		if f.T == protocol.FrameRes && f.Err == nil && f.Data != nil {
			for _, o := range burst {
				if f.ID == o.reqID {
					answered[o.reqID] = servertest.Decode[protocol.Message](t, f)
				}
			}
		}
	}
	_, seenSeqs := textMessages(t, before)
	cursor := seenSeqs[len(seenSeqs)-1]

	// Bob goes on talking on B.
	two := send(t, bob.c, dm, "two")
	three := send(t, bob.c, dm, "three")

	// Alice's device reconnects through B from its cursor and resends
	// every burst message, as its outbox would.
	alice.c = b.env.Dial(alice.token)
	res := alice.c.Sync(cursor)
	if res.Snapshot != nil {
		t.Fatalf("Sync(%d) on B sent a snapshot, want a replay from the cursor", cursor)
	}
	replayedIDs, replayed := textMessages(t, res.Events)
	if len(replayed) == 0 || replayed[0] <= cursor {
		t.Errorf("replay seqs %v, want every one after the cursor %d", replayed, cursor)
	}
	t.Logf("node A answered %d of %d burst messages before it died; %d unseen messages replayed",
		len(answered), len(burst), len(replayedIDs))
	want := []string{one, two, three}
	for _, o := range burst {
		alice.c.SendID(o.reqID, protocol.OpMessageSend, protocol.SendMessage{RoomID: dm, Text: o.text})
		f := alice.c.AwaitRes(o.reqID)
		if f.Err != nil {
			t.Fatalf("resend of %q through B refused: %v", o.text, f.Err)
		}
		m := servertest.Decode[protocol.Message](t, f)
		if first, ok := answered[o.reqID]; ok && (m.ID != first.ID || m.Seq != first.Seq) {
			t.Errorf("resend of %q answered message %s seq %d, want A's answer %s seq %d", o.text, m.ID, m.Seq, first.ID, first.Seq)
		}
		want = append(want, m.ID)
	}
	four := send(t, bob.c, dm, "four")
	want = append(want, four)
	awaitMessage(t, alice.c, four)
	awaitMessage(t, bob.c, four)

	// Bob got each message once, in seq order; Alice, over both
	// connections, got the same.
	bobIDs, bobSeqs := textMessages(t, bob.c.History())
	wantIncreasing(t, "Bob", bobSeqs)
	if !sameSet(bobIDs, want) {
		t.Errorf("Bob got messages %v, want each of %v once", bobIDs, want)
	}
	aliceIDs, aliceSeqs := textMessages(t, append(before, alice.c.History()...))
	wantIncreasing(t, "Alice across A and B", aliceSeqs)
	wantOnceInOrder(t, "Alice across A and B", aliceIDs, bobIDs)
}

// sameSet reports whether got and want hold the same ids, each as often.
func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

// TestProcessesNATSRestart: NATS stops while Bob's messages flow and comes
// back. Meanwhile the nodes deliver from the database and Alice's phone,
// dropped offline, catches up from its cursor; once the nodes have
// reconnected, messages flow both ways again. Everyone gets every message
// once, in order.
func TestProcessesNATSRestart(t *testing.T) {
	t.Parallel()
	nats := natstest.Start(t, 0)
	db, a, b := twoNodes(t, nats.URL())
	aliceEmail, acme := newMember(t, db, "Acme", "Alice")
	bobEmail, globex := newMember(t, db, "Globex", "Bob")
	alice, bob := signIn(t, a, aliceEmail, acme), signIn(t, b, bobEmail, globex)
	phone := signIn(t, a, aliceEmail, acme)
	dm := connect(t, alice, bob)
	want := []string{send(t, bob.c, dm, "before")}
	awaitMessage(t, alice.c, want[0])
	awaitMessage(t, phone.c, want[0])

	nats.Stop()
	_, phoneSeqs := textMessages(t, phone.c.History())
	phoneCursor := phoneSeqs[len(phoneSeqs)-1]
	phoneBefore := phone.c.History()
	phone.c.Drop()
	for _, text := range []string{"during 1", "during 2", "during 3"} {
		want = append(want, send(t, bob.c, dm, text)) // writes need only PostgreSQL
	}
	for _, id := range want[1:] {
		awaitMessage(t, alice.c, id) // read from the database by A's poll
	}
	phone.c = a.env.Dial(phone.token)
	if res := phone.c.Sync(phoneCursor); res.Snapshot != nil {
		t.Fatalf("phone Sync(%d) sent a snapshot, want a replay", phoneCursor)
	}

	natstest.Start(t, nats.Port()) // on the same port; it stops when the test ends
	a.awaitLog("nats reconnected")
	b.awaitLog("nats reconnected")
	for _, text := range []string{"after 1", "after 2"} {
		id := send(t, bob.c, dm, text)
		want = append(want, id)
		awaitMessage(t, alice.c, id)
	}
	reply := send(t, alice.c, dm, "all here")
	want = append(want, reply)
	for _, c := range []*servertest.Client{alice.c, phone.c, bob.c} { // the last event, so all before it too
		awaitMessage(t, c, reply)
	}

	for _, who := range []struct {
		name   string
		frames []protocol.Frame
	}{
		{"Alice", alice.c.History()},
		{"Alice's phone", append(phoneBefore, phone.c.History()...)},
		{"Bob", bob.c.History()},
	} {
		ids, seqs := textMessages(t, who.frames)
		wantIncreasing(t, who.name, seqs)
		wantOnceInOrder(t, who.name, ids, want)
	}
}

// TestProcessesAdminChange: an admin command run against the database
// while the nodes serve (it publishes nothing) reaches a member connected
// to a node: the node's poll finds the new event in the database.
func TestProcessesAdminChange(t *testing.T) {
	t.Parallel()
	db, a, _ := twoNodes(t, natstest.URL(t))
	email, ws := newMember(t, db, "Acme", "Alice")
	alice := signIn(t, a, email, ws)

	runMain(t, "", "workspace", "set", "--db", db, "--id", ws, "--external-chat", "off")
	f := alice.c.AwaitEvent(protocol.EvWorkspaceUpdate, nil)
	if w := servertest.Decode[protocol.Workspace](t, f); w.Settings.ExternalChat {
		t.Errorf("workspace.update after workspace set --external-chat off has external chat on, want off")
	}
}
