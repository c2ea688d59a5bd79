package postgres_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/natsbus"
	"worktalk.dev/worktalk/server/natsbus/natstest"
	"worktalk.dev/worktalk/server/service"
)

// node is one worktalkd's service: its own pool on the shared schema and
// its own NATS connection on the shared subject.
type node struct {
	svc    *service.Service
	bus    *natsbus.Bus
	events chan service.Event // what the node's hub would be given
}

// testKeys is the server key every node of a test shares, as a deployment
// gives every node the same key file.
var testKeys = service.Keys{Current: service.NewKey()}

func newNode(t *testing.T, dbURL, natsURL, subject string) *node {
	t.Helper()
	db := mustOpen(t, dbURL)
	bus, err := natsbus.Open(context.Background(), natsbus.Config{URL: natsURL, Subject: subject, Source: db, GapWait: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("natsbus.Open = %v", err)
	}
	t.Cleanup(func() { bus.Close() })
	n := &node{bus: bus, events: make(chan service.Event, 1000)}
	bus.Subscribe(func(ev service.Event) { n.events <- ev })
	n.svc = service.New(service.Config{
		Store: db, Bus: bus, PublicURL: "https://talk.test",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Argon: argon2id.TestParams,
		Keys: testKeys,
	})
	return n
}

func (n *node) do(t *testing.T, c service.Caller, reqID, op string, in, out any) error {
	t.Helper()
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	res, err := n.svc.Do(context.Background(), c, reqID, op, data)
	if err == nil && out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			t.Fatalf("%s answer %s: %v", op, res, err)
		}
	}
	return err
}

// waitFor reads the node's events until one with op that match accepts
// arrives. It checks stored events come in strictly growing seq order.
func (n *node) waitFor(t *testing.T, op string, match func(service.Event) bool, lastSeq *int64) service.Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-n.events:
			if ev.Seq > 0 {
				if ev.Seq <= *lastSeq {
					t.Errorf("event seq %d after %d: not in order", ev.Seq, *lastSeq)
				}
				*lastSeq = ev.Seq
			}
			if ev.Op == op && match(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no matching %s event within 10s", op)
		}
	}
}

// to matches events addressed to member.
func to(member string) func(service.Event) bool {
	return func(ev service.Event) bool { return slices.Contains(ev.Recipients, member) }
}

