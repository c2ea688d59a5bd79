package server

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	writeWait  time.Duration // one write must complete within this
	queueMax   int           // live frames waiting for a slow connection
	heldMax    int           // live events held while a sync catches up
}

func newWSSettings(cfg Config) wsSettings {
	return wsSettings{
		upgrader: websocket.Upgrader{
			HandshakeTimeout: 10 * time.Second,
			// An idle connection keeps only its read buffer, big enough for
			// a control frame; longer payloads are read past it. The
			// reader's writes (answers, the catch-up) borrow a buffer from
			// the pool; live events never use one (see frame).
			ReadBufferSize:  256,
			WriteBufferSize: 4096,
			WriteBufferPool: &sync.Pool{},
			// permessage-deflate is negotiated, but only snapshot pages go
			// out compressed (writeCompressed, from the reader): gorilla
			// borrows a compressor per message, so idle connections hold
			// none. Everything else, live events included, goes out as
			// plain frames, which the extension allows.
			EnableCompression: true,
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

// outFrame is a frame waiting to be written.
type outFrame struct {
	seq   int64 // event seq; 0 for live-only frames
	f     frame
	final bool // close the connection once it is written
}

// conn is one websocket connection of one session.
//
// Goroutines: the reader (readLoop) owns reading and handles requests in
// order, writing their answers itself. Live frames (events, pings) wait in
// queue for the server's writers, which write them without blocking; a
// connection whose socket cannot take them at once gets a goroutine of its
// own until its queue is empty (see writers). An idle connection costs one
// goroutine. All count in the server's WaitGroup.
type conn struct {
	srv    *Server
	ws     *websocket.Conn
	sock   *socket // for writes tried without blocking; nil: never tried
	caller service.Caller
	slot   int // which keepalive tick pings it (hub.ping)

	// wmu is held by whoever writes to the socket: the reader (answers,
	// pongs, the close handshake), a pool writer or the connection's own
	// flusher. Frames of different writers must never interleave.
	wmu sync.Mutex

	mu      sync.Mutex
	state   streamState // guarded by mu
	lastSeq int64       // newest event seq written or queued; guarded by mu
	held    []outFrame  // live events that came during catch-up; guarded by mu
	queue   []outFrame  // frames for the writers; guarded by mu
	writing bool        // a writer owns the queue and looks at it again before letting go; guarded by mu
	closed  bool        // guarded by mu
	revoked bool        // the session was signed out; guarded by mu

	synced bool // a sync request was seen; used by one request at a time
}

func newConn(srv *Server, ws *websocket.Conn, caller service.Caller) *conn {
	return &conn{srv: srv, ws: ws, sock: newSocket(ws.NetConn()), caller: caller}
}

// start sets the connection up and runs its reader. The caller must hold a
// count in srv.wg (it runs in a tracked handler).
func (c *conn) start() {
	// Oversize frames make gorilla fail the read with close code 1009
	// (message too big) and the connection ends: a peer that sends 1 MB
	// frames is not one to keep reading from.
	c.ws.SetReadLimit(protocol.MaxFrameBytes)
	c.touch()
	c.ws.SetPongHandler(func(string) error { c.touch(); return nil })
	// Gorilla's own handlers would write past wmu.
	c.ws.SetPingHandler(func(data string) error {
		c.touch()
		c.writeControl(websocket.PongMessage, []byte(data))
		return nil
	})
	c.ws.SetCloseHandler(func(code int, _ string) error {
		c.writeControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""))
		return nil
	})
	c.srv.wg.Add(1)
	go c.readLoop()
}

// readLoop reads requests until the connection ends. It spends the life of
// an idle connection parked in ReadMessage, so its frame is kept small:
// with gorilla's and the runtime's frames below it, the goroutine's stack
// then fits (and shrinks) into 4 KB.
func (c *conn) readLoop() {
	var err error
	for err == nil {
		var msg []byte
		if msg, err = c.readMessage(); err == nil {
			c.touch()
			err = c.handleOffStack(msg)
		}
	}
	c.end(err)
}

// errInflatedTooLarge ends a connection whose compressed frame inflates
// past protocol.MaxFrameBytes.
var errInflatedTooLarge = errors.New("frame too large once decompressed")

// readMessage reads one message of at most protocol.MaxFrameBytes. The
// read limit counts the bytes on the wire, which for a compressed frame
// can inflate a thousandfold: past the limit once inflated, the connection
// ends with close code 1009 as an oversize frame does.
func (c *conn) readMessage() ([]byte, error) {
	_, r, err := c.ws.NextReader()
	if err != nil {
		return nil, err
	}
	msg, err := io.ReadAll(io.LimitReader(r, protocol.MaxFrameBytes+1))
	if err != nil {
		return nil, err
	}
	if len(msg) > protocol.MaxFrameBytes {
		c.writeControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseMessageTooBig, ""))
		return nil, errInflatedTooLarge
	}
	return msg, nil
}

