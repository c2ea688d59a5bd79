package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// reportPercentiles reports p50 and p99 of ds in milliseconds.
func reportPercentiles(b *testing.B, ds []time.Duration) { reportPercentilesAs(b, ds, "") }

// reportPercentilesAs reports p50 and p99 with a prefix on the unit.
func reportPercentilesAs(b *testing.B, ds []time.Duration, prefix string) {
	b.Helper()
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		return float64(ds[int(q*float64(len(ds)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), prefix+"p50-ms")
	b.ReportMetric(at(0.99), prefix+"p99-ms")
}

// BenchmarkSendAck: message.send to its "res" on one connection.
func BenchmarkSendAck(b *testing.B) {
	env := servertest.New(b)
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	c := env.Dial(alice.Token)
	c.Sync(0)
	room := protocol.SelfRoomID(alice.ID())
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		id := c.Send(protocol.OpMessageSend, protocol.SendMessage{RoomID: room, Text: fmt.Sprintf("note %d", i)})
		if f := c.AwaitRes(id); f.Err != nil {
			b.Fatalf("send: %v", f.Err)
		}
		lat = append(lat, time.Since(start))
		c.Pending() // the message.new events of this device
	}
	reportPercentiles(b, lat)
}

// BenchmarkFanout1000: one message to a group room of 1,000 connected
// members; the latency is from the send to its arrival on each socket
// (p50/p99), and to the moment the hub has queued it for all of them
// (queued-p50/p99: the service's commit plus the hub's work). The 999
// receivers are bare sockets read by one small goroutine each, so the
// figure is the server's and not a client library's decoding.
func BenchmarkFanout1000(b *testing.B) {
	const members = 1000
	env := servertest.NewWith(b, servertest.Options{SendQueue: 1024, PingPeriod: time.Hour})
	acme := env.CreateWorkspace("Acme")
	users := make([]*servertest.User, members)
	for i := range users {
		users[i] = env.NewUser(acme.ID, fmt.Sprintf("Member %d", i))
	}
	sender := env.Dial(users[0].Token)
	cursor := sender.Sync(0).Cursor
	others := make([]string, 0, members-1)
	for _, u := range users[1:] {
		others = append(others, u.ID())
	}
	var room protocol.Room
	sender.DoOK(protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "All hands", Members: others}, &room)

	var (
		want    atomic.Pointer[[]byte] // `"id":"MESSAGE"` of the message in flight
		arrived = make([]time.Time, members-1)
		wg      sync.WaitGroup // one count per receiver per message
		readers sync.WaitGroup
	)
	addr := strings.TrimPrefix(env.URL, "http://")
	conns := make([]net.Conn, 0, members-1)
	b.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
		readers.Wait()
	})
	for i, u := range users[1:] {
		conn, br := rawSyncedConn(b, addr, u.Token, cursor)
		conns = append(conns, conn)
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				p, err := readServerFrame(br)
				if err != nil {
					return
				}
				if w := want.Load(); w != nil && bytes.Contains(p, *w) {
					arrived[i] = time.Now()
					wg.Done()
				}
			}
		}()
	}
	b.Logf("%d connections open", env.Server.ConnCount())

	// When the service has committed and the hub has queued the event for
	// every socket: this bus subscriber runs after the hub's.
	var (
		mu     sync.Mutex
		sent   time.Time
		queued []time.Duration
	)
	env.Bus.Subscribe(func(ev service.Event) {
		if ev.Op == protocol.EvMessageNew {
			mu.Lock()
			queued = append(queued, time.Since(sent))
			mu.Unlock()
		}
	})
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		id := sender.NewID()
		marker := []byte(`"id":"` + id + `"`)
		wg.Add(members - 1)
		want.Store(&marker)
		mu.Lock()
		sent = time.Now()
		mu.Unlock()
		sender.SendID(id, protocol.OpMessageSend, protocol.SendMessage{RoomID: room.ID, Text: fmt.Sprintf("announcement %d", i)})
		if f := sender.AwaitRes(id); f.Err != nil {
			b.Fatalf("send: %v", f.Err)
		}
		wg.Wait()
		for _, at := range arrived {
			lat = append(lat, at.Sub(sent))
		}
		sender.Pending()
	}
	reportPercentiles(b, lat)
	reportPercentilesAs(b, queued, "queued-")
}

