package service_test

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// TestOnceLinkConcurrentRedeem: of two members redeeming one link at the
// same time, exactly one wins.
func TestOnceLinkConcurrentRedeem(t *testing.T) {
	for round := range 5 {
		e, w := newWorld(t)
		link := e.onceLink(w.a1)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, c := range []service.Caller{w.b1, w.b2} {
			wg.Go(func() {
				<-start
				data, _ := json.Marshal(protocol.AddExternal{Link: link})
				_, errs[i] = e.svc.Do(e.ctx, c, protocol.NewID(), protocol.OpExternalAdd, data)
			})
		}
		close(start)
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch code(err) {
			case "":
				wins++
			case protocol.ELinkInvalid:
			default:
				t.Fatalf("round %d: err = %v, want nil or %s", round, err, protocol.ELinkInvalid)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d redemptions won, want 1", round, wins)
		}
	}
}

// TestMutationResend: the same request id applies once and answers the same.
func TestMutationResend(t *testing.T) {
	e, w := newWorld(t)
	if err := direct(e, w.a1, w.a2); err != nil {
		t.Fatal(err)
	}
	room := protocol.DirectRoomID(w.a1.MemberID, w.a2.MemberID)
	data, _ := json.Marshal(protocol.SendMessage{RoomID: room, Text: "once"})
	first, err := e.svc.Do(e.ctx, w.a1, "req-1", protocol.OpMessageSend, data)
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.svc.Do(e.ctx, w.a1, "req-1", protocol.OpMessageSend, data)
	if err != nil {
		t.Fatal(err)
	}
	if string(first) != string(second) {
		t.Fatalf("resend answer = %s, want %s", second, first)
	}
	var page protocol.MessageList
	e.mustDo(w.a2, protocol.OpMessagesPage, protocol.MessagesPageRequest{RoomID: room}, &page)
	if len(page.Messages) != 1 || page.Messages[0].ID != "req-1" {
		t.Fatalf("messages = %+v, want one with id req-1", page.Messages)
	}

	// A refusal is an answer too: the resend gets it even once the reason is gone.
	e.addExternal(w.a1, w.b1)
	e.setExternalChat(w.B, false)
	dm := protocol.DirectRoomID(w.a1.MemberID, w.b1.MemberID)
	err1 := e.doID(w.a1, "req-2", protocol.OpMessageSend, protocol.SendMessage{RoomID: dm, Text: "hi"}, nil)
	e.setExternalChat(w.B, true)
	err2 := e.doID(w.a1, "req-2", protocol.OpMessageSend, protocol.SendMessage{RoomID: dm, Text: "hi"}, nil)
	if code(err1) != protocol.EExternalOff || code(err2) != protocol.EExternalOff {
		t.Fatalf("codes = %q, %q, want %q twice", code(err1), code(err2), protocol.EExternalOff)
	}

	// The same id for another op is refused, not replayed.
	err = e.doID(w.a1, "req-1", protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomSelf}, nil)
	if code(err) != protocol.EConflict {
		t.Fatalf("reuse for another op: code = %q, want %q", code(err), protocol.EConflict)
	}

	// Ids are per member: another member may use the same id.
	if err := e.doID(w.a2, "req-3", protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomSelf}, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.doID(w.a1, "req-3", protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomSelf}, nil); err != nil {
		t.Fatal(err)
	}

	// A resent link.create_once answers the same URL (kept sealed, not in the clear).
	var l1, l2 protocol.ProfileLink
	if err := e.doID(w.a1, "req-4", protocol.OpLinkCreateOnce, protocol.Empty{}, &l1); err != nil {
		t.Fatal(err)
	}
	if err := e.doID(w.a1, "req-4", protocol.OpLinkCreateOnce, protocol.Empty{}, &l2); err != nil {
		t.Fatal(err)
	}
	if l1 != l2 {
		t.Fatalf("resent link = %+v, want %+v", l2, l1)
	}
}

