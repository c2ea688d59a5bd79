package service

import (
	"context"
	"errors"
	"time"

	"worktalk.dev/worktalk/protocol"
)

// ActivationInfo says whom an activation link is for, to show on the page
// where they choose their password.
type ActivationInfo struct {
	Email     string
	Name      string
	Workspace string
}

// errActivationInvalid is the one answer for every dead activation link:
// unknown, used, expired, or for a member who was disabled or already has
// a password.
var errActivationInvalid = protocol.Errorf(protocol.ELinkInvalid, "this activation link is no longer valid; ask your workspace admin for a new one")

// activation returns the live activation of token and its member.
func activation(ctx context.Context, tx Tx, now func() time.Time, token string) (ActivationRow, MemberRow, error) {
	a, err := tx.ActivationByTokenHash(ctx, tokenHash(token))
	if errors.Is(err, ErrNoRow) {
		return a, MemberRow{}, errActivationInvalid
	}
	if err != nil {
		return a, MemberRow{}, err
	}
	if !a.UsedAt.IsZero() || !now().Before(a.ExpiresAt) {
		return a, MemberRow{}, errActivationInvalid
	}
	m, err := tx.Member(ctx, a.MemberID)
	if err != nil {
		return a, m, err
	}
	if departed(m) || m.PasswordHash != "" {
		return a, m, errActivationInvalid
	}
	return a, m, nil
}

// ActivationInfo returns whom a live activation link is for. Errors:
// ELinkInvalid.
func (s *Service) ActivationInfo(ctx context.Context, token string) (ActivationInfo, error) {
	var info ActivationInfo
	err := s.read(ctx, func(tx Tx) error {
		_, m, err := activation(ctx, tx, s.now, token)
		if err != nil {
			return err
		}
		ws, err := tx.Workspace(ctx, m.WorkspaceID)
		info = ActivationInfo{Email: m.Email, Name: m.Name, Workspace: ws.Name}
		return err
	})
	return info, s.clientError("activation", err)
}

// Activate sets the first password of the member an activation link is
// for and uses the link up: of two concurrent uses, one wins. Errors:
// ELinkInvalid, EInvalid (the password), EUnavailable (hashing is busy).
func (s *Service) Activate(ctx context.Context, token, password string) (ActivationInfo, error) {
	if err := validatePassword(password); err != nil {
		return ActivationInfo{}, err
	}
	if _, err := s.ActivationInfo(ctx, token); err != nil {
		return ActivationInfo{}, err // no hashing for a dead link
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return ActivationInfo{}, s.clientError("activate", err)
	}
	var info ActivationInfo
	err = s.write(ctx, func(w *wtx) error {
		a, m, err := activation(ctx, w, s.now, token)
		if err != nil {
			return err
		}
		if won, err := w.UseActivation(ctx, a.TokenHash, w.now); err != nil {
			return err
		} else if !won {
			return errActivationInvalid
		}
		if err := w.SetPassword(ctx, m.ID, hash); err != nil {
			return err
		}
		ws, err := w.Workspace(ctx, m.WorkspaceID)
		info = ActivationInfo{Email: m.Email, Name: m.Name, Workspace: ws.Name}
		return err
	})
	return info, s.clientError("activate", err)
}
