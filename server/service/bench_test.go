package service_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// BenchmarkSendMessage: one message.send in a 1:1 room, commit to answer.
func BenchmarkSendMessage(b *testing.B) {
	e, w := newWorld(b)
	if err := direct(e, w.a1, w.a2); err != nil {
		b.Fatal(err)
	}
	benchSend(b, e, w.a1, protocol.DirectRoomID(w.a1.MemberID, w.a2.MemberID))
}

// BenchmarkSendMessageGroup1000: message.send in a room of 1,000 members,
// which writes one feed row per member.
func BenchmarkSendMessageGroup1000(b *testing.B) {
	e, w := newWorld(b)
	ids := make([]string, 0, 999)
	for i := range 999 {
		ids = append(ids, e.member(w.A, fmt.Sprintf("m%d@acme.test", i), fmt.Sprintf("Member %d", i)).MemberID)
	}
	var room protocol.Room
	e.mustDo(w.a1, protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "all", Members: ids}, &room)
	benchSend(b, e, w.a1, room.ID)
}

func benchSend(b *testing.B, e *env, c service.Caller, room string) {
	data, _ := json.Marshal(protocol.SendMessage{RoomID: room, Text: "hello"})
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := e.svc.Do(e.ctx, c, fmt.Sprintf("b%d", i), protocol.OpMessageSend, data); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkCatchUp10k: EventsSince pages through 10,000 missed messages.
func BenchmarkCatchUp10k(b *testing.B) {
	e, w := newWorld(b)
	if err := direct(e, w.a1, w.a2); err != nil {
		b.Fatal(err)
	}
	room := protocol.DirectRoomID(w.a1.MemberID, w.a2.MemberID)
	snap, err := e.svc.Snapshot(e.ctx, w.a2)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10_000 {
		data, _ := json.Marshal(protocol.SendMessage{RoomID: room, Text: "missed"})
		if _, err := e.svc.Do(e.ctx, w.a1, fmt.Sprintf("c%d", i), protocol.OpMessageSend, data); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		cursor, n := snap.Cursor, 0
		for {
			evs, err := e.svc.EventsSince(e.ctx, w.a2, cursor, 1000)
			if err != nil {
				b.Fatal(err)
			}
			if len(evs) == 0 {
				break
			}
			n += len(evs)
			cursor = evs[len(evs)-1].Seq
		}
		if n != 10_000 {
			b.Fatalf("caught up %d events, want 10000", n)
		}
	}
}

// BenchmarkSignIn: one sign-in with the production Argon2id parameters.
func BenchmarkSignIn(b *testing.B) {
	e := newEnv(b)
	ws := e.workspace("Acme", true)
	svc := service.New(service.Config{Store: e.db, Now: e.clock.Now})
	if _, err := svc.CreateMember(e.ctx, service.NewMember{WorkspaceID: ws, Email: "a@acme.test", Password: testPassword, Name: "A"}); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		e.clock.Advance(time.Minute)
		if _, err := svc.SignIn(e.ctx, protocol.SignInRequest{Email: "a@acme.test", Password: testPassword}, fmt.Sprint(i)); err != nil {
			b.Fatal(err)
		}
	}
}