// TestSnapshotThenEvents: a snapshot taken while messages are being sent,
// followed by the events after its cursor, has every message exactly once.
func TestSnapshotThenEvents(t *testing.T) {
	e, w := newWorld(t)
	room := protocol.SelfRoomID(w.a1.MemberID)
	const n = 60
	done := make(chan error, 1)
	go func() {
		for range n {
			if err := send(e, w.a1, room, "note"); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	var snap protocol.Snapshot
	var err error
	for range 3 { // snapshots taken mid-stream
		if snap, err = e.svc.Snapshot(e.ctx, w.a1); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]int)
	for _, m := range snap.Messages {
		seen[m.ID]++
	}
	cursor := snap.Cursor
	for {
		evs, err := e.svc.EventsSince(e.ctx, w.a1, cursor, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		for _, ev := range evs {
			if ev.Seq <= cursor {
				t.Fatalf("event seq %d after cursor %d", ev.Seq, cursor)
			}
			cursor = ev.Seq
			if ev.Op == protocol.EvMessageNew {
				var m protocol.Message
				if err := json.Unmarshal(ev.Data, &m); err != nil {
					t.Fatal(err)
				}
				seen[m.ID]++
			}
		}
	}
	if len(seen) != n {
		t.Fatalf("saw %d messages, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Fatalf("message %s seen %d times, want 1", id, k)
		}
	}
}

// TestPublishOrder: the bus sees events in seq order, each also in the feeds.
func TestPublishOrder(t *testing.T) {
	e, w := newWorld(t)
	var wg sync.WaitGroup
	for _, c := range []service.Caller{w.a1, w.a2, w.b1} {
		wg.Go(func() {
			for range 10 {
				send(e, c, protocol.SelfRoomID(c.MemberID), "x")
			}
		})
	}
	wg.Wait()
	var last int64
	for _, ev := range e.bus.all() {
		if ev.Seq == 0 {
			continue
		}
		if ev.Seq <= last {
			t.Fatalf("published seq %d after %d", ev.Seq, last)
		}
		last = ev.Seq
	}
	evs, err := e.svc.EventsSince(e.ctx, w.b1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := countOp(evs, protocol.EvMessageNew); got != 10 {
		t.Fatalf("b1 message events = %d, want 10", got)
	}
}

func countOp(evs []service.Event, op string) int {
	n := 0
	for _, ev := range evs {
		if ev.Op == op {
			n++
		}
	}
	return n
}

// TestHiddenFieldsNeverLeave: the hidden employee number appears in no
// event, snapshot or answer, whoever receives it.
func TestHiddenFieldsNeverLeave(t *testing.T) {
	e, w := newWorld(t)
	e.addExternal(w.a1, w.b1)
	e.addExternal(w.b1, w.a1)
	e.mustDo(w.a1, protocol.OpProfileUpdate, protocol.ProfileUpdate{Fields: map[string]string{"title": "Boss"}}, nil)
	if err := group(e, w.a1, "All", w.a2, w.b1); err != nil {
		t.Fatal(err)
	}
	var blobs [][]byte
	for _, ev := range e.bus.all() {
		blobs = append(blobs, ev.Data)
	}
	for _, c := range []service.Caller{w.a1, w.a2, w.b1, w.b2} {
		snap, err := e.svc.Snapshot(e.ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(snap)
		blobs = append(blobs, b)
		evs, err := e.svc.EventsSince(e.ctx, c, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			blobs = append(blobs, ev.Data)
		}
		for _, other := range []service.Caller{w.a1, w.a2, w.b1} {
			res, err := e.svc.Do(e.ctx, c, protocol.NewID(), protocol.OpMemberGet, []byte(`{"member_id":"`+other.MemberID+`"}`))
			if err == nil {
				blobs = append(blobs, res)
			}
		}
	}
	if len(blobs) < 20 {
		t.Fatalf("only %d blobs checked", len(blobs))
	}
	for _, b := range blobs {
		for _, secret := range []string{"SECRET-", "employee_no"} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("%q leaked in %s", secret, b)
			}
		}
	}
}

// TestExternalAddEvents: adding someone tells me, shows me to them, and
// posts them a system message with a view-profile action.
func TestExternalAddEvents(t *testing.T) {
	e, w := newWorld(t)
	e.addExternal(w.a1, w.b1)
	evs, err := e.svc.EventsSince(e.ctx, w.b1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var msg *protocol.Message
	var sawMe, sawRoom bool
	for _, ev := range evs {
		switch ev.Op {
		case protocol.EvMessageNew:
			msg = new(protocol.Message)
			json.Unmarshal(ev.Data, msg)
		case protocol.EvMemberUpsert:
			var p protocol.Profile
			json.Unmarshal(ev.Data, &p)
			sawMe = sawMe || p.ID == w.a1.MemberID
		case protocol.EvRoomUpsert:
			sawRoom = true
		}
	}
	if !sawMe || !sawRoom || msg == nil {
		t.Fatalf("b1 saw profile=%v room=%v message=%v, want all", sawMe, sawRoom, msg != nil)
	}
	want := protocol.Message{
		ID: msg.ID, RoomID: protocol.DirectRoomID(w.a1.MemberID, w.b1.MemberID), Kind: protocol.MessageSystem,
		Text: "Alice added you as an external member", System: protocol.SystemExternalAdded,
		ActorID: w.a1.MemberID, ActorName: "Alice", Seq: msg.Seq, SentAt: msg.SentAt,
	}
	if msg.Action == nil || *msg.Action != (protocol.Action{Kind: protocol.ActionViewProfile, MemberID: w.a1.MemberID}) {
		t.Fatalf("action = %+v, want view_profile of Alice", msg.Action)
	}
	msg.Action = nil
	if *msg != want {
		t.Fatalf("message = %+v, want %+v", *msg, want)
	}
	mine, err := e.svc.EventsSince(e.ctx, w.a1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if countOp(mine, protocol.EvExternalAdd) != 1 {
		t.Fatalf("a1 external.add events = %d, want 1", countOp(mine, protocol.EvExternalAdd))
	}

	// Blocking removes the relation both ways and closes the room.
	e.addExternal(w.b1, w.a1)
	e.block(w.a1, w.b1)
	snapA, _ := e.svc.Snapshot(e.ctx, w.a1)
	snapB, _ := e.svc.Snapshot(e.ctx, w.b1)
	if len(snapA.Externals) != 0 || len(snapB.Externals) != 0 {
		t.Fatalf("externals after block = %d, %d, want 0, 0", len(snapA.Externals), len(snapB.Externals))
	}
	if len(snapA.Blocked) != 1 || snapA.Blocked[0].ID != w.b1.MemberID || snapA.Blocked[0].Name != "보라" {
		t.Fatalf("blocked = %+v, want 보라", snapA.Blocked)
	}
	for _, r := range snapB.Rooms {
		if r.Kind == protocol.RoomDirect && !r.Closed {
			t.Fatalf("direct room %s open after block", r.ID)
		}
	}
}

// TestRoomsInCommon lists only group rooms the asker is in.
func TestRoomsInCommon(t *testing.T) {
	e, w := newWorld(t)
	e.mustDo(w.a1, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "mine", Members: []string{w.a2.MemberID}}, nil)
	a3 := e.member(w.A, "ann@acme.test", "Ann")
	e.mustDo(a3, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "not mine", Members: []string{w.a2.MemberID}}, nil)
	if err := direct(e, w.a1, w.a2); err != nil {
		t.Fatal(err)
	}
	var list protocol.RoomList
	e.mustDo(w.a1, protocol.OpRoomsCommon, protocol.MemberRef{MemberID: w.a2.MemberID}, &list)
	if len(list.Rooms) != 1 || list.Rooms[0].Title != "mine" {
		t.Fatalf("rooms in common = %+v, want only \"mine\"", list.Rooms)
	}
}

func TestSignIn(t *testing.T) {
	e, w := newWorld(t)
	// The same e-mail in a second workspace with another password: only
	// the workspace whose password matches counts.
	if _, err := e.svc.CreateMember(e.ctx, service.NewMember{WorkspaceID: w.B, Email: "ALICE@acme.test", Password: "another password", Name: "Alice B"}); err != nil {
		t.Fatal(err)
	}
	signIn := func(email, pw, ws string) (protocol.SignInResponse, error) {
		e.clock.Advance(time.Minute) // stay under the rate limit
		return e.svc.SignIn(e.ctx, protocol.SignInRequest{Email: email, Password: pw, WorkspaceID: ws}, "10.0.0.1")
	}
	res, err := signIn("alice@acme.test", testPassword, "")
	if err != nil || res.Session == nil || res.Session.MemberID != w.a1.MemberID {
		t.Fatalf("sign in = %+v, %v, want a session for a1", res, err)
	}
	c, err := e.svc.Authenticate(e.ctx, res.Session.Token)
	if err != nil || c.MemberID != w.a1.MemberID || c.WorkspaceID != w.A {
		t.Fatalf("authenticate = %+v, %v", c, err)
	}
	if res.Session.Workspace.ID != w.A {
		t.Fatalf("session workspace = %s, want %s", res.Session.Workspace.ID, w.A)
	}
	for _, f := range res.Session.Workspace.Settings.Fields {
		if !f.Visible {
			t.Fatalf("hidden field %s sent at sign-in", f.Key)
		}
	}
	if _, err := signIn("alice@acme.test", "wrong password", ""); code(err) != protocol.EUnauthorized {
		t.Fatalf("wrong password: code = %q, want %q", code(err), protocol.EUnauthorized)
	}
	if _, err := signIn("nobody@acme.test", testPassword, ""); code(err) != protocol.EUnauthorized || protocol.ErrorMessage(err) != "wrong e-mail or password" {
		t.Fatalf("unknown e-mail: %v, want %s wrong e-mail or password", err, protocol.EUnauthorized)
	}
	if err := e.svc.SignOut(e.ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Authenticate(e.ctx, res.Session.Token); code(err) != protocol.EUnauthorized {
		t.Fatalf("after sign-out: code = %q, want %q", code(err), protocol.EUnauthorized)
	}
	var revoked bool
	for _, ev := range e.bus.all() {
		revoked = revoked || ev.Op == protocol.EvSessionRevoked && ev.SessionID == c.SessionID && ev.Seq == 0
	}
	if !revoked {
		t.Fatal("no live session.revoked event")
	}
	// Same password in both workspaces: the member chooses.
	b := e.member(w.B, "dup@x.test", "Dup B")
	e.member(w.A, "dup@x.test", "Dup A")
	res, err = signIn("dup@x.test", testPassword, "")
	if err != nil || res.Session != nil || len(res.Workspaces) != 2 {
		t.Fatalf("two workspaces: %+v, %v, want a choice of 2", res, err)
	}
	res, err = signIn("dup@x.test", testPassword, w.B)
	if err != nil || res.Session == nil || res.Session.MemberID != b.MemberID {
		t.Fatalf("chosen workspace: %+v, %v, want b's session", res, err)
	}
}

func TestRateLimits(t *testing.T) {
	e, w := newWorld(t)
	var limited int
	for range 12 {
		_, err := e.svc.SignIn(e.ctx, protocol.SignInRequest{Email: "alice@acme.test", Password: "guess guess"}, "10.0.0.2")
		if code(err) == protocol.ERateLimited {
			limited++
		}
	}
	if limited != 2 {
		t.Fatalf("rate limited %d of 12 sign-ins, want 2", limited)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.svc.SignIn(e.ctx, protocol.SignInRequest{Email: "alice@acme.test", Password: testPassword}, "10.0.0.3"); err != nil {
		t.Fatalf("after a minute: %v", err)
	}

	link := e.onceLink(w.a1)
	limited = 0
	for range 25 {
		if err := e.do(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: link}, nil); code(err) == protocol.ERateLimited {
			limited++
		}
	}
	if limited != 5 {
		t.Fatalf("rate limited %d of 25 link views, want 5", limited)
	}
	// A rate-limited mutation is not stored as the answer of its id.
	err := e.doID(w.b1, "add-1", protocol.OpExternalAdd, protocol.AddExternal{Link: link}, nil)
	if code(err) != protocol.ERateLimited {
		t.Fatalf("code = %q, want %q", code(err), protocol.ERateLimited)
	}
	e.clock.Advance(time.Minute)
	if err := e.doID(w.b1, "add-1", protocol.OpExternalAdd, protocol.AddExternal{Link: link}, nil); err != nil {
		t.Fatalf("resend after the limit: %v", err)
	}
}

func TestPublicCard(t *testing.T) {
	e, w := newWorld(t)
	tokenOf := func(url string) string { return url[strings.LastIndex(url, "/")+1:] }
	var qr protocol.ProfileLink
	e.mustDo(w.a1, protocol.OpLinkQR, protocol.Empty{}, &qr)
	var again protocol.ProfileLink
	e.mustDo(w.a1, protocol.OpLinkQR, protocol.Empty{}, &again)
	if qr.URL != again.URL || !strings.HasPrefix(qr.URL, "https://talk.test/p/") {
		t.Fatalf("qr urls = %s, %s, want the same https://talk.test/p/... twice", qr.URL, again.URL)
	}
	card, err := e.svc.PublicCard(e.ctx, tokenOf(qr.URL))
	if err != nil {
		t.Fatal(err)
	}
	if card != (protocol.PublicCard{Name: "Alice", WorkspaceName: "Acme", Title: "Engineer"}) {
		t.Fatalf("card = %+v", card)
	}
	once := e.onceLink(w.a2)
	e.mustDo(w.b1, protocol.OpExternalAdd, protocol.AddExternal{Link: once}, nil)
	expiring := e.onceLink(w.a2)
	e.mustDo(w.a1, protocol.OpLinkResetQR, protocol.Empty{}, nil)
	e.clock.Advance(protocol.OnceLinkTTL)
	var msgs []string
	for name, tok := range map[string]string{
		"reset": tokenOf(qr.URL), "used": tokenOf(once), "expired": tokenOf(expiring),
		"unknown": strings.Repeat("A", 43), "malformed": "../../etc",
	} {
		_, err := e.svc.PublicCard(e.ctx, tok)
		if code(err) != protocol.ELinkInvalid {
			t.Fatalf("%s: code = %q, want %q", name, code(err), protocol.ELinkInvalid)
		}
		msgs = append(msgs, protocol.ErrorMessage(err))
	}
	for _, m := range msgs {
		if m != msgs[0] {
			t.Fatalf("messages differ: %q", msgs)
		}
	}
}

func TestEventsSinceSnapshotNeeded(t *testing.T) {
	e, w := newWorld(t)
	db := e.db
	svc := service.New(service.Config{Store: db, Now: e.clock.Now, Argon: argon2id.TestParams, Retention: time.Hour})
	send(e, w.a1, protocol.SelfRoomID(w.a1.MemberID), "old")
	e.clock.Advance(2 * time.Hour)
	send(e, w.a1, protocol.SelfRoomID(w.a1.MemberID), "new")
	if err := svc.Prune(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.EventsSince(e.ctx, w.a1, 0, 0); !errors.Is(err, service.ErrSnapshotNeeded) {
		t.Fatalf("err = %v, want ErrSnapshotNeeded", err)
	}
	snap, err := svc.Snapshot(e.ctx, w.a1)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Messages) != 2 {
		t.Fatalf("snapshot messages = %d, want 2", len(snap.Messages))
	}
	evs, err := svc.EventsSince(e.ctx, w.a1, snap.Cursor, 0)
	if err != nil || len(evs) != 0 {
		t.Fatalf("events after snapshot = %v, %v, want none", evs, err)
	}
	if _, err := svc.EventsSince(e.ctx, w.a1, snap.Cursor+1000, 0); !errors.Is(err, service.ErrSnapshotNeeded) {
		t.Fatalf("cursor past the newest event: err = %v, want ErrSnapshotNeeded", err)
	}
	if _, err := svc.EventsSince(e.ctx, w.a1, -1, 0); code(err) != protocol.EInvalid {
		t.Fatalf("negative cursor: code = %q, want %q", code(err), protocol.EInvalid)
	}
}

func TestAdminValidation(t *testing.T) {
	e, w := newWorld(t)
	bad := service.DefaultSettings()
	bad.Fields = append(bad.Fields, bad.Fields[0])
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"empty workspace name", func() error { _, err := e.svc.CreateWorkspace(e.ctx, " ", service.DefaultSettings()); return err }(), protocol.EInvalid},
		{"duplicate field key", func() error { _, err := e.svc.CreateWorkspace(e.ctx, "X", bad); return err }(), protocol.EInvalid},
		{"settings of unknown workspace", e.svc.UpdateWorkspaceSettings(e.ctx, "nope", service.DefaultSettings()), protocol.ENotFound},
		{"duplicate e-mail", func() error {
			_, err := e.svc.CreateMember(e.ctx, service.NewMember{WorkspaceID: w.A, Email: "Alice@acme.test", Password: testPassword, Name: "A2"})
			return err
		}(), protocol.EConflict},
		{"short password", func() error {
			_, err := e.svc.CreateMember(e.ctx, service.NewMember{WorkspaceID: w.A, Email: "new@acme.test", Password: "short", Name: "N"})
			return err
		}(), protocol.EInvalid},
		{"bad e-mail", func() error {
			_, err := e.svc.CreateMember(e.ctx, service.NewMember{WorkspaceID: w.A, Email: "not-an-email", Password: testPassword, Name: "N"})
			return err
		}(), protocol.EInvalid},
		{"unknown field", func() error {
			_, err := e.svc.CreateMember(e.ctx, service.NewMember{WorkspaceID: w.A, Email: "n@acme.test", Password: testPassword, Name: "N", Fields: map[string]string{"x": "1"}})
			return err
		}(), protocol.EInvalid},
		{"unknown workspace", func() error {
			_, err := e.svc.CreateMember(e.ctx, service.NewMember{WorkspaceID: "nope", Email: "n@acme.test", Password: testPassword, Name: "N"})
			return err
		}(), protocol.ENotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := code(tc.err); got != tc.want {
				t.Fatalf("code = %q (%v), want %q", got, tc.err, tc.want)
			}
		})
	}
}

