package service

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
)

const maxDeviceLen = 64 // runes; longer device names are cut

var errWrongPassword = protocol.Errorf(protocol.EUnauthorized, "wrong e-mail or password")

// SignIn checks an e-mail and password. The same e-mail may belong to members
// of several workspaces: with req.WorkspaceID empty and more than one whose
// password matches, it answers the workspaces to choose from; with exactly
// one, it signs in. remoteAddr is the peer's address without its port.
// Errors: EInvalid, ERateLimited (per e-mail and per remoteAddr),
// EUnauthorized "wrong e-mail or password" for an unknown
// e-mail and a wrong password alike, after the same hashing work.
func (s *Service) SignIn(ctx context.Context, req protocol.SignInRequest, remoteAddr string) (protocol.SignInResponse, error) {
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if email == "" || len(email) > protocol.MaxEmailLen {
		return protocol.SignInResponse{}, protocol.FieldError(protocol.EInvalid, "email", "enter your e-mail address")
	}
	if req.Password == "" || len(req.Password) > protocol.MaxPasswordLen*4 || utf8.RuneCountInString(req.Password) > protocol.MaxPasswordLen {
		return protocol.SignInResponse{}, protocol.FieldError(protocol.EInvalid, "password", "enter your password (at most %d characters)", protocol.MaxPasswordLen)
	}
	if len(req.WorkspaceID) > protocol.MaxIDLen {
		return protocol.SignInResponse{}, protocol.FieldError(protocol.EInvalid, "workspace_id", "no such workspace")
	}
	for _, f := range []string{req.Email, req.Password, req.WorkspaceID, req.Device} {
		if strings.IndexByte(f, 0) >= 0 {
			return protocol.SignInResponse{}, errNUL
		}
	}
	now := s.now()
	// Take a token from both buckets, so neither spraying one e-mail from many
	// addresses nor many e-mails from one address gets through.
	okEmail := s.signInByEmail.allow(email, now)
	okAddr := s.signInByAddr.allow(remoteAddr, now)
	if !okEmail || !okAddr {
		return protocol.SignInResponse{}, protocol.Errorf(protocol.ERateLimited, "too many sign-in attempts; try again in a minute")
	}

	var candidates []MemberRow
	err := s.read(ctx, func(tx Tx) error {
		ms, err := tx.MembersByEmail(ctx, email)
		for _, m := range ms {
			if req.WorkspaceID == "" || m.WorkspaceID == req.WorkspaceID {
				candidates = append(candidates, m)
			}
		}
		return err
	})
	if err != nil {
		return protocol.SignInResponse{}, s.clientError("signin", err)
	}
	if len(candidates) == 0 {
		s.burnHash(req.Password)
		return protocol.SignInResponse{}, errWrongPassword
	}
	var matched []MemberRow
	for _, m := range candidates {
		ok, err := argon2id.Verify(req.Password, m.PasswordHash)
		if err != nil {
			s.log.Error("check password", "member", m.ID, "err", err)
			continue
		}
		if ok {
			matched = append(matched, m)
		}
	}
	switch {
	case len(matched) == 0:
		return protocol.SignInResponse{}, errWrongPassword
	case len(matched) > 1:
		var resp protocol.SignInResponse
		err := s.read(ctx, func(tx Tx) error {
			v := newView(tx)
			for _, m := range matched {
				w, err := v.workspace(ctx, m.WorkspaceID)
				if err != nil {
					return err
				}
				resp.Workspaces = append(resp.Workspaces, protocol.WorkspaceChoice{ID: w.ID, Name: w.Name})
			}
			return nil
		})
		return resp, s.clientError("signin", err)
	}
	m := matched[0]
	tok := newToken()
	var info protocol.SessionInfo
	err = s.write(ctx, func(w *wtx) error {
		ws, err := w.Workspace(ctx, m.WorkspaceID)
		if err != nil {
			return err
		}
		err = w.InsertSession(ctx, SessionRow{
			ID:        protocol.NewID(),
			TokenHash: tokenHash(tok),
			MemberID:  m.ID,
			Device:    cut(strings.TrimSpace(req.Device), maxDeviceLen),
			CreatedAt: w.now,
		})
		info = protocol.SessionInfo{Token: tok, MemberID: m.ID, Workspace: publicWorkspace(ws)}
		return err
	})
	if err != nil {
		return protocol.SignInResponse{}, s.clientError("signin", err)
	}
	return protocol.SignInResponse{Session: &info}, nil
}

// burnHash does the work of one password check, so an unknown e-mail takes
// as long as a wrong password.
func (s *Service) burnHash(pw string) {
	s.dummyOnce.Do(func() {
		h, err := argon2id.Hash("not a password", s.argon)
		if err != nil {
			s.log.Error("dummy hash", "err", err)
		}
		s.dummyHash = h
	})
	_, _ = argon2id.Verify(pw, s.dummyHash)
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

var errNoSession = protocol.Errorf(protocol.EUnauthorized, "not signed in")

// Authenticate returns the caller of a session token. Errors: EUnauthorized
// for an unknown or revoked token.
func (s *Service) Authenticate(ctx context.Context, token string) (Caller, error) {
	if len(token) < 22 || len(token) > protocol.MaxIDLen {
		return Caller{}, errNoSession
	}
	var c Caller
	err := s.read(ctx, func(tx Tx) error {
		sess, err := tx.SessionByTokenHash(ctx, tokenHash(token))
		if errors.Is(err, ErrNoRow) || err == nil && !sess.RevokedAt.IsZero() {
			return errNoSession
		}
		if err != nil {
			return err
		}
		m, err := tx.Member(ctx, sess.MemberID)
		if errors.Is(err, ErrNoRow) {
			return errNoSession
		}
		if err != nil {
			return err
		}
		c = Caller{SessionID: sess.ID, MemberID: m.ID, WorkspaceID: m.WorkspaceID}
		return nil
	})
	return c, s.clientError("authenticate", err)
}

// SignOut revokes the caller's session and publishes EvSessionRevoked
// (Seq 0, SessionID set) so the transport closes that session's connections.
// Signing out twice is not an error.
func (s *Service) SignOut(ctx context.Context, c Caller) error {
	err := s.write(ctx, func(w *wtx) error {
		err := w.RevokeSession(ctx, c.SessionID, w.now)
		if errors.Is(err, ErrNoRow) {
			return nil
		}
		return err
	})
	if err != nil {
		return s.clientError("signout", err)
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.publishLocked(ctx, Event{Op: protocol.EvSessionRevoked, Data: []byte("{}"), Recipients: []string{c.MemberID}, SessionID: c.SessionID})
	return nil
}
