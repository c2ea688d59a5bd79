package service_test

import (
	"bytes"
	"image"
	pngenc "image/png"
	"strings"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// world: workspaces A and B allow external chat, C does not.
type world struct {
	A, B, C        string
	a1, a2, b1, b2 service.Caller
	c1             service.Caller
}

func newWorld(t testing.TB) (*env, *world) {
	e := newEnv(t)
	w := &world{A: e.workspace("Acme", true), B: e.workspace("Hanbit", true), C: e.workspace("Closed Co", false)}
	w.a1 = e.member(w.A, "alice@acme.test", "Alice")
	w.a2 = e.member(w.A, "aaron@acme.test", "Aaron")
	w.b1 = e.member(w.B, "bora@hanbit.test", "보라")
	w.b2 = e.member(w.B, "ben@hanbit.test", "Ben")
	w.c1 = e.member(w.C, "chul@closed.test", "철수")
	return e, w
}

func send(e *env, c service.Caller, room, text string) error {
	return e.do(c, protocol.OpMessageSend, protocol.SendMessage{RoomID: room, Text: text}, nil)
}

func direct(e *env, c, other service.Caller) error {
	return e.do(c, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomDirect, Members: []string{other.MemberID}}, nil)
}

func group(e *env, c service.Caller, title string, members ...service.Caller) error {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.MemberID
	}
	return e.do(c, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: title, Members: ids}, nil)
}

func update(e *env, c service.Caller, u protocol.ProfileUpdate) error {
	return e.do(c, protocol.OpProfileUpdate, u, nil)
}

func ptr[T any](v T) *T { return &v }

