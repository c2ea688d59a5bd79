package server_test

import (
	"slices"
	"testing"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// TestExternalChatEndToEnd walks the external-member flow over real
// websockets: link, add, add back, chat, block, refusals, unblock, re-add.
func TestExternalChatEndToEnd(t *testing.T) {
	env := servertest.New(t)
	acme := env.CreateWorkspace("Acme")
	hanbit := env.CreateWorkspace("한빛소프트")
	alice := env.NewUser(acme.ID, "Alice Kim")
	bob := env.NewUser(hanbit.ID, "박보검")
	alice2 := env.SignIn(alice.Email, alice.Password, acme.ID) // Alice's second device

	ca := env.Dial(alice.Token)
	ca2 := env.Dial(alice2.Token)
	cb := env.Dial(bob.Token)
	for _, c := range []*servertest.Client{ca, ca2, cb} {
		if s := c.Sync(0); s.Snapshot == nil {
			t.Fatalf("Sync(0) snapshot = nil, want one")
		}
	}

	// Alice shares a one-time link; Bob views it and adds her.
	var link protocol.ProfileLink
	ca.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &link)
	var preview protocol.LinkPreview
	cb.DoOK(protocol.OpLinkView, protocol.LinkRef{Link: link.URL}, &preview)
	if preview.MemberID != alice.ID() || preview.Card.Name != "Alice Kim" {
		t.Fatalf("link.view = %+v, want Alice's card", preview)
	}
	var added protocol.Profile
	cb.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: link.URL}, &added)
	if added.ID != alice.ID() {
		t.Fatalf("external.add result id = %s, want %s", added.ID, alice.ID())
	}
	if got := cb.AwaitEvent(protocol.EvExternalAdd, nil); servertest.Decode[protocol.Profile](t, got).ID != alice.ID() {
		t.Errorf("Bob's external.add event = %s, want Alice's profile", got.Data)
	}
	// The link worked once.
	if code := cb.DoCode(protocol.OpExternalAdd, protocol.AddExternal{Link: link.URL}); code != protocol.ELinkInvalid {
		t.Errorf("second use of a one-time link: code %q, want %q", code, protocol.ELinkInvalid)
	}

	// Alice gets "Bob added you" with a view-profile action, on both devices.
	sys := ca.AwaitEvent(protocol.EvMessageNew, func(f protocol.Frame) bool {
		return servertest.Decode[protocol.Message](t, f).Kind == protocol.MessageSystem
	})
	msg := servertest.Decode[protocol.Message](t, sys)
	if msg.System != protocol.SystemExternalAdded || msg.ActorID != bob.ID() {
		t.Errorf("system message = %+v, want external_added by Bob", msg)
	}
	if msg.Action == nil || msg.Action.Kind != protocol.ActionViewProfile || msg.Action.MemberID != bob.ID() {
		t.Errorf("system message action = %+v, want view_profile of %s", msg.Action, bob.ID())
	}
	dm := protocol.DirectRoomID(alice.ID(), bob.ID())
	if msg.RoomID != dm {
		t.Errorf("system message room = %s, want %s", msg.RoomID, dm)
	}
	sys2 := ca2.AwaitEvent(protocol.EvMessageNew, func(f protocol.Frame) bool { return f.Seq == sys.Seq })
	if string(sys2.Data) != string(sys.Data) {
		t.Errorf("second device got %s, want %s", sys2.Data, sys.Data)
	}

	// Alice adds Bob back from the system message.
	ca.DoOK(protocol.OpExternalAdd, protocol.AddExternal{MemberID: bob.ID()}, nil)
	ca.AwaitEvent(protocol.EvExternalAdd, nil)

	// They chat.
	hello := send(t, ca, dm, "안녕하세요, Bob")
	if got := awaitText(t, cb, hello); got.SenderID != alice.ID() {
		t.Errorf("Bob got message from %s, want %s", got.SenderID, alice.ID())
	}
	reply := send(t, cb, dm, "Hi Alice")
	awaitText(t, ca, reply)
	awaitText(t, ca2, hello)
	awaitText(t, ca2, reply)

	// Bob blocks Alice: both are refused.
	cb.DoOK(protocol.OpBlock, protocol.MemberRef{MemberID: alice.ID()}, nil)
	cb.AwaitEvent(protocol.EvBlockAdd, nil)
	refusals := []struct {
		name string
		c    *servertest.Client
		op   string
		body any
		want string
	}{
		{"Alice sends in their 1:1", ca, protocol.OpMessageSend, protocol.SendMessage{RoomID: dm, Text: "hello?"}, protocol.EBlocked},
		{"Bob sends in their 1:1", cb, protocol.OpMessageSend, protocol.SendMessage{RoomID: dm, Text: "bye"}, protocol.EBlocked},
		{"Alice views Bob", ca, protocol.OpMemberGet, protocol.MemberRef{MemberID: bob.ID()}, protocol.ENotFound},
		{"Bob views Alice", cb, protocol.OpMemberGet, protocol.MemberRef{MemberID: alice.ID()}, protocol.ENotFound},
		{"Alice opens a 1:1", ca, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomDirect, Members: []string{bob.ID()}}, protocol.EBlocked},
		{"Alice adds Bob back", ca, protocol.OpExternalAdd, protocol.AddExternal{MemberID: bob.ID()}, protocol.EBlocked},
	}
	for _, r := range refusals {
		if code := r.c.DoCode(r.op, r.body); code != r.want {
			t.Errorf("%s: code %q, want %q", r.name, code, r.want)
		}
	}
	var link2 protocol.ProfileLink
	ca.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &link2)
	if code := cb.DoCode(protocol.OpExternalAdd, protocol.AddExternal{Link: link2.URL}); code != protocol.EBlocked {
		t.Errorf("Bob redeems Alice's link while blocking her: code %q, want %q", code, protocol.EBlocked)
	}

	// Unblock: Bob can add Alice again at once, and they chat again.
	cb.DoOK(protocol.OpUnblock, protocol.MemberRef{MemberID: alice.ID()}, nil)
	cb.AwaitEvent(protocol.EvBlockRemove, nil)
	cb.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: link2.URL}, nil)
	again := send(t, cb, dm, "Sorry, wrong button")
	awaitText(t, ca, again)
	awaitText(t, ca2, again)

	// Alice's two devices saw the same events in the same order.
	if a, a2 := seqs(ca.History()), seqs(ca2.History()); !slices.Equal(a, a2) || len(a) == 0 {
		t.Errorf("device 1 event seqs %v, device 2 %v, want the same non-empty list", a, a2)
	}
}

