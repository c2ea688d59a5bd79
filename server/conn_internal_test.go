package server

import (
	"encoding/json"
	"io"
	"log/slog"
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
		s.wg.Wait()
	})
	return s, c, client
}

func eventBytes(t *testing.T, seq int64) []byte {
	t.Helper()
	b, err := json.Marshal(protocol.Frame{T: protocol.FrameEvent, Seq: seq, Op: protocol.EvMessageNew, Data: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	return b
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

	c.deliver(1, eventBytes(t, 1)) // idle: not wanted, the client has not synced
	c.mu.Lock()
	c.state = stateCatchingUp
	c.mu.Unlock()
	for _, seq := range []int64{5, 6, 7} { // committed while the replay ran
		c.deliver(seq, eventBytes(t, seq))
	}
	c.goLive(6) // the replay sent up to 6
	c.deliver(7, eventBytes(t, 7))
	c.deliver(8, eventBytes(t, 8))

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
			c.deliver(seq, eventBytes(t, seq))
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
