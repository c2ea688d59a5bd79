package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"worktalk.dev/worktalk/protocol"
)

func TestClientAddr(t *testing.T) {
	trusted := proxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	cases := []struct {
		name    string
		peer    string
		headers map[string][]string
		want    string
	}{
		{"no proxy", "198.51.100.7:5000", nil, "198.51.100.7"},
		{"untrusted peer's header is ignored", "198.51.100.7:5000", map[string][]string{"X-Forwarded-For": {"203.0.113.1"}}, "198.51.100.7"},
		{"trusted proxy", "10.0.0.2:5000", map[string][]string{"X-Forwarded-For": {"203.0.113.1"}}, "203.0.113.1"},
		{"client's own header before the proxy's entry", "10.0.0.2:5000", map[string][]string{"X-Forwarded-For": {"1.2.3.4, 203.0.113.1"}}, "203.0.113.1"},
		{"two trusted proxies", "10.0.0.2:5000", map[string][]string{"X-Forwarded-For": {"203.0.113.1, 10.1.1.1"}}, "203.0.113.1"},
		{"header given twice", "10.0.0.2:5000", map[string][]string{"X-Forwarded-For": {"203.0.113.1", "10.1.1.1"}}, "203.0.113.1"},
		{"only proxies", "10.0.0.2:5000", map[string][]string{"X-Forwarded-For": {"10.3.3.3, 10.1.1.1"}}, "10.3.3.3"},
		{"garbage stops the walk", "10.0.0.2:5000", map[string][]string{"X-Forwarded-For": {"203.0.113.1, bogus"}}, "10.0.0.2"},
		{"trusted peer without header", "10.0.0.2:5000", nil, "10.0.0.2"},
		{"forwarded", "10.0.0.2:5000", map[string][]string{"Forwarded": {`for=192.0.2.60;proto=https;by=10.0.0.2`}}, "192.0.2.60"},
		{"forwarded ipv6 with port", "10.0.0.2:5000", map[string][]string{"Forwarded": {`for="[2001:db8:cafe::17]:4711"`}}, "2001:db8:cafe::17"},
		{"forwarded chain", "10.0.0.2:5000", map[string][]string{"Forwarded": {`for=1.2.3.4, for=192.0.2.60`}}, "192.0.2.60"},
		{"forwarded unknown", "10.0.0.2:5000", map[string][]string{"Forwarded": {`for=unknown`}}, "10.0.0.2"},
		{"x-forwarded-for wins over forwarded", "10.0.0.2:5000", map[string][]string{"Forwarded": {`for=1.2.3.4`}, "X-Forwarded-For": {"192.0.2.60"}}, "192.0.2.60"},
		{"ipv6 proxy", "[2001:db8:ffff::1]:443", map[string][]string{"X-Forwarded-For": {"2001:db8:1::5"}}, "2001:db8:1::5"},
		{"ipv4-mapped peer", "[::ffff:10.0.0.2]:5000", map[string][]string{"X-Forwarded-For": {"203.0.113.1"}}, "203.0.113.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: c.peer, Header: http.Header{}}
			for k, vs := range c.headers {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			if got := trusted.clientAddr(r); got != c.want {
				t.Errorf("clientAddr = %q, want %q", got, c.want)
			}
			if got := (proxies{}).clientAddr(r); got != mustHost(c.peer) {
				t.Errorf("with no trusted proxy: clientAddr = %q, want the peer %q", got, mustHost(c.peer))
			}
		})
	}
}

func mustHost(s string) string {
	a, _ := parseHost(s)
	return a.String()
}

// TestBusyAnswer: a full hashing queue is 503 with a short Retry-After.
func TestBusyAnswer(t *testing.T) {
	s := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	w := httptest.NewRecorder()
	s.writeError(w, protocol.Errorf(protocol.EUnavailable, "busy"), "sign in")
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" {
		t.Errorf("unavailable = %d, Retry-After %q; want 503, 1", w.Code, w.Header().Get("Retry-After"))
	}
}
