package server_test

import (
	"context"
	"net/http"
	"testing"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// TestDisableMemberEndToEnd offboards a member over real websockets: both
// of her devices are signed out at once, she cannot sign in, her links
// die, coworkers and an external member see her as departed, her 1:1 room
// closes and her past messages stay. Enabling her undoes it, except for
// the sessions and links, which stay dead.
func TestDisableMemberEndToEnd(t *testing.T) {
	ctx := context.Background()
	admin := service.WithActor(ctx, "kim@hq")
	env := servertest.New(t)
	acme := env.CreateWorkspace("Acme")
	hanbit := env.CreateWorkspace("한빛소프트")
	alice := env.NewUser(acme.ID, "Alice Kim")
	bob := env.NewUser(acme.ID, "Bob Lee")
	carol := env.NewUser(hanbit.ID, "최민지")
	alice2 := env.SignIn(alice.Email, alice.Password, acme.ID)

	ca, ca2, cb, cc := env.Dial(alice.Token), env.Dial(alice2.Token), env.Dial(bob.Token), env.Dial(carol.Token)
	for _, c := range []*servertest.Client{ca, ca2, cb, cc} {
		c.Sync(0)
	}
	// Carol adds Alice as an external member: she sees Alice from outside.
	var once, qr protocol.ProfileLink
	ca.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &once)
	ca.DoOK(protocol.OpLinkQR, protocol.Empty{}, &qr)
	cc.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: once.URL}, nil)
	dm := protocol.DirectRoomID(alice.ID(), bob.ID())
	ca.DoOK(protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomDirect, Members: []string{bob.ID()}}, nil)
	var team protocol.Room
	ca.DoOK(protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "Team", Members: []string{bob.ID()}}, &team)
	var said protocol.Message
	ca.DoOK(protocol.OpMessageSend, protocol.SendMessage{RoomID: team.ID, Text: "my last day"}, &said)

	p, changed, err := env.Service.DisableMember(admin, acme.ID, alice.Email)
	if err != nil || !changed || !p.Departed {
		t.Fatalf("DisableMember = %+v, %v, %v; want a departed profile", p, changed, err)
	}
	for _, c := range []*servertest.Client{ca, ca2} {
		c.AwaitEvent(protocol.EvSessionRevoked, nil)
		c.Closed()
	}
	departed := func(want bool) func(protocol.Frame) bool {
		return func(f protocol.Frame) bool {
			p := servertest.Decode[protocol.Profile](t, f)
			return p.ID == alice.ID() && p.Departed == want
		}
	}
	cb.AwaitEvent(protocol.EvMemberUpsert, departed(true))
	cc.AwaitEvent(protocol.EvMemberUpsert, departed(true))
	room := servertest.Decode[protocol.Room](t, cb.AwaitEvent(protocol.EvRoomUpsert, func(f protocol.Frame) bool {
		r := servertest.Decode[protocol.Room](t, f)
		return r.ID == dm && r.Closed
	}))
	if !roomMember(room, alice.ID()).Departed {
		t.Errorf("the closed 1:1 room does not show Alice departed")
	}

	status, _, perr := env.SignInHTTP(protocol.SignInRequest{Email: alice.Email, Password: alice.Password, WorkspaceID: acme.ID})
	if status != http.StatusForbidden || perr == nil || perr.Code != protocol.EForbidden || perr.Reason != protocol.RDeactivated {
		t.Errorf("sign-in of a disabled member = %d %+v, want 403 forbidden because %s", status, perr, protocol.RDeactivated)
	}
	if _, resp, err := env.DialErr(alice.Token); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("websocket with a revoked session: %v, want 401", err)
	}
	if code := cc.DoCode(protocol.OpLinkView, protocol.LinkRef{Link: qr.URL}); code != protocol.ELinkInvalid {
		t.Errorf("link.view of her QR link = %q, want %q", code, protocol.ELinkInvalid)
	}
	if code := cb.DoCode(protocol.OpMessageSend, protocol.SendMessage{RoomID: dm, Text: "still there?"}); code != protocol.EForbidden {
		t.Errorf("sending to her 1:1 room = %q, want %q", code, protocol.EForbidden)
	}
	if code := cb.DoCode(protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "New", Members: []string{alice.ID()}}); code != protocol.EForbidden {
		t.Errorf("a new group with her = %q, want %q", code, protocol.EForbidden)
	}
	var page protocol.MessageList
	cb.DoOK(protocol.OpMessagesPage, protocol.MessagesPageRequest{RoomID: team.ID, Limit: 10}, &page)
	if len(page.Messages) == 0 || page.Messages[len(page.Messages)-1].ID != said.ID || page.Messages[len(page.Messages)-1].SenderID != alice.ID() {
		t.Errorf("group history = %+v, want her message kept under her id", page.Messages)
	}

	if _, changed, err := env.Service.DisableMember(admin, acme.ID, alice.ID()); err != nil || changed {
		t.Errorf("disabling again = changed %v, %v; want no change", changed, err)
	}
	if _, changed, err := env.Service.EnableMember(admin, acme.ID, alice.Email); err != nil || !changed {
		t.Fatalf("EnableMember = changed %v, %v; want a change", changed, err)
	}
	cb.AwaitEvent(protocol.EvMemberUpsert, departed(false))
	room = servertest.Decode[protocol.Room](t, cb.AwaitEvent(protocol.EvRoomUpsert, func(f protocol.Frame) bool {
		r := servertest.Decode[protocol.Room](t, f)
		return r.ID == dm && !r.Closed
	}))
	if roomMember(room, alice.ID()).Departed {
		t.Errorf("1:1 room after enabling still shows her departed")
	}
	if status, res, perr := env.SignInHTTP(protocol.SignInRequest{Email: alice.Email, Password: alice.Password, WorkspaceID: acme.ID}); status != http.StatusOK || res.Session == nil {
		t.Errorf("sign-in after enabling = %d %v, want a session", status, perr)
	}
	if _, resp, err := env.DialErr(alice.Token); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("an old session after enabling: %v, want still 401", err)
	}
	if code := cc.DoCode(protocol.OpLinkView, protocol.LinkRef{Link: qr.URL}); code != protocol.ELinkInvalid {
		t.Errorf("her old QR link after enabling = %q, want still %q", code, protocol.ELinkInvalid)
	}

	log, err := env.Service.AuditLog(ctx, acme.ID, 0, 10)
	if err != nil || len(log) < 2 {
		t.Fatalf("AuditLog = %d rows, %v", len(log), err)
	}
	for i, want := range []string{service.AuditMemberEnable, service.AuditMemberDisable} {
		if log[i].Action != want || log[i].Actor != "kim@hq" || log[i].Target != alice.Email {
			t.Errorf("audit[%d] = %+v, want %s of %s by kim@hq", i, log[i], want, alice.Email)
		}
	}
}

func roomMember(r protocol.Room, id string) protocol.RoomMember {
	for _, m := range r.Members {
		if m.ID == id {
			return m
		}
	}
	return protocol.RoomMember{}
}
