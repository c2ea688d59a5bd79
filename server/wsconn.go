package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// wsSettings are the websocket parameters shared by every connection.
type wsSettings struct {
	upgrader   websocket.Upgrader
	pingPeriod time.Duration
	pongWait   time.Duration // no frame for this long closes the connection
	writeWait  time.Duration // one frame must be written within this
	queueMax   int           // live frames waiting for a slow connection
	heldMax    int           // live events held while a sync catches up
}

func newWSSettings(cfg Config) wsSettings {
	return wsSettings{
		upgrader: websocket.Upgrader{
			HandshakeTimeout: 10 * time.Second,
			// An idle connection keeps only its read buffer; writes borrow a
			// buffer from the pool, so idle connections hold none.
			ReadBufferSize:  512,
			WriteBufferSize: 4096,
			WriteBufferPool: &sync.Pool{},
			// CheckOrigin nil: requests without Origin (desktop clients) pass,
			// browsers must be same-origin. Auth is a header browsers cannot
			// set on a websocket anyway.
		},
		pingPeriod: cfg.PingPeriod,
		pongWait:   2 * cfg.PingPeriod,
		writeWait:  10 * time.Second,
		queueMax:   cfg.SendQueue,
		heldMax:    16 * cfg.SendQueue,
	}
}

// streamState is where a connection is in its event stream.
type streamState uint8

const (
	stateIdle       streamState = iota // no sync yet: live events are not wanted
	stateCatchingUp                    // replaying from the store: live events are held
	stateStreaming                     // caught up: live events are queued for the writer
)

// outFrame is an encoded frame waiting to be written.
type outFrame struct {
	seq   int64 // event seq; 0 for live-only frames
	data  []byte
	final bool // close the connection once it is written
}

// conn is one websocket connection of one session.
//
// Goroutines: the reader (readLoop) owns reading and handles requests in
// order, writing their answers itself. A writer (writeLoop) runs only while
// live frames or a ping are queued, so an idle connection costs one
// goroutine. Both count in the server's WaitGroup.
type conn struct {
	srv    *Server
	ws     *websocket.Conn
	caller service.Caller

	wmu sync.Mutex // serializes writes on ws: gorilla allows one writer at a time

	mu      sync.Mutex
	state   streamState // guarded by mu
	lastSeq int64       // newest event seq written or queued; guarded by mu
	held    []outFrame  // live events that came during catch-up; guarded by mu
	queue   []outFrame  // frames for the writer; guarded by mu
	pingDue bool        // guarded by mu
	writing bool        // a writeLoop is running; guarded by mu
	closed  bool        // guarded by mu
	revoked bool        // the session was signed out; guarded by mu
	ping    *time.Timer // guarded by mu

	synced bool // a sync request was seen; used by one request at a time
}

func newConn(srv *Server, ws *websocket.Conn, caller service.Caller) *conn {
	return &conn{srv: srv, ws: ws, caller: caller}
}

// start arms the ping timer and runs the reader. The caller must hold a
// count in srv.wg (it runs in a tracked handler).
func (c *conn) start() {
	c.mu.Lock()
	c.ping = time.AfterFunc(c.srv.ws.pingPeriod, c.onPingTimer)
	c.mu.Unlock()
	c.srv.wg.Add(1)
	go c.readLoop()
}

func (c *conn) readLoop() {
	defer c.srv.wg.Done()
	defer c.srv.hub.remove(c)
	defer c.kill("")

	set := &c.srv.ws
	// Oversize frames make gorilla fail the read with close code 1009
	// (message too big) and the connection ends: a peer that sends 1 MB
	// frames is not one to keep reading from.
	c.ws.SetReadLimit(protocol.MaxFrameBytes)
	_ = c.ws.SetReadDeadline(time.Now().Add(set.pongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(set.pongWait))
	})
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
				c.srv.log.Debug("websocket read ended", "member", c.caller.MemberID, "err", err)
			}
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(set.pongWait))
		if err := c.handleOffStack(msg); err != nil {
			c.srv.log.Debug("websocket closed", "member", c.caller.MemberID, "err", err)
			return
		}
	}
}

// handleOffStack runs handle on a short-lived goroutine and waits for it.
// Requests reach deep into the store; doing that on the reader's own stack
// would grow it for good (Go shrinks stacks only down to what they use),
// and an idle connection's cost is mostly that stack.
func (c *conn) handleOffStack(msg []byte) error {
	done := make(chan error, 1)
	go func() { done <- c.handle(msg) }()
	return <-done
}

// handle answers one client frame. It returns an error only when the
// connection must end (a write failed).
func (c *conn) handle(msg []byte) error {
	f, err := protocol.DecodeFrame(msg)
	if err != nil {
		return c.writeFrame(protocol.Frame{T: protocol.FrameErr, Err: c.srv.wireError(err, "decode frame")})
	}
	if f.T != protocol.FrameReq {
		return c.writeFrame(protocol.Frame{T: protocol.FrameErr, ID: f.ID,
			Err: protocol.Errorf(protocol.EInvalid, "clients send only %q frames", protocol.FrameReq)})
	}
	c.mu.Lock()
	revoked := c.revoked
	c.mu.Unlock()
	if revoked {
		return c.writeFrame(protocol.Frame{T: protocol.FrameRes, ID: f.ID,
			Err: protocol.Errorf(protocol.EUnauthorized, "this session was signed out")})
	}

	ctx, cancel := context.WithTimeout(c.srv.ctx, requestTimeout)
	defer cancel()
	if f.Op == protocol.OpSync {
		return c.sync(ctx, f)
	}
	res, err := c.srv.svc.Do(ctx, c.caller, f.ID, f.Op, f.Data)
	if err != nil {
		return c.writeFrame(protocol.Frame{T: protocol.FrameRes, ID: f.ID, Err: c.srv.wireError(err, "request "+f.Op)})
	}
	if len(res) == 0 {
		res = []byte("{}")
	}
	return c.writeFrame(protocol.Frame{T: protocol.FrameRes, ID: f.ID, Data: res})
}

