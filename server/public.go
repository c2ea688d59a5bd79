package server

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"worktalk.dev/worktalk/protocol"
)

// publicPages serves GET /p/{token}, the page a scanned QR code opens.
type publicPages struct {
	minTime time.Duration // every answer takes at least this long
	limits  *addrLimiter
}

func newPublicPages(perMinute int, minTime time.Duration) *publicPages {
	return &publicPages{
		minTime: minTime,
		limits:  newAddrLimiter(rate.Every(time.Minute/time.Duration(perMinute)), perMinute),
	}
}

var publicTmpl = template.Must(template.New("public").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{if .Valid}}{{.Card.Name}} - Worktalk{{else}}Worktalk{{end}}</title>
<style>
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;font-family:system-ui,-apple-system,"Segoe UI","Noto Sans KR","Malgun Gothic",sans-serif;background:#f2f4f7;color:#1d2433}
.card{background:#fff;border-radius:16px;box-shadow:0 4px 24px rgba(0,0,0,.08);padding:32px 28px;width:min(320px,86vw);text-align:center}
.avatar{width:88px;height:88px;border-radius:50%;margin:0 auto 16px;background:#4f6bed;color:#fff;font-size:40px;line-height:88px}
h1{font-size:22px;margin:0 0 6px}
.title{margin:0 0 4px;color:#4a5368}
.ws{margin:0 0 24px;color:#7a8296;font-size:14px}
.open{display:inline-block;background:#4f6bed;color:#fff;text-decoration:none;padding:10px 22px;border-radius:8px;font-weight:600}
.ko{display:block;font-weight:400;font-size:13px;opacity:.9}
.gone{color:#4a5368;margin:0}
@media (prefers-color-scheme:dark){body{background:#15181f;color:#e7e9ee}.card{background:#20242d}.title{color:#b7bdca}}
</style>
</head>
<body>
<main class="card">
{{if .Valid}}<div class="avatar" aria-hidden="true">{{.Initial}}</div>
<h1>{{.Card.Name}}</h1>
{{with .Card.Title}}<p class="title">{{.}}</p>{{end}}
<p class="ws">{{.Card.WorkspaceName}}</p>
<a class="open" href="{{.AppURL}}">Open in Worktalk<span class="ko" lang="ko">Worktalk에서 열기</span></a>
{{else}}<h1>This link is no longer valid</h1>
<p class="gone" lang="ko">이 링크는 더 이상 유효하지 않습니다.</p>
<p class="gone">Ask for a new profile link.</p>
{{end}}</main>
</body>
</html>
`))

type publicView struct {
	Valid   bool
	Card    protocol.PublicCard
	Initial string
	AppURL  template.URL // worktalk://p/TOKEN; the token is checked by LinkToken
}

// handlePublicPage shows a profile card for a valid link. Every invalid
// link (malformed, unknown, expired, used, reset) gets the same page and
// status, and every answer is padded to the same minimum time, so a
// visitor cannot tell the reasons apart.
func (s *Server) handlePublicPage(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if !s.pub.limits.allow(s.proxies.clientAddr(r), start) {
		setPageHeaders(w.Header())
		w.Header().Set("Retry-After", "60")
		http.Error(w, "Too many requests. Try again in a minute.", http.StatusTooManyRequests)
		return
	}
	view := publicView{}
	if tok, err := protocol.LinkToken(r.PathValue("token")); err == nil && !strings.Contains(r.PathValue("token"), "/") {
		card, err := s.svc.PublicCard(r.Context(), tok)
		switch {
		case err == nil:
			view = publicView{Valid: true, Card: card, Initial: initial(card.Name), AppURL: template.URL("worktalk://p/" + tok)}
		case protocol.ErrorCode(err) != protocol.ELinkInvalid:
			s.log.Error("public card", "err", err) // the error carries no token
		}
	}
	status := http.StatusOK
	if !view.Valid {
		status = http.StatusNotFound
	}
	s.writePage(w, r, start, publicTmpl, view, status, "")
}

// writePage renders tmpl with view and sends it with status, padded to the
// public pages' minimum time since start; csp, when not empty, replaces the
// pages' content security policy.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, start time.Time, tmpl *template.Template, view any, status int, csp string) {
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, view); err != nil {
		s.log.Error("render page", "page", tmpl.Name(), "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString("internal error")
	}
	s.pub.pad(r, start)
	h := w.Header()
	setPageHeaders(h)
	if csp != "" {
		h.Set("Content-Security-Policy", csp)
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// pad waits until minTime has passed since start (or the client left).
func (p *publicPages) pad(r *http.Request, start time.Time) {
	wait := p.minTime - time.Since(start)
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// setPageHeaders sets the security headers of every HTML answer. The page
// URL holds a secret token: no referrer may carry it anywhere, and nothing
// may cache it.
func setPageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// initial is the first letter of a name, for the avatar.
func initial(name string) string {
	r, n := utf8.DecodeRuneInString(name)
	if n == 0 || r == utf8.RuneError {
		return "?"
	}
	return string(r)
}

// addrLimiter is a token bucket per remote address.
type addrLimiter struct {
	r     rate.Limit
	burst int

	mu   sync.Mutex
	keys map[string]*rate.Limiter // guarded by mu
}

const maxLimitedAddrs = 10_000

func newAddrLimiter(r rate.Limit, burst int) *addrLimiter {
	return &addrLimiter{r: r, burst: burst, keys: make(map[string]*rate.Limiter)}
}

func (l *addrLimiter) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.keys[addr]
	if !ok {
		if len(l.keys) >= maxLimitedAddrs {
			// Full buckets behave like new ones, so forgetting them is safe.
			for k, v := range l.keys {
				if v.TokensAt(now) >= float64(l.burst) {
					delete(l.keys, k)
				}
			}
		}
		lim = rate.NewLimiter(l.r, l.burst)
		l.keys[addr] = lim
	}
	return lim.AllowN(now, 1)
}
