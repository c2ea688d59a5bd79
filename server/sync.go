package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// replayBatch is how many stored events one EventsSince call reads.
const replayBatch = 1000

// sync answers the "sync" request: an optional snapshot, every stored event
// after the cursor, the sync result, then live events.
//
// The connection switches to catching-up (live events held) BEFORE the
// store is read, so an event committed during the replay is either read by
// it or held, or both; the writer drops held events at or below the last
// replayed seq. Nothing is lost and nothing is sent twice.
func (c *conn) sync(ctx context.Context, f protocol.Frame) error {
	var req protocol.SyncRequest
	if err := protocol.DecodeData(f.Data, &req); err != nil {
		return c.writeFrame(protocol.Frame{T: protocol.FrameRes, ID: f.ID, Err: c.srv.wireError(err, "sync")})
	}
	if req.Cursor < 0 {
		return c.writeFrame(protocol.Frame{T: protocol.FrameRes, ID: f.ID,
			Err: protocol.FieldError(protocol.EInvalid, "cursor", "cursor cannot be negative")})
	}
	if c.synced {
		return c.writeFrame(protocol.Frame{T: protocol.FrameRes, ID: f.ID,
			Err: protocol.Errorf(protocol.EConflict, "this connection is already syncing; reconnect to start over").Because(protocol.RAlreadySyncing)})
	}
	c.synced = true

	c.mu.Lock()
	c.state = stateCatchingUp
	c.mu.Unlock()

	cursor, err := c.catchUp(ctx, req.Cursor)
	if err != nil {
		if werr := c.writeFrame(protocol.Frame{T: protocol.FrameRes, ID: f.ID, Err: c.srv.wireError(err, "sync")}); werr != nil {
			return werr
		}
		return errors.New("sync failed") // a half-replayed stream cannot go live
	}
	res, err := json.Marshal(protocol.SyncResult{Cursor: cursor})
	if err != nil {
		return err
	}
	if err := c.writeFrame(protocol.Frame{T: protocol.FrameRes, ID: f.ID, Data: res}); err != nil {
		return err
	}
	c.goLive(cursor)
	return nil
}

// catchUp writes the snapshot (when needed) and the stored events after
// cursor, and returns the seq of the last one written.
func (c *conn) catchUp(ctx context.Context, cursor int64) (int64, error) {
	svc := c.srv.svc
	var evs []service.Event
	needSnapshot := cursor == 0
	if !needSnapshot {
		var err error
		evs, err = svc.EventsSince(ctx, c.caller, cursor, replayBatch)
		if errors.Is(err, service.ErrSnapshotNeeded) {
			needSnapshot = true
		} else if err != nil {
			return 0, err
		}
	}
	if needSnapshot {
		err := svc.SnapshotPages(ctx, c.caller, func(p protocol.Snapshot) error {
			cursor = p.Cursor
			// The page is encoded once, inside its frame: encodeFrame would
			// copy and compact its 150 KB again.
			var b bytes.Buffer
			b.WriteString(`{"t":"` + protocol.FrameSnapshot + `","d":`)
			if err := json.NewEncoder(&b).Encode(p); err != nil {
				return err
			}
			b.WriteByte('}')
			return c.writeCompressed(b.Bytes())
		})
		if err != nil {
			return 0, err
		}
		evs, err = svc.EventsSince(ctx, c.caller, cursor, replayBatch)
		if err != nil {
			return 0, err
		}
	}
	for {
		for _, ev := range evs {
			if ev.Seq <= cursor {
				continue
			}
			b, err := encodeFrame(protocol.Frame{T: protocol.FrameEvent, Seq: ev.Seq, Op: ev.Op, Data: ev.Data})
			if err != nil {
				return 0, err
			}
			if err := c.write(b); err != nil {
				return 0, err
			}
			cursor = ev.Seq
		}
		if len(evs) < replayBatch {
			return cursor, nil
		}
		var err error
		if evs, err = svc.EventsSince(ctx, c.caller, cursor, replayBatch); err != nil {
			return 0, err
		}
	}
}

// goLive ends the catch-up: held events newer than the replay go to the
// writers in order, and later events follow them.
func (c *conn) goLive(cursor int64) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.state = stateStreaming
	c.lastSeq = max(c.lastSeq, cursor)
	held := c.held
	c.held = nil
	for _, f := range held { // bounded by heldMax, so no queue limit here
		if f.seq <= c.lastSeq {
			continue
		}
		c.lastSeq = f.seq
		c.queue = append(c.queue, f)
	}
	ready := c.claimLocked()
	c.mu.Unlock()
	if ready {
		c.srv.writers.schedule(c)
	}
}

func encodeFrame(f protocol.Frame) ([]byte, error) {
	return json.Marshal(f)
}