// TestTwoNodes runs the cross-node rules on two services that
// share one PostgreSQL schema and one NATS subject: sessions work on every
// node, a mutation resent to the other node is applied once, two nodes
// redeeming one one-time link at once let exactly one win, and a change
// made through one node reaches the other's hub in seq order.
func TestTwoNodes(t *testing.T) {
	ctx := context.Background()
	dbURL := newSchema(t)
	nu := natstest.URL(t)
	subject := natstest.Subject()
	a, b := newNode(t, dbURL, nu, subject), newNode(t, dbURL, nu, subject)

	ws1, err := a.svc.CreateWorkspace(ctx, "Acme", service.DefaultSettings())
	if err != nil {
		t.Fatalf("CreateWorkspace = %v", err)
	}
	ws2, err := b.svc.CreateWorkspace(ctx, "Globex", service.DefaultSettings())
	if err != nil {
		t.Fatalf("CreateWorkspace = %v", err)
	}
	member := func(n *node, ws protocol.Workspace, email, name string) service.Caller {
		t.Helper()
		p, err := n.svc.CreateMember(ctx, service.NewMember{WorkspaceID: ws.ID, Email: email, Password: "correct horse", Name: name})
		if err != nil {
			t.Fatalf("CreateMember(%s) = %v", email, err)
		}
		return service.Caller{SessionID: "s-" + p.ID, MemberID: p.ID, WorkspaceID: ws.ID}
	}
	carol := member(b, ws2, "carol@globex.example", "Carol")
	dave := member(a, ws2, "dave@globex.example", "Dave")

	// A session made on node A works on node B.
	member(b, ws1, "alice@acme.example", "Alice")
	res, err := a.svc.SignIn(ctx, protocol.SignInRequest{Email: "alice@acme.example", Password: "correct horse", WorkspaceID: ws1.ID}, "127.0.0.1")
	if err != nil || res.Session == nil {
		t.Fatalf("SignIn = %+v, %v", res, err)
	}
	alice, err := b.svc.Authenticate(ctx, res.Session.Token)
	if err != nil {
		t.Fatalf("Authenticate on the other node = %v", err)
	}

	// A mutation resent to the other node returns the first answer.
	var link1, link2 protocol.ProfileLink
	if err := a.do(t, alice, "req-link-1", protocol.OpLinkCreateOnce, protocol.Empty{}, &link1); err != nil {
		t.Fatalf("link.create_once on A = %v", err)
	}
	if err := b.do(t, alice, "req-link-1", protocol.OpLinkCreateOnce, protocol.Empty{}, &link2); err != nil {
		t.Fatalf("link.create_once resent on B = %v", err)
	}
	if link1.URL == "" || link2.URL != link1.URL {
		t.Errorf("resent link.create_once answered %q, want the first answer %q", link2.URL, link1.URL)
	}

	// Carol on A and Dave on B redeem the one-time link at once.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, r := range []struct {
		n *node
		c service.Caller
	}{{a, carol}, {b, dave}} {
		wg.Go(func() {
			errs[i] = r.n.do(t, r.c, protocol.NewID(), protocol.OpExternalAdd, protocol.AddExternal{Link: link1.URL}, nil)
		})
	}
	wg.Wait()
	winner := carol
	switch {
	case errs[0] == nil && protocol.ErrorCode(errs[1]) == protocol.ELinkInvalid:
	case errs[1] == nil && protocol.ErrorCode(errs[0]) == protocol.ELinkInvalid:
		winner = dave
	default:
		t.Fatalf("two redemptions of one link = %v, %v; want exactly one nil and one %s", errs[0], errs[1], protocol.ELinkInvalid)
	}

	// The winner's addition, committed on one node, reaches both hubs in
	// seq order.
	var lastA, lastB int64
	a.waitFor(t, protocol.EvExternalAdd, to(winner.MemberID), &lastA)
	b.waitFor(t, protocol.EvExternalAdd, to(winner.MemberID), &lastB)

	// Signing out on B reaches A's hub live and ends the session on A.
	if err := b.svc.SignOut(ctx, alice); err != nil {
		t.Fatalf("SignOut = %v", err)
	}
	a.waitFor(t, protocol.EvSessionRevoked, func(ev service.Event) bool { return ev.SessionID == alice.SessionID }, &lastA)
	if _, err := a.svc.Authenticate(ctx, res.Session.Token); protocol.ErrorCode(err) != protocol.EUnauthorized {
		t.Errorf("Authenticate on A after sign-out on B = %v, want %s", err, protocol.EUnauthorized)
	}

	// Both nodes replay the same feed.
	evA, err := a.svc.EventsSince(ctx, service.Caller{MemberID: winner.MemberID, WorkspaceID: winner.WorkspaceID, SessionID: winner.SessionID}, 0, 100)
	if err != nil {
		t.Fatalf("EventsSince on A = %v", err)
	}
	evB, err := b.svc.EventsSince(ctx, service.Caller{MemberID: winner.MemberID, WorkspaceID: winner.WorkspaceID, SessionID: winner.SessionID}, 0, 100)
	if err != nil {
		t.Fatalf("EventsSince on B = %v", err)
	}
	if len(evA) == 0 || len(evA) != len(evB) {
		t.Errorf("feeds differ between nodes: %d events on A, %d on B", len(evA), len(evB))
	}
	for i := range min(len(evA), len(evB)) {
		if evA[i].Seq != evB[i].Seq || evA[i].Op != evB[i].Op {
			t.Errorf("event %d: A has %d %s, B has %d %s", i, evA[i].Seq, evA[i].Op, evB[i].Seq, evB[i].Op)
		}
	}
}
