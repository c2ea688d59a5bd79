package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"worktalk.dev/worktalk/protocol"
)

// DisableMember offboards a member of a workspace, named by e-mail or id:
// every session of theirs is revoked at once and their open apps are
// signed out (a stored session.revoked event, so even a server that only
// reads this change back from the database closes their connections),
// sign-in is refused, every profile link they made stops working, and
// coworkers, external members and rooms show them as departed. Their 1:1
// rooms close; past messages stay, under their name. It reports false and
// changes nothing when the member was already departed. Errors: ENotFound.
func (s *Service) DisableMember(ctx context.Context, workspaceID, who string) (protocol.Profile, bool, error) {
	return s.setDeparted(ctx, workspaceID, who, true)
}

// EnableMember undoes DisableMember: the member can sign in again (their
// old sessions and links stay dead), shows as present, and 1:1 rooms that
// nothing else keeps closed reopen. It reports false and changes nothing
// when the member was not departed. Errors: ENotFound.
func (s *Service) EnableMember(ctx context.Context, workspaceID, who string) (protocol.Profile, bool, error) {
	return s.setDeparted(ctx, workspaceID, who, false)
}

func (s *Service) setDeparted(ctx context.Context, workspaceID, who string, departed bool) (protocol.Profile, bool, error) {
	var p protocol.Profile
	changed := false
	err := s.write(ctx, func(w *wtx) error {
		m, err := findMember(ctx, w, workspaceID, who)
		if err != nil {
			return err
		}
		v := newView(w)
		ws, err := v.workspace(ctx, m.WorkspaceID)
		if err != nil {
			return err
		}
		if departed == !m.DisabledAt.IsZero() {
			p = profileOf(m, ws)
			return nil
		}
		changed = true
		m.DisabledAt = time.Time{}
		action, detail := AuditMemberEnable, ""
		if departed {
			m.DisabledAt = w.now
			action = AuditMemberDisable
			sessions, err := w.RevokeMemberSessions(ctx, m.ID, w.now)
			if err != nil {
				return err
			}
			if err := w.RevokeMemberLinks(ctx, m.ID, w.now); err != nil {
				return err
			}
			if err := w.emit(ctx, protocol.EvSessionRevoked, protocol.Empty{}, m.ID); err != nil {
				return err
			}
			detail = fmt.Sprintf("%d sessions signed out", len(sessions))
			if len(sessions) == 1 {
				detail = "1 session signed out"
			}
		}
		if err := w.SetMemberDisabled(ctx, m.ID, m.DisabledAt); err != nil {
			return err
		}
		m.Version++
		if err := w.UpdateMember(ctx, m); err != nil {
			return err
		}
		p = profileOf(m, ws)
		if err := v.emitProfile(ctx, w, m, p); err != nil {
			return err
		}
		if err := s.resendRooms(ctx, w, v, m.ID); err != nil {
			return err
		}
		return w.audit(ctx, action, m.WorkspaceID, m.Email, detail)
	})
	if err != nil {
		return protocol.Profile{}, false, s.clientError("set departed", err)
	}
	return p, changed, nil
}

// findMember returns the member of a workspace with the given id or
// e-mail. Errors: ENotFound.
func findMember(ctx context.Context, tx Tx, workspaceID, who string) (MemberRow, error) {
	who = strings.TrimSpace(who)
	notFound := protocol.Errorf(protocol.ENotFound, "no member %q in this workspace", cut(who, 80)).Because(protocol.RNoMember)
	if who == "" {
		return MemberRow{}, notFound
	}
	if m, err := tx.Member(ctx, who); err == nil && m.WorkspaceID == workspaceID {
		return m, nil
	} else if err != nil && !errors.Is(err, ErrNoRow) {
		return MemberRow{}, err
	}
	ms, err := tx.MembersByEmail(ctx, strings.ToLower(who))
	if err != nil {
		return MemberRow{}, err
	}
	for _, m := range ms {
		if m.WorkspaceID == workspaceID {
			return m, nil
		}
	}
	return MemberRow{}, notFound
}

// resendRooms sends every room of a member again after a change their
// rooms show (departed or back), first closing or reopening the 1:1 rooms
// whose state it changes.
func (s *Service) resendRooms(ctx context.Context, w *wtx, v *view, memberID string) error {
	rooms, err := w.MemberRooms(ctx, memberID)
	if err != nil {
		return err
	}
	for _, r := range rooms {
		ids, err := w.RoomMembers(ctx, r.ID)
		if err != nil {
			return err
		}
		if r.Kind == protocol.RoomDirect {
			closed, err := v.directRoomClosed(ctx, ids)
			if err != nil {
				return err
			}
			if closed != r.Closed {
				if err := w.SetRoomClosed(ctx, r.ID, closed); err != nil {
					return err
				}
				r.Closed = closed
			}
		}
		room, err := v.room(ctx, r)
		if err != nil {
			return err
		}
		if err := w.emitRoom(ctx, protocol.EvRoomUpsert, room, r.ID, ids); err != nil {
			return err
		}
	}
	return nil
}

// directRoomClosed reports whether a 1:1 room between members must be
// closed: one of them left, or, for members of two workspaces, they can
// no longer chat as externals (a block, external chat switched off, the
// relation gone).
func (v *view) directRoomClosed(ctx context.Context, members []string) (bool, error) {
	ms := make([]MemberRow, 0, len(members))
	for _, id := range members {
		m, err := v.member(ctx, id)
		if err != nil {
			return false, err
		}
		if !m.DisabledAt.IsZero() {
			return true, nil
		}
		ms = append(ms, m)
	}
	if len(ms) != 2 || ms[0].WorkspaceID == ms[1].WorkspaceID {
		return false, nil
	}
	err := v.checkExternalChat(ctx, ms[0], ms[1])
	var refusal *protocol.Error
	if err != nil && !errors.As(err, &refusal) {
		return false, err
	}
	return err != nil, nil
}

// errDeparted refuses an action aimed at a member who left.
func errDeparted(m MemberRow) error {
	return protocol.Errorf(protocol.EForbidden, "%s has left their workspace", m.Name).Because(protocol.RDeparted)
}
