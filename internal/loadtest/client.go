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
	i   int // member index
	nc  net.Conn
	br  *bufio.Reader
	wmu sync.Mutex          // one frame written at a time: requests and pongs
	res chan protocol.Frame // answers to requests after the sync
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
	_ = c.nc.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := c.nc.Write(h)
	return err
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

// run reads until the connection ends, answering pings, handing answers to
// requests to c.res and every data message to onText (whose payload is
// reused after it returns).
func (c *client) run(onText func(c *client, payload []byte)) error {
	var buf []byte
	for {
		op, p, err := c.readMessage(buf)
		if err != nil {
			return err
		}
		switch op {
		case opPing:
			if err := c.writeFrame(opPong, p); err != nil {
				return err
			}
		case opClose:
			return io.EOF
		case opText:
			buf = p[:0]
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
		}
	}
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
