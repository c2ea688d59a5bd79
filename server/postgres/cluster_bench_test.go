package postgres_test

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/natsbus/natstest"
)

// BenchmarkClusterFanout1000: messages to a group room of 1,000 connected
// members whose websockets are spread over 1 or 2 nodes sharing PostgreSQL
// and NATS. Both nodes and the 1,000 test clients run in this process, on
// this machine's cores. It reports the delivery latency from the send to
// each socket (p50/p99) and messages per second, in two modes:
//
//   - serial: each message is delivered to all before the next is sent,
//     so msgs/s is 1 / (time to reach all 1,000) and latency is at rest;
//   - window=16: up to 16 messages in flight, so msgs/s is the most the
//     setup sustains and latency includes queueing.
func BenchmarkClusterFanout1000(b *testing.B) {
	for _, window := range []int{1, 16} {
		mode := "serial"
		if window > 1 {
			mode = fmt.Sprintf("window=%d", window)
		}
		for _, nodes := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/nodes=%d", mode, nodes), func(b *testing.B) { benchFanout(b, nodes, 1000, window) })
		}
	}
}

// inFlight is one message on its way to the room.
type inFlight struct {
	sent    time.Time
	pending int // sockets still to receive it
}

func benchFanout(b *testing.B, nodes, members, window int) {
	c := cluster{dbURL: newSchema(b), natsURL: natstest.URL(b), subject: natstest.Subject()}
	ns := make([]*clusterNode, nodes)
	for i := range ns {
		ns[i] = c.start(b)
	}
	env := ns[0].env
	ws := env.CreateWorkspace("Acme")
	users := make([]*servertest.User, members)
	for i := range users {
		users[i] = env.NewUser(ws.ID, fmt.Sprintf("Member %d", i))
	}
	sender := ns[0].env.Dial(users[0].Token)
	cursor := sender.Sync(0).Cursor
	others := make([]string, 0, members-1)
	for _, u := range users[1:] {
		others = append(others, u.ID())
	}
	var room protocol.Room
	sender.DoOK(protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "All hands", Members: others}, &room)

	var (
		mu     sync.Mutex
		flying = map[string]*inFlight{} // by message id; guarded by mu
		lat    []time.Duration          // guarded by mu
		slots  = make(chan struct{}, window)
	)
	idPrefix := []byte(`{"id":"`) // protocol.Message encodes its id first
	observe := func(f protocol.Frame, at time.Time) {
		if f.T != protocol.FrameEvent || f.Op != protocol.EvMessageNew || !bytes.HasPrefix(f.Data, idPrefix) {
			return
		}
		rest := f.Data[len(idPrefix):]
		end := bytes.IndexByte(rest, '"')
		if end < 0 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		m := flying[string(rest[:end])] // cheaper than decoding on 1,000 sockets
		if m == nil {
			return
		}
		lat = append(lat, at.Sub(m.sent))
		if m.pending--; m.pending == 0 {
			delete(flying, string(rest[:end]))
			<-slots
		}
	}
	for i, u := range users[1:] {
		c := ns[(i+1)%nodes].env.DialObserved(u.Token, observe)
		c.Sync(cursor)
	}
	b.ResetTimer()
	for range b.N {
		slots <- struct{}{} // waits while window messages are in flight
		id := sender.NewID()
		mu.Lock()
		flying[id] = &inFlight{sent: time.Now(), pending: members - 1}
		mu.Unlock()
		sender.SendID(id, protocol.OpMessageSend, protocol.SendMessage{RoomID: room.ID, Text: "hello everyone"})
		sender.Pending() // the sender's own answers and events are not measured
	}
	for range window { // the last messages reach everyone
		slots <- struct{}{}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
