package service_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"worktalk.dev/worktalk/protocol"
)

// fuzzOps are every op a client may send; the fuzzer picks one by index.
var fuzzOps = []string{
	protocol.OpProfileUpdate, protocol.OpMessageSend, protocol.OpRoomCreate, protocol.OpExternalAdd,
	protocol.OpBlock, protocol.OpUnblock, protocol.OpLinkCreateOnce, protocol.OpLinkResetQR, protocol.OpRoomRead,
	protocol.OpLinkRevoke, protocol.OpLinkRevokeAll, protocol.OpLinkList,
	protocol.OpLinkQR, protocol.OpLinkView, protocol.OpMemberGet, protocol.OpRoomsCommon,
	protocol.OpMessagesPage, protocol.OpSync,
}

// knownCodes are the codes a refusal may carry; EInternal is not among
// them: a payload that reaches it found a path no rule guards.
var knownCodes = map[string]bool{
	protocol.EInvalid: true, protocol.EForbidden: true, protocol.ENotFound: true, protocol.EConflict: true,
	protocol.ERateLimited: true, protocol.EExternalOff: true, protocol.ELinkInvalid: true, protocol.EBlocked: true,
	protocol.ESelf: true, protocol.ECoworker: true, protocol.ENotEditable: true, protocol.ETooLarge: true,
}

// FuzzOpPayload sends any payload as any op to a service with members,
// externals, rooms and links, and checks that the answer is JSON or a
// refusal with a code a client knows, never an internal error or a panic.
//
//	go test -run '^$' -fuzz FuzzOpPayload -fuzztime 60s ./server/service/
func FuzzOpPayload(f *testing.F) {
	e, w := newWorld(f)
	e.addExternal(w.a1, w.b1)
	var grp protocol.Room
	e.mustDo(w.a1, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "G", Members: []string{w.a2.MemberID, w.b1.MemberID}}, &grp)
	link := e.onceLink(w.b2)
	seeds := map[string]any{
		protocol.OpProfileUpdate:  protocol.ProfileUpdate{Name: ptr("Alice"), Fields: map[string]string{"title": "Lead"}, Picture: &png},
		protocol.OpMessageSend:    protocol.SendMessage{RoomID: grp.ID, Text: "hi"},
		protocol.OpRoomCreate:     protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "T", Members: []string{w.a2.MemberID}},
		protocol.OpExternalAdd:    protocol.AddExternal{Link: link},
		protocol.OpBlock:          protocol.MemberRef{MemberID: w.b1.MemberID},
		protocol.OpUnblock:        protocol.MemberRef{MemberID: w.b1.MemberID},
		protocol.OpLinkCreateOnce: protocol.Empty{},
		protocol.OpLinkResetQR:    protocol.Empty{},
		protocol.OpRoomRead:       protocol.ReadMark{RoomID: grp.ID, Seq: 1},
		protocol.OpLinkRevoke:     protocol.LinkID{ID: "x"},
		protocol.OpLinkRevokeAll:  protocol.Empty{},
		protocol.OpLinkList:       protocol.Empty{},
		protocol.OpLinkQR:         protocol.Empty{},
		protocol.OpLinkView:       protocol.LinkRef{Link: link},
		protocol.OpMemberGet:      protocol.MemberRef{MemberID: w.b1.MemberID},
		protocol.OpRoomsCommon:    protocol.MemberRef{MemberID: w.a2.MemberID},
		protocol.OpMessagesPage:   protocol.MessagesPageRequest{RoomID: grp.ID, Limit: 10},
		protocol.OpSync:           protocol.SyncRequest{Cursor: 0},
	}
	for i, op := range fuzzOps {
		b, err := json.Marshal(seeds[op])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), b)
		f.Add(uint8(i), []byte(`{"room_id":"\u0000","member_id":"`+w.c1.MemberID+`"}`))
	}
	f.Add(uint8(0), []byte(`{"picture":"iVBORw0KGgo="}`))
	f.Add(uint8(1), []byte(`null`))
	f.Fuzz(func(t *testing.T, i uint8, data []byte) {
		op := fuzzOps[int(i)%len(fuzzOps)]
		res, err := e.svc.Do(e.ctx, w.a1, protocol.NewID(), op, data)
		if err == nil {
			if !json.Valid(res) {
				t.Fatalf("%s %q answered invalid JSON %q", op, data, res)
			}
			return
		}
		var pe *protocol.Error
		if !errors.As(err, &pe) || !knownCodes[pe.Code] {
			t.Fatalf("%s %q: %v, want a refusal with a known code", op, data, err)
		}
	})
}

// TestFuzzCoversEveryMutation: a mutation added to protocol without a place
// in FuzzOpPayload fails here.
func TestFuzzCoversEveryMutation(t *testing.T) {
	for op := range protocol.Mutations {
		if !slices.Contains(fuzzOps, op) {
			t.Errorf("FuzzOpPayload does not send %s", op)
		}
	}
}
