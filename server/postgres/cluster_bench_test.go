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

// BenchmarkClusterFanout1000: one message at a time to a group room of
// 1,000 connected members whose websockets are spread over 1 or 2 nodes
// sharing PostgreSQL and NATS. It reports the delivery latency from the
// send to each socket (p50/p99) and messages per second (each message
// delivered to all before the next is sent).
func BenchmarkClusterFanout1000(b *testing.B) {
	for _, nodes := range []int{1, 2} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) { benchFanout(b, nodes, 1000) })
	}
}

func benchFanout(b *testing.B, nodes, members int) {
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
		mu   sync.Mutex
		sent time.Time
		want []byte
		lat  []time.Duration
		wg   sync.WaitGroup
	)
	observe := func(f protocol.Frame, at time.Time) {
		if f.T != protocol.FrameEvent || f.Op != protocol.EvMessageNew {
			return
		}
		mu.Lock()
		if want != nil && bytes.Contains(f.Data, want) { // cheaper than decoding on 1,000 sockets
			lat = append(lat, at.Sub(sent))
			wg.Done()
		}
		mu.Unlock()
	}
	for i, u := range users[1:] {
		c := ns[(i+1)%nodes].env.DialObserved(u.Token, observe)
		c.Sync(cursor)
	}
	for b.Loop() {
		id := sender.NewID()
		mu.Lock()
		want = []byte(`"id":"` + id + `"`)
		wg.Add(members - 1)
		sent = time.Now()
		mu.Unlock()
		sender.SendID(id, protocol.OpMessageSend, protocol.SendMessage{RoomID: room.ID, Text: "hello everyone"})
		wg.Wait()
		sender.AwaitRes(id)
		sender.Pending()
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