// png is a real 8×8 PNG: the server reads picture headers.
var png = func() []byte {
	var b bytes.Buffer
	if err := pngenc.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

// TestRules runs every rule, allowed and refused, on a fresh database each,
// and checks the error code a client would see.
func TestRules(t *testing.T) {
	dm := protocol.DirectRoomID
	cases := []struct {
		name string
		run  func(e *env, w *world) error
		want string
	}{
		// profile.update
		{"profile: editable field", func(e *env, w *world) error {
			return update(e, w.a1, protocol.ProfileUpdate{Fields: map[string]string{"title": "Lead", "phone": "+82 10-9999-0000"}})
		}, ""},
		{"profile: hidden field", func(e *env, w *world) error {
			return update(e, w.a1, protocol.ProfileUpdate{Fields: map[string]string{"employee_no": "X"}})
		}, protocol.EInvalid},
		{"profile: unknown field", func(e *env, w *world) error {
			return update(e, w.a1, protocol.ProfileUpdate{Fields: map[string]string{"salary": "1"}})
		}, protocol.EInvalid},
		{"profile: non-editable field", func(e *env, w *world) error {
			return update(e, w.a1, protocol.ProfileUpdate{Fields: map[string]string{"email": "x@y.test"}})
		}, protocol.ENotEditable},
		{"profile: bad phone", func(e *env, w *world) error {
			return update(e, w.a1, protocol.ProfileUpdate{Fields: map[string]string{"phone": "call me"}})
		}, protocol.EInvalid},
		{"profile: too long title", func(e *env, w *world) error {
			return update(e, w.a1, protocol.ProfileUpdate{Fields: map[string]string{"title": strings.Repeat("가", 41)}})
		}, protocol.ETooLarge},
		{"profile: name", func(e *env, w *world) error {
			return update(e, w.a1, protocol.ProfileUpdate{Name: ptr("앨리스")})
		}, ""},
		{"profile: name not editable", func(e *env, w *world) error {
			s := service.DefaultSettings()
			s.NameEditable = false
			if err := e.svc.UpdateWorkspaceSettings(e.ctx, w.A, s); err != nil {
				return err
			}
			return update(e, w.a1, protocol.ProfileUpdate{Name: ptr("Mallory")})
		}, protocol.ENotEditable},
		{"profile: picture", func(e *env, w *world) error {
			return update(e, w.a1, protocol.ProfileUpdate{Picture: &png})
		}, ""},
		{"profile: picture not an image", func(e *env, w *world) error {
			return update(e, w.a1, protocol.ProfileUpdate{Picture: ptr([]byte("GIF89a"))})
		}, protocol.EInvalid},
		{"profile: picture too large", func(e *env, w *world) error {
			big := append(append([]byte(nil), png...), make([]byte, protocol.MaxPictureBytes)...)
			return update(e, w.a1, protocol.ProfileUpdate{Picture: &big})
		}, protocol.ETooLarge},
		{"profile: picture not editable", func(e *env, w *world) error {
			s := service.DefaultSettings()
			s.PictureEditable = false
			if err := e.svc.UpdateWorkspaceSettings(e.ctx, w.A, s); err != nil {
				return err
			}
			return update(e, w.a1, protocol.ProfileUpdate{Picture: &png})
		}, protocol.ENotEditable},

		// room.create and message.send
		{"self room", func(e *env, w *world) error {
			return e.do(w.a1, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomSelf}, nil)
		}, ""},
		{"send in own self room before it exists", func(e *env, w *world) error {
			return send(e, w.a1, protocol.SelfRoomID(w.a1.MemberID), "note to self")
		}, ""},
		{"send in someone else's self room", func(e *env, w *world) error {
			if err := send(e, w.a2, protocol.SelfRoomID(w.a2.MemberID), "mine"); err != nil {
				return err
			}
			return send(e, w.a1, protocol.SelfRoomID(w.a2.MemberID), "hi")
		}, protocol.ENotFound},
		{"direct with coworker", func(e *env, w *world) error {
			if err := direct(e, w.a1, w.a2); err != nil {
				return err
			}
			return send(e, w.a2, dm(w.a1.MemberID, w.a2.MemberID), "hi")
		}, ""},
		{"direct with myself", func(e *env, w *world) error { return direct(e, w.a1, w.a1) }, protocol.ESelf},
		{"direct with unknown member", func(e *env, w *world) error {
			return direct(e, w.a1, service.Caller{MemberID: "nobody"})
		}, protocol.ENotFound},
		{"direct with unrelated external", func(e *env, w *world) error { return direct(e, w.a1, w.b1) }, protocol.EForbidden},
		{"direct with my external", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			return direct(e, w.a1, w.b1)
		}, ""},
		{"direct with someone who added me", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			return direct(e, w.b1, w.a1)
		}, ""},
		{"direct with blocked external", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.a1, w.b1)
			return direct(e, w.a1, w.b1)
		}, protocol.EBlocked},
		{"direct by the blocked member", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.a1, w.b1)
			return direct(e, w.b1, w.a1)
		}, protocol.EBlocked},
		{"direct when their workspace turned external chat off", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.setExternalChat(w.B, false)
			return direct(e, w.a1, w.b1)
		}, protocol.EExternalOff},
		{"send to external", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			return send(e, w.b1, dm(w.a1.MemberID, w.b1.MemberID), "안녕하세요")
		}, ""},
		{"send to external after my workspace turned external chat off", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.setExternalChat(w.A, false)
			return send(e, w.a1, dm(w.a1.MemberID, w.b1.MemberID), "hello?")
		}, protocol.EExternalOff},
		{"send to external after their workspace turned external chat off", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.setExternalChat(w.B, false)
			return send(e, w.a1, dm(w.a1.MemberID, w.b1.MemberID), "hello?")
		}, protocol.EExternalOff},
		{"send in direct room after block", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.b1, w.a1)
			return send(e, w.a1, dm(w.a1.MemberID, w.b1.MemberID), "hello?")
		}, protocol.EBlocked},
		{"send in direct room after unblock without re-adding", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.a1, w.b1)
			e.mustDo(w.a1, protocol.OpUnblock, protocol.MemberRef{MemberID: w.b1.MemberID}, nil)
			return send(e, w.a1, dm(w.a1.MemberID, w.b1.MemberID), "hello?")
		}, protocol.EForbidden},
		{"send in direct room after unblock and re-add", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.a1, w.b1)
			e.mustDo(w.a1, protocol.OpUnblock, protocol.MemberRef{MemberID: w.b1.MemberID}, nil)
			e.addExternal(w.a1, w.b1)
			return send(e, w.a1, dm(w.a1.MemberID, w.b1.MemberID), "again")
		}, ""},
		{"send in a room I am not in", func(e *env, w *world) error {
			if err := direct(e, w.a1, w.a2); err != nil {
				return err
			}
			e2 := e.member(w.A, "eve@acme.test", "Eve")
			return send(e, e2, dm(w.a1.MemberID, w.a2.MemberID), "psst")
		}, protocol.ENotFound},
		{"send in unknown room", func(e *env, w *world) error { return send(e, w.a1, "nowhere", "hi") }, protocol.ENotFound},
		{"send empty text", func(e *env, w *world) error {
			return send(e, w.a1, protocol.SelfRoomID(w.a1.MemberID), "  ")
		}, protocol.EInvalid},
		{"send too long text", func(e *env, w *world) error {
			return send(e, w.a1, protocol.SelfRoomID(w.a1.MemberID), strings.Repeat("a", protocol.MaxMessageLen+1))
		}, protocol.ETooLarge},
		{"group of coworkers", func(e *env, w *world) error { return group(e, w.a1, "Team", w.a2) }, ""},
		{"group with my external", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			return group(e, w.a1, "Partners", w.a2, w.b1)
		}, ""},
		{"group with an unrelated external", func(e *env, w *world) error { return group(e, w.a1, "Partners", w.b1) }, protocol.EForbidden},
		{"group with someone who only added me", func(e *env, w *world) error {
			e.addExternal(w.b1, w.a1)
			return group(e, w.a1, "Partners", w.b1)
		}, protocol.EForbidden},
		{"group with a blocked member", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.b1, w.a1)
			return group(e, w.a1, "Partners", w.b1)
		}, protocol.EBlocked},
		{"group with external after external chat off", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.setExternalChat(w.B, false)
			return group(e, w.a1, "Partners", w.b1)
		}, protocol.EExternalOff},
		{"send in group with external after external chat off", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.mustDo(w.a1, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "P", Members: []string{w.b1.MemberID}}, nil)
			var rooms protocol.RoomList
			e.mustDo(w.a1, protocol.OpRoomsCommon, protocol.MemberRef{MemberID: w.b1.MemberID}, &rooms)
			e.setExternalChat(w.A, false)
			return send(e, w.b1, rooms.Rooms[0].ID, "hi")
		}, protocol.EExternalOff},
		{"group title too long", func(e *env, w *world) error {
			return group(e, w.a1, strings.Repeat("t", protocol.MaxTitleLen+1), w.a2)
		}, protocol.ETooLarge},
		{"group without other members", func(e *env, w *world) error { return group(e, w.a1, "Alone", w.a1) }, protocol.EInvalid},
		{"group id shaped like a derived id", func(e *env, w *world) error {
			return e.doID(w.a1, "self:"+w.a2.MemberID, protocol.OpRoomCreate,
				protocol.CreateRoom{Kind: protocol.RoomGroup, Members: []string{w.a2.MemberID}}, nil)
		}, protocol.EInvalid},
		{"unknown room kind", func(e *env, w *world) error {
			return e.do(w.a1, protocol.OpRoomCreate, protocol.CreateRoom{Kind: "party"}, nil)
		}, protocol.EInvalid},

		// links
		{"once link", func(e *env, w *world) error { return e.do(w.a1, protocol.OpLinkCreateOnce, protocol.Empty{}, nil) }, ""},
		{"once link with external chat off", func(e *env, w *world) error {
			return e.do(w.c1, protocol.OpLinkCreateOnce, protocol.Empty{}, nil)
		}, protocol.EExternalOff},
		{"qr link with external chat off", func(e *env, w *world) error {
			return e.do(w.c1, protocol.OpLinkQR, protocol.Empty{}, nil)
		}, protocol.EExternalOff},
		{"reset qr link with external chat off", func(e *env, w *world) error {
			return e.do(w.c1, protocol.OpLinkResetQR, protocol.Empty{}, nil)
		}, protocol.EExternalOff},
		{"view link", func(e *env, w *world) error {
			return e.do(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: e.onceLink(w.a1)}, nil)
		}, ""},
		{"view my own link", func(e *env, w *world) error {
			return e.do(w.a1, protocol.OpLinkView, protocol.LinkRef{Link: e.onceLink(w.a1)}, nil)
		}, protocol.ESelf},
		{"view coworker's link", func(e *env, w *world) error {
			return e.do(w.a2, protocol.OpLinkView, protocol.LinkRef{Link: e.onceLink(w.a1)}, nil)
		}, protocol.ECoworker},
		{"view link of someone I blocked", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.a1, w.b1)
			return e.do(w.a1, protocol.OpLinkView, protocol.LinkRef{Link: e.onceLink(w.b1)}, nil)
		}, protocol.EBlocked},
		{"view link of someone who blocked me", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.a1, w.b1)
			return e.do(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: e.onceLink(w.a1)}, nil)
		}, protocol.EBlocked},
		{"view link from a workspace without external chat", func(e *env, w *world) error {
			link := e.onceLink(w.b1)
			e.setExternalChat(w.B, false)
			return e.do(w.a1, protocol.OpLinkView, protocol.LinkRef{Link: link}, nil)
		}, protocol.ELinkInvalid},
		{"view link from a workspace without external chat myself", func(e *env, w *world) error {
			return e.do(w.c1, protocol.OpLinkView, protocol.LinkRef{Link: e.onceLink(w.a1)}, nil)
		}, protocol.EExternalOff},
		{"view once link just before the hour", func(e *env, w *world) error {
			link := e.onceLink(w.a1)
			e.clock.Advance(protocol.OnceLinkTTL - time.Second)
			return e.do(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: link}, nil)
		}, ""},
		{"view expired once link", func(e *env, w *world) error {
			link := e.onceLink(w.a1)
			e.clock.Advance(protocol.OnceLinkTTL)
			return e.do(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: link}, nil)
		}, protocol.ELinkInvalid},
		{"add with expired once link", func(e *env, w *world) error {
			link := e.onceLink(w.a1)
			e.clock.Advance(protocol.OnceLinkTTL + time.Minute)
			return e.do(w.b1, protocol.OpExternalAdd, protocol.AddExternal{Link: link}, nil)
		}, protocol.ELinkInvalid},
		{"add with a used once link", func(e *env, w *world) error {
			link := e.onceLink(w.a1)
			e.mustDo(w.b1, protocol.OpExternalAdd, protocol.AddExternal{Link: link}, nil)
			return e.do(w.b2, protocol.OpExternalAdd, protocol.AddExternal{Link: link}, nil)
		}, protocol.ELinkInvalid},
		{"view does not use up a once link", func(e *env, w *world) error {
			link := e.onceLink(w.a1)
			e.mustDo(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: link}, nil)
			e.mustDo(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: link}, nil)
			return e.do(w.b1, protocol.OpExternalAdd, protocol.AddExternal{Link: link}, nil)
		}, ""},
		{"view garbage link", func(e *env, w *world) error {
			return e.do(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: "https://talk.test/p/not-a-real-token-at-all-xx"}, nil)
		}, protocol.ELinkInvalid},
		{"view malformed link", func(e *env, w *world) error {
			return e.do(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: "ftp://x/y"}, nil)
		}, protocol.ELinkInvalid},
		{"qr link works many times", func(e *env, w *world) error {
			var l protocol.ProfileLink
			e.mustDo(w.a1, protocol.OpLinkQR, protocol.Empty{}, &l)
			e.mustDo(w.b1, protocol.OpExternalAdd, protocol.AddExternal{Link: l.URL}, nil)
			e.clock.Advance(48 * time.Hour)
			return e.do(w.b2, protocol.OpExternalAdd, protocol.AddExternal{Link: l.URL}, nil)
		}, ""},
		{"reset qr link kills the old one", func(e *env, w *world) error {
			var old protocol.ProfileLink
			e.mustDo(w.a1, protocol.OpLinkQR, protocol.Empty{}, &old)
			e.mustDo(w.a1, protocol.OpLinkResetQR, protocol.Empty{}, nil)
			return e.do(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: old.URL}, nil)
		}, protocol.ELinkInvalid},
		{"reset qr link gives a working one", func(e *env, w *world) error {
			var fresh protocol.ProfileLink
			e.mustDo(w.a1, protocol.OpLinkQR, protocol.Empty{}, nil)
			e.mustDo(w.a1, protocol.OpLinkResetQR, protocol.Empty{}, &fresh)
			return e.do(w.b1, protocol.OpExternalAdd, protocol.AddExternal{Link: fresh.URL}, nil)
		}, ""},

		// external.add
		{"add external with link", func(e *env, w *world) error {
			return e.do(w.b1, protocol.OpExternalAdd, protocol.AddExternal{Link: e.onceLink(w.a1)}, nil)
		}, ""},
		{"add coworker with link", func(e *env, w *world) error {
			return e.do(w.a2, protocol.OpExternalAdd, protocol.AddExternal{Link: e.onceLink(w.a1)}, nil)
		}, protocol.ECoworker},
		{"add myself with link", func(e *env, w *world) error {
			return e.do(w.a1, protocol.OpExternalAdd, protocol.AddExternal{Link: e.onceLink(w.a1)}, nil)
		}, protocol.ESelf},
		{"add external when my workspace has external chat off", func(e *env, w *world) error {
			return e.do(w.c1, protocol.OpExternalAdd, protocol.AddExternal{Link: e.onceLink(w.a1)}, nil)
		}, protocol.EExternalOff},
		{"add external whose workspace turned external chat off", func(e *env, w *world) error {
			link := e.onceLink(w.a1)
			e.setExternalChat(w.A, false)
			return e.do(w.b1, protocol.OpExternalAdd, protocol.AddExternal{Link: link}, nil)
		}, protocol.ELinkInvalid},
		{"add back someone who added me", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			return e.do(w.b1, protocol.OpExternalAdd, protocol.AddExternal{MemberID: w.a1.MemberID}, nil)
		}, ""},
		{"add by id someone who did not add me", func(e *env, w *world) error {
			return e.do(w.b1, protocol.OpExternalAdd, protocol.AddExternal{MemberID: w.a1.MemberID}, nil)
		}, protocol.EForbidden},
		{"add coworker by id", func(e *env, w *world) error {
			return e.do(w.a1, protocol.OpExternalAdd, protocol.AddExternal{MemberID: w.a2.MemberID}, nil)
		}, protocol.ECoworker},
		{"add myself by id", func(e *env, w *world) error {
			return e.do(w.a1, protocol.OpExternalAdd, protocol.AddExternal{MemberID: w.a1.MemberID}, nil)
		}, protocol.ESelf},
		{"add back after they blocked me", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.a1, w.b1)
			return e.do(w.b1, protocol.OpExternalAdd, protocol.AddExternal{MemberID: w.a1.MemberID}, nil)
		}, protocol.EBlocked},
		{"add blocked member with a new link", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.b1, w.a1)
			return e.do(w.a1, protocol.OpExternalAdd, protocol.AddExternal{Link: e.onceLink(w.b1)}, nil)
		}, protocol.EBlocked},
		{"re-add at once after unblock", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.a1, w.b1)
			e.mustDo(w.a1, protocol.OpUnblock, protocol.MemberRef{MemberID: w.b1.MemberID}, nil)
			return e.do(w.a1, protocol.OpExternalAdd, protocol.AddExternal{Link: e.onceLink(w.b1)}, nil)
		}, ""},
		{"re-add by id at once after unblock", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.a1, w.b1)
			e.mustDo(w.a1, protocol.OpUnblock, protocol.MemberRef{MemberID: w.b1.MemberID}, nil)
			return e.do(w.a1, protocol.OpExternalAdd, protocol.AddExternal{MemberID: w.b1.MemberID}, nil)
		}, ""},
		{"re-add by id while still blocked", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.a1, w.b1)
			return e.do(w.a1, protocol.OpExternalAdd, protocol.AddExternal{MemberID: w.b1.MemberID}, nil)
		}, protocol.EBlocked},
		{"add with both link and member id", func(e *env, w *world) error {
			return e.do(w.b1, protocol.OpExternalAdd, protocol.AddExternal{Link: e.onceLink(w.a1), MemberID: w.a1.MemberID}, nil)
		}, protocol.EInvalid},

		// block.add / block.remove
		{"block external", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			return e.do(w.a1, protocol.OpBlock, protocol.MemberRef{MemberID: w.b1.MemberID}, nil)
		}, ""},
		{"block someone who added me", func(e *env, w *world) error {
			e.addExternal(w.b1, w.a1)
			return e.do(w.a1, protocol.OpBlock, protocol.MemberRef{MemberID: w.b1.MemberID}, nil)
		}, ""},
		{"block coworker", func(e *env, w *world) error {
			return e.do(w.a1, protocol.OpBlock, protocol.MemberRef{MemberID: w.a2.MemberID}, nil)
		}, protocol.ECoworker},
		{"block myself", func(e *env, w *world) error {
			return e.do(w.a1, protocol.OpBlock, protocol.MemberRef{MemberID: w.a1.MemberID}, nil)
		}, protocol.ESelf},
		{"block unknown member", func(e *env, w *world) error {
			return e.do(w.a1, protocol.OpBlock, protocol.MemberRef{MemberID: "nobody"}, nil)
		}, protocol.ENotFound},
		{"block a stranger", func(e *env, w *world) error {
			return e.do(w.a1, protocol.OpBlock, protocol.MemberRef{MemberID: w.b1.MemberID}, nil)
		}, protocol.ENotFound},
		{"unblock", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.a1, w.b1)
			return e.do(w.a1, protocol.OpUnblock, protocol.MemberRef{MemberID: w.b1.MemberID}, nil)
		}, ""},

		// member.get
		{"get coworker", func(e *env, w *world) error {
			return e.do(w.a1, protocol.OpMemberGet, protocol.MemberRef{MemberID: w.a2.MemberID}, nil)
		}, ""},
		{"get my external", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			return e.do(w.a1, protocol.OpMemberGet, protocol.MemberRef{MemberID: w.b1.MemberID}, nil)
		}, ""},
		{"get someone who added me", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			return e.do(w.b1, protocol.OpMemberGet, protocol.MemberRef{MemberID: w.a1.MemberID}, nil)
		}, ""},
		{"get a stranger", func(e *env, w *world) error {
			return e.do(w.a1, protocol.OpMemberGet, protocol.MemberRef{MemberID: w.b1.MemberID}, nil)
		}, protocol.ENotFound},
		{"get someone I blocked", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.block(w.a1, w.b1)
			return e.do(w.a1, protocol.OpMemberGet, protocol.MemberRef{MemberID: w.b1.MemberID}, nil)
		}, protocol.ENotFound},
		{"get someone who blocked me", func(e *env, w *world) error {
			e.addExternal(w.a1, w.b1)
			e.addExternal(w.b1, w.a1)
			e.block(w.a1, w.b1)
			return e.do(w.b1, protocol.OpMemberGet, protocol.MemberRef{MemberID: w.a1.MemberID}, nil)
		}, protocol.ENotFound},

		// messages.page, unknown ops
		{"history of a room I am in", func(e *env, w *world) error {
			if err := send(e, w.a1, protocol.SelfRoomID(w.a1.MemberID), "x"); err != nil {
				return err
			}
			return e.do(w.a1, protocol.OpMessagesPage, protocol.MessagesPageRequest{RoomID: protocol.SelfRoomID(w.a1.MemberID)}, nil)
		}, ""},
		{"history of a room I am not in", func(e *env, w *world) error {
			if err := send(e, w.a1, protocol.SelfRoomID(w.a1.MemberID), "x"); err != nil {
				return err
			}
			return e.do(w.a2, protocol.OpMessagesPage, protocol.MessagesPageRequest{RoomID: protocol.SelfRoomID(w.a1.MemberID)}, nil)
		}, protocol.ENotFound},
		{"unknown op", func(e *env, w *world) error { return e.do(w.a1, "drop.tables", protocol.Empty{}, nil) }, protocol.EInvalid},
		{"malformed data", func(e *env, w *world) error {
			_, err := e.svc.Do(e.ctx, w.a1, "x1", protocol.OpMessageSend, []byte(`{"room_id": 5}`))
			return err
		}, protocol.EInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, w := newWorld(t)
			err := tc.run(e, w)
			if got := code(err); got != tc.want {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}