// writeFrame encodes and writes f from the reader goroutine.
func (c *conn) writeFrame(f protocol.Frame) error {
	b, err := encodeFrame(f)
	if err != nil {
		c.srv.log.Error("encode frame", "err", err)
		b, _ = encodeFrame(protocol.Frame{T: f.T, ID: f.ID,
			Err: &protocol.Error{Code: protocol.EInternal, Message: "internal error"}})
	}
	return c.write(b)
}

// write sends one websocket message, waiting for any writer in progress.
func (c *conn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.srv.ws.writeWait))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// deliver queues a stored event for this connection without blocking. A
// connection that is too far behind is dropped.
func (c *conn) deliver(seq int64, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	switch c.state {
	case stateIdle:
		return // the client reads it from the store when it syncs
	case stateCatchingUp:
		if len(c.held) >= c.srv.ws.heldMax {
			c.killLocked("too many events during catch-up")
			return
		}
		c.held = append(c.held, outFrame{seq: seq, data: data})
		return
	}
	if seq <= c.lastSeq {
		return // already sent by the replay
	}
	c.lastSeq = seq
	c.enqueueLocked(outFrame{seq: seq, data: data})
}

// deliverLive queues a live-only frame whatever the stream state; final
// frames (session revoked) close the connection once written.
func (c *conn) deliverLive(data []byte, final bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if final {
		c.revoked = true
	}
	c.enqueueLocked(outFrame{data: data, final: final})
}

func (c *conn) enqueueLocked(f outFrame) {
	if len(c.queue) >= c.srv.ws.queueMax {
		c.killLocked("send queue full")
		return
	}
	c.queue = append(c.queue, f)
	c.startWriterLocked()
}

// startWriterLocked starts a writeLoop if there is work and none runs. The
// reader holds a count in srv.wg until closed is set, so the Add here never
// races with the server's Wait.
func (c *conn) startWriterLocked() {
	if c.writing || c.closed || (len(c.queue) == 0 && !c.pingDue) {
		return
	}
	c.writing = true
	c.srv.wg.Add(1)
	go c.writeLoop()
}

// writeLoop writes queued frames until the queue is empty, then ends.
func (c *conn) writeLoop() {
	defer c.srv.wg.Done()
	for {
		c.mu.Lock()
		batch, ping := c.queue, c.pingDue
		c.queue, c.pingDue = nil, false
		if c.closed || (len(batch) == 0 && !ping) {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		if err := c.writeBatch(batch, ping); err != nil {
			c.kill(err.Error())
		}
	}
}

func (c *conn) writeBatch(batch []outFrame, ping bool) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	wait := c.srv.ws.writeWait
	if ping {
		if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(wait)); err != nil {
			return err
		}
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(wait)) // once per batch: it is not free
	for _, f := range batch {
		if err := c.ws.WriteMessage(websocket.TextMessage, f.data); err != nil {
			return err
		}
		if f.final {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "signed out")
			_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(wait))
			return errors.New("session revoked")
		}
	}
	return nil
}

func (c *conn) onPingTimer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.pingDue = true
	c.startWriterLocked()
	c.ping.Reset(c.srv.ws.pingPeriod)
}

// kill closes the connection at once; the reader then cleans up.
func (c *conn) kill(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.killLocked(reason)
}

func (c *conn) killLocked(reason string) {
	if c.closed {
		return
	}
	c.closed = true
	c.queue, c.held = nil, nil
	if c.ping != nil {
		c.ping.Stop()
	}
	if reason != "" {
		c.srv.log.Debug("dropping websocket", "member", c.caller.MemberID, "reason", reason)
	}
	// Closing the socket does not block; a writer stuck in Write fails.
	_ = c.ws.NetConn().Close()
}

// handleSync upgrades GET /api/sync to a websocket for the bearer's session.
func (s *Server) handleSync(w http.ResponseWriter, r *http.Request) {
	tok, ok := bearerToken(r)
	if !ok {
		s.writeError(w, protocol.Errorf(protocol.EUnauthorized, "sign in first"), "sync")
		return
	}
	caller, err := s.svc.Authenticate(r.Context(), tok)
	if err != nil {
		s.writeError(w, err, "sync")
		return
	}
	if !websocket.IsWebSocketUpgrade(r) {
		s.writeError(w, protocol.Errorf(protocol.EInvalid, "this endpoint is a websocket"), "sync")
		return
	}
	ws, err := s.ws.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := newConn(s, ws, caller)
	if !s.hub.add(c) {
		_ = ws.Close()
		return
	}
	// A sign-out that happened after Authenticate published its revocation
	// before this connection was in the hub: check once more now that it is.
	if _, err := s.svc.Authenticate(r.Context(), tok); err != nil {
		s.hub.remove(c)
		_ = c.writeFrame(protocol.Frame{T: protocol.FrameErr, Err: s.wireError(err, "sync")})
		_ = ws.Close()
		return
	}
	c.start()
}
