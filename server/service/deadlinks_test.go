package service_test

import (
	"reflect"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
)

// TestDeadLinksAnswerAlike: link.view and external.add give every dead
// link one answer, code and message alike, so a holder cannot tell why.
func TestDeadLinksAnswerAlike(t *testing.T) {
	dead := []struct {
		name string
		make func(e *env, w *world) string
	}{
		{"malformed", func(e *env, w *world) string { return "https://talk.test/p/!!" }},
		{"unknown", func(e *env, w *world) string {
			return "https://talk.test/p/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		}},
		{"expired", func(e *env, w *world) string {
			l := e.onceLink(w.a1)
			e.clock.Advance(protocol.OnceLinkTTL + time.Second)
			return l
		}},
		{"used", func(e *env, w *world) string {
			l := e.onceLink(w.a1)
			e.mustDo(w.b2, protocol.OpExternalAdd, protocol.AddExternal{Link: l}, nil)
			return l
		}},
		{"reset", func(e *env, w *world) string {
			var old protocol.ProfileLink
			e.mustDo(w.a1, protocol.OpLinkQR, protocol.Empty{}, &old)
			e.mustDo(w.a1, protocol.OpLinkResetQR, protocol.Empty{}, nil)
			return old.URL
		}},
		{"revoked", func(e *env, w *world) string {
			var l protocol.ProfileLink
			e.mustDo(w.a1, protocol.OpLinkCreateOnce, protocol.Empty{}, &l)
			e.mustDo(w.a1, protocol.OpLinkRevoke, protocol.LinkID{ID: l.ID}, nil)
			return l.URL
		}},
		{"one-time, all revoked", func(e *env, w *world) string {
			l := e.onceLink(w.a1)
			e.mustDo(w.a1, protocol.OpLinkRevokeAll, protocol.Empty{}, nil)
			return l
		}},
		{"qr, all revoked", func(e *env, w *world) string {
			var old protocol.ProfileLink
			e.mustDo(w.a1, protocol.OpLinkQR, protocol.Empty{}, &old)
			e.mustDo(w.a1, protocol.OpLinkRevokeAll, protocol.Empty{}, nil)
			return old.URL
		}},
		{"owner's workspace turned external chat off", func(e *env, w *world) string {
			l := e.onceLink(w.a1)
			e.setExternalChat(w.A, false)
			return l
		}},
		{"qr link, owner's workspace turned external chat off", func(e *env, w *world) string {
			var l protocol.ProfileLink
			e.mustDo(w.a1, protocol.OpLinkQR, protocol.Empty{}, &l)
			e.setExternalChat(w.A, false)
			return l.URL
		}},
	}
	var first *protocol.Error
	for _, d := range dead {
		for _, op := range []string{protocol.OpLinkView, protocol.OpExternalAdd} {
			e, w := newWorld(t)
			link := d.make(e, w)
			var in any = protocol.LinkRef{Link: link}
			if op == protocol.OpExternalAdd {
				in = protocol.AddExternal{Link: link}
			}
			err := e.do(w.b1, op, in, nil)
			pe, ok := err.(*protocol.Error)
			if !ok {
				t.Fatalf("%s, %s: %v (%T), want a *protocol.Error", d.name, op, err, err)
			}
			if first == nil {
				first = pe
			}
			if pe.Code != protocol.ELinkInvalid || !reflect.DeepEqual(pe, first) {
				t.Errorf("%s, %s: %+v, want %+v like every dead link", d.name, op, pe, first)
			}
		}
	}
}
