package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

func errOffline() error {
	return protocol.Errorf(protocol.EOffline, "you are offline; this needs a connection to the server")
}

// call sends a request over the live connection and waits for its answer.
// It returns EOffline at once when not connected, and when the server does
// not answer within the request timeout.
func (e *Engine) call(ctx context.Context, op string, body, out any) error {
	e.mu.Lock()
	s := e.sess
	e.mu.Unlock()
	if s == nil {
		return errOffline()
	}
	id := protocol.NewID()
	f, err := protocol.NewRequest(id, op, body)
	if err != nil {
		return err
	}
	ch := s.register(id)
	defer s.unregister(id)
	if err := s.send(f); err != nil {
		return errOffline()
	}
	timer := time.NewTimer(e.opt.requestTimeout())
	defer timer.Stop()
	select {
	case res, ok := <-ch:
		if !ok {
			return protocol.Errorf(protocol.EOffline, "the connection to the server broke; try again")
		}
		if res.Err != nil {
			return res.Err
		}
		if out != nil {
			if err := json.Unmarshal(res.Data, out); err != nil {
				return fmt.Errorf("decode %s answer: %w", op, err)
			}
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return protocol.Errorf(protocol.EOffline, "the server did not answer in time; try again")
	}
}

// Member returns a member's profile: from the replica when known, else from
// the server (EOffline when not connected; ENotFound, EBlocked from it).
func (e *Engine) Member(ctx context.Context, id string) (protocol.Profile, error) {
	st := e.State()
	if id == st.Me.ID {
		return st.Me, nil
	}
	for _, ps := range [][]protocol.Profile{st.Members, st.Externals} {
		if i := profileIndex(ps, id); i >= 0 {
			return ps[i], nil
		}
	}
	var p protocol.Profile
	if err := e.call(ctx, protocol.OpMemberGet, protocol.MemberRef{MemberID: id}, &p); err != nil {
		if protocol.ErrorCode(err) == protocol.EOffline {
			cached, ok, cerr := e.db.Profile(ctx, id)
			if cerr != nil {
				e.log.Warn("read cached profile", "err", cerr)
			}
			if ok {
				return cached, nil
			}
		}
		return protocol.Profile{}, err
	}
	if err := e.db.CacheProfile(ctx, p); err != nil {
		e.log.Warn("cache profile", "err", err)
	}
	return p, nil
}

// RoomsInCommon lists the group rooms I share with a member: from the
// server, or from the local replica when offline.
func (e *Engine) RoomsInCommon(ctx context.Context, memberID string) ([]protocol.Room, error) {
	var list protocol.RoomList
	err := e.call(ctx, protocol.OpRoomsCommon, protocol.MemberRef{MemberID: memberID}, &list)
	if err == nil {
		return list.Rooms, nil
	}
	if protocol.ErrorCode(err) != protocol.EOffline {
		return nil, err
	}
	var out []protocol.Room
	for _, r := range e.State().Rooms {
		if r.Kind != protocol.RoomGroup { // as the server counts them
			continue
		}
		if slices.ContainsFunc(r.Members, func(m protocol.RoomMember) bool { return m.ID == memberID }) {
			out = append(out, r.Room)
		}
	}
	return out, nil
}

// OneTimeLink creates a link to my profile valid for an hour and one use.
func (e *Engine) OneTimeLink(ctx context.Context) (protocol.ProfileLink, error) {
	var l protocol.ProfileLink
	err := e.call(ctx, protocol.OpLinkCreateOnce, protocol.Empty{}, &l)
	return l, err
}

// QRLink returns my permanent QR link, made on first use.
func (e *Engine) QRLink(ctx context.Context) (protocol.ProfileLink, error) {
	var l protocol.ProfileLink
	err := e.call(ctx, protocol.OpLinkQR, protocol.Empty{}, &l)
	return l, err
}

// ResetQRLink replaces my QR link; the old one stops working at once.
func (e *Engine) ResetQRLink(ctx context.Context) (protocol.ProfileLink, error) {
	var l protocol.ProfileLink
	err := e.call(ctx, protocol.OpLinkResetQR, protocol.Empty{}, &l)
	return l, err
}

// LiveLinks lists my one-time links that still work (unused, not revoked,
// not expired), newest first. Errors: EOffline, EExternalOff.
func (e *Engine) LiveLinks(ctx context.Context) ([]protocol.LiveLink, error) {
	var l protocol.LiveLinkList
	err := e.call(ctx, protocol.OpLinkList, protocol.Empty{}, &l)
	return l.Links, err
}

// RevokeLink makes one of my one-time links stop working at once, on the
// server. Errors: ENotFound, EOffline, EExternalOff.
func (e *Engine) RevokeLink(ctx context.Context, id string) error {
	return e.call(ctx, protocol.OpLinkRevoke, protocol.LinkID{ID: id}, nil)
}

// RevokeAllLinks makes every one-time link of mine and my QR link stop
// working at once, and returns the new QR link. Errors: EOffline,
// EExternalOff.
func (e *Engine) RevokeAllLinks(ctx context.Context) (protocol.ProfileLink, error) {
	var l protocol.ProfileLink
	err := e.call(ctx, protocol.OpLinkRevokeAll, protocol.Empty{}, &l)
	return l, err
}

// ViewLink shows who a profile link belongs to, before adding them.
// Errors: ELinkInvalid, EOffline.
func (e *Engine) ViewLink(ctx context.Context, link string) (protocol.LinkPreview, error) {
	var p protocol.LinkPreview
	if _, err := protocol.LinkToken(link); err != nil {
		return p, err
	}
	err := e.call(ctx, protocol.OpLinkView, protocol.LinkRef{Link: link}, &p)
	return p, err
}

// AddExternalByLink redeems a profile link and adds its owner as an external
// member. Errors: ELinkInvalid, ESelf, ECoworker, EExternalOff, EBlocked, EOffline.
func (e *Engine) AddExternalByLink(ctx context.Context, link string) (protocol.Profile, error) {
	var p protocol.Profile
	if _, err := protocol.LinkToken(link); err != nil {
		return p, err
	}
	if err := e.call(ctx, protocol.OpExternalAdd, protocol.AddExternal{Link: link}, &p); err != nil {
		return p, err
	}
	// Show it at once; the event that follows is the same change.
	data, _ := json.Marshal(p)
	if err := e.applyEvents(ctx, []store.Event{{Op: protocol.EvExternalAdd, Data: data}}); err != nil {
		e.log.Error("apply added external", "err", err)
	}
	return p, nil
}

// Picture returns a picture (at most 512×512) by id: from the local cache,
// else from the server. The server answers only pictures of members whose
// profile this account may see.
func (e *Engine) Picture(ctx context.Context, id string) ([]byte, error) {
	return e.picture(ctx, id, "")
}

// Thumbnail returns the small version of a picture (at most 96×96) that
// lists show, cached like Picture.
func (e *Engine) Thumbnail(ctx context.Context, id string) ([]byte, error) {
	return e.picture(ctx, id, "/thumb")
}

// picture fetches /api/pictures/ID+suffix, cached under the same name.
func (e *Engine) picture(ctx context.Context, id, suffix string) ([]byte, error) {
	key := id + suffix
	if strings.HasPrefix(id, store.LocalPictureID("")) {
		key = id // a pending picture, cached whole: it has no thumbnail yet
	}
	if b, ok, err := e.db.Picture(ctx, key); err != nil || ok {
		return b, err
	}
	tok, err := e.secrets.Get(SecretService, secretUser(e.acct.ServerURL, e.acct.MemberID))
	if err != nil {
		return nil, protocol.Errorf(protocol.EUnauthorized, "sign in again").Because(protocol.RSignedOut)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.acct.ServerURL+"/api/pictures/"+url.PathEscape(id)+suffix, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := e.opt.httpClient().Do(req)
	if err != nil {
		return nil, errOffline()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxPictureBytes+1))
	if err != nil {
		return nil, errOffline()
	}
	if resp.StatusCode != http.StatusOK {
		return nil, httpError(resp.StatusCode, b)
	}
	if len(b) > protocol.MaxPictureBytes { // cut short: never cache a broken image
		return nil, protocol.FieldError(protocol.ETooLarge, "picture", "the picture is larger than %d bytes", protocol.MaxPictureBytes).Because(protocol.RTooLong)
	}
	if err := e.db.PutPicture(ctx, key, b, e.opt.now().UnixMilli()); err != nil {
		e.log.Warn("cache picture", "err", err)
	}
	return b, nil
}
