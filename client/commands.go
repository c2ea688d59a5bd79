package client

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// enqueueLocked writes an outbox entry and its local effect in one transaction,
// publishes the new state and wakes the outbox loop. e.applyMu must be held.
func (e *Engine) enqueueLocked(ctx context.Context, id, op string, body any, eff store.Effect) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode %s: %w", op, err)
	}
	en, ch, err := e.db.Enqueue(ctx, store.Entry{ID: id, Op: op, Body: b, Created: e.opt.now()}, eff)
	if err != nil {
		return err
	}
	e.outbox = append(e.outbox, en)
	e.refresh(ctx, ch)
	select {
	case e.kick <- struct{}{}:
	default:
	}
	return nil
}

// UpdateProfile changes my profile. Only fields that differ from what I see
// now travel, so concurrent edits of other fields on other devices survive;
// an update that changes nothing is a no-op. The changes are validated
// against the workspace settings first: a *protocol.Error with Field set
// (EInvalid, ETooLarge, ENotEditable).
func (e *Engine) UpdateProfile(ctx context.Context, u protocol.ProfileUpdate) error {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	st := e.State()
	// Unchanged values pass even where they are not editable: an edit
	// window may send the whole form.
	u = changedOnly(st.Me, u)
	if u.Name == nil && u.Fields == nil && u.Picture == nil {
		return nil
	}
	if err := st.Workspace.Settings.ValidateProfileUpdate(u); err != nil {
		return err
	}
	id := protocol.NewID()
	var eff store.Effect
	if u.Picture != nil && len(*u.Picture) > 0 {
		eff.Picture = *u.Picture
	}
	return e.enqueueLocked(ctx, id, protocol.OpProfileUpdate, u, eff)
}

func changedOnly(me protocol.Profile, u protocol.ProfileUpdate) protocol.ProfileUpdate {
	out := protocol.ProfileUpdate{Picture: u.Picture}
	if u.Name != nil && *u.Name != me.Name {
		out.Name = u.Name
	}
	for k, v := range u.Fields {
		if me.Fields[k] == v {
			continue
		}
		if out.Fields == nil {
			out.Fields = map[string]string{}
		}
		out.Fields[k] = v
	}
	if u.Picture != nil && len(*u.Picture) == 0 && me.PictureID == "" {
		out.Picture = nil
	}
	return out
}

// SendMessage adds a pending message to a room and queues it. Sending to my
// self room creates that room first when it does not exist yet. Errors:
// EInvalid/ETooLarge (text), ENotFound (no such room), EBlocked (closed room).
func (e *Engine) SendMessage(ctx context.Context, roomID, text string) (Message, error) {
	if err := protocol.ValidateMessageText(text); err != nil {
		return Message{}, err
	}
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	st := e.State()
	i := slices.IndexFunc(st.Rooms, func(r RoomSummary) bool { return r.ID == roomID })
	switch {
	case i < 0 && roomID == protocol.SelfRoomID(st.Me.ID):
		if err := e.createRoomLocked(ctx, protocol.NewID(), protocol.CreateRoom{Kind: protocol.RoomSelf, Members: []string{}}); err != nil {
			return Message{}, err
		}
	case i < 0:
		return Message{}, protocol.Errorf(protocol.ENotFound, "this chat room does not exist").Because(protocol.RNoRoom)
	case st.Rooms[i].Closed:
		return Message{}, protocol.Errorf(protocol.EBlocked, "nobody can send messages in this chat any more")
	}
	id := protocol.NewID()
	m := protocol.Message{ID: id, RoomID: roomID, SenderID: st.Me.ID, Kind: protocol.MessageText, Text: text, SentAt: e.opt.now().UnixMilli()}
	if err := e.enqueueLocked(ctx, id, protocol.OpMessageSend, protocol.SendMessage{RoomID: roomID, Text: text}, store.Effect{Message: &m}); err != nil {
		return Message{}, err
	}
	if last := e.last[roomID]; last != nil && last.ID == id {
		return *last, nil
	}
	return Message{Message: m, Pending: true}, nil
}

func (e *Engine) createRoomLocked(ctx context.Context, id string, c protocol.CreateRoom) error {
	return e.enqueueLocked(ctx, id, protocol.OpRoomCreate, c, store.Effect{})
}

// OpenSelfRoom returns my "chat with me" room, creating it (locally at once,
// on the server when online) if needed. It works offline.
func (e *Engine) OpenSelfRoom(ctx context.Context) (string, error) {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	st := e.State()
	id := protocol.SelfRoomID(st.Me.ID)
	if hasRoom(st, id) {
		return id, nil
	}
	return id, e.createRoomLocked(ctx, protocol.NewID(), protocol.CreateRoom{Kind: protocol.RoomSelf, Members: []string{}})
}

func hasRoom(st State, id string) bool {
	return slices.ContainsFunc(st.Rooms, func(r RoomSummary) bool { return r.ID == id })
}