// The memory an idle connection costs is measured by BenchmarkNode in
// internal/loadtest (and cmd/worktalk-load): the node's RSS, read from
// another process. Heap and stacks in this process leave out what the
// runtime and the allocator keep around them.

// rawSyncedConn opens a websocket by hand, syncs from cursor and returns
// the bare socket and the reader holding anything read past the sync "res".
func rawSyncedConn(tb testing.TB, addr, token string, cursor int64) (net.Conn, *bufio.Reader) {
	tb.Helper()
	c, br, err := dialRawSynced(addr, token, cursor)
	if err != nil {
		tb.Fatal(err)
	}
	return c, br
}

// dialRawSynced is rawSyncedConn returning its error.
func dialRawSynced(addr, token string, cursor int64) (net.Conn, *bufio.Reader, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("dial: %w", err)
	}
	fail := func(format string, args ...any) (net.Conn, *bufio.Reader, error) {
		c.Close()
		return nil, nil, fmt.Errorf(format, args...)
	}
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(c, "GET /api/sync HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer %s\r\n\r\n", addr, token)
	br := bufio.NewReaderSize(c, 512)
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, " 101 ") {
		return fail("handshake: %q %v", status, err)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return fail("handshake headers: %v", err)
		}
		if line == "\r\n" {
			break
		}
	}
	req, _ := json.Marshal(protocol.Frame{T: protocol.FrameReq, ID: "s", Op: protocol.OpSync, Data: []byte(fmt.Sprintf(`{"cursor":%d}`, cursor))})
	if _, err := c.Write(maskedTextFrame(req)); err != nil {
		return fail("write sync: %v", err)
	}
	for {
		payload, err := readServerFrame(br)
		if err != nil {
			return fail("read sync answer: %v", err)
		}
		if bytes.Contains(payload, []byte(`"t":"res"`)) {
			break
		}
	}
	_ = c.SetDeadline(time.Time{})
	return c, br, nil
}

// maskedTextFrame is a client text frame with an all-zero mask (XOR with
// zero leaves the payload as it is).
func maskedTextFrame(p []byte) []byte {
	var h []byte
	switch {
	case len(p) < 126:
		h = []byte{0x81, 0x80 | byte(len(p))}
	default:
		h = []byte{0x81, 0x80 | 126, 0, 0}
		binary.BigEndian.PutUint16(h[2:], uint16(len(p)))
	}
	h = append(h, 0, 0, 0, 0)
	return append(h, p...)
}

// readServerFrame reads one unmasked server frame and returns its payload
// (control frames included: their payloads are never JSON).
func readServerFrame(r *bufio.Reader) ([]byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return nil, err
		}
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return nil, err
		}
		n = binary.BigEndian.Uint64(l[:])
	}
	p := make([]byte, n)
	_, err := io.ReadFull(r, p)
	return p, err
}

// BenchmarkCatchUp10k: a device that missed 10,000 messages connects with
// its old cursor; the time is from dialing to the caught-up sync "res".
func BenchmarkCatchUp10k(b *testing.B) {
	const missed = 10_000
	env := servertest.New(b)
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	bob := env.NewUser(acme.ID, "Bob")
	cursor := env.Dial(alice.Token).Sync(0).Cursor

	bobCaller, err := env.Service.Authenticate(context.Background(), bob.Token)
	if err != nil {
		b.Fatal(err)
	}
	room := protocol.DirectRoomID(alice.ID(), bob.ID())
	mustDo(b, env, bobCaller, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomDirect, Members: []string{alice.ID()}})
	for i := range missed {
		mustDo(b, env, bobCaller, protocol.OpMessageSend, protocol.SendMessage{RoomID: room, Text: fmt.Sprintf("message %d while you were away", i)})
	}

	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		c := env.Dial(alice.Token)
		res := c.Sync(cursor)
		lat = append(lat, time.Since(start))
		if res.Snapshot != nil || len(res.Events) < missed {
			b.Fatalf("catch-up: snapshot %v, %d events; want a replay of at least %d", res.Snapshot != nil, len(res.Events), missed)
		}
		c.Close()
	}
	reportPercentiles(b, lat)
}

func mustDo(b *testing.B, env *servertest.Env, c service.Caller, op string, v any) {
	b.Helper()
	d, _ := json.Marshal(v)
	if _, err := env.Service.Do(context.Background(), c, protocol.NewID(), op, d); err != nil {
		b.Fatalf("%s: %v", op, err)
	}
}
