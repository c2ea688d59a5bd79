package service_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func tokenOf(t *testing.T, a service.Activation) string {
	t.Helper()
	_, tok, ok := strings.Cut(a.URL, "/activate/")
	if !ok || tok == "" {
		t.Fatalf("activation URL %q has no token", a.URL)
	}
	return tok
}

// TestImportActivation: imported members have no password and one link
// each, which works once, before it expires, and never for a member who
// was disabled; each member's arrival is one workspace event.
func TestImportActivation(t *testing.T) {
	e, w := newWorld(t)
	before := len(e.bus.all())
	links, err := e.svc.ImportMembers(e.ctx, w.A, []service.ImportRow{
		{Line: 2, Email: "Kim@Acme.test", Name: "김민준", Fields: map[string]string{"department": "개발본부/플랫폼팀"}},
		{Line: 3, Email: "lee@acme.test", Name: "이서연"},
		{Line: 4, Email: "park@acme.test", Name: "박지호"},
	}, time.Hour, "org.csv")
	if err != nil || len(links) != 3 {
		t.Fatalf("ImportMembers = %d links, %v", len(links), err)
	}
	if links[0].Email != "kim@acme.test" || !strings.HasPrefix(links[0].URL, "https://talk.test/activate/") || !links[0].ExpiresAt.Equal(e.clock.Now().Add(time.Hour)) {
		t.Errorf("first link = %+v", links[0])
	}
	var joins int
	for _, ev := range e.bus.all()[before:] {
		if ev.Op == protocol.EvMemberUpsert && ev.Workspace == w.A && len(ev.Recipients) == 0 {
			joins++
		}
	}
	if joins != 3 {
		t.Errorf("%d workspace member.upsert events, want 3", joins)
	}
	if _, err := e.svc.SignIn(e.ctx, protocol.SignInRequest{Email: "kim@acme.test", Password: "whatever it is"}, "a"); protocol.ErrorCode(err) != protocol.EUnauthorized {
		t.Errorf("sign-in before activation = %v, want unauthorized", err)
	}

	kim, lee, park := tokenOf(t, links[0]), tokenOf(t, links[1]), tokenOf(t, links[2])
	if info, err := e.svc.ActivationInfo(e.ctx, kim); err != nil || info.Email != "kim@acme.test" || info.Workspace != "Acme" {
		t.Errorf("ActivationInfo = %+v, %v", info, err)
	}
	if _, err := e.svc.Activate(e.ctx, kim, "short"); protocol.ErrorCode(err) != protocol.EInvalid {
		t.Errorf("Activate with a short password = %v, want invalid", err)
	}
	if _, err := e.svc.Activate(e.ctx, kim, testPassword); err != nil {
		t.Fatalf("Activate = %v", err)
	}
	if _, err := e.svc.Activate(e.ctx, kim, "another password"); protocol.ErrorCode(err) != protocol.ELinkInvalid {
		t.Errorf("a used link = %v, want link_invalid", err)
	}
	if res, err := e.svc.SignIn(e.ctx, protocol.SignInRequest{Email: "kim@acme.test", Password: testPassword}, "a"); err != nil || res.Session == nil {
		t.Errorf("sign-in after activation = %+v, %v", res, err)
	}
	if _, _, err := e.svc.DisableMember(e.ctx, w.A, "lee@acme.test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ActivationInfo(e.ctx, lee); protocol.ErrorCode(err) != protocol.ELinkInvalid {
		t.Errorf("the link of a disabled member = %v, want link_invalid", err)
	}
	e.clock.Advance(time.Hour)
	if _, err := e.svc.Activate(e.ctx, park, testPassword); protocol.ErrorCode(err) != protocol.ELinkInvalid {
		t.Errorf("an expired link = %v, want link_invalid", err)
	}
	if _, err := e.svc.ActivationInfo(e.ctx, "no-such-token-at-all-anywhere"); protocol.ErrorCode(err) != protocol.ELinkInvalid {
		t.Errorf("an unknown link = %v, want link_invalid", err)
	}
}

// TestImportAllOrNothing: one bad row stops the whole import, every bad
// row is reported in line order, and nobody is added.
func TestImportAllOrNothing(t *testing.T) {
	e, w := newWorld(t)
	_, err := e.svc.ImportMembers(e.ctx, w.A, []service.ImportRow{
		{Line: 2, Email: "ok@acme.test", Name: "OK"},
		{Line: 3, Email: "alice@acme.test", Name: "Alice Again"},
		{Line: 4, Email: "x@acme.test", Name: "X", Fields: map[string]string{"nickname": "x"}},
		{Line: 5, Email: "ok@ACME.test", Name: "Twice"},
		{Line: 6, Email: "y@acme.test", Name: "Y", Problem: "7 cells, but the header names 5 columns"},
	}, 0, "f.csv")
	var bad service.RowErrors
	if !errors.As(err, &bad) {
		t.Fatalf("ImportMembers = %v, want RowErrors", err)
	}
	var lines []int
	for _, b := range bad {
		lines = append(lines, b.Line)
	}
	if want := []int{3, 4, 5, 6}; len(lines) != len(want) || lines[0] != 3 || lines[3] != 6 {
		t.Errorf("bad lines = %v, want %v", lines, want)
	}
	snap, err := e.svc.Snapshot(e.ctx, w.a1)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range snap.Members {
		if m.Name == "OK" {
			t.Errorf("a member of a refused import was added")
		}
	}
}
