package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

const (
	maxSignInBody  = 8 << 10 // an e-mail, a password and two short strings
	requestTimeout = 30 * time.Second
	busyPause      = 250 * time.Millisecond // see Server.busyPause
)

// httpStatus maps an error code to the HTTP status of a JSON error answer.
func httpStatus(code string) int {
	switch code {
	case protocol.EInvalid, protocol.ESelf, protocol.ECoworker:
		return http.StatusBadRequest
	case protocol.EUnauthorized:
		return http.StatusUnauthorized
	case protocol.EForbidden, protocol.EExternalOff, protocol.EBlocked, protocol.ENotEditable:
		return http.StatusForbidden
	case protocol.ENotFound, protocol.ELinkInvalid:
		return http.StatusNotFound
	case protocol.EConflict:
		return http.StatusConflict
	case protocol.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case protocol.ERateLimited:
		return http.StatusTooManyRequests
	case protocol.EUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// wireError turns any error into the *protocol.Error a client may see:
// application errors pass through, anything else becomes EInternal and its
// detail goes to the log only.
func (s *Server) wireError(err error, what string) *protocol.Error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		if pe.Code == protocol.EInternal {
			s.log.Error(what, "err", err)
			return &protocol.Error{Code: protocol.EInternal, Message: "internal error"}
		}
		return pe
	}
	s.log.Error(what, "err", err)
	return &protocol.Error{Code: protocol.EInternal, Message: "internal error"}
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode response", "err", err)
		status = http.StatusInternalServerError
		b = []byte(`{"code":"internal","message":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *Server) writeError(w http.ResponseWriter, err error, what string) {
	pe := s.wireError(err, what)
	switch pe.Code {
	case protocol.EUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="worktalk"`)
	case protocol.ERateLimited:
		w.Header().Set("Retry-After", "60")
	case protocol.EUnavailable:
		w.Header().Set("Retry-After", "1") // the hashing queue drains in well under a second
	}
	s.writeJSON(w, httpStatus(pe.Code), pe)
}

// decodeBody reads a JSON body of at most limit bytes into v.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	body := http.MaxBytesReader(w, r.Body, limit)
	b, err := io.ReadAll(body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return protocol.Errorf(protocol.ETooLarge, "request body is larger than %d bytes", limit).Because(protocol.RTooLong)
		}
		return protocol.Errorf(protocol.EInvalid, "request body could not be read")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return protocol.Errorf(protocol.EInvalid, "request body is not valid JSON")
	}
	return nil
}

// bearerToken returns the token of an "Authorization: Bearer TOKEN" header.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	if tok == "" || len(tok) > 256 {
		return "", false
	}
	return tok, true
}

// authenticate returns the caller of the request's bearer token.
func (s *Server) authenticate(r *http.Request) (service.Caller, error) {
	tok, ok := bearerToken(r)
	if !ok {
		return service.Caller{}, protocol.Errorf(protocol.EUnauthorized, "sign in first").Because(protocol.RSignedOut)
	}
	return s.svc.Authenticate(r.Context(), tok)
}

func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	var req protocol.SignInRequest
	if err := decodeBody(w, r, maxSignInBody, &req); err != nil {
		s.writeError(w, err, "sign in")
		return
	}
	res, err := s.svc.SignIn(r.Context(), req, s.proxies.clientAddr(r))
	if err != nil {
		if protocol.ErrorCode(err) == protocol.EUnavailable {
			s.busyPause(r.Context())
		}
		s.writeError(w, err, "sign in")
		return
	}
	s.writeJSON(w, http.StatusOK, res)
}

// busyPause holds a "too busy" answer back a little. A client that waits
// its Retry-After loses nothing; a flood that sends again the moment it is
// answered is slowed eightfold, which in BenchmarkSignInFlood took the
// median ack of another member from ~15 ms to ~1 ms. The request holds no
// hashing place while it waits.
func (s *Server) busyPause(ctx context.Context) {
	t := time.NewTimer(busyPause)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	c, err := s.authenticate(r)
	if err != nil {
		s.writeError(w, err, "sign out")
		return
	}
	if err := s.svc.SignOut(r.Context(), c); err != nil {
		s.writeError(w, err, "sign out")
		return
	}
	s.writeJSON(w, http.StatusOK, protocol.Empty{})
}

// handlePicture serves a picture by its content id (thumb: its thumbnail)
// to whoever may see its owner's profile. The id is a hash of the bytes, so
// the answer never changes and may be cached for good, privately.
func (s *Server) handlePicture(w http.ResponseWriter, r *http.Request) {
	s.servePicture(w, r, false)
}

func (s *Server) handlePictureThumb(w http.ResponseWriter, r *http.Request) {
	s.servePicture(w, r, true)
}

func (s *Server) servePicture(w http.ResponseWriter, r *http.Request, thumb bool) {
	c, err := s.authenticate(r)
	if err != nil {
		s.writeError(w, err, "picture")
		return
	}
	id := r.PathValue("id")
	etag := `"` + id + `"`
	if thumb {
		etag = `"` + id + `-thumb"`
	}
	b, err := s.svc.Picture(r.Context(), c, id, thumb)
	if err != nil {
		s.writeError(w, err, "picture")
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("ETag", etag)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'")
	if match := r.Header.Get("If-None-Match"); match != "" && match == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", pictureType(b))
	_, _ = w.Write(b)
}

// pictureType is the content type of a stored picture: the service accepts
// only PNG and JPEG.
func pictureType(b []byte) string {
	switch ct := http.DetectContentType(b); ct {
	case "image/png", "image/jpeg":
		return ct
	default:
		return "application/octet-stream"
	}
}
