package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"worktalk.dev/worktalk/protocol"
)

// wtx is a write transaction plus the events it publishes once committed.
type wtx struct {
	Tx
	now    time.Time
	events []Event
}

// emit stores an event for recipients (duplicates dropped) in the
// transaction; write publishes it after the commit.
func (w *wtx) emit(ctx context.Context, op string, v any, recipients ...string) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("marshal %s: %w", op, err)
	}
	rcpt := unique(recipients)
	seq, err := w.AppendEvent(ctx, op, data, rcpt, w.now)
	if err != nil {
		return err
	}
	w.events = append(w.events, Event{Seq: seq, Op: op, Data: data, Recipients: rcpt})
	return nil
}

// emitRoom is emit for an event addressed to all members of a room, stored
// once for the room when the store can.
func (w *wtx) emitRoom(ctx context.Context, op string, v any, roomID string, members []string) error {
	rf, ok := w.Tx.(RoomFeeder)
	if !ok {
		return w.emit(ctx, op, v, members...)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("marshal %s: %w", op, err)
	}
	seq, err := rf.AppendRoomEvent(ctx, op, data, roomID, w.now)
	if err != nil {
		return err
	}
	w.events = append(w.events, Event{Seq: seq, Op: op, Data: data, Recipients: unique(members)})
	return nil
}

// emitWorkspace is emit for an event addressed to every member of a
// workspace and to others outside it, stored once for the workspace when the
// store can.
func (w *wtx) emitWorkspace(ctx context.Context, op string, v any, workspaceID string, others ...string) error {
	wf, ok := w.Tx.(WorkspaceFeeder)
	if !ok {
		members, err := w.WorkspaceMembers(ctx, workspaceID)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(members)+len(others))
		for _, m := range members {
			ids = append(ids, m.ID)
		}
		return w.emit(ctx, op, v, append(ids, others...)...)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("marshal %s: %w", op, err)
	}
	rcpt := unique(others)
	seq, err := wf.AppendWorkspaceEvent(ctx, op, data, workspaceID, rcpt, w.now)
	if err != nil {
		return err
	}
	w.events = append(w.events, Event{Seq: seq, Op: op, Data: data, Workspace: workspaceID, Recipients: rcpt})
	return nil
}

func unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// write runs fn in a store write transaction and publishes its events after
// the commit, all under writeMu so events reach the bus in seq order.
func (s *Service) write(ctx context.Context, fn func(*wtx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.writeLocked(ctx, fn)
}

func (s *Service) writeLocked(ctx context.Context, fn func(*wtx) error) error {
	var events []Event
	err := s.store.Write(ctx, func(tx Tx) error {
		w := &wtx{Tx: tx, now: s.now()}
		if err := fn(w); err != nil {
			return err
		}
		events = w.events
		return nil
	})
	if err != nil {
		return err
	}
	s.publishLocked(ctx, events...)
	return nil
}

// publishLocked hands committed events to the bus. A bus failure is logged:
// the events are in the feeds, and clients catch up from their cursor.
func (s *Service) publishLocked(ctx context.Context, events ...Event) {
	if s.bus == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, ev := range events {
		if err := s.bus.Publish(ctx, ev); err != nil {
			s.log.Error("publish event", "op", ev.Op, "seq", ev.Seq, "err", err)
		}
	}
}

// read runs fn in a store read transaction.
func (s *Service) read(ctx context.Context, fn func(Tx) error) error {
	return s.store.Read(ctx, fn)
}

// clientError returns err if it is a *protocol.Error; anything else is
// logged and becomes EInternal "internal error".
func (s *Service) clientError(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	s.log.Error("request failed", "op", op, "err", err)
	return protocol.Errorf(protocol.EInternal, "internal error")
}

// Prune drops events older than Config.Retention from the feeds. Clients
// whose cursor is older then get a snapshot. With no retention it does nothing.
func (s *Service) Prune(ctx context.Context) error {
	if s.retention <= 0 {
		return nil
	}
	return s.write(ctx, func(w *wtx) error {
		return w.PruneEvents(ctx, w.now.Add(-s.retention))
	})
}
