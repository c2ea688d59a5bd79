package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// Reconnect backoff: exponential from backoffBase to backoffMax, with jitter.
const (
	backoffBase = 500 * time.Millisecond
	backoffMax  = 30 * time.Second
	// maxBatch bounds how many queued events one transaction applies.
	maxBatch = 5000
	// readLimit bounds one incoming websocket message; a snapshot page may
	// carry a room's SnapshotMessagesPerRoom longest messages, so it exceeds
	// the request frame limit.
	readLimit = 64 << 20
	// pingEvery keeps the connection alive through idle NATs and proxies;
	// a connection silent for readIdle is taken as dead.
	pingEvery = 25 * time.Second
	readIdle  = 3 * pingEvery
)

// backoff returns the wait before reconnect attempt n (0-based): a random
// duration in [d/2, d] where d doubles from backoffBase up to backoffMax.
func backoff(n int) time.Duration {
	d := backoffBase
	for i := 0; i < n && d < backoffMax; i++ {
		d *= 2
	}
	d = min(d, backoffMax)
	return d/2 + rand.N(d/2+1)
}

// session is one live websocket connection.
type session struct {
	ws  *websocket.Conn
	wmu sync.Mutex // one writer at a time

	mu      sync.Mutex
	waiters map[string]chan protocol.Frame // by request id
	ended   bool
}

func (s *session) send(f protocol.Frame) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return s.ws.WriteMessage(websocket.TextMessage, b)
}

// register returns the channel the answer to request id arrives on. It is
// closed without a value when the session ends first.
func (s *session) register(id string) chan protocol.Frame {
	ch := make(chan protocol.Frame, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		close(ch)
		return ch
	}
	s.waiters[id] = ch
	return ch
}

func (s *session) unregister(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.waiters, id)
}

func (s *session) deliver(f protocol.Frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.waiters[f.ID]; ok {
		delete(s.waiters, f.ID)
		ch <- f
	}
}

func (s *session) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
	for id, ch := range s.waiters {
		close(ch)
		delete(s.waiters, id)
	}
	s.ws.Close()
}

// run keeps a connection to the server until the engine closes or the
// session is revoked. It owns every connection goroutine.
func (e *Engine) run() {
	attempt := 0
	for {
		connected, stop := e.connect()
		if stop || e.ctx.Err() != nil {
			return
		}
		if connected {
			attempt = 0
		}
		select {
		case <-e.ctx.Done():
			return
		case <-e.opt.after(backoff(attempt)):
		}
		attempt++
	}
}

func wsURL(serverURL string) string {
	switch {
	case strings.HasPrefix(serverURL, "https://"):
		return "wss://" + strings.TrimPrefix(serverURL, "https://") + "/api/sync"
	case strings.HasPrefix(serverURL, "http://"):
		return "ws://" + strings.TrimPrefix(serverURL, "http://") + "/api/sync"
	}
	return serverURL + "/api/sync"
}

// revoke marks the session ended by the server: no more reconnects.
func (e *Engine) revoke() {
	e.mu.Lock()
	e.revoked = true
	e.mu.Unlock()
	e.setConn(func(c *ConnState) {
		*c = ConnState{Problem: ConnSignedOut, Error: "you were signed out on this device; sign in again"}
	})
}

// connect runs one connection to its end. connected reports that it caught
// up at least once; stop that the engine must not reconnect.
func (e *Engine) connect() (connected, stop bool) {
	ws, stop := e.dial()
	if ws == nil {
		return false, stop
	}
	s := &session{ws: ws, waiters: map[string]chan protocol.Frame{}}
	ctx, cancel := context.WithCancel(e.ctx)
	var wg sync.WaitGroup
	frames := make(chan protocol.Frame, 4096)
	wg.Add(2)
	go func() {
		defer wg.Done()
		e.readFrames(ctx, ws, frames)
	}()
	go func() {
		defer wg.Done()
		keepAlive(ctx, ws)
	}()

	connected, stop = e.serve(ctx, s, frames, &wg)

	e.mu.Lock()
	e.sess = nil
	e.mu.Unlock()
	cancel()
	s.end()
	wg.Wait()
	if !stop {
		e.setConn(func(c *ConnState) {
			*c = ConnState{Problem: ConnLost, Error: "the connection to the server was lost"}
		})
	}
	return connected, stop
}

