package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"worktalk.dev/worktalk/protocol"
)

// client is one measured connection: a bare websocket written by hand, so
// that the clients, which share the machine with the node, cost as little
// as they can and every byte read is the node's.
type client struct {
	i   int                 // member index
	res chan protocol.Frame // answers to requests after the sync

	wmu sync.Mutex // one frame written at a time: requests and pongs
	// Until a poller takes the socket over (poller.add), nc and br; then
	// fd, which the poller reads and writes go to.
	nc net.Conn      // guarded by wmu once the poller runs
	br *bufio.Reader // until the sync's answer
	fd int           // guarded by wmu

	// Used by the one goroutine that reads c after its sync (a poller).
	pending []byte // the start of a frame not all read yet
	frag    []byte // the fragments of a message so far
	ended   bool   // the connection ended; it is read no more
}

// Websocket opcodes (RFC 6455 section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// dial opens a websocket to addr from the local address src, signed in
// with token, and syncs it from cursor. It returns once the sync's answer
// has come: the connection is then live.
func dial(ctx context.Context, i int, src net.IP, addr, token string, cursor int64) (*client, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 10 * time.Second}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &client{i: i, nc: nc, br: bufio.NewReaderSize(nc, 4096), res: make(chan protocol.Frame, 4)}
	if err := c.handshake(addr, token, cursor); err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

func (c *client) handshake(addr, token string, cursor int64) error {
	_ = c.nc.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c.nc, "GET /api/sync HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"+
		"Authorization: Bearer %s\r\n\r\n", addr, token)
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("handshake: %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	if err := c.request("sync", protocol.OpSync, protocol.SyncRequest{Cursor: cursor}); err != nil {
		return err
	}
	var buf []byte
	for {
		op, p, err := c.readMessage(buf)
		if err != nil {
			return fmt.Errorf("sync: %w", err)
		}
		buf = p[:0]
		if op == opPing {
			if err := c.writeFrame(opPong, p); err != nil {
				return err
			}
			continue
		}
		if op != opText || !bytes.Contains(p, []byte(`"t":"res"`)) {
			continue // replayed events, if any
		}
		f, err := protocol.DecodeFrame(p)
		if err != nil {
			return fmt.Errorf("sync answer: %w", err)
		}
		if f.ID != "sync" {
			continue
		}
		if f.Err != nil {
			return fmt.Errorf("sync: %w", f.Err)
		}
		// A poller reads the socket from here on; it starts with what
		// the reader has read past the answer.
		if n := c.br.Buffered(); n > 0 {
			b, _ := c.br.Peek(n)
			c.pending = append(c.pending, b...)
		}
		c.br = nil
		return c.nc.SetDeadline(time.Time{})
	}
}

