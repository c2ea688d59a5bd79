//go:build ci

package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// TestBlockedMemberCollapsedInGroup: in a group Alice already shared with
// Bob before blocking him, his messages show as "Message from a member you
// blocked" until she taps one, the chats list does not quote him, and her
// co-worker's messages show as always.
func TestBlockedMemberCollapsedInGroup(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	ann := w.env.CreateMember(w.ws.ID, "Ann Choi", nil)
	beta := w.env.CreateWorkspace("Beta")
	bob := w.env.CreateMember(beta.ID, "Bob Lee", nil)
	ac := w.env.Dial(w.env.SignIn(alice.Email, alice.Password, w.ws.ID).Token)
	bc := w.env.Dial(w.env.SignIn(bob.Email, bob.Password, beta.ID).Token)
	anc := w.env.Dial(w.env.SignIn(ann.Email, ann.Password, w.ws.ID).Token)
	var link protocol.ProfileLink
	bc.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &link)
	ac.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: link.URL}, nil)
	var grp protocol.Room
	ac.DoOK(protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "Launch", Members: []string{ann.ID(), bob.ID()}}, &grp)
	ac.DoOK(protocol.OpBlock, protocol.MemberRef{MemberID: bob.ID()}, nil)
	anc.DoOK(protocol.OpMessageSend, protocol.SendMessage{RoomID: grp.ID, Text: "Ann's update"}, nil)
	bc.DoOK(protocol.OpMessageSend, protocol.SendMessage{RoomID: grp.ID, Text: "Bob's secret plans"}, nil)

	h := w.signedIn(t, alice)
	h.app.main.openRoom(grp.ID)
	h.until("the group's messages", func() bool {
		r := h.app.main.room
		return r != nil && r.loaded && slices.ContainsFunc(r.msgs, func(m client.Message) bool { return m.Text == "Bob's secret plans" })
	})
	r := h.app.main.room
	bobAt := slices.IndexFunc(r.msgs, func(m client.Message) bool { return m.SenderID == bob.ID() })
	annAt := slices.IndexFunc(r.msgs, func(m client.Message) bool { return m.SenderID == ann.ID() })

	row := roomRowOf(r, bobAt)
	if !row.blocked.Visible() || row.normal.Visible() || row.blocked.Text != "Message from a member you blocked" {
		t.Fatalf("Bob's message: collapsed %v, text shown %v, %q; want collapsed", row.blocked.Visible(), row.normal.Visible(), row.blocked.Text)
	}
	if row := roomRowOf(r, annAt); row.blocked.Visible() || row.text.Text != "Ann's update" {
		t.Errorf("Ann's message: collapsed %v, text %q; want it shown", row.blocked.Visible(), row.text.Text)
	}
	st := h.app.state()
	summary := st.Rooms[slices.IndexFunc(st.Rooms, func(s client.RoomSummary) bool { return s.ID == grp.ID })]
	if got := previewText(*summary.Last, summary.Room, st); got != "Message from a member you blocked" {
		t.Errorf("chats list preview = %q, want Bob not quoted", got)
	}

	test.Tap(row.blocked)
	if row := roomRowOf(r, bobAt); row.blocked.Visible() || row.text.Text != "Bob's secret plans" {
		t.Errorf("after a tap: collapsed %v, text %q; want it shown", row.blocked.Visible(), row.text.Text)
	}
}

// A member I block who posts in a group we still share raises no
// notification and no unread count; a co-worker's message there does.
func TestNoNotificationFromBlockedMember(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	ann := w.env.CreateMember(w.ws.ID, "Ann Choi", nil)
	beta := w.env.CreateWorkspace("Beta")
	bob := w.env.CreateMember(beta.ID, "Bob Lee", nil)
	ac := w.env.Dial(w.env.SignIn(alice.Email, alice.Password, w.ws.ID).Token)
	bc := w.env.Dial(w.env.SignIn(bob.Email, bob.Password, beta.ID).Token)
	anc := w.env.Dial(w.env.SignIn(ann.Email, ann.Password, w.ws.ID).Token)
	var link protocol.ProfileLink
	bc.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &link)
	ac.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: link.URL}, nil)
	var grp protocol.Room
	ac.DoOK(protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "Launch", Members: []string{ann.ID(), bob.ID()}}, &grp)
	ac.DoOK(protocol.OpBlock, protocol.MemberRef{MemberID: bob.ID()}, nil)

	fa := &notifyingApp{App: test.NewTempApp(t)}
	h := w.signedInOn(t, fa, alice)
	h.app.setFocused(false)
	arrived := func(text string) {
		t.Helper()
		h.until(text+" arrived", func() bool {
			r := roomSummary(h.app.state(), grp.ID)
			return r != nil && r.Last != nil && r.Last.Text == text
		})
		h.loop.drain()
	}
	bc.DoOK(protocol.OpMessageSend, protocol.SendMessage{RoomID: grp.ID, Text: "Bob's secret plans"}, nil)
	arrived("Bob's secret plans")
	if got := fa.take(); len(got) != 0 || unreadIn(h.app.state(), grp.ID) != 0 {
		t.Errorf("Bob's message: notifications %+v, unread %d; want none and 0", got, unreadIn(h.app.state(), grp.ID))
	}
	anc.DoOK(protocol.OpMessageSend, protocol.SendMessage{RoomID: grp.ID, Text: "Ann's update"}, nil)
	arrived("Ann's update")
	if got := fa.take(); len(got) != 1 || unreadIn(h.app.state(), grp.ID) != 1 {
		t.Errorf("Ann's message: notifications %+v, unread %d; want one and 1", got, unreadIn(h.app.state(), grp.ID))
	}
}
