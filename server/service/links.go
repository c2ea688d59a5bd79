package service

import (
	"context"
	"encoding/json"
	"errors"

	"worktalk.dev/worktalk/protocol"
)

// Profile links. A token is 32 random bytes; the store keeps its SHA-256 for
// lookups. A QR link must show the same URL on every device of its owner
// until reset, which a hash alone cannot give back, so a QR token is also
// kept sealed with AES-256-GCM under a server key that is kept outside
// the database (Keys). One-time links are shown once and keep only the hash (the answer
// kept for resends of link.create_once is sealed the same way).

var errLinkInvalid = protocol.Errorf(protocol.ELinkInvalid, "this link is no longer valid")

func (s *Service) linkURL(tok string) string { return s.publicURL + "/p/" + tok }

// callerWithExternalChat returns the caller's member row, or EExternalOff
// when the caller's workspace does not allow external chat.
func (v *view) callerWithExternalChat(ctx context.Context, c Caller) (MemberRow, error) {
	me, err := v.member(ctx, c.MemberID)
	if err != nil {
		return me, err
	}
	return me, v.checkExternalAllowed(ctx, me)
}

// createOnceLink applies link.create_once: a link valid for
// protocol.OnceLinkTTL and one use. Errors: EExternalOff.
func (s *Service) createOnceLink(ctx context.Context, w *wtx, c Caller, _ string, _ json.RawMessage) (any, error) {
	me, err := newView(w).callerWithExternalChat(ctx, c)
	if err != nil {
		return nil, err
	}
	tok := newToken()
	l := LinkRow{ID: protocol.NewID(), TokenHash: tokenHash(tok), MemberID: me.ID, Kind: protocol.LinkOnce,
		ExpiresAt: w.now.Add(protocol.OnceLinkTTL), CreatedAt: w.now}
	if err := w.InsertLink(ctx, l); err != nil {
		return nil, err
	}
	return protocol.ProfileLink{ID: l.ID, Kind: protocol.LinkOnce, URL: s.linkURL(tok), ExpiresAt: l.ExpiresAt.UnixMilli()}, nil
}

// listLinks answers link.list: my one-time links that still work, newest
// first. Errors: EExternalOff.
func (s *Service) listLinks(ctx context.Context, c Caller) (any, error) {
	out := protocol.LiveLinkList{Links: []protocol.LiveLink{}}
	err := s.read(ctx, func(tx Tx) error {
		me, err := newView(tx).callerWithExternalChat(ctx, c)
		if err != nil {
			return err
		}
		ls, err := tx.LiveOnceLinks(ctx, me.ID, s.now(), protocol.MaxLiveLinksListed)
		for _, l := range ls {
			out.Links = append(out.Links, protocol.LiveLink{ID: l.ID, CreatedAt: l.CreatedAt.UnixMilli(), ExpiresAt: l.ExpiresAt.UnixMilli()})
		}
		return err
	})
	return out, err
}

// revokeLink applies link.revoke: one of my one-time links stops working
// from this commit on, and then answers like any other dead link. Revoking
// one that is dead already changes nothing. Errors: ENotFound when I have
// no one-time link with that id (someone else's looks the same),
// EExternalOff.
func (s *Service) revokeLink(ctx context.Context, w *wtx, c Caller, _ string, data json.RawMessage) (any, error) {
	var ref protocol.LinkID
	if err := decode(data, &ref); err != nil {
		return nil, err
	}
	if ref.ID == "" || len(ref.ID) > protocol.MaxIDLen {
		return nil, protocol.FieldError(protocol.EInvalid, "id", "a link id has 1 to %d bytes", protocol.MaxIDLen)
	}
	me, err := newView(w).callerWithExternalChat(ctx, c)
	if err != nil {
		return nil, err
	}
	err = w.RevokeOnceLink(ctx, me.ID, ref.ID, w.now)
	if errors.Is(err, ErrNoRow) {
		return nil, protocol.FieldError(protocol.ENotFound, "id", "there is no such link of yours")
	}
	if err != nil {
		return nil, err
	}
	return protocol.Empty{}, nil
}