// OpenDirectRoom returns the 1:1 room with a member, creating it if needed.
// Errors: ESelf, EBlocked (I blocked them), ENotFound (unknown member).
func (e *Engine) OpenDirectRoom(ctx context.Context, memberID string) (string, error) {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	st := e.State()
	if memberID == st.Me.ID {
		return e.openSelfLocked(ctx, st)
	}
	id := protocol.DirectRoomID(st.Me.ID, memberID)
	if hasRoom(st, id) {
		return id, nil
	}
	if isBlocked(st, memberID) {
		return "", protocol.Errorf(protocol.EBlocked, "you blocked this member; unblock them to chat")
	}
	if _, ok := e.knownProfile(memberID); !ok {
		return "", protocol.Errorf(protocol.ENotFound, "this member is not known").Because(protocol.RNoMember)
	}
	return id, e.createRoomLocked(ctx, protocol.NewID(), protocol.CreateRoom{Kind: protocol.RoomDirect, Members: []string{memberID}})
}

func (e *Engine) openSelfLocked(ctx context.Context, st State) (string, error) {
	id := protocol.SelfRoomID(st.Me.ID)
	if hasRoom(st, id) {
		return id, nil
	}
	return id, e.createRoomLocked(ctx, protocol.NewID(), protocol.CreateRoom{Kind: protocol.RoomSelf, Members: []string{}})
}

func isBlocked(st State, id string) bool {
	return slices.ContainsFunc(st.Blocked, func(b protocol.BlockedMember) bool { return b.ID == id })
}

// CreateGroupRoom creates a group room with a title and members besides me.
// Errors: EInvalid, ETooLarge.
func (e *Engine) CreateGroupRoom(ctx context.Context, title string, memberIDs []string) (string, error) {
	if utf8.RuneCountInString(title) > protocol.MaxTitleLen {
		return "", protocol.FieldError(protocol.ETooLarge, "title", "title is longer than %d characters", protocol.MaxTitleLen).Because(protocol.RTooLong)
	}
	if len(memberIDs) == 0 {
		return "", protocol.FieldError(protocol.EInvalid, "members", "choose at least one member").Because(protocol.REmpty)
	}
	if len(memberIDs) > protocol.MaxGroupMembers {
		return "", protocol.FieldError(protocol.ETooLarge, "members", "a group has at most %d members", protocol.MaxGroupMembers).Because(protocol.RTooLong)
	}
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	id := protocol.NewID()
	return id, e.createRoomLocked(ctx, id, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: title, Members: slices.Clone(memberIDs)})
}

// AddExternalBack adds a member who added me as an external member.
func (e *Engine) AddExternalBack(ctx context.Context, memberID string) error {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	st := e.State()
	if memberID == st.Me.ID {
		return protocol.Errorf(protocol.ESelf, "you cannot add yourself")
	}
	if slices.ContainsFunc(st.Externals, func(p protocol.Profile) bool { return p.ID == memberID }) {
		return nil
	}
	return e.enqueueLocked(ctx, protocol.NewID(), protocol.OpExternalAdd, protocol.AddExternal{MemberID: memberID}, store.Effect{})
}

// Block blocks a member. Errors: ESelf, ECoworker.
func (e *Engine) Block(ctx context.Context, memberID string) error {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	st := e.State()
	if memberID == st.Me.ID {
		return protocol.Errorf(protocol.ESelf, "you cannot block yourself")
	}
	if slices.ContainsFunc(st.Members, func(p protocol.Profile) bool { return p.ID == memberID }) {
		return protocol.Errorf(protocol.ECoworker, "you cannot block a co-worker")
	}
	if isBlocked(st, memberID) {
		return nil
	}
	return e.enqueueLocked(ctx, protocol.NewID(), protocol.OpBlock, protocol.MemberRef{MemberID: memberID}, store.Effect{})
}

// Unblock removes a member from my blocked list.
func (e *Engine) Unblock(ctx context.Context, memberID string) error {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	if !isBlocked(e.State(), memberID) {
		return nil
	}
	return e.enqueueLocked(ctx, protocol.NewID(), protocol.OpUnblock, protocol.MemberRef{MemberID: memberID}, store.Effect{})
}

// DismissNotice removes a notice the user has seen.
func (e *Engine) DismissNotice(id string) {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	ctx := context.Background()
	if err := e.db.DeleteNotice(ctx, id); err != nil {
		e.log.Error("dismiss notice", "err", err)
		return
	}
	e.refresh(ctx, store.Changes{Notices: true})
}

// MarkRead moves my read mark in a room to its newest message stored here,
// on all my devices; the room's unread count drops to zero at once. It
// works offline and does nothing when nothing is unread.
func (e *Engine) MarkRead(ctx context.Context, roomID string) error {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	st := e.State()
	i := slices.IndexFunc(st.Rooms, func(r RoomSummary) bool { return r.ID == roomID })
	if i < 0 || st.Rooms[i].Unread == 0 {
		return nil
	}
	seq, err := e.db.NewestSeq(ctx, roomID)
	if err != nil || seq == 0 {
		return err
	}
	return e.enqueueLocked(ctx, protocol.NewID(), protocol.OpRoomRead, protocol.ReadMark{RoomID: roomID, Seq: seq}, store.Effect{})
}
