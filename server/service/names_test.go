package service_test

import (
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// TestNamesNormalised: the server stores names as the PRECIS nickname
// profile maps them, from every way a name comes in.
func TestNamesNormalised(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Ａｌｉｃｅ　Ｋｉｍ", "Alice Kim"}, // full-width letters and space
		{"  Alice \u00a0  Kim ", "Alice Kim"},
		{"김철수", "김철수"},
		{"Nguye\u0302\u0303n", "Nguyễn"}, // composed (NFKC)
		{"Emma 🚀", "Emma 🚀"},
	}
	for _, c := range cases {
		e, w := newWorld(t)
		var p protocol.Profile
		e.mustDo(w.a1, protocol.OpProfileUpdate, protocol.ProfileUpdate{Name: ptr(c.in)}, &p)
		if p.Name != c.want {
			t.Errorf("profile.update name %q stored as %q, want %q", c.in, p.Name, c.want)
		}
		m, err := e.svc.CreateMember(e.ctx, service.NewMember{WorkspaceID: w.A, Email: "new@acme.test", Password: testPassword, Name: c.in})
		if err != nil || m.Name != c.want {
			t.Errorf("CreateMember name %q = %q, %v; want %q", c.in, m.Name, err, c.want)
		}
		ws, err := e.svc.CreateWorkspace(e.ctx, c.in, service.DefaultSettings())
		if err != nil || ws.Name != c.want {
			t.Errorf("CreateWorkspace name %q = %q, %v; want %q", c.in, ws.Name, err, c.want)
		}
	}
}

// TestNamesRefused: names that read as something else, or as nothing.
func TestNamesRefused(t *testing.T) {
	bad := map[string]string{
		"right-to-left override":  "\u202eecilA",
		"zero-width only":         "\u200b\u200b",
		"zero-width inside":       "Ali\u200bce",
		"joiner outside a script": "A\u200dB",
		"hangul filler":           "\u3164",
		"combining marks":         "E\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301",
		"line separator":          "Alice\u2028Kim",
		"nul":                     "Alice\x00",
	}
	e, w := newWorld(t)
	for what, name := range bad {
		err := e.do(w.a1, protocol.OpProfileUpdate, protocol.ProfileUpdate{Name: ptr(name)}, nil)
		if pe, ok := err.(*protocol.Error); !ok || pe.Code != protocol.EInvalid || pe.Field != "name" && what != "nul" {
			t.Errorf("%s: profile.update = %v, want %s on the name", what, err, protocol.EInvalid)
		}
		if _, err := e.svc.CreateMember(e.ctx, service.NewMember{WorkspaceID: w.A, Email: "x@acme.test", Password: testPassword, Name: name}); code(err) != protocol.EInvalid {
			t.Errorf("%s: CreateMember = %v, want %s", what, err, protocol.EInvalid)
		}
		if _, err := e.svc.CreateWorkspace(e.ctx, name, service.DefaultSettings()); code(err) != protocol.EInvalid {
			t.Errorf("%s: CreateWorkspace = %v, want %s", what, err, protocol.EInvalid)
		}
	}
}