// request writes a request frame.
func (c *client) request(id, op string, v any) error {
	f, err := protocol.NewRequest(id, op, v)
	if err != nil {
		return err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return c.writeFrame(opText, b)
}

// writeFrame writes one final frame, masked as a client must; the mask is
// zero, which leaves the payload as it is.
func (c *client) writeFrame(op byte, p []byte) error {
	h := make([]byte, 0, 14+len(p))
	h = append(h, 0x80|op)
	switch {
	case len(p) < 126:
		h = append(h, 0x80|byte(len(p)))
	case len(p) <= 0xFFFF:
		h = append(h, 0x80|126)
		h = binary.BigEndian.AppendUint16(h, uint16(len(p)))
	default:
		h = append(h, 0x80|127)
		h = binary.BigEndian.AppendUint64(h, uint64(len(p)))
	}
	h = append(h, 0, 0, 0, 0)
	h = append(h, p...)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.nc == nil {
		return writeFD(c.fd, h)
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := c.nc.Write(h)
	return err
}

// close closes the connection.
func (c *client) close() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.nc != nil {
		c.nc.Close()
		return
	}
	closeFD(c.fd)
}

var errProtocol = errors.New("websocket protocol error")

// readMessage reads the next control frame or complete data message,
// appending its payload to buf.
func (c *client) readMessage(buf []byte) (op byte, payload []byte, err error) {
	msg := buf[:0]
	var msgOp byte
	for {
		var h [2]byte
		if _, err := io.ReadFull(c.br, h[:]); err != nil {
			return 0, nil, err
		}
		fin, fop, n := h[0]&0x80 != 0, h[0]&0x0F, uint64(h[1]&0x7F)
		if h[1]&0x80 != 0 {
			return 0, nil, fmt.Errorf("%w: masked server frame", errProtocol)
		}
		switch n {
		case 126:
			var l [2]byte
			if _, err := io.ReadFull(c.br, l[:]); err != nil {
				return 0, nil, err
			}
			n = uint64(binary.BigEndian.Uint16(l[:]))
		case 127:
			var l [8]byte
			if _, err := io.ReadFull(c.br, l[:]); err != nil {
				return 0, nil, err
			}
			n = binary.BigEndian.Uint64(l[:])
		}
		if n+uint64(len(msg)) > 2*protocol.MaxFrameBytes {
			return 0, nil, fmt.Errorf("%w: a %d-byte frame", errProtocol, n)
		}
		if fop >= opClose { // control frames come whole, even between fragments
			p := make([]byte, n)
			_, err := io.ReadFull(c.br, p)
			return fop, p, err
		}
		if fop != opContinuation {
			msgOp = fop
		}
		start := len(msg)
		msg = append(msg, make([]byte, n)...)
		if _, err := io.ReadFull(c.br, msg[start:]); err != nil {
			return 0, nil, err
		}
		if fin {
			return msgOp, msg, nil
		}
	}
}

// consume handles the complete frames at the start of b: it answers
// pings, hands answers to requests to c.res and every data message to
// onText (whose payload is not kept after it returns). It returns how
// many bytes it used; the rest is the start of a frame still to come.
func (c *client) consume(b []byte, onText func(c *client, payload []byte)) (int, error) {
	used := 0
	for {
		rest := b[used:]
		if len(rest) < 2 {
			return used, nil
		}
		fin, op, n, hl := rest[0]&0x80 != 0, rest[0]&0x0F, uint64(rest[1]&0x7F), 2
		if rest[1]&0x80 != 0 {
			return used, fmt.Errorf("%w: masked server frame", errProtocol)
		}
		switch n {
		case 126:
			if len(rest) < 4 {
				return used, nil
			}
			n, hl = uint64(binary.BigEndian.Uint16(rest[2:])), 4
		case 127:
			if len(rest) < 10 {
				return used, nil
			}
			n, hl = binary.BigEndian.Uint64(rest[2:]), 10
		}
		if n > 2*protocol.MaxFrameBytes {
			return used, fmt.Errorf("%w: a %d-byte frame", errProtocol, n)
		}
		if uint64(len(rest)-hl) < n {
			return used, nil
		}
		p := rest[hl : hl+int(n)]
		used += hl + int(n)
		switch op {
		case opPing:
			if err := c.writeFrame(opPong, p); err != nil {
				return used, err
			}
		case opClose:
			return used, io.EOF
		case opText, opContinuation:
			if !fin || len(c.frag) > 0 { // a fragment: keep it until the last
				c.frag = append(c.frag, p...)
				if !fin {
					continue
				}
				p, c.frag = c.frag, nil
			}
			if err := c.onData(p, onText); err != nil {
				return used, err
			}
		}
	}
}

func (c *client) onData(p []byte, onText func(c *client, payload []byte)) error {
	if bytes.Contains(p, []byte(`"t":"res"`)) {
		f, err := protocol.DecodeFrame(p)
		if err != nil {
			return err
		}
		select {
		case c.res <- f:
		default:
			return fmt.Errorf("%w: an answer nobody asked for (%s)", errProtocol, f.ID)
		}
	}
	onText(c, p)
	return nil
}

// await waits for the answer to request id.
func (c *client) await(id string, d time.Duration) (protocol.Frame, error) {
	timeout := time.After(d)
	for {
		select {
		case f := <-c.res:
			if f.ID != id {
				return f, fmt.Errorf("answer to %q while waiting for %q", f.ID, id)
			}
			if f.Err != nil {
				return f, f.Err
			}
			return f, nil
		case <-timeout:
			return protocol.Frame{}, fmt.Errorf("no answer to %s in %v", id, d)
		}
	}
}