// dial reads the session token and opens the websocket. On failure ws is
// nil, ConnState says why, and stop reports that the session is gone.
func (e *Engine) dial() (ws *websocket.Conn, stop bool) {
	tok, err := e.secrets.Get(SecretService, secretUser(e.acct.ServerURL, e.acct.MemberID))
	if errors.Is(err, secret.ErrNotFound) {
		e.revoke()
		return nil, true
	}
	if err != nil {
		e.log.Warn("read session token", "err", err)
		e.setConn(func(c *ConnState) {
			*c = ConnState{Problem: ConnKeyring, Error: "cannot read the saved sign-in from the keyring"}
		})
		return nil, false
	}
	// Compression is for what the server sends large (snapshot pages); what
	// this side sends is small, or a picture that does not compress.
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: http.ProxyFromEnvironment, EnableCompression: true}
	h := http.Header{"Authorization": {"Bearer " + tok}}
	ws, resp, err := d.DialContext(e.ctx, wsURL(e.acct.ServerURL), h)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			e.revoke()
			return nil, true
		}
		e.log.Info("dial", "err", err)
		e.setConn(func(c *ConnState) { *c = ConnState{Problem: ConnUnreachable, Error: "cannot reach the server"} })
		return nil, false
	}
	ws.EnableWriteCompression(false)
	ws.SetReadLimit(readLimit)
	alive := func() { _ = ws.SetReadDeadline(time.Now().Add(readIdle)) }
	alive()
	ws.SetPongHandler(func(string) error { alive(); return nil })
	ws.SetPingHandler(func(data string) error {
		alive()
		err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(10*time.Second))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	return ws, false
}

// keepAlive pings every pingEvery until ctx ends or a ping fails, then
// closes ws, which also unblocks the reader.
func keepAlive(ctx context.Context, ws *websocket.Conn) {
	t := time.NewTicker(pingEvery)
	defer t.Stop()
	defer ws.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(10*time.Second)); err != nil {
				return
			}
		}
	}
}

// serve asks for the changes since the local cursor, then handles frames
// until the connection ends or a frame cannot be applied. Once the sync
// answer arrives the session goes online and the outbox drains, under wg.
func (e *Engine) serve(ctx context.Context, s *session, frames <-chan protocol.Frame, wg *sync.WaitGroup) (connected, stop bool) {
	e.setConn(func(c *ConnState) { *c = ConnState{CatchingUp: true} })
	cur, err := e.db.Cursor(ctx)
	if err != nil {
		e.logFailure(ctx, "read cursor", err)
		return false, false
	}
	syncID := protocol.NewID()
	req, err := protocol.NewRequest(syncID, protocol.OpSync, protocol.SyncRequest{Cursor: cur})
	if err != nil {
		e.log.Error("sync request", "err", err)
		return false, false
	}
	if err := s.send(req); err != nil {
		return false, false
	}
	var next *protocol.Frame    // a frame read ahead while batching events
	var snap *protocol.Snapshot // the pages of a snapshot so far
	for {
		var f protocol.Frame
		if next != nil {
			f, next = *next, nil
		} else {
			var ok bool
			if f, ok = <-frames; !ok {
				return connected, false
			}
		}
		if snap != nil && f.T != protocol.FrameSnapshot && f.T != protocol.FrameErr {
			e.log.Error("snapshot cut short", "after page", snap.Page, "frame", f.T)
			return connected, false
		}
		switch f.T {
		case protocol.FrameEvent:
			if f.Op == protocol.EvSessionRevoked {
				e.revoke()
				return connected, true
			}
			var batch []store.Event
			batch, next = collectEvents(f, frames)
			if err := e.applyEvents(ctx, batch); err != nil {
				e.logFailure(ctx, "apply events", err)
				return connected, false
			}
		case protocol.FrameSnapshot:
			// Pages are put together and applied at once with the last:
			// a connection lost in between leaves the replica as it was.
			var page protocol.Snapshot
			if err := json.Unmarshal(f.Data, &page); err != nil {
				e.log.Error("decode snapshot", "err", err)
				return connected, false
			}
			if snap == nil {
				snap = new(protocol.Snapshot)
			}
			if err := snap.Append(page); err != nil {
				e.log.Error("snapshot", "err", err)
				return connected, false
			}
			if !snap.Last {
				continue
			}
			err := e.applySnapshot(ctx, *snap)
			snap = nil
			if err != nil {
				e.logFailure(ctx, "apply snapshot", err)
				return connected, false
			}
		case protocol.FrameRes:
			if f.ID != syncID {
				s.deliver(f)
				continue
			}
			if ok, stop := e.synced(ctx, f); !ok {
				return connected, stop
			}
			connected = true
			e.mu.Lock()
			e.sess = s
			e.mu.Unlock()
			// The server is reachable: revoke what was logged out while it
			// was not (usually nothing: one read of accounts.json).
			if _, err := retrySignOuts(ctx, e.opt, e.acct.ServerURL); err != nil {
				e.log.Info("retry sign-outs", "err", err)
			}
			e.setConn(func(c *ConnState) { *c = ConnState{Online: true} })
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.drain(ctx, s)
			}()
		case protocol.FrameErr:
			e.log.Warn("server reported a bad frame", "err", f.Err)
		}
	}
}