// TestVisibilityChangeResendsProfiles: hiding a field re-sends every
// profile of the workspace, newer and without the field.
func TestVisibilityChangeResendsProfiles(t *testing.T) {
	e, w := newWorld(t)
	e.addExternal(w.b1, w.a1)
	s := service.DefaultSettings()
	s.Fields[0].Visible = false // title
	if err := e.svc.UpdateWorkspaceSettings(e.ctx, w.A, s); err != nil {
		t.Fatal(err)
	}
	evs, err := e.svc.EventsSince(e.ctx, w.b1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var last *protocol.Profile
	for _, ev := range evs {
		if ev.Op == protocol.EvMemberUpsert {
			var p protocol.Profile
			json.Unmarshal(ev.Data, &p)
			if p.ID == w.a1.MemberID {
				last = &p
			}
		}
	}
	if last == nil || last.Fields["title"] != "" || last.Version < 2 {
		t.Fatalf("b1's last view of a1 = %+v, want no title and version >= 2", last)
	}
}

// TestExternalChatSwitchClosesRooms: turning external chat off closes the
// 1:1 rooms with external members (and tells both); turning it on reopens them.
func TestExternalChatSwitchClosesRooms(t *testing.T) {
	e, w := newWorld(t)
	e.addExternal(w.a1, w.b1)
	if err := direct(e, w.a1, w.a2); err != nil {
		t.Fatal(err)
	}
	closedRooms := func(c service.Caller) map[string]bool {
		t.Helper()
		snap, err := e.svc.Snapshot(e.ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		out := make(map[string]bool)
		for _, r := range snap.Rooms {
			out[r.ID] = r.Closed
		}
		return out
	}
	ext := protocol.DirectRoomID(w.a1.MemberID, w.b1.MemberID)
	coworker := protocol.DirectRoomID(w.a1.MemberID, w.a2.MemberID)
	e.setExternalChat(w.B, false)
	if got := closedRooms(w.a1); !got[ext] || got[coworker] {
		t.Fatalf("after switch off: closed = %v, want only %s", got, ext)
	}
	evs, err := e.svc.EventsSince(e.ctx, w.b1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var last protocol.Room
	for _, ev := range evs {
		if ev.Op == protocol.EvRoomUpsert {
			json.Unmarshal(ev.Data, &last)
		}
	}
	if last.ID != ext || !last.Closed {
		t.Fatalf("b1's last room event = %+v, want %s closed", last, ext)
	}
	e.setExternalChat(w.B, true)
	if got := closedRooms(w.b1); got[ext] {
		t.Fatalf("after switch on: closed = %v, want %s open", got, ext)
	}
	if err := send(e, w.b1, ext, "back"); err != nil {
		t.Fatal(err)
	}
}

// A member who added me shows up in my snapshot, as the live member.upsert
// event would have brought them; once I add them back they are externals,
// and a block removes them.
func TestSnapshotContacts(t *testing.T) {
	e, w := newWorld(t)
	e.addExternal(w.a1, w.b1)
	ids := func(ps []protocol.Profile) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	snap, err := e.svc.Snapshot(e.ctx, w.b1)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(snap.Contacts); len(got) != 1 || got[0] != w.a1.MemberID || len(snap.Externals) != 0 {
		t.Fatalf("b1 contacts = %v, externals = %v, want contacts [%s] and no externals", got, ids(snap.Externals), w.a1.MemberID)
	}
	e.mustDo(w.b1, protocol.OpExternalAdd, protocol.AddExternal{MemberID: w.a1.MemberID}, nil)
	if snap, err = e.svc.Snapshot(e.ctx, w.b1); err != nil {
		t.Fatal(err)
	}
	if len(snap.Contacts) != 0 || len(snap.Externals) != 1 {
		t.Fatalf("after adding back: contacts = %v, externals = %v, want none and [%s]", ids(snap.Contacts), ids(snap.Externals), w.a1.MemberID)
	}
	if snap, err = e.svc.Snapshot(e.ctx, w.a1); err != nil {
		t.Fatal(err)
	}
	if len(snap.Contacts) != 0 {
		t.Fatalf("a1 contacts = %v, want none: b1 is an external member of a1", ids(snap.Contacts))
	}
	e.block(w.b1, w.a1)
	if snap, err = e.svc.Snapshot(e.ctx, w.a1); err != nil {
		t.Fatal(err)
	}
	if len(snap.Contacts)+len(snap.Externals) != 0 {
		t.Fatalf("after the block: a1 contacts = %v, externals = %v, want none", ids(snap.Contacts), ids(snap.Externals))
	}
}
