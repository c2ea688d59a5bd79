package client

import (
	"context"

	"worktalk.dev/worktalk/protocol"
)

// LoadOlder fetches up to limit messages of a room older than the oldest
// one stored (a snapshot carries only the newest of each room) and stores
// them, so Messages can page further back. It returns how many arrived;
// 0 means the start of the room is reached. Errors: EOffline, ENotFound.
func (e *Engine) LoadOlder(ctx context.Context, roomID string, limit int) (int, error) {
	if limit <= 0 || limit > protocol.MaxPageLimit {
		limit = protocol.MaxPageLimit
	}
	before, err := e.db.OldestSeq(ctx, roomID)
	if err != nil {
		return 0, err
	}
	var page protocol.MessageList
	req := protocol.MessagesPageRequest{RoomID: roomID, BeforeSeq: before, Limit: limit}
	if err := e.call(ctx, protocol.OpMessagesPage, req, &page); err != nil {
		return 0, err
	}
	if len(page.Messages) == 0 {
		return 0, nil
	}
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	ch, err := e.db.PutMessages(ctx, page.Messages)
	if err != nil {
		return 0, err
	}
	e.refresh(ctx, ch)
	return len(page.Messages), nil
}
