package servertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"worktalk.dev/worktalk/protocol"
)

// Wait is how long Client methods wait for a frame before failing the test.
var Wait = 10 * time.Second

// Client is a raw websocket connection to the sync endpoint. A goroutine
// reads every frame into an inbox, so the server never waits for the test;
// Next and Await take frames out in arrival order. Methods fail the test
// (tb.Fatalf) on errors and timeouts, so call them from the test goroutine.
type Client struct {
	TB testing.TB
	ws *websocket.Conn

	mu     sync.Mutex
	inbox  []protocol.Frame // guarded by mu
	all    []protocol.Frame // every frame received, in order; guarded by mu
	err    error            // why reading stopped; guarded by mu
	notify chan struct{}    // closed and replaced when inbox or err change; guarded by mu

	ids     atomic.Int64
	done    chan struct{}                        // closed when the reader ends
	onFrame func(f protocol.Frame, at time.Time) // set before the reader starts
}

// Dial opens a websocket with the session token; Close runs on cleanup.
func (e *Env) Dial(token string) *Client {
	e.TB.Helper()
	c, resp, err := e.DialErr(token)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		e.TB.Fatalf("dial %s: %v (status %d)", e.WSURL(), err, status)
	}
	return c
}

// DialErr is Dial that returns the error (and the HTTP answer of a refused
// upgrade) instead of failing the test.
func (e *Env) DialErr(token string) (*Client, *http.Response, error) {
	return e.dial(token, nil)
}

// DialObserved is Dial with a function that the reader goroutine calls
// with every frame and the time it arrived, before the frame reaches the
// inbox (for latency measurements). onFrame must not block.
func (e *Env) DialObserved(token string, onFrame func(f protocol.Frame, at time.Time)) *Client {
	e.TB.Helper()
	c, _, err := e.dial(token, onFrame)
	if err != nil {
		e.TB.Fatalf("dial %s: %v", e.WSURL(), err)
	}
	return c
}

func (e *Env) dial(token string, onFrame func(protocol.Frame, time.Time)) (*Client, *http.Response, error) {
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	d := websocket.Dialer{HandshakeTimeout: Wait, EnableCompression: true}
	ws, resp, err := d.Dial(e.WSURL(), h)
	if err != nil {
		return nil, resp, err
	}
	c := &Client{TB: e.TB, ws: ws, notify: make(chan struct{}), done: make(chan struct{}), onFrame: onFrame}
	go c.readLoop()
	e.TB.Cleanup(c.Close)
	return c, resp, nil
}

func (c *Client) readLoop() {
	defer close(c.done)
	for {
		_, b, err := c.ws.ReadMessage()
		var f protocol.Frame
		if err == nil {
			if uerr := json.Unmarshal(b, &f); uerr != nil {
				err = fmt.Errorf("server sent a frame that is not JSON: %q", b)
			}
		}
		if err == nil && c.onFrame != nil {
			c.onFrame(f, time.Now())
		}
		c.mu.Lock()
		if err != nil {
			c.err = err
		} else {
			c.inbox = append(c.inbox, f)
			c.all = append(c.all, f)
		}
		close(c.notify)
		c.notify = make(chan struct{})
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// CompressWrites turns compression of what the client sends on or off (it
// is on once the server agreed to permessage-deflate, which it does).
func (c *Client) CompressWrites(on bool) { c.ws.EnableWriteCompression(on) }

// Close closes the socket and waits for the reader. Safe to call twice.
func (c *Client) Close() {
	_ = c.ws.Close()
	<-c.done
}

// Drop closes the socket abruptly, without a close frame, like a network
// failure would.
func (c *Client) Drop() {
	_ = c.ws.NetConn().Close()
	<-c.done
}

// Closed waits until the server closes the connection and returns the
// read error that ended it.
func (c *Client) Closed() error {
	c.TB.Helper()
	select {
	case <-c.done:
	case <-time.After(Wait):
		c.TB.Fatalf("connection still open after %v, want closed", Wait)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// NewID returns a fresh request id.
func (c *Client) NewID() string {
	return "req-" + strconv.FormatInt(c.ids.Add(1), 10) + "-" + protocol.NewID()[:8]
}

// Send writes a request frame with data v and returns its id.
func (c *Client) Send(op string, v any) string {
	c.TB.Helper()
	id := c.NewID()
	c.SendID(id, op, v)
	return id
}

// SendID writes a request frame with the given id.
func (c *Client) SendID(id, op string, v any) {
	c.TB.Helper()
	f, err := protocol.NewRequest(id, op, v)
	if err != nil {
		c.TB.Fatalf("new request: %v", err)
	}
	c.SendFrame(f)
}

// SendFrame writes any frame.
func (c *Client) SendFrame(f protocol.Frame) {
	c.TB.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		c.TB.Fatalf("marshal frame: %v", err)
	}
	c.SendRaw(b)
}

// SendRaw writes raw bytes as one text message.
func (c *Client) SendRaw(b []byte) {
	c.TB.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		c.TB.Fatalf("write frame: %v", err)
	}
}

// Do sends a request and waits for its "res" frame, leaving every other
// frame in the inbox.
func (c *Client) Do(op string, v any) protocol.Frame {
	c.TB.Helper()
	return c.AwaitRes(c.Send(op, v))
}

// DoOK is Do that fails the test on a refusal and decodes the result into
// out (which may be nil).
func (c *Client) DoOK(op string, v, out any) {
	c.TB.Helper()
	f := c.Do(op, v)
	if f.Err != nil {
		c.TB.Fatalf("%s: refused with %v, want success", op, f.Err)
	}
	if out != nil {
		if err := json.Unmarshal(f.Data, out); err != nil {
			c.TB.Fatalf("%s: decode result %s: %v", op, f.Data, err)
		}
	}
}

// DoCode is Do that expects a refusal and returns its error code ("" on
// success).
func (c *Client) DoCode(op string, v any) string {
	c.TB.Helper()
	f := c.Do(op, v)
	if f.Err == nil {
		return ""
	}
	return f.Err.Code
}

// AwaitRes waits for the "res" frame of request id.
func (c *Client) AwaitRes(id string) protocol.Frame {
	c.TB.Helper()
	return c.Await(func(f protocol.Frame) bool { return f.T == protocol.FrameRes && f.ID == id })
}

// AwaitEvent waits for the first event frame with op (any op if "") for
// which match (if not nil) is true.
func (c *Client) AwaitEvent(op string, match func(protocol.Frame) bool) protocol.Frame {
	c.TB.Helper()
	return c.Await(func(f protocol.Frame) bool {
		return f.T == protocol.FrameEvent && (op == "" || f.Op == op) && (match == nil || match(f))
	})
}

// Await removes and returns the first frame in the inbox for which match is
// true, waiting up to Wait for it. Frames before it stay in the inbox.
func (c *Client) Await(match func(protocol.Frame) bool) protocol.Frame {
	c.TB.Helper()
	f, err := c.AwaitErr(match, Wait)
	if err != nil {
		c.TB.Fatalf("%v", err)
	}
	return f
}

// AwaitErr is Await with its own timeout that returns an error instead of
// failing the test.
func (c *Client) AwaitErr(match func(protocol.Frame) bool, wait time.Duration) (protocol.Frame, error) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		for i, f := range c.inbox {
			if match(f) {
				if i == 0 {
					c.inbox = c.inbox[1:] // the common case: no copying
				} else {
					c.inbox = append(c.inbox[:i:i], c.inbox[i+1:]...)
				}
				c.mu.Unlock()
				return f, nil
			}
		}
		err, notify := c.err, c.notify
		c.mu.Unlock()
		if err != nil {
			return protocol.Frame{}, fmt.Errorf("connection ended before the awaited frame: %w", err)
		}
		select {
		case <-notify:
		case <-deadline.C:
			return protocol.Frame{}, errors.New("timed out waiting for a frame")
		}
	}
}

