package service

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
)

const maxDeviceLen = 64 // runes; longer device names are cut

var errWrongPassword = protocol.Errorf(protocol.EUnauthorized, "wrong e-mail or password").Because(protocol.RWrongPassword)

// errDeactivated answers the right password of a member the admin
// disabled: telling them is no leak (they know their password) and spares
// them guessing.
var errDeactivated = protocol.Errorf(protocol.EForbidden, "your account was deactivated by your workspace admin").Because(protocol.RDeactivated)

func departed(m MemberRow) bool { return !m.DisabledAt.IsZero() }

// SignIn checks an e-mail and password. The same e-mail may belong to members
// of several workspaces: with req.WorkspaceID empty and more than one whose
// password matches, it answers the workspaces to choose from; with exactly
// one, it signs in. Every answer to a right password carries a device token
// (see device.go). remoteAddr is the client's address without its port.
//
// Only failures count against the limits: per e-mail and per remoteAddr, or,
// for a request with a valid device token, per token instead. Password
// checks run in the hashing pool.
// Errors: EInvalid, ERateLimited, EUnavailable (the pool is full),
// EUnauthorized "wrong e-mail or password" for an unknown e-mail and a wrong
// password alike, after the same hashing work.
func (s *Service) SignIn(ctx context.Context, req protocol.SignInRequest, remoteAddr string) (protocol.SignInResponse, error) {
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if email == "" || len(email) > protocol.MaxEmailLen {
		return protocol.SignInResponse{}, protocol.FieldError(protocol.EInvalid, "email", "enter your e-mail address").Because(protocol.REmpty)
	}
	if req.Password == "" || len(req.Password) > protocol.MaxPasswordLen*4 || utf8.RuneCountInString(req.Password) > protocol.MaxPasswordLen {
		return protocol.SignInResponse{}, protocol.FieldError(protocol.EInvalid, "password", "enter your password (at most %d characters)", protocol.MaxPasswordLen).Because(protocol.RLength)
	}
	if len(req.WorkspaceID) > protocol.MaxIDLen {
		return protocol.SignInResponse{}, protocol.FieldError(protocol.EInvalid, "workspace_id", "no such workspace").Because(protocol.RNoWorkspace)
	}
	for _, f := range []string{req.Email, req.Password, req.WorkspaceID, req.Device, req.DeviceToken} {
		if strings.IndexByte(f, 0) >= 0 {
			return protocol.SignInResponse{}, errNUL
		}
	}
	now := s.now()
	// A known device has a bucket of its own; anyone else takes from both
	// the account's and the address's, so neither spraying one e-mail from
	// many addresses nor many e-mails from one address gets through.
	a := newAttempt(now)
	known := req.DeviceToken != "" && s.validDeviceToken(req.DeviceToken, email, now)
	if known {
		a.take(s.signInByDevice, tokenHash(req.DeviceToken))
	} else {
		a.take(s.signInByEmail, email)
		a.take(s.signInByAddr, addrKey(remoteAddr))
	}
	if !a.ok {
		a.giveBack()
		return protocol.SignInResponse{}, protocol.Errorf(protocol.ERateLimited, "too many sign-in attempts; try again in a minute").Because(protocol.RSignIn)
	}
	matched, err := s.checkPassword(ctx, known, email, req.Password, req.WorkspaceID)
	if err != nil {
		a.giveBack()
		return protocol.SignInResponse{}, s.clientError("signin", err)
	}
	if len(matched) == 0 {
		return protocol.SignInResponse{}, errWrongPassword
	}
	a.giveBack() // the right password: not an attempt against the limits
	if matched = slices.DeleteFunc(matched, departed); len(matched) == 0 {
		return protocol.SignInResponse{}, errDeactivated
	}
	resp, err := s.open(ctx, matched, req.Device)
	if err != nil {
		return protocol.SignInResponse{}, s.clientError("signin", err)
	}
	resp.DeviceToken = s.deviceToken(email, now)
	return resp, nil
}

// checkPassword returns the members with email (in workspaceID, if not
// empty) whose password is pw, hashing in the pool (known: in the places of
// known devices). An unknown e-mail costs one hash too. Errors: errBusy.
func (s *Service) checkPassword(ctx context.Context, known bool, email, pw, workspaceID string) ([]MemberRow, error) {
	var candidates []MemberRow
	err := s.read(ctx, func(tx Tx) error {
		ms, err := tx.MembersByEmail(ctx, email)
		for _, m := range ms {
			if workspaceID == "" || m.WorkspaceID == workspaceID {
				candidates = append(candidates, m)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// A member not activated yet has no password that could match.
	candidates = slices.DeleteFunc(candidates, func(m MemberRow) bool { return m.PasswordHash == "" })
	var matched []MemberRow
	err = s.hashes.do(ctx, known, func() {
		if len(candidates) == 0 {
			s.burnHash(pw)
			return
		}
		for _, m := range candidates {
			ok, err := argon2id.Verify(pw, m.PasswordHash)
			if err != nil {
				s.log.Error("check password", "member", m.ID, "err", err)
				continue
			}
			if ok {
				matched = append(matched, m)
			}
		}
	})
	return matched, err
}

// open answers a right password: the workspaces to choose from when there
// are several, else a new session.
func (s *Service) open(ctx context.Context, matched []MemberRow, device string) (protocol.SignInResponse, error) {
	var resp protocol.SignInResponse
	if len(matched) > 1 {
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
		return resp, err
	}
	m := matched[0]
	tok := newToken()
	err := s.write(ctx, func(w *wtx) error {
		ws, err := w.Workspace(ctx, m.WorkspaceID)
		if err != nil {
			return err
		}
		err = w.InsertSession(ctx, SessionRow{
			ID:        protocol.NewID(),
			TokenHash: tokenHash(tok),
			MemberID:  m.ID,
			Device:    cut(strings.TrimSpace(device), maxDeviceLen),
			CreatedAt: w.now,
		})
		resp.Session = &protocol.SessionInfo{Token: tok, MemberID: m.ID, Workspace: publicWorkspace(ws)}
		return err
	})
	return resp, err
}

// burnHash does the work of one password check, so an unknown e-mail takes
// as long as a wrong password. The caller holds a pool worker.
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

var errNoSession = protocol.Errorf(protocol.EUnauthorized, "not signed in").Because(protocol.RSignedOut)

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
		if errors.Is(err, ErrNoRow) || err == nil && departed(m) {
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
