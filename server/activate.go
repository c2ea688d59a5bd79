package server

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"worktalk.dev/worktalk/protocol"
)

// The activation page is where a member imported in bulk chooses their
// first password, from the link the admin sent them: GET shows the form,
// POST sets the password and uses the link up. It is plain HTML that works
// in any browser, with no script, so a new member needs nothing installed
// to get in; then they sign in with the app.

var activateTmpl = template.Must(template.New("activate").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Worktalk</title>
<style>
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;font-family:system-ui,-apple-system,"Segoe UI","Noto Sans KR","Malgun Gothic",sans-serif;background:#f2f4f7;color:#1d2433}
.card{background:#fff;border-radius:16px;box-shadow:0 4px 24px rgba(0,0,0,.08);padding:32px 28px;width:min(360px,86vw)}
h1{font-size:21px;margin:0 0 6px}
p{margin:0 0 14px;color:#4a5368;line-height:1.45}
.ko{display:block;font-size:14px;color:#6a7286}
label{display:block;font-weight:600;margin:14px 0 6px}
input{box-sizing:border-box;width:100%;padding:10px 12px;font-size:16px;border:1px solid #c9ceda;border-radius:8px}
button{margin-top:20px;width:100%;background:#4f6bed;color:#fff;border:0;padding:11px;border-radius:8px;font-size:16px;font-weight:600}
.err{background:#fdecec;color:#9b1c1c;border-radius:8px;padding:10px 12px;margin:14px 0 0}
.who{font-weight:600;color:#1d2433}
code{font-size:15px}
@media (prefers-color-scheme:dark){body{background:#15181f;color:#e7e9ee}.card{background:#20242d}p{color:#b7bdca}.who{color:#e7e9ee}input{background:#15181f;color:#e7e9ee;border-color:#3a404d}}
</style>
</head>
<body>
<main class="card">
{{if .Done}}<h1>Your account is ready</h1>
<p><span class="ko" lang="ko">계정이 준비되었습니다.</span></p>
<p>Open Worktalk and sign in with <span class="who">{{.Info.Email}}</span> and the password you chose.
<span class="ko" lang="ko">Worktalk 앱을 열고 이 이메일과 방금 정한 비밀번호로 로그인하세요.</span></p>
<p>Server <span class="ko" lang="ko">서버 주소</span><code>{{.Server}}</code></p>
{{else if .Valid}}<h1>Welcome to {{.Info.Workspace}}</h1>
<p><span class="ko" lang="ko">{{.Info.Workspace}}에 오신 것을 환영합니다.</span></p>
<p><span class="who">{{.Info.Name}}</span> &lt;{{.Info.Email}}&gt;<br>Choose the password you will sign in with.
<span class="ko" lang="ko">로그인할 때 쓸 비밀번호를 정하세요.</span></p>
<form method="post">
<label for="pw">Password <span lang="ko">비밀번호</span></label>
<input id="pw" name="password" type="password" autocomplete="new-password" required minlength="{{.Min}}" maxlength="{{.Max}}">
<label for="pw2">Password again <span lang="ko">비밀번호 확인</span></label>
<input id="pw2" name="confirm" type="password" autocomplete="new-password" required minlength="{{.Min}}" maxlength="{{.Max}}">
{{with .Problem}}<p class="err">{{.}}</p>{{end}}
<button type="submit">Set password <span lang="ko">· 비밀번호 설정</span></button>
</form>
{{else}}<h1>This link is no longer valid</h1>
<p><span class="ko" lang="ko">이 링크는 더 이상 유효하지 않습니다.</span></p>
<p>It was used already or has expired. Ask your workspace admin for a new one.
<span class="ko" lang="ko">이미 사용했거나 기한이 지난 링크입니다. 워크스페이스 관리자에게 새 링크를 요청하세요.</span></p>
{{end}}</main>
</body>
</html>
`))

type activateView struct {
	Valid, Done bool
	Info        activateInfo
	Server      string
	Problem     string
	Min, Max    int
}

type activateInfo struct{ Email, Name, Workspace string }

// maxActivateForm bounds the form a browser posts: two passwords.
const maxActivateForm = 4 << 10

// handleActivate serves GET and POST /activate/{token}. Every dead link
// (malformed, unknown, used, expired, or of a disabled member) gets the
// same page and status; answers are rate limited per address and padded
// to the same minimum time, as profile link pages are.
func (s *Server) handleActivate(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if !s.pub.limits.allow(s.proxies.clientAddr(r), start) {
		setPageHeaders(w.Header())
		w.Header().Set("Retry-After", "60")
		http.Error(w, "Too many requests. Try again in a minute.", http.StatusTooManyRequests)
		return
	}
	view := activateView{Min: protocol.MinPasswordLen, Max: protocol.MaxPasswordLen, Server: s.svc.PublicURL()}
	tok := r.PathValue("token")
	if len(tok) > 0 && len(tok) <= protocol.MaxIDLen && !strings.Contains(tok, "/") {
		s.activate(w, r, tok, &view)
	}
	status := http.StatusOK
	switch {
	case !view.Valid && !view.Done:
		status = http.StatusNotFound
	case view.Problem != "":
		status = http.StatusBadRequest
	}
	// The form posts back to this page and nowhere else.
	s.writePage(w, r, start, activateTmpl, view, status,
		"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
}

// activate fills view for token: the form for a live link, and on POST the
// password set (or the problem with it).
func (s *Server) activate(w http.ResponseWriter, r *http.Request, tok string, view *activateView) {
	info, err := s.svc.ActivationInfo(r.Context(), tok)
	if err != nil {
		if protocol.ErrorCode(err) != protocol.ELinkInvalid {
			s.log.Error("activation", "err", err) // the error carries no token
		}
		return
	}
	view.Valid = true
	view.Info = activateInfo(info)
	if r.Method != http.MethodPost {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxActivateForm)
	if err := r.ParseForm(); err != nil {
		view.Problem = "The form could not be read. Try again. · 입력을 읽지 못했습니다. 다시 시도하세요."
		return
	}
	pw, confirm := r.PostForm.Get("password"), r.PostForm.Get("confirm")
	if pw != confirm {
		view.Problem = "The two passwords differ. · 두 비밀번호가 다릅니다."
		return
	}
	done, err := s.svc.Activate(r.Context(), tok, pw)
	switch code := protocol.ErrorCode(err); {
	case err == nil:
		view.Done, view.Info = true, activateInfo(done)
	case code == protocol.EInvalid:
		view.Problem = "The password must be " + strconv.Itoa(protocol.MinPasswordLen) + " to " + strconv.Itoa(protocol.MaxPasswordLen) +
			" characters. · 비밀번호는 " + strconv.Itoa(protocol.MinPasswordLen) + "자에서 " + strconv.Itoa(protocol.MaxPasswordLen) + "자 사이여야 합니다."
	case code == protocol.EUnavailable:
		view.Problem = "The server is busy. Try again in a moment. · 서버가 바쁩니다. 잠시 후 다시 시도하세요."
	case code == protocol.ELinkInvalid:
		view.Valid = false // used meanwhile
	default:
		view.Problem = "Something went wrong. Try again. · 문제가 생겼습니다. 다시 시도하세요."
	}
}