// touch extends the read deadline: any frame shows the peer is alive.
func (c *conn) touch() {
	_ = c.ws.SetReadDeadline(time.Now().Add(c.srv.ws.pongWait))
}

// end cleans up after the reader.
func (c *conn) end(err error) {
	c.kill("")
	c.srv.hub.remove(c)
	if !websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
		c.srv.log.Debug("websocket ended", "member", c.caller.MemberID, "err", err)
	}
	c.srv.wg.Done()
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
			Err: protocol.Errorf(protocol.EUnauthorized, "this session was signed out").Because(protocol.RSignedOut)})
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
		b, err = encodeFrame(protocol.Frame{T: f.T, ID: f.ID,
			Err: &protocol.Error{Code: protocol.EInternal, Message: "internal error"}})
		if err != nil {
			// Not even the error can be said: end the connection rather
			// than leave the request unanswered.
			return fmt.Errorf("encode frame: %w", err)
		}
	}
	return c.write(b)
}

// write sends one websocket message, waiting for any writer in progress.
// Answers are written here, by the reader, so a client that sends requests
// faster than it reads answers slows only itself.
func (c *conn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.srv.ws.writeWait))
	err := c.ws.WriteMessage(websocket.TextMessage, b)
	clearWriteDeadline(c)
	return err
}

// writeCompressed is write with permessage-deflate, when the peer agreed
// to it: for large, repetitive frames such as snapshot pages.
func (c *conn) writeCompressed(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.EnableWriteCompression(true)
	defer c.ws.EnableWriteCompression(false)
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.srv.ws.writeWait))
	err := c.ws.WriteMessage(websocket.TextMessage, b)
	clearWriteDeadline(c)
	return err
}

// writeControl writes a control frame for the reader's handlers. An error
// is left for the next read to find.
func (c *conn) writeControl(kind int, data []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.WriteControl(kind, data, time.Now().Add(c.srv.ws.writeWait))
	clearWriteDeadline(c)
}

// clearWriteDeadline removes the deadline a blocking write left on the
// socket: the pool writers try their writes without one, and an expired
// deadline would fail them. wmu is held.
func clearWriteDeadline(c *conn) { _ = c.ws.NetConn().SetWriteDeadline(time.Time{}) }

// deliver queues a stored event for this connection without blocking, and
// reports whether the connection must now be handed to the writers. A
// connection that is too far behind is dropped.
func (c *conn) deliver(seq int64, f frame) (ready bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	switch c.state {
	case stateIdle:
		return false // the client reads it from the store when it syncs
	case stateCatchingUp:
		if len(c.held) >= c.srv.ws.heldMax {
			c.killLocked("too many events during catch-up")
			return false
		}
		c.held = append(c.held, outFrame{seq: seq, f: f})
		return false
	}
	if seq <= c.lastSeq {
		return false // already sent by the replay
	}
	c.lastSeq = seq
	return c.enqueueLocked(outFrame{seq: seq, f: f})
}

// deliverLive queues a live-only frame whatever the stream state; final
// frames (session revoked) close the connection once written. It reports
// whether the connection must now be handed to the writers.
func (c *conn) deliverLive(f frame, final bool) (ready bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	if final {
		c.revoked = true
	}
	return c.enqueueLocked(outFrame{f: f, final: final})
}

func (c *conn) enqueueLocked(f outFrame) (ready bool) {
	if len(c.queue) >= c.srv.ws.queueMax {
		c.killLocked("send queue full")
		return false
	}
	c.queue = append(c.queue, f)
	return c.claimLocked()
}

// claimLocked marks the queue as owned by a writer to come, if it has
// frames and no writer owns it, and reports whether it did: the caller
// then hands the connection to the writers.
func (c *conn) claimLocked() bool {
	if c.writing || c.closed || len(c.queue) == 0 {
		return false
	}
	c.writing = true
	return true
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
	if reason != "" {
		c.srv.log.Debug("dropping websocket", "member", c.caller.MemberID, "reason", reason)
	}
	// Closing the socket does not block; a writer stuck in Write fails.
	// A pool writer's write is over first (it cannot block).
	if c.sock != nil {
		c.sock.close()
	}
	_ = c.ws.NetConn().Close()
}

// handleSync upgrades GET /api/sync to a websocket for the bearer's session.
func (s *Server) handleSync(w http.ResponseWriter, r *http.Request) {
	tok, ok := bearerToken(r)
	if !ok {
		s.writeError(w, protocol.Errorf(protocol.EUnauthorized, "sign in first").Because(protocol.RSignedOut), "sync")
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
	ws.EnableWriteCompression(false) // see writeCompressed
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
		c.kill("") // not ws.Close: a writer may be at the socket

		return
	}
	c.start()
}
