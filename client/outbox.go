package client

import (
	"context"
	"slices"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// maxRetries bounds resends of an entry the server failed on transiently
// (rate limited, internal error) before it is given up as refused.
const maxRetries = 5

// drain sends outbox entries one at a time, in order, while the session
// lives: one request per entry, its id the entry id, so a resend after a
// crash or reconnect is applied once by the server.
func (e *Engine) drain(ctx context.Context, s *session) {
	for {
		en, ok := e.firstEntry()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-e.kick:
				continue
			}
		}
		ch := s.register(en.ID)
		if err := e.db.CountAttempt(ctx, en.ID); err != nil {
			e.log.Error("count attempt", "err", err)
		}
		if err := s.send(protocol.Frame{T: protocol.FrameReq, ID: en.ID, Op: en.Op, Data: en.Body}); err != nil {
			s.end()
			return
		}
		timer := time.NewTimer(2 * e.opt.requestTimeout())
		select {
		case f, ok := <-ch:
			timer.Stop()
			if !ok {
				return
			}
			if f.Err != nil && f.Err.Code == protocol.EUnauthorized {
				s.end() // the dial that follows learns the session is gone
				return
			}
			if !e.settle(ctx, en, f) {
				select {
				case <-ctx.Done():
					return
				case <-e.opt.after(backoff(e.transientCount(en.ID))):
				}
			}
		case <-timer.C:
			// No answer: start over on a new connection; the resend is safe.
			e.log.Warn("no answer to an outbox entry", "op", en.Op)
			s.end()
			return
		case <-ctx.Done():
			timer.Stop()
			return
		}
	}
}

func (e *Engine) firstEntry() (store.Entry, bool) {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	if len(e.outbox) == 0 {
		return store.Entry{}, false
	}
	return e.outbox[0], true
}

// settle applies the server's answer to an entry: an ack applies the result
// and drops the entry; a refusal rolls its effect back and leaves a notice
// with the server's reason. It returns false when the entry stays queued
// for a later retry.
func (e *Engine) settle(ctx context.Context, en store.Entry, f protocol.Frame) bool {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	var ch store.Changes
	var err error
	switch {
	case f.Err == nil:
		ch, err = e.db.Ack(ctx, en, f.Data)
	case (f.Err.Code == protocol.ERateLimited || f.Err.Code == protocol.EInternal) && e.transient[en.ID] < maxRetries:
		e.transient[en.ID]++
		return false
	case en.Op == protocol.OpRoomRead:
		// Nothing to tell: a read mark the server refuses (e.g. a room I
		// left) changes nothing the user sees.
		ch, err = e.db.Drop(ctx, en)
	default:
		ch, err = e.db.Refuse(ctx, en, store.Notice{
			ID:     protocol.NewID(),
			Op:     en.Op,
			Code:   f.Err.Code,
			Reason: f.Err.Reason,
			Text:   f.Err.Message,
			At:     e.opt.now(),
		})
	}
	if err != nil {
		e.log.Error("settle outbox entry", "op", en.Op, "err", err)
		return false
	}
	e.outbox = slices.DeleteFunc(e.outbox, func(x store.Entry) bool { return x.ID == en.ID })
	delete(e.transient, en.ID)
	e.refresh(ctx, ch)
	return true
}

func (e *Engine) transientCount(id string) int {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	return e.transient[id]
}