// collectEvents batches first with the events already queued behind it, up
// to maxBatch, so that one transaction applies them. A queued frame that is
// not an event, or that revokes the session, is returned as next.
func collectEvents(first protocol.Frame, frames <-chan protocol.Frame) (batch []store.Event, next *protocol.Frame) {
	batch = []store.Event{{Seq: first.Seq, Op: first.Op, Data: first.Data}}
	for len(batch) < maxBatch {
		select {
		case g, ok := <-frames:
			if !ok {
				return batch, nil
			}
			if g.T != protocol.FrameEvent || g.Op == protocol.EvSessionRevoked {
				return batch, &g
			}
			batch = append(batch, store.Event{Seq: g.Seq, Op: g.Op, Data: g.Data})
		default:
			return batch, nil
		}
	}
	return batch, nil
}

// synced takes the answer to the sync request: the client has caught up to
// its cursor. ok is false when the session cannot go online; stop then
// reports that the server refused the session.
func (e *Engine) synced(ctx context.Context, f protocol.Frame) (ok, stop bool) {
	if f.Err != nil {
		e.log.Warn("sync refused", "err", f.Err)
		if f.Err.Code == protocol.EUnauthorized {
			e.revoke()
			return false, true
		}
		return false, false
	}
	var r protocol.SyncResult
	if err := json.Unmarshal(f.Data, &r); err != nil {
		e.log.Error("decode sync result", "err", err)
		return false, false
	}
	if err := e.db.AdvanceCursor(ctx, r.Cursor); err != nil {
		e.logFailure(ctx, "advance cursor", err)
	}
	return true, false
}

// readFrames reads frames until the connection fails, then closes out.
func (e *Engine) readFrames(ctx context.Context, ws *websocket.Conn, out chan<- protocol.Frame) {
	defer close(out)
	for {
		b, err := readMessage(ws)
		_ = ws.SetReadDeadline(time.Now().Add(readIdle))
		if err != nil {
			if ctx.Err() == nil {
				e.log.Info("connection ended", "err", err)
			}
			return
		}
		var f protocol.Frame
		if err := json.Unmarshal(b, &f); err != nil {
			e.log.Warn("undecodable frame from the server", "err", err)
			continue
		}
		select {
		case out <- f:
		case <-ctx.Done():
			return
		}
	}
}

// readMessage reads one message of at most readLimit bytes once inflated:
// the websocket read limit counts compressed bytes only.
func readMessage(ws *websocket.Conn) ([]byte, error) {
	_, r, err := ws.NextReader()
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(r, readLimit+1))
	if err == nil && len(b) > readLimit {
		err = fmt.Errorf("a frame from the server inflates past %d bytes", readLimit)
	}
	return b, err
}

func (e *Engine) applyEvents(ctx context.Context, evs []store.Event) error {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	ch, err := e.db.ApplyEvents(ctx, evs)
	if err != nil {
		return err
	}
	if !ch.Empty() {
		e.refresh(ctx, ch)
	}
	return nil
}

func (e *Engine) applySnapshot(ctx context.Context, snap protocol.Snapshot) error {
	e.applyMu.Lock()
	defer e.applyMu.Unlock()
	// The state shows the snapshot before the store holds it: writing
	// 10,000 members takes longer than drawing them, and the two run side
	// by side. Rooms get their newest messages and unread counts once the
	// write commits (the next state); if it fails, the state goes back to
	// what the store holds.
	e.setReplica(store.SnapshotReplica(snap))
	e.rebuild(true)
	ch, err := e.db.ApplySnapshot(ctx, snap)
	if err != nil {
		e.refresh(ctx, store.Changes{Replica: true, AllProfiles: true})
		return err
	}
	e.log.Info("applied a snapshot", "cursor", snap.Cursor)
	ch.Replica, ch.AllProfiles, ch.Profiles = false, false, nil
	// A snapshot may drop rooms: forget their newest messages too.
	if ch.Rooms == nil {
		ch.Rooms = map[string]bool{}
	}
	for id := range e.last {
		ch.Rooms[id] = true
	}
	e.refresh(ctx, ch)
	e.noteName()
	return nil
}

// logFailure logs a failed step of the connection loop, unless the engine
// is closing: its context was cancelled, so a step that was under way fails
// with "context canceled", which is no failure.
func (e *Engine) logFailure(ctx context.Context, msg string, err error) {
	if ctx.Err() != nil {
		e.log.Debug(msg+" (closing)", "err", err)
		return
	}
	e.log.Error(msg, "err", err)
}
