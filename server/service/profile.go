package service

import (
	"context"
	"encoding/json"
	"maps"

	"worktalk.dev/worktalk/protocol"
)

// updateProfile applies profile.update, prepared by prepareProfileUpdate:
// only visible, editable fields, the name if NameEditable and the picture
// if PictureEditable (ENotEditable, EInvalid, ETooLarge). The new profile
// goes to everyone who can see it.
func (s *Service) updateProfile(ctx context.Context, w *wtx, c Caller, u profileUpdate) (any, error) {
	v := newView(w)
	me, err := v.member(ctx, c.MemberID)
	if err != nil {
		return nil, err
	}
	ws, err := v.workspace(ctx, me.WorkspaceID)
	if err != nil {
		return nil, err
	}
	if e := ws.Settings.ValidateProfileUpdate(u.ProfileUpdate); e != nil {
		return nil, e
	}
	oldName := me.Name
	if u.Name != nil {
		if me.Name, err = normalizeName("name", *u.Name, protocol.MaxNameLen); err != nil {
			return nil, err
		}
	}
	if u.Fields != nil {
		me.Fields = maps.Clone(me.Fields)
		if me.Fields == nil {
			me.Fields = make(map[string]string)
		}
		for k, val := range u.Fields {
			if val == "" {
				delete(me.Fields, k)
			} else {
				me.Fields[k] = val
			}
		}
	}
	if u.Picture != nil {
		me.PictureID = ""
		if pic := u.picture; pic != nil {
			me.PictureID = pic.ID
			if err := w.PutPicture(ctx, pic.ID, pic.Full, pic.Thumb); err != nil {
				return nil, err
			}
		}
	}
	me.Version++
	if err := w.UpdateMember(ctx, me); err != nil {
		return nil, err
	}
	p := profileOf(me, ws)
	if err := v.emitProfile(ctx, w, me, p); err != nil {
		return nil, err
	}
	if me.Name != oldName {
		if err := s.renameInRooms(ctx, w, v, me.ID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// renameInRooms sends every room of a member again after a rename: rooms
// carry their members' names, and some members of a group cannot see the
// profile, so member.upsert does not reach them. Each event is stored once
// for its room where the store can (emitRoom).
func (s *Service) renameInRooms(ctx context.Context, w *wtx, v *view, memberID string) error {
	rooms, err := w.MemberRooms(ctx, memberID)
	if err != nil {
		return err
	}
	for _, r := range rooms {
		room, err := v.room(ctx, r)
		if err != nil {
			return err
		}
		ids := make([]string, len(room.Members))
		for i, m := range room.Members {
			ids[i] = m.ID
		}
		if err := w.emitRoom(ctx, protocol.EvRoomUpsert, room, r.ID, ids); err != nil {
			return err
		}
	}
	return nil
}

// getMember answers member.get: coworkers, my external members and members
// who added me, unless a block stands between us; ENotFound for anyone else,
// so the answer does not tell a blocked or unrelated member from no member.
func (s *Service) getMember(ctx context.Context, c Caller, data json.RawMessage) (any, error) {
	var ref protocol.MemberRef
	if err := decode(data, &ref); err != nil {
		return nil, err
	}
	var p protocol.Profile
	err := s.read(ctx, func(tx Tx) error {
		v := newView(tx)
		m, err := v.visibleMember(ctx, c, ref.MemberID)
		if err != nil {
			return err
		}
		p, err = v.profile(ctx, m)
		return err
	})
	return p, err
}

// visibleMember returns the member c may see, ENotFound otherwise.
func (v *view) visibleMember(ctx context.Context, c Caller, id string) (MemberRow, error) {
	notFound := protocol.Errorf(protocol.ENotFound, "no such member").Because(protocol.RNoMember)
	m, err := v.member(ctx, id)
	if err != nil {
		return m, err
	}
	if m.ID == c.MemberID || m.WorkspaceID == c.WorkspaceID {
		return m, nil
	}
	b, err := blocked(ctx, v.tx, c.MemberID, m.ID)
	if err != nil {
		return MemberRow{}, err
	}
	if b {
		return MemberRow{}, notFound
	}
	ok, err := related(ctx, v.tx, c.MemberID, m.ID)
	if err != nil {
		return MemberRow{}, err
	}
	if !ok {
		return MemberRow{}, notFound
	}
	return m, nil
}
