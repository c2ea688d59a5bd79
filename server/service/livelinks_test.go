package service_test

import (
	"reflect"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
)

func liveIDs(t *testing.T, e *env, w *world) []string {
	t.Helper()
	var list protocol.LiveLinkList
	e.mustDo(w.a1, protocol.OpLinkList, protocol.Empty{}, &list)
	ids := []string{}
	for _, l := range list.Links {
		ids = append(ids, l.ID)
	}
	return ids
}

// link.list lists my live one-time links, newest first with their times;
// link.revoke kills one at once and only one of mine; link.revoke_all kills
// them all and the QR link, and answers with a new QR link.
func TestLiveLinks(t *testing.T) {
	e, w := newWorld(t)
	var made []protocol.ProfileLink
	for range 4 {
		var l protocol.ProfileLink
		e.mustDo(w.a1, protocol.OpLinkCreateOnce, protocol.Empty{}, &l)
		if l.ID == "" {
			t.Fatalf("link.create_once answered no id: %+v", l)
		}
		made = append(made, l)
		e.clock.Advance(time.Minute)
	}
	e.onceLink(w.a2) // a coworker's, not listed
	e.mustDo(w.b1, protocol.OpExternalAdd, protocol.AddExternal{Link: made[0].URL}, nil)

	var list protocol.LiveLinkList
	e.mustDo(w.a1, protocol.OpLinkList, protocol.Empty{}, &list)
	want := []protocol.LiveLink{
		{ID: made[3].ID, CreatedAt: made[3].ExpiresAt - protocol.OnceLinkTTL.Milliseconds(), ExpiresAt: made[3].ExpiresAt},
		{ID: made[2].ID, CreatedAt: made[2].ExpiresAt - protocol.OnceLinkTTL.Milliseconds(), ExpiresAt: made[2].ExpiresAt},
		{ID: made[1].ID, CreatedAt: made[1].ExpiresAt - protocol.OnceLinkTTL.Milliseconds(), ExpiresAt: made[1].ExpiresAt},
	}
	if !reflect.DeepEqual(list.Links, want) {
		t.Errorf("link.list = %+v, want %+v (the used one gone)", list.Links, want)
	}

	// Someone else's link, an unknown id and a QR link cannot be revoked,
	// alike; nothing changes.
	var qr protocol.ProfileLink
	e.mustDo(w.a1, protocol.OpLinkQR, protocol.Empty{}, &qr)
	for _, tc := range []struct {
		name string
		id   string
		want string
	}{
		{"someone else's", made[1].ID, protocol.ENotFound},
		{"unknown", "no-such-link", protocol.ENotFound},
		{"empty", "", protocol.EInvalid},
	} {
		if err := e.do(w.b1, protocol.OpLinkRevoke, protocol.LinkID{ID: tc.id}, nil); code(err) != tc.want {
			t.Errorf("revoke %s: %v, want %s", tc.name, err, tc.want)
		}
	}
	if got := liveIDs(t, e, w); len(got) != 3 {
		t.Errorf("after refused revokes: %v, want 3 links", got)
	}

	e.mustDo(w.a1, protocol.OpLinkRevoke, protocol.LinkID{ID: made[2].ID}, nil)
	if got, want := liveIDs(t, e, w), []string{made[3].ID, made[1].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("after revoke: %v, want %v", got, want)
	}
	if err := e.do(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: made[2].URL}, nil); code(err) != protocol.ELinkInvalid {
		t.Errorf("view of the revoked link: %v, want %s", err, protocol.ELinkInvalid)
	}
	// Revoking a dead link of mine again is no error.
	e.mustDo(w.a1, protocol.OpLinkRevoke, protocol.LinkID{ID: made[2].ID}, nil)
	e.mustDo(w.a1, protocol.OpLinkRevoke, protocol.LinkID{ID: made[0].ID}, nil)

	// Expired links leave the list on their own.
	e.clock.Advance(protocol.OnceLinkTTL - 2*time.Minute)
	if got, want := liveIDs(t, e, w), []string{made[3].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("after an hour: %v, want %v", got, want)
	}

	var fresh protocol.ProfileLink
	e.mustDo(w.a1, protocol.OpLinkCreateOnce, protocol.Empty{}, &fresh)
	var newQR protocol.ProfileLink
	e.mustDo(w.a1, protocol.OpLinkRevokeAll, protocol.Empty{}, &newQR)
	if newQR.Kind != protocol.LinkQR || newQR.URL == "" || newQR.URL == qr.URL {
		t.Errorf("link.revoke_all = %+v, want a new QR link, not %s", newQR, qr.URL)
	}
	if got := liveIDs(t, e, w); len(got) != 0 {
		t.Errorf("after revoke all: %v, want none", got)
	}
	for _, l := range []string{fresh.URL, made[3].URL, qr.URL} {
		if err := e.do(w.b2, protocol.OpLinkView, protocol.LinkRef{Link: l}, nil); code(err) != protocol.ELinkInvalid {
			t.Errorf("view of %s after revoke all: %v, want %s", l, err, protocol.ELinkInvalid)
		}
	}
	var current protocol.ProfileLink
	e.mustDo(w.a1, protocol.OpLinkQR, protocol.Empty{}, &current)
	if current.URL != newQR.URL {
		t.Errorf("link.qr after revoke all = %s, want the new %s", current.URL, newQR.URL)
	}
	e.mustDo(w.b2, protocol.OpLinkView, protocol.LinkRef{Link: newQR.URL}, nil)

	// A workspace without external chat lists and revokes nothing.
	e.setExternalChat(w.A, false)
	for _, op := range []string{protocol.OpLinkList, protocol.OpLinkRevokeAll} {
		if err := e.do(w.a1, op, protocol.Empty{}, nil); code(err) != protocol.EExternalOff {
			t.Errorf("%s with external chat off: %v, want %s", op, err, protocol.EExternalOff)
		}
	}
}
