package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// proxies are the addresses whose X-Forwarded-For and Forwarded headers are
// believed (Config.TrustedProxies).
type proxies []netip.Prefix

func (p proxies) trusted(a netip.Addr) bool {
	for _, pre := range p {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the address limits are kept for: the peer's, or, when the
// peer is a trusted proxy, the nearest address in the forwarding chain that
// is not one. The chain is read right to left (each proxy appends the
// address it got the request from), so a client cannot choose its address
// by sending the header itself. X-Forwarded-For is read when present (nginx,
// HAProxy, Caddy, Traefik and cloud balancers set it), else Forwarded
// (RFC 7239); a proxy that sets only Forwarded must drop a client's
// X-Forwarded-For. A chain made only of trusted proxies, or holding a value
// that is no address ("unknown", an obfuscated name), stops at the last
// address that can be told.
func (p proxies) clientAddr(r *http.Request) string {
	peer, ok := parseHost(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if !p.trusted(peer) {
		return peer.String()
	}
	chain := forwardedFor(r.Header)
	client := peer
	for i := len(chain) - 1; i >= 0; i-- {
		a, ok := parseHost(chain[i])
		if !ok {
			break
		}
		client = a
		if !p.trusted(a) {
			break
		}
	}
	return client.String()
}

// forwardedFor returns the forwarding chain, client first.
func forwardedFor(h http.Header) []string {
	var chain []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, v := range xff {
			for _, part := range strings.Split(v, ",") {
				chain = append(chain, strings.TrimSpace(part))
			}
		}
		return chain
	}
	for _, v := range h.Values("Forwarded") {
		for _, elem := range strings.Split(v, ",") {
			for _, pair := range strings.Split(elem, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(k, "for") {
					chain = append(chain, strings.Trim(val, `"`))
				}
			}
		}
	}
	return chain
}

// parseHost reads an address with or without a port: 192.0.2.1,
// 192.0.2.1:443, 2001:db8::1, [2001:db8::1]:443.
func parseHost(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	host, _, err := net.SplitHostPort(s)
	if err != nil {
		host = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}