// TestCoworkersAndSelfRoom covers the rules that need no external link.
func TestCoworkersAndSelfRoom(t *testing.T) {
	env := servertest.New(t)
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	carol := env.NewUser(acme.ID, "Carol")
	ca, cc := env.Dial(alice.Token), env.Dial(carol.Token)
	ca.Sync(0)
	cc.Sync(0)

	if code := ca.DoCode(protocol.OpBlock, protocol.MemberRef{MemberID: carol.ID()}); code != protocol.ECoworker {
		t.Errorf("block a coworker: code %q, want %q", code, protocol.ECoworker)
	}
	self := protocol.SelfRoomID(alice.ID())
	note := send(t, ca, self, "buy milk")
	awaitText(t, ca, note)
	if code := cc.DoCode(protocol.OpMessageSend, protocol.SendMessage{RoomID: self, Text: "hi"}); code == "" {
		t.Errorf("Carol sends in Alice's self room: accepted, want refused")
	}
}

// send sends a text message and returns its id (the request id).
func send(t *testing.T, c *servertest.Client, room, text string) string {
	t.Helper()
	id := c.NewID()
	c.SendID(id, protocol.OpMessageSend, protocol.SendMessage{RoomID: room, Text: text})
	res := c.AwaitRes(id)
	if res.Err != nil {
		t.Fatalf("send %q: refused with %v, want success", text, res.Err)
	}
	if m := servertest.Decode[protocol.Message](t, res); m.ID != id || m.Seq == 0 {
		t.Fatalf("send %q: result id %s seq %d, want id %s and a seq", text, m.ID, m.Seq, id)
	}
	return id
}

// awaitText waits for the message.new event of message id.
func awaitText(t *testing.T, c *servertest.Client, id string) protocol.Message {
	t.Helper()
	f := c.AwaitEvent(protocol.EvMessageNew, func(f protocol.Frame) bool {
		return servertest.Decode[protocol.Message](t, f).ID == id
	})
	return servertest.Decode[protocol.Message](t, f)
}

// seqs lists the seqs of the event frames, failing nothing: callers
// compare lists.
func seqs(frames []protocol.Frame) []int64 {
	var out []int64
	for _, f := range frames {
		if f.T == protocol.FrameEvent {
			out = append(out, f.Seq)
		}
	}
	return out
}
