package service

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"worktalk.dev/worktalk/protocol"
)

// view builds what clients see from stored rows, caching workspaces for the
// life of one transaction.
type view struct {
	tx    Tx
	ws    map[string]WorkspaceRow
	cache *roomCache // nil: no caching
}

func newView(tx Tx) *view { return &view{tx: tx, ws: make(map[string]WorkspaceRow)} }

// roomCache maps group room ids to their members' workspace ids.
type roomCache struct {
	mu    sync.Mutex
	rooms map[string][]string // guarded by mu
}

const maxCachedRooms = 10_000

func (c *roomCache) get(id string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ids, ok := c.rooms[id]
	return ids, ok
}

func (c *roomCache) put(id string, ws []string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rooms == nil || len(c.rooms) >= maxCachedRooms {
		c.rooms = make(map[string][]string) // start over rather than track age
	}
	c.rooms[id] = ws
}

func (v *view) workspace(ctx context.Context, id string) (WorkspaceRow, error) {
	if w, ok := v.ws[id]; ok {
		return w, nil
	}
	w, err := v.tx.Workspace(ctx, id)
	if err != nil {
		return w, fmt.Errorf("workspace %s: %w", id, err)
	}
	v.ws[id] = w
	return w, nil
}

// member returns a member, ENotFound if there is none.
func (v *view) member(ctx context.Context, id string) (MemberRow, error) {
	if id == "" || len(id) > protocol.MaxIDLen {
		return MemberRow{}, protocol.Errorf(protocol.ENotFound, "no such member").Because(protocol.RNoMember)
	}
	m, err := v.tx.Member(ctx, id)
	if errors.Is(err, ErrNoRow) {
		return m, protocol.Errorf(protocol.ENotFound, "no such member").Because(protocol.RNoMember)
	}
	return m, err
}

// profile is m as every viewer, m included, sees it: visible fields only.
func (v *view) profile(ctx context.Context, m MemberRow) (protocol.Profile, error) {
	w, err := v.workspace(ctx, m.WorkspaceID)
	if err != nil {
		return protocol.Profile{}, err
	}
	return profileOf(m, w), nil
}

func profileOf(m MemberRow, w WorkspaceRow) protocol.Profile {
	p := protocol.Profile{
		ID:            m.ID,
		WorkspaceID:   m.WorkspaceID,
		WorkspaceName: w.Name,
		Name:          m.Name,
		PictureID:     m.PictureID,
		Admin:         m.Admin,
		Departed:      !m.DisabledAt.IsZero(),
		Version:       m.Version,
	}
	for _, f := range w.Settings.Fields {
		if val := m.Fields[f.Key]; f.Visible && val != "" {
			if p.Fields == nil {
				p.Fields = make(map[string]string)
			}
			p.Fields[f.Key] = val
		}
	}
	return p
}

// publicWorkspace is a workspace as its members see it: hidden fields do
// not exist for them, not even their definitions.
func publicWorkspace(w WorkspaceRow) protocol.Workspace {
	s := w.Settings
	s.Fields = nil
	for _, f := range w.Settings.Fields {
		if f.Visible {
			s.Fields = append(s.Fields, f)
		}
	}
	return protocol.Workspace{ID: w.ID, Name: w.Name, Settings: s}
}

// outsideViewers lists who may see m's profile besides m's workspace: the
// members who have m as an external member and those m has.
func (v *view) outsideViewers(ctx context.Context, m MemberRow) ([]string, error) {
	owners, err := v.tx.ExternalOwners(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	mine, err := v.tx.Externals(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	return unique(append(owners, mine...)), nil
}

// emitProfile sends m's profile to everyone who may see it: m's workspace
// (stored once for it) and the members outside it who see m.
func (v *view) emitProfile(ctx context.Context, w *wtx, m MemberRow, p protocol.Profile) error {
	others, err := v.outsideViewers(ctx, m)
	if err != nil {
		return err
	}
	return w.emitWorkspace(ctx, protocol.EvMemberUpsert, p, m.WorkspaceID, others...)
}

// room is r as its members see it.
func (v *view) room(ctx context.Context, r RoomRow) (protocol.Room, error) {
	ids, err := v.tx.RoomMembers(ctx, r.ID)
	if err != nil {
		return protocol.Room{}, err
	}
	ms, err := v.tx.Members(ctx, ids)
	if err != nil {
		return protocol.Room{}, err
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID })
	room := protocol.Room{
		ID:        r.ID,
		Kind:      r.Kind,
		Title:     r.Title,
		Closed:    r.Closed,
		CreatedAt: r.CreatedAt.UnixMilli(),
		Members:   make([]protocol.RoomMember, 0, len(ms)),
	}
	for _, m := range ms {
		w, err := v.workspace(ctx, m.WorkspaceID)
		if err != nil {
			return protocol.Room{}, err
		}
		room.Members = append(room.Members, protocol.RoomMember{ID: m.ID, Name: m.Name, WorkspaceID: m.WorkspaceID, WorkspaceName: w.Name,
			Departed: !m.DisabledAt.IsZero()})
	}
	return room, nil
}

// blocked reports whether a block stands between a and b, either way.
func blocked(ctx context.Context, tx Tx, a, b string) (bool, error) {
	for _, p := range [][2]string{{a, b}, {b, a}} {
		_, err := tx.Block(ctx, p[0], p[1])
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, ErrNoRow) {
			return false, err
		}
	}
	return false, nil
}

// related reports whether a has b or b has a as an external member.
func related(ctx context.Context, tx Tx, a, b string) (bool, error) {
	ok, err := tx.HasExternal(ctx, a, b)
	if err != nil || ok {
		return ok, err
	}
	return tx.HasExternal(ctx, b, a)
}

// checkExternalChat applies the rules for two members of different
// workspaces to talk: no block either way (EBlocked), both workspaces allow
// external chat now (EExternalOff), and one of them has the other as an
// external member (EForbidden).
func (v *view) checkExternalChat(ctx context.Context, me, other MemberRow) error {
	if b, err := blocked(ctx, v.tx, me.ID, other.ID); err != nil {
		return err
	} else if b {
		return protocol.Errorf(protocol.EBlocked, "you cannot chat with this member")
	}
	if err := v.checkExternalAllowed(ctx, me, other); err != nil {
		return err
	}
	if ok, err := related(ctx, v.tx, me.ID, other.ID); err != nil {
		return err
	} else if !ok {
		return protocol.Errorf(protocol.EForbidden, "this member is not one of your external members").Because(protocol.RNotExternal)
	}
	return nil
}

// checkExternalAllowed refuses with EExternalOff unless the workspaces of
// all the given members allow external chat.
func (v *view) checkExternalAllowed(ctx context.Context, ms ...MemberRow) error {
	for i, m := range ms {
		w, err := v.workspace(ctx, m.WorkspaceID)
		if err != nil {
			return err
		}
		if !w.Settings.ExternalChat {
			if i == 0 {
				return protocol.Errorf(protocol.EExternalOff, "your workspace does not allow chatting with external members").Because(protocol.RMyWorkspace)
			}
			return protocol.Errorf(protocol.EExternalOff, "%s does not allow chatting with external members", w.Name).Because(protocol.RTheirWorkspace)
		}
	}
	return nil
}
