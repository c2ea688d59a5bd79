package server

import (
	"encoding/binary"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// frame is one websocket frame from the server, header and payload, as it
// goes on the wire. An event is framed once and the same bytes go to every
// connection that gets it (what gorilla's PreparedMessage does, but as
// bytes the writers can write without blocking and coalesce).
type frame []byte

// Opcodes of the frames built here (RFC 6455 section 5.2).
const (
	opText = 0x1
	opPing = 0x9
)

// textFrame frames payload as one final, unmasked text frame.
func textFrame(payload []byte) frame {
	return append(frameHeader(make([]byte, 0, 10+len(payload)), opText, len(payload)), payload...)
}

// pingFrame is an empty ping; the peer's pong extends its read deadline.
var pingFrame = frame(frameHeader(nil, opPing, 0))

func frameHeader(b []byte, op byte, n int) []byte {
	b = append(b, 0x80|op) // FIN
	switch {
	case n < 126:
		return append(b, byte(n))
	case n <= 0xFFFF:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
}

// writers is the server's pool of goroutines that write queued frames to
// sockets. A write is first tried without blocking (tryWrite): a healthy
// reader's socket has room in its send buffer and takes it at once, so a
// pool the size of the CPU count serves thousands of sockets and a fan-out
// starts no goroutine per recipient. A socket that is busy or cannot take
// all of it gets a goroutine of its own (flushSlow), which writes with a
// deadline until the connection's queue is empty.
type writers struct {
	mu     sync.Mutex
	cond   sync.Cond // signaled when ready grows or closed is set; L is &mu
	ready  []*conn   // connections handed over, oldest first from head; guarded by mu
	head   int       // guarded by mu
	closed bool      // guarded by mu
}

// writerBatch is how many connections a writer takes at a time.
const writerBatch = 64

// start runs n writers counted in wg.
func (w *writers) start(n int, wg *sync.WaitGroup) {
	w.cond.L = &w.mu
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run()
		}()
	}
}

// schedule hands connections whose queue they claimed (claimLocked) to the
// writers.
func (w *writers) schedule(cs ...*conn) {
	if len(cs) == 0 {
		return
	}
	w.mu.Lock()
	w.ready = append(w.ready, cs...)
	w.mu.Unlock()
	w.cond.Broadcast()
}

// close ends the writers once they have gone through what is handed over.
func (w *writers) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.cond.Broadcast()
}

func (w *writers) run() {
	batch := make([]*conn, 0, writerBatch)
	var buf []byte // coalesced frames, reused
	for {
		w.mu.Lock()
		for w.head == len(w.ready) && !w.closed {
			w.cond.Wait()
		}
		if w.head == len(w.ready) {
			w.mu.Unlock()
			return
		}
		end := min(len(w.ready), w.head+writerBatch)
		batch = append(batch[:0], w.ready[w.head:end]...)
		clear(w.ready[w.head:end])
		if w.head = end; w.head == len(w.ready) {
			w.ready, w.head = w.ready[:0], 0
		}
		w.mu.Unlock()
		for _, c := range batch {
			buf = c.flush(buf)
		}
		if cap(buf) > 64<<10 {
			buf = nil // one burst does not keep a big buffer
		}
		// A fan-out keeps every writer busy for a while and their writes
		// never leave the processor: let a reader that waits to answer
		// its client run between batches instead of after a preemption.
		runtime.Gosched()
	}
}

// flush writes c's queue from a pool writer, without blocking, until it is
// empty; then the queue has no owner. It hands the queue (and the socket,
// if it wrote part of a frame) to a flusher of c's own when the socket is
// busy or full. buf is scratch space for coalescing, returned for reuse.
func (c *conn) flush(buf []byte) []byte {
	for {
		c.mu.Lock()
		batch := c.queue
		c.queue = nil
		if c.closed || len(batch) == 0 {
			c.writing = false
			c.mu.Unlock()
			return buf
		}
		c.mu.Unlock()
		if c.sock == nil || hasFinal(batch) || !c.wmu.TryLock() {
			c.goFlushSlow(batch, nil)
			return buf
		}
		b := batch[0].f
		if len(batch) > 1 { // many events in one write
			buf = buf[:0]
			for _, f := range batch {
				buf = append(buf, f.f...)
			}
			b = buf
		}
		n, err := c.sock.tryWrite(b)
		if err != nil {
			c.wmu.Unlock()
			c.kill("write: " + err.Error())
			return buf
		}
		if n < len(b) {
			c.goFlushSlow(nil, append([]byte(nil), b[n:]...)) // keeps wmu
			return buf
		}
		c.wmu.Unlock()
	}
}

// goFlushSlow starts a flusher for a connection whose queue the caller
// owns: it writes rest (the end of a frame, whose start is on the wire:
// wmu is then held and passes to the flusher), then batch, then whatever
// is queued meanwhile. Writers hold a count in srv.wg, so Add here never
// races with the server's Wait.
func (c *conn) goFlushSlow(batch []outFrame, rest []byte) {
	c.srv.wg.Add(1)
	go func() {
		defer c.srv.wg.Done()
		if rest == nil {
			c.wmu.Lock()
		}
		err := c.flushSlow(batch, rest)
		clearWriteDeadline(c)
		c.wmu.Unlock()
		if err != nil {
			c.kill(err.Error())
		}
	}()
}

var errRevoked = errors.New("session revoked")

// hasFinal reports whether a frame of batch closes the connection; the
// flusher writes those (it then writes the close handshake).
func hasFinal(batch []outFrame) bool {
	for _, f := range batch {
		if f.final {
			return true
		}
	}
	return false
}

// flushSlow writes with a deadline on each batch until the queue is empty,
// then lets it go. wmu is held.
func (c *conn) flushSlow(batch []outFrame, rest []byte) error {
	nc, wait := c.ws.NetConn(), c.srv.ws.writeWait
	if len(rest) > 0 {
		_ = nc.SetWriteDeadline(time.Now().Add(wait))
		if _, err := nc.Write(rest); err != nil {
			return err
		}
	}
	for {
		_ = nc.SetWriteDeadline(time.Now().Add(wait)) // once per batch: it is not free
		for _, f := range batch {
			if _, err := nc.Write(f.f); err != nil {
				return err
			}
			if f.final {
				msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "signed out")
				_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(wait))
				return errRevoked
			}
		}
		c.mu.Lock()
		batch = c.queue
		c.queue = nil
		if c.closed || len(batch) == 0 {
			c.writing = false
			c.mu.Unlock()
			return nil
		}
		c.mu.Unlock()
	}
}
