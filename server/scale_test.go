package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// BenchmarkRenameFanout10k: in a workspace of 10,000 members, all
// connected, one renames themself. ack-p50/p99 is the time from sending
// profile.update to its answer on the renaming member's websocket; p50/p99
// the time from sending it to the new name's arrival on each of the 9,999
// other members' sockets; server-cpu-us the CPU time of the process that
// runs the server for each of those deliveries (the clients are not in
// it), which depends less on what else runs on the machine. The clients
// are bare sockets reading every frame in two child processes, as on
// other machines: one process may not hold 20,000 sockets, and the
// renaming member's answer must not wait behind 9,999 other sockets'
// reads in one process's scheduler.
func BenchmarkRenameFanout10k(b *testing.B) {
	const members = 10_000
	env := servertest.NewWith(b, servertest.Options{SendQueue: 1024, PingPeriod: time.Hour})
	acme := env.CreateWorkspace("Acme")
	tokens := make([]string, 0, members-1)
	var renamer *servertest.User
	for i := range members {
		u := env.CreateMember(acme.ID, fmt.Sprintf("Member %d", i), map[string]string{"department": fmt.Sprintf("Team %d", i%40)})
		u.Token = env.SignIn(u.Email, u.Password, acme.ID).Token
		if i == 0 {
			renamer = u
			continue
		}
		tokens = append(tokens, u.Token)
	}
	cursor := env.Dial(renamer.Token).Sync(0).Cursor
	addr := strings.TrimPrefix(env.URL, "http://")
	coworkers := startSwarm(b, addr, cursor, tokens)
	me := startSwarm(b, addr, cursor, []string{renamer.Token})
	b.Logf("%d connections open", env.Server.ConnCount())

	var ack, seen []time.Duration
	i := 0
	cpu := processCPU()
	for b.Loop() {
		i++
		name := fmt.Sprintf("Renamed-%d-%d", i, time.Now().UnixNano())
		req, err := protocol.NewRequest(protocol.NewID(), protocol.OpProfileUpdate, protocol.ProfileUpdate{Name: &name})
		if err != nil {
			b.Fatal(err)
		}
		coworkers.watch(name)
		start := time.Now()
		ack = append(ack, me.send(req).Sub(start))
		seen = append(seen, coworkers.arrivals(start)...)
	}
	if cpu := processCPU() - cpu; cpu > 0 {
		b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(i*(members-1)), "server-cpu-us")
	}
	reportPercentilesAs(b, ack, "ack-")
	reportPercentiles(b, seen)
}

// BenchmarkSnapshot10k: a fresh device's sync in a workspace of 10,000
// members (Korean names, a title, a department and a phone each): the
// snapshot in pages, compressed. It reports the time to the sync's answer,
// the bytes on the wire and before compression, and the server's extra
// heap: the most it held above its idle heap while a snapshot was sent
// (peak-heap-MB), sampled every 100 µs with the collector running at
// GOGC=10 so that the peak is what the snapshot holds rather than garbage
// the collector had no reason to clear yet; the client is a bare socket
// that reads and drops the pages.
func BenchmarkSnapshot10k(b *testing.B) {
	env := servertest.NewWith(b, servertest.Options{PingPeriod: time.Hour})
	ws := env.CreateWorkspace("Acme")
	var me *servertest.User
	for i := range 10_000 {
		u := env.CreateMember(ws.ID, koreanName(i), map[string]string{
			"title": "선임 연구원", "department": fmt.Sprintf("개발본부 플랫폼%d팀", i%40), "phone": fmt.Sprintf("+82 10-%04d-%04d", i/100, i%10000)})
		if i == 0 {
			me = u
		}
	}
	token := env.SignIn(me.Email, me.Password, ws.ID).Token
	addr := strings.TrimPrefix(env.URL, "http://")
	_, plain := syncRaw(b, addr, token, true)

	var lat []time.Duration
	var wire int64
	var peak uint64
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	for b.Loop() {
		base := heapObjects(true)
		stop := sampleHeap()
		start := time.Now()
		wire, _ = syncRaw(b, addr, token, false)
		lat = append(lat, time.Since(start))
		if most := stop(); most > base {
			peak = max(peak, most-base)
		}
	}
	reportPercentiles(b, lat)
	b.ReportMetric(float64(wire)/1e6, "wire-MB")
	b.ReportMetric(float64(plain)/1e6, "json-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

var (
	familyNames = []string{"김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"}
	givenNames  = []string{"민준", "서연", "도윤", "하은", "지호", "수아", "예준", "지유", "시우", "서윤", "주원", "하린"}
)

func koreanName(i int) string {
	return fmt.Sprintf("%s%s %d", familyNames[i%len(familyNames)], givenNames[i/len(familyNames)%len(givenNames)], i)
}

// heapObjects is the bytes of heap objects, after a collection if gc.
func heapObjects(gc bool) uint64 {
	if gc {
		runtime.GC()
	}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// sampleHeap watches heapObjects until stop, which returns the most seen.
func sampleHeap() (stop func() uint64) {
	done := make(chan struct{})
	result := make(chan uint64)
	go func() {
		var most uint64
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			most = max(most, heapObjects(false))
			select {
			case <-done:
				result <- most
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		return <-result
	}
}

// syncRaw syncs a fresh device over a bare socket that asks for
// compression, reads up to the sync's answer and returns the bytes read
// and, if inflate, the bytes they inflate to.
func syncRaw(tb testing.TB, addr, token string, inflate bool) (wire, plain int64) {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	fmt.Fprintf(c, "GET /api/sync HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"+
		"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n"+
		"Authorization: Bearer %s\r\n\r\n", addr, token)
	counted := &countingReader{r: c}
	br := bufio.NewReaderSize(counted, 64<<10)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			tb.Fatalf("handshake: %v", err)
		}
		if line == "\r\n" {
			break
		}
	}
	req, _ := json.Marshal(protocol.Frame{T: protocol.FrameReq, ID: "s", Op: protocol.OpSync, Data: []byte(`{"cursor":0}`)})
	if _, err := c.Write(maskedTextFrame(req)); err != nil {
		tb.Fatal(err)
	}
	for {
		rsv1, p := readMessageTB(tb, br, inflate)
		plain += int64(len(p))
		if !rsv1 && bytes.HasPrefix(p, []byte(`{"t":"res","id":"s"`)) {
			return counted.n, plain
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