// Next removes and returns the oldest frame, waiting for one.
func (c *Client) Next() protocol.Frame {
	c.TB.Helper()
	return c.Await(func(protocol.Frame) bool { return true })
}

// Pending returns (and removes) every frame in the inbox without waiting.
func (c *Client) Pending() []protocol.Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	in := c.inbox
	c.inbox = nil
	return in
}

// History returns every frame received so far, in arrival order, whether
// or not it was taken out of the inbox.
func (c *Client) History() []protocol.Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.all)
}

// SyncResult is what a sync request produced.
type SyncResult struct {
	Snapshot *protocol.Snapshot // its pages put together; nil when the server replayed from the cursor
	Events   []protocol.Frame   // replayed events, in order
	Cursor   int64              // from the sync "res"
}

// Sync sends a sync request and collects the snapshot and the replayed
// events up to the sync "res". It fails the test on a refusal or on any
// other frame in between.
func (c *Client) Sync(cursor int64) SyncResult {
	c.TB.Helper()
	id := c.Send(protocol.OpSync, protocol.SyncRequest{Cursor: cursor})
	var out SyncResult
	for {
		f := c.Next()
		switch {
		case f.T == protocol.FrameSnapshot:
			var page protocol.Snapshot
			if err := json.Unmarshal(f.Data, &page); err != nil {
				c.TB.Fatalf("decode snapshot: %v", err)
			}
			if out.Snapshot == nil {
				out.Snapshot = new(protocol.Snapshot)
			}
			if err := out.Snapshot.Append(page); err != nil {
				c.TB.Fatalf("snapshot: %v", err)
			}
		case f.T == protocol.FrameEvent:
			out.Events = append(out.Events, f)
		case f.T == protocol.FrameRes && f.ID == id:
			if f.Err != nil {
				c.TB.Fatalf("sync refused: %v", f.Err)
			}
			if out.Snapshot != nil && !out.Snapshot.Last {
				c.TB.Fatalf("sync answered after snapshot page %d, which is not the last", out.Snapshot.Page)
			}
			var r protocol.SyncResult
			if err := json.Unmarshal(f.Data, &r); err != nil {
				c.TB.Fatalf("decode sync result: %v", err)
			}
			out.Cursor = r.Cursor
			return out
		default:
			c.TB.Fatalf("during sync got frame %+v, want snapshot, event or the sync res", f)
		}
	}
}

// Decode unmarshals a frame's data into v, failing the test on error.
func Decode[T any](tb testing.TB, f protocol.Frame) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(f.Data, &v); err != nil {
		tb.Fatalf("decode %s %s: %v", f.T, f.Op, err)
	}
	return v
}
