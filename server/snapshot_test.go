package server_test

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// TestSnapshotPagesCompressed: a snapshot of a workspace larger than a
// page comes in numbered pages, compressed when the client asked for
// permessage-deflate; the events and answers after it are not compressed.
func TestSnapshotPagesCompressed(t *testing.T) {
	env := servertest.New(t)
	ws := env.CreateWorkspace("Acme")
	alice := env.NewUser(ws.ID, "Alice")
	const members = 1100
	for i := range members {
		env.CreateMember(ws.ID, fmt.Sprintf("멤버 %04d", i), map[string]string{"department": "개발팀"})
	}

	addr := strings.TrimPrefix(env.URL, "http://")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(servertest.Wait))
	fmt.Fprintf(c, "GET /api/sync HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"+
		"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n"+
		"Authorization: Bearer %s\r\n\r\n", addr, alice.Token)
	br := bufio.NewReader(c)
	var header strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("handshake: %v", err)
		}
		header.WriteString(line)
		if line == "\r\n" {
			break
		}
	}
	if !strings.Contains(header.String(), " 101 ") || !strings.Contains(header.String(), "permessage-deflate") {
		t.Fatalf("handshake answer %q, want 101 with permessage-deflate", header.String())
	}
	req, _ := json.Marshal(protocol.Frame{T: protocol.FrameReq, ID: "s", Op: protocol.OpSync, Data: []byte(`{"cursor":0}`)})
	if _, err := c.Write(maskedTextFrame(req)); err != nil {
		t.Fatal(err)
	}

	var snap protocol.Snapshot
	var compressed, plain int
	for {
		rsv1, payload := readMessage(t, br)
		var f protocol.Frame
		if err := json.Unmarshal(payload, &f); err != nil {
			t.Fatalf("frame %q: %v", payload, err)
		}
		if f.T == protocol.FrameSnapshot {
			var page protocol.Snapshot
			if err := json.Unmarshal(f.Data, &page); err != nil {
				t.Fatal(err)
			}
			if err := snap.Append(page); err != nil {
				t.Fatal(err)
			}
			if !rsv1 {
				t.Errorf("snapshot page %d was not compressed", page.Page)
			}
			compressed++
			continue
		}
		if rsv1 {
			t.Errorf("%s frame was compressed, want only snapshot pages", f.T)
		}
		plain++
		if f.T == protocol.FrameRes && f.ID == "s" {
			break
		}
	}
	if !snap.Last || snap.Page < 3 || len(snap.Members) != members+1 {
		t.Fatalf("snapshot: %d pages (last %v), %d members; want at least 3 pages and %d members", snap.Page, snap.Last, len(snap.Members), members+1)
	}
	seen := map[string]bool{}
	for _, m := range snap.Members {
		if seen[m.ID] {
			t.Errorf("member %s came twice", m.ID)
		}
		seen[m.ID] = true
	}
	if snap.Me.ID != alice.ID() || snap.Workspace.ID != ws.ID {
		t.Errorf("snapshot me %s, workspace %s; want %s, %s", snap.Me.ID, snap.Workspace.ID, alice.ID(), ws.ID)
	}
}

// readMessage reads one whole server message (continuation frames joined)
// and inflates it if its first frame has RSV1 set.
func readMessage(t *testing.T, r *bufio.Reader) (rsv1 bool, payload []byte) {
	t.Helper()
	return readMessageTB(t, r, true)
}

// readMessageTB is readMessage that inflates only when asked to (a
// compressed payload not inflated comes back as it was on the wire).
func readMessageTB(t testing.TB, r *bufio.Reader, inflate bool) (rsv1 bool, payload []byte) {
	t.Helper()
	var buf bytes.Buffer
	for first := true; ; first = false {
		var h [2]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			t.Fatalf("read frame: %v", err)
		}
		if first {
			rsv1 = h[0]&0x40 != 0
		}
		n := uint64(h[1] & 0x7f)
		switch n {
		case 126:
			var l [2]byte
			io.ReadFull(r, l[:])
			n = uint64(binary.BigEndian.Uint16(l[:]))
		case 127:
			var l [8]byte
			io.ReadFull(r, l[:])
			n = binary.BigEndian.Uint64(l[:])
		}
		if _, err := io.CopyN(&buf, r, int64(n)); err != nil {
			t.Fatalf("read frame: %v", err)
		}
		if h[0]&0x80 != 0 { // FIN
			break
		}
	}
	if !rsv1 || !inflate {
		return rsv1, buf.Bytes()
	}
	// RFC 7692: the sender dropped the final 00 00 ff ff; put it back.
	buf.Write([]byte{0, 0, 0xff, 0xff, 1, 0, 0, 0xff, 0xff})
	out, err := io.ReadAll(flate.NewReader(&buf))
	if err != nil && err != io.ErrUnexpectedEOF {
		t.Fatalf("inflate: %v", err)
	}
	return true, out
}
