package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

type page struct {
	status  int
	body    string
	header  http.Header
	elapsed time.Duration
}

func getPage(t *testing.T, env *servertest.Env, link string) page {
	t.Helper()
	path := link
	if tok, err := protocol.LinkToken(link); err == nil {
		path = "/p/" + tok
	}
	start := time.Now()
	resp, err := http.Get(env.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{status: resp.StatusCode, body: string(b), header: resp.Header, elapsed: time.Since(start)}
}

func TestPublicPage(t *testing.T) {
	env := servertest.New(t)
	acme := env.CreateWorkspace("Acme <Corp>")
	hanbit := env.CreateWorkspace("Hanbit")
	alice := env.CreateMember(acme.ID, "Alice <b>Kim</b>", map[string]string{
		"title": "Engineer & Lead", "phone": "+82 10-1234-5678", "email": "alice.private@acme.test",
	})
	alice.Token = env.SignIn(alice.Email, alice.Password, acme.ID).Token
	bob := env.NewUser(hanbit.ID, "Bob")
	ca, cb := env.Dial(alice.Token), env.Dial(bob.Token)

	var qr protocol.ProfileLink
	ca.DoOK(protocol.OpLinkQR, protocol.Empty{}, &qr)

	t.Run("valid link shows the card", func(t *testing.T) {
		p := getPage(t, env, qr.URL)
		if p.status != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", p.status, p.body)
		}
		tok, _ := protocol.LinkToken(qr.URL)
		for _, want := range []string{
			"Alice &lt;b&gt;Kim&lt;/b&gt;", // escaped, not markup
			"Acme &lt;Corp&gt;",
			"Engineer &amp; Lead",
			`href="worktalk://p/` + tok + `"`,
			"Open in Worktalk",
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		for _, secret := range []string{"1234-5678", "alice.private", alice.Email, "<b>Kim"} {
			if strings.Contains(p.body, secret) {
				t.Errorf("page shows %q, want it absent", secret)
			}
		}
		for h, want := range map[string]string{
			"Referrer-Policy":        "no-referrer",
			"X-Frame-Options":        "DENY",
			"X-Content-Type-Options": "nosniff",
			"Cache-Control":          "no-store",
		} {
			if got := p.header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("Content-Security-Policy = %q, want default-src 'none'", csp)
		}
	})

	// Every kind of dead link: unknown, malformed, used, expired, reset,
	// revoked.
	var used, expired protocol.ProfileLink
	ca.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &used)
	cb.DoOK(protocol.OpExternalAdd, protocol.AddExternal{Link: used.URL}, nil)
	ca.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &expired)
	env.Clock.Advance(protocol.OnceLinkTTL + time.Minute)
	oldQR := qr
	ca.DoOK(protocol.OpLinkResetQR, protocol.Empty{}, &qr)
	if qr.URL == oldQR.URL {
		t.Fatalf("link.reset_qr returned the old URL")
	}
	var revoked, beforeAll protocol.ProfileLink
	ca.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &revoked)
	ca.DoOK(protocol.OpLinkRevoke, protocol.LinkID{ID: revoked.ID}, nil)
	ca.DoOK(protocol.OpLinkCreateOnce, protocol.Empty{}, &beforeAll)
	qrBeforeAll := qr
	ca.DoOK(protocol.OpLinkRevokeAll, protocol.Empty{}, &qr)

	dead := []struct{ name, link string }{
		{"unknown", "/p/" + strings.Repeat("A", 43)},
		{"malformed", "/p/not*a*token"},
		{"extra path", "/p/" + strings.Repeat("A", 43) + "/more"},
		{"used", used.URL},
		{"expired", expired.URL},
		{"reset", oldQR.URL},
		{"revoked", revoked.URL},
		{"one-time, all revoked", beforeAll.URL},
		{"qr, all revoked", qrBeforeAll.URL},
	}
	var first page
	for i, d := range dead {
		t.Run(d.name, func(t *testing.T) {
			p := getPage(t, env, d.link)
			if p.status != http.StatusNotFound || !strings.Contains(p.body, "This link is no longer valid") {
				t.Errorf("status %d, want 404 with the no-longer-valid page", p.status)
			}
			if p.elapsed < 25*time.Millisecond {
				t.Errorf("answered in %v, want at least the 25ms floor every answer gets", p.elapsed)
			}
			if i == 0 {
				first = p
			} else if p.body != first.body {
				t.Errorf("page differs from the %q page; every reason must look the same", dead[0].name)
			}
		})
	}
	if p := getPage(t, env, qr.URL); p.status != http.StatusOK {
		t.Errorf("new QR link: status %d, want 200", p.status)
	}
}

func TestPublicPageRateLimit(t *testing.T) {
	env := servertest.NewWith(t, servertest.Options{PublicPageRate: 3})
	for i := range 3 {
		if p := getPage(t, env, "/p/"+strings.Repeat("B", 43)); p.status != http.StatusNotFound {
			t.Fatalf("request %d: status %d, want 404", i+1, p.status)
		}
	}
	if p := getPage(t, env, "/p/"+strings.Repeat("B", 43)); p.status != http.StatusTooManyRequests {
		t.Errorf("request 4 within a minute: status %d, want 429", p.status)
	}
}