// revokeAllLinks applies link.revoke_all: every one-time link of mine and
// my QR link stop working from this commit on, and a new QR link is
// returned. Errors: EExternalOff.
func (s *Service) revokeAllLinks(ctx context.Context, w *wtx, c Caller, _ string, _ json.RawMessage) (any, error) {
	me, err := newView(w).callerWithExternalChat(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := w.RevokeOnceLinks(ctx, me.ID, w.now); err != nil {
		return nil, err
	}
	if err := w.RevokeQRLinks(ctx, me.ID, w.now); err != nil {
		return nil, err
	}
	return s.newQRLink(ctx, w, me)
}

// qrLink answers link.qr: the caller's QR link, made on first use.
// Errors: EExternalOff.
func (s *Service) qrLink(ctx context.Context, c Caller) (any, error) {
	var out protocol.ProfileLink
	err := s.write(ctx, func(w *wtx) error {
		me, err := newView(w).callerWithExternalChat(ctx, c)
		if err != nil {
			return err
		}
		l, err := w.ActiveQRLink(ctx, me.ID)
		if err == nil {
			tok, err := s.unseal(l.Sealed)
			if err != nil {
				return err
			}
			out = protocol.ProfileLink{Kind: protocol.LinkQR, URL: s.linkURL(string(tok))}
			return nil
		}
		if !errors.Is(err, ErrNoRow) {
			return err
		}
		out, err = s.newQRLink(ctx, w, me)
		return err
	})
	return out, err
}

func (s *Service) newQRLink(ctx context.Context, w *wtx, me MemberRow) (protocol.ProfileLink, error) {
	tok := newToken()
	sealed, err := s.seal([]byte(tok))
	if err != nil {
		return protocol.ProfileLink{}, err
	}
	l := LinkRow{ID: protocol.NewID(), TokenHash: tokenHash(tok), MemberID: me.ID, Kind: protocol.LinkQR, Sealed: sealed, CreatedAt: w.now}
	if err := w.InsertLink(ctx, l); err != nil {
		return protocol.ProfileLink{}, err
	}
	return protocol.ProfileLink{Kind: protocol.LinkQR, URL: s.linkURL(tok)}, nil
}

// resetQRLink applies link.reset_qr: the old QR link is dead from this
// commit on, and a new one is returned. Errors: EExternalOff.
func (s *Service) resetQRLink(ctx context.Context, w *wtx, c Caller, _ string, _ json.RawMessage) (any, error) {
	me, err := newView(w).callerWithExternalChat(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := w.RevokeQRLinks(ctx, me.ID, w.now); err != nil {
		return nil, err
	}
	return s.newQRLink(ctx, w, me)
}

// liveLink returns the link and owner of a token; ELinkInvalid, with the
// same message, for a malformed, unknown, expired, used or reset token, and
// for one whose owner's workspace no longer allows external chat: a dead
// link never says why it is dead, nor whose it was.
func (s *Service) liveLink(ctx context.Context, v *view, link string) (LinkRow, MemberRow, error) {
	tok, err := protocol.LinkToken(link)
	if err != nil {
		return LinkRow{}, MemberRow{}, errLinkInvalid
	}
	l, err := v.tx.LinkByTokenHash(ctx, tokenHash(tok))
	if errors.Is(err, ErrNoRow) {
		return l, MemberRow{}, errLinkInvalid
	}
	if err != nil {
		return l, MemberRow{}, err
	}
	now := s.now()
	if !l.RevokedAt.IsZero() || !l.UsedAt.IsZero() || !l.ExpiresAt.IsZero() && !now.Before(l.ExpiresAt) {
		return l, MemberRow{}, errLinkInvalid
	}
	owner, err := v.tx.Member(ctx, l.MemberID)
	if err != nil {
		return l, owner, err
	}
	ws, err := v.workspace(ctx, owner.WorkspaceID)
	if err != nil {
		return l, owner, err
	}
	if !ws.Settings.ExternalChat {
		return l, MemberRow{}, errLinkInvalid
	}
	return l, owner, nil
}

// checkCanAdd applies the rules for me adding other as an external member:
// ESelf, ECoworker, EBlocked (either way), EExternalOff (either workspace).
func (v *view) checkCanAdd(ctx context.Context, me, other MemberRow) error {
	if other.ID == me.ID {
		return protocol.Errorf(protocol.ESelf, "this is your own profile")
	}
	if other.WorkspaceID == me.WorkspaceID {
		return protocol.Errorf(protocol.ECoworker, "%s is in your workspace already", other.Name)
	}
	if b, err := blocked(ctx, v.tx, me.ID, other.ID); err != nil {
		return err
	} else if b {
		return protocol.Errorf(protocol.EBlocked, "you cannot add this member")
	}
	return v.checkExternalAllowed(ctx, me, other)
}

// viewLink answers link.view: the card behind a link, without using it up.
func (s *Service) viewLink(ctx context.Context, c Caller, data json.RawMessage) (any, error) {
	var ref protocol.LinkRef
	if err := decode(data, &ref); err != nil {
		return nil, err
	}
	var out protocol.LinkPreview
	err := s.read(ctx, func(tx Tx) error {
		v := newView(tx)
		me, err := v.member(ctx, c.MemberID)
		if err != nil {
			return err
		}
		l, owner, err := s.liveLink(ctx, v, ref.Link)
		if err != nil {
			return err
		}
		if err := v.checkCanAdd(ctx, me, owner); err != nil {
			return err
		}
		card, err := v.card(ctx, owner)
		if err != nil {
			return err
		}
		already, err := tx.HasExternal(ctx, me.ID, owner.ID)
		out = protocol.LinkPreview{Card: card, MemberID: owner.ID, Kind: l.Kind, Already: already}
		return err
	})
	return out, err
}

// card is what a link shows to anyone: name, workspace, title if the
// workspace shows titles; never phone or e-mail, and no picture, which only
// coworkers and contacts may see (Service.Picture).
func (v *view) card(ctx context.Context, m MemberRow) (protocol.PublicCard, error) {
	w, err := v.workspace(ctx, m.WorkspaceID)
	if err != nil {
		return protocol.PublicCard{}, err
	}
	card := protocol.PublicCard{Name: m.Name, WorkspaceName: w.Name}
	if f, ok := w.Settings.Field("title"); ok && f.Visible {
		card.Title = m.Fields["title"]
	}
	return card, nil
}

// PublicCard returns the card a profile link shows in a browser.
// Errors: ELinkInvalid, whatever the reason (see liveLink).
func (s *Service) PublicCard(ctx context.Context, token string) (protocol.PublicCard, error) {
	var card protocol.PublicCard
	err := s.read(ctx, func(tx Tx) error {
		v := newView(tx)
		_, owner, err := s.liveLink(ctx, v, token)
		if err != nil {
			return err
		}
		card, err = v.card(ctx, owner)
		return err
	})
	if err != nil {
		return protocol.PublicCard{}, s.clientError("public card", err)
	}
	return card, nil
}
