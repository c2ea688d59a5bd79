package storetest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// RunText checks, through a Service over the store, that a NUL character
// is refused in every text a client or an admin can send, with the same
// answer on every store: SQLite would keep it and PostgreSQL refuses it, so
// without the rule the two would disagree (one stores, one fails).
func RunText(t *testing.T, open func(t *testing.T) service.Store) {
	ctx := context.Background()
	svc := service.New(service.Config{
		Store:  open(t),
		Argon:  argon2id.TestParams,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	const nul = "\x00"
	ws, err := svc.CreateWorkspace(ctx, "Acme", service.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	other, err := svc.CreateWorkspace(ctx, "Hanbit", service.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	newMember := func(wsID, email, name string) service.Caller {
		p, err := svc.CreateMember(ctx, service.NewMember{WorkspaceID: wsID, Email: email, Password: "correct horse", Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return service.Caller{SessionID: "s-" + p.ID, MemberID: p.ID, WorkspaceID: wsID}
	}
	me := newMember(ws.ID, "alice@acme.test", "Alice")
	them := newMember(other.ID, "bora@hanbit.test", "Bora")

	refused := func(what string, err error) {
		t.Helper()
		if code := protocol.ErrorCode(err); code != protocol.EInvalid {
			t.Errorf("%s with NUL: %v (code %q), want %q", what, err, code, protocol.EInvalid)
		}
	}
	do := func(op, id string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.Do(ctx, me, id, op, b)
		return err
	}
	ops := []struct {
		op string
		v  any
	}{
		{protocol.OpProfileUpdate, protocol.ProfileUpdate{Name: ptr("Al" + nul + "ice")}},
		{protocol.OpProfileUpdate, protocol.ProfileUpdate{Fields: map[string]string{"title": "Lead" + nul}}},
		{protocol.OpProfileUpdate, protocol.ProfileUpdate{Fields: map[string]string{"title" + nul: "Lead"}}},
		{protocol.OpMessageSend, protocol.SendMessage{RoomID: protocol.SelfRoomID(me.MemberID), Text: "hi" + nul}},
		{protocol.OpMessageSend, protocol.SendMessage{RoomID: protocol.SelfRoomID(me.MemberID) + nul, Text: "hi"}},
		{protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "Team" + nul, Members: []string{them.MemberID}}},
		{protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Members: []string{them.MemberID + nul}}},
		{protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomDirect, Members: []string{nul}}},
		{protocol.OpExternalAdd, protocol.AddExternal{MemberID: them.MemberID + nul}},
		{protocol.OpExternalAdd, protocol.AddExternal{Link: "https://x.test/p/" + nul}},
		{protocol.OpBlock, protocol.MemberRef{MemberID: them.MemberID + nul}},
		{protocol.OpUnblock, protocol.MemberRef{MemberID: nul}},
		{protocol.OpLinkView, protocol.LinkRef{Link: nul}},
		{protocol.OpMemberGet, protocol.MemberRef{MemberID: them.MemberID + nul}},
		{protocol.OpRoomsCommon, protocol.MemberRef{MemberID: nul}},
		{protocol.OpMessagesPage, protocol.MessagesPageRequest{RoomID: "dm:" + nul}},
	}
	for _, c := range ops {
		b, _ := json.Marshal(c.v)
		refused(c.op+" "+string(b), do(c.op, protocol.NewID(), c.v))
	}
	refused("a request id", do(protocol.OpMessageSend, "id"+nul, protocol.SendMessage{RoomID: protocol.SelfRoomID(me.MemberID), Text: "hi"}))

	for _, r := range []protocol.SignInRequest{
		{Email: "alice@acme.test" + nul, Password: "correct horse"},
		{Email: "alice@acme.test", Password: "correct horse" + nul},
		{Email: "alice@acme.test", Password: "correct horse", WorkspaceID: ws.ID + nul},
		{Email: "alice@acme.test", Password: "correct horse", Device: "laptop" + nul},
	} {
		_, err := svc.SignIn(ctx, r, "192.0.2.1")
		refused("sign-in "+jsonString(r), err)
	}

	_, err = svc.CreateWorkspace(ctx, "Ac"+nul+"me", service.DefaultSettings())
	refused("workspace name", err)
	s := service.DefaultSettings()
	s.Fields[0].Label = "Title" + nul
	_, err = svc.CreateWorkspace(ctx, "Acme 2", s)
	refused("field label", err)
	refused("settings", svc.UpdateWorkspaceSettings(ctx, ws.ID, s))
	for _, m := range []service.NewMember{
		{WorkspaceID: ws.ID, Email: "x" + nul + "@acme.test", Password: "correct horse", Name: "X"},
		{WorkspaceID: ws.ID, Email: "x@acme.test", Password: "correct horse", Name: "X" + nul},
		{WorkspaceID: ws.ID, Email: "x@acme.test", Password: "correct horse" + nul, Name: "X"},
		{WorkspaceID: ws.ID, Email: "x@acme.test", Password: "correct horse", Name: "X", Fields: map[string]string{"title": nul}},
	} {
		_, err := svc.CreateMember(ctx, m)
		refused("member "+jsonString(m), err)
	}
}

func ptr[T any](v T) *T { return &v }

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
