package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// connPair returns a server-side conn (no reader running) and the client
// end of its websocket.
func connPair(t *testing.T, sendQueue int) (*Server, *conn, *websocket.Conn) {
	t.Helper()
	s := New(Config{
		PingPeriod: time.Hour,
		SendQueue:  sendQueue,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	s.writers.start(1, &s.wg)
	got := make(chan *conn, 1)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := s.ws.upgrader.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			close(got)
			return
		}
		got <- newConn(s, ws, service.Caller{MemberID: "m1", SessionID: "s1"})
	}))
	t.Cleanup(hs.Close)
	client, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(hs.URL, "http"), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c := <-got
	if c == nil {
		t.FailNow()
	}
	t.Cleanup(func() {
		c.kill("")
		client.Close()
		s.writers.close()
		s.wg.Wait()
	})
	return s, c, client
}

// deliver hands c an event as the hub does.
func deliver(t *testing.T, c *conn, seq int64) {
	t.Helper()
	b, err := json.Marshal(protocol.Frame{T: protocol.FrameEvent, Seq: seq, Op: protocol.EvMessageNew, Data: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if c.deliver(seq, textFrame(b)) {
		c.srv.writers.schedule(c)
	}
}

func readSeqs(t *testing.T, client *websocket.Conn, n int) []int64 {
	t.Helper()
	_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
	var out []int64
	for range n {
		_, b, err := client.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v (after seqs %v)", err, out)
		}
		var f protocol.Frame
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("decode %q: %v", b, err)
		}
		out = append(out, f.Seq)
	}
	return out
}

// TestCatchUpBoundary: events held during a catch-up that the replay also
// sent are dropped; later ones follow in order, once.
func TestCatchUpBoundary(t *testing.T) {
	_, c, client := connPair(t, 8)

	deliver(t, c, 1) // idle: not wanted, the client has not synced
	c.mu.Lock()
	c.state = stateCatchingUp
	c.mu.Unlock()
	for _, seq := range []int64{5, 6, 7} { // committed while the replay ran
		deliver(t, c, seq)
	}
	c.goLive(6) // the replay sent up to 6
	deliver(t, c, 7)
	deliver(t, c, 8)

	if got, want := readSeqs(t, client, 2), []int64{7, 8}; !slices.Equal(got, want) {
		t.Errorf("client got seqs %v, want %v", got, want)
	}
}

// TestSlowConnectionIsDropped: when the send queue is full, delivery drops
// the connection instead of waiting.
func TestSlowConnectionIsDropped(t *testing.T) {
	const queue = 4
	_, c, client := connPair(t, queue)
	c.goLive(0)
	c.wmu.Lock() // the socket is stuck: the writer cannot write
	done := make(chan struct{})
	go func() {
		defer close(done)
		for seq := int64(1); seq <= 2*queue+2; seq++ {
			deliver(t, c, seq)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("deliver blocked on a stuck connection")
	}
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	c.wmu.Unlock()
	if !closed {
		t.Fatalf("connection open after %d undelivered events with a queue of %d, want dropped", 2*queue+2, queue)
	}
	_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := client.ReadMessage(); err != nil {
			break // closed, as wanted
		}
	}
}

// eventFrame is a framed event whose text is n bytes long.
func eventFrame(t *testing.T, seq int64, n int) frame {
	t.Helper()
	data, err := json.Marshal(protocol.Message{ID: "m", Text: strings.Repeat(string(rune('a'+seq%26)), n)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(protocol.Frame{T: protocol.FrameEvent, Seq: seq, Op: protocol.EvMessageNew, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return textFrame(b)
}

// readEvents reads n event frames and checks their seqs run from 1 and
// their texts are whole.
func readEvents(t *testing.T, client *websocket.Conn, n int, size func(seq int64) int) {
	t.Helper()
	_ = client.SetReadDeadline(time.Now().Add(10 * time.Second))
	for want := int64(1); want <= int64(n); want++ {
		_, b, err := client.ReadMessage()
		if err != nil {
			t.Fatalf("read event %d: %v", want, err)
		}
		f, err := protocol.DecodeFrame(b)
		if err != nil {
			t.Fatalf("event %d: %v", want, err)
		}
		var m protocol.Message
		if err := json.Unmarshal(f.Data, &m); err != nil {
			t.Fatalf("event %d data: %v", want, err)
		}
		if f.Seq != want || m.Text != strings.Repeat(string(rune('a'+want%26)), size(want)) {
			t.Fatalf("got seq %d with a %d-byte text, want seq %d with %d bytes", f.Seq, len(m.Text), want, size(want))
		}
	}
}

// TestSlowReaderGetsEverything: a reader whose socket is full is not a
// dead one. The writers hand its connection to a flusher of its own, which
// waits for the socket; once the reader reads again it gets every frame,
// whole and in order, including the one the pool's write cut in the middle.
func TestSlowReaderGetsEverything(t *testing.T) {
	const events = 40
	_, c, client := connPair(t, 2*events)
	// A small send buffer fills after a few frames (the peer's receive
	// buffer, some 100 KB before it reads, too).
	if err := c.ws.NetConn().(*net.TCPConn).SetWriteBuffer(4096); err != nil {
		t.Fatal(err)
	}
	c.goLive(0)
	size := func(seq int64) int {
		if seq == 1 {
			return 300_000 // more than the buffers take: written in part; a 64-bit length
		}
		return 16_000
	}
	for seq := int64(1); seq <= events; seq++ {
		if c.deliver(seq, eventFrame(t, seq, size(seq))) {
			c.srv.writers.schedule(c)
		}
	}
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		t.Fatal("a connection whose reader is only slow was dropped")
	}
	readEvents(t, client, events, size)
}

// TestQueuedFramesGoTogether: frames queued before a writer takes the
// connection are written together (one write) and arrive as separate,
// whole messages.
func TestQueuedFramesGoTogether(t *testing.T) {
	_, c, client := connPair(t, 8)
	c.goLive(0)
	size := func(int64) int { return 100 }
	ready := c.deliver(1, eventFrame(t, 1, 100))
	for seq := int64(2); seq <= 5; seq++ {
		if c.deliver(seq, eventFrame(t, seq, 100)) {
			t.Fatalf("deliver %d asked for a writer while one owns the queue", seq)
		}
	}
	if !ready {
		t.Fatal("the first frame did not ask for a writer")
	}
	c.srv.writers.schedule(c)
	readEvents(t, client, 5, size)
}

// TestUnencodableAnswerBecomesInternalError: an answer that cannot be
// encoded reaches the client as an internal error for its request.
func TestUnencodableAnswerBecomesInternalError(t *testing.T) {
	_, c, client := connPair(t, 8)
	if err := c.writeFrame(protocol.Frame{T: protocol.FrameRes, ID: "r1", Data: []byte("{not json")}); err != nil {
		t.Fatalf("writeFrame: %v", err)
	}
	_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, b, err := client.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var f protocol.Frame
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if f.ID != "r1" || f.Err == nil || f.Err.Code != protocol.EInternal {
		t.Errorf("got %s, want an internal error for r1", b)
	}
}
