package client

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/procmem"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// bigSnapshot is a workspace of 200 members with 100 rooms.
func bigSnapshot() protocol.Snapshot {
	s := testSnapshot()
	for i := range 200 {
		s.Members = append(s.Members, protocol.Profile{ID: fmt.Sprintf("m%03d", i), WorkspaceID: "w1", Name: fmt.Sprintf("Member %03d", i), Version: 1,
			Fields: map[string]string{"title": "Engineer", "department": "R&D"}})
	}
	for i := range 100 {
		other := fmt.Sprintf("m%03d", i)
		s.Rooms = append(s.Rooms, protocol.Room{ID: protocol.DirectRoomID("me", other), Kind: protocol.RoomDirect, CreatedAt: int64(i),
			Members: []protocol.RoomMember{{ID: "me", Name: "Alice"}, {ID: other, Name: "Member " + other}}})
	}
	return s
}

func percentile(ds []time.Duration, p float64) time.Duration {
	slices.Sort(ds)
	return ds[int(float64(len(ds)-1)*p)]
}

// storeVariants are the local stores the benchmarks compare in one run:
// encrypted at rest as the app runs, and the same engine without encryption.
var storeVariants = []struct {
	name  string
	plain bool
}{
	{"plain", true},
	{"encrypted", false},
}

// BenchmarkCommandToWatch measures a local command until a watcher holds
// the new state.
func BenchmarkCommandToWatch(b *testing.B) {
	for _, v := range storeVariants {
		b.Run(v.name, func(b *testing.B) {
			ctx := context.Background()
			e := benchOfflineEngine(b, bigSnapshot(), v.plain)
			ch := e.Watch(ctx)
			<-ch
			room := protocol.DirectRoomID("me", "m007")
			var lat []time.Duration
			for b.Loop() {
				start := time.Now()
				if _, err := e.SendMessage(ctx, room, "hello"); err != nil {
					b.Fatal(err)
				}
				<-ch
				lat = append(lat, time.Since(start))
			}
			b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
		})
	}
}

func benchOfflineEngine(b *testing.B, snap protocol.Snapshot, plain bool) *Engine {
	b.Helper()
	opt, acct := benchAccount(b, b.TempDir(), plain)
	e, err := Open(context.Background(), opt, acct)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	if err := e.applySnapshot(context.Background(), snap); err != nil {
		b.Fatal(err)
	}
	return e
}

func benchAccount(b *testing.B, dir string, plain bool) (Options, Account) {
	acct := Account{ServerURL: "http://127.0.0.1:1", MemberID: "me", WorkspaceID: "w1"}
	opt := optionsFor(b, dir, acct)
	opt.plainStore = plain
	return opt, acct
}

// BenchmarkColdOpen100k opens a store of 100,000 messages in 100 rooms and
// reports the time to the first full state and the Go heap it holds.
func BenchmarkColdOpen100k(b *testing.B) {
	for _, v := range storeVariants {
		b.Run(v.name, func(b *testing.B) { benchColdOpen(b, v.plain) })
	}
}

func benchColdOpen(b *testing.B, plain bool) {
	ctx := context.Background()
	dir := b.TempDir()
	opt, acct := benchAccount(b, dir, plain)
	adir, err := accountDir(opt, acct)
	if err != nil {
		b.Fatal(err)
	}
	db, err := openStoreForBench(opt, acct, adir)
	if err != nil {
		b.Fatal(err)
	}
	snap := bigSnapshot()
	if _, err := db.ApplySnapshot(ctx, snap); err != nil {
		b.Fatal(err)
	}
	const n = 100000
	evs := make([]store.Event, 0, 10000)
	for i := range n {
		seq := int64(2 + i)
		m := protocol.Message{ID: fmt.Sprintf("x%06d", i), RoomID: snap.Rooms[1+i%100].ID, SenderID: "me", Kind: protocol.MessageText,
			Text: fmt.Sprintf("message number %d with some ordinary chat text in it", i), Seq: seq, SentAt: 1700000000000 + seq}
		evs = append(evs, store.Event{Seq: seq, Op: protocol.EvMessageNew, Data: mustJSON(b, m)})
		if len(evs) == cap(evs) {
			if _, err := db.ApplyEvents(ctx, evs); err != nil {
				b.Fatal(err)
			}
			evs = evs[:0]
		}
	}
	db.Close()
	var heap, total uint64
	var rss int64
	for b.Loop() {
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		rssBefore := vmRSS()
		e, err := Open(ctx, opt, acct)
		if err != nil {
			b.Fatal(err)
		}
		st := e.State()
		if len(st.Rooms) != 101 || st.Rooms[0].Last == nil {
			b.Fatalf("state has %d rooms, want 101 with messages", len(st.Rooms))
		}
		b.StopTimer()
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc)
		total = after.HeapAlloc
		rss = max(rss, vmRSS()-rssBefore) // the first open shows the growth
		runtime.KeepAlive(st)
		e.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(heap)/(1<<20), "engine-heap-MB")
	b.ReportMetric(float64(total)/(1<<20), "process-heap-MB")
	b.ReportMetric(float64(rss)/(1<<10), "rss-growth-MB")
}

func openStoreForBench(opt Options, acct Account, dir string) (*store.DB, error) {
	if err := mkdirAll(dir); err != nil {
		return nil, err
	}
	return openStore(opt.Secrets, acct, dir, opt.plainStore)
}

// BenchmarkCatchUp10kEndToEnd measures a device that missed 10,000 messages
// reconnecting until it has caught up: server replay, websocket and store.
func BenchmarkCatchUp10kEndToEnd(b *testing.B) {
	for _, v := range storeVariants {
		b.Run(v.name, func(b *testing.B) { benchCatchUpEndToEnd(b, v.plain) })
	}
}

func benchCatchUpEndToEnd(b *testing.B, plain bool) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		w := newWorld(b)
		ws := w.env.CreateWorkspace("Acme")
		alice := w.env.NewUser(ws.ID, "Alice")
		bob := w.env.NewUser(ws.ID, "Bob")
		opt := w.options(b)
		opt.plainStore = plain
		e := mustOpen(b, opt, w.account(b, opt, alice, w.proxy))
		waitFor(b, e, "online", online)
		w.gate.Set(false)
		w.proxy.SetDown(true)
		waitFor(b, e, "offline", func(s State) bool { return !s.Conn.Online })
		bc, err := w.env.Service.Authenticate(ctx, bob.Token)
		if err != nil {
			b.Fatal(err)
		}
		room := protocol.DirectRoomID(alice.ID(), bob.ID())
		if _, err := w.env.Service.Do(ctx, bc, protocol.NewID(), protocol.OpRoomCreate, mustJSON(b, protocol.CreateRoom{Kind: protocol.RoomDirect, Members: []string{alice.ID()}})); err != nil {
			b.Fatal(err)
		}
		for i := range 10000 {
			if _, err := w.env.Service.Do(ctx, bc, protocol.NewID(), protocol.OpMessageSend, mustJSON(b, protocol.SendMessage{RoomID: room, Text: fmt.Sprintf("missed %d", i)})); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		w.proxy.SetDown(false)
		w.gate.Set(true)
		waitFor(b, e, "caught up", func(s State) bool { return s.Conn.Online && lastText(s, room) == "missed 9999" })
		b.StopTimer()
		e.Close()
		b.StartTimer()
	}
}

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o700) }

// vmRSS returns the resident set size of this process in KB (Linux), which
// also counts SQLite's memory: modernc.org/sqlite allocates outside the Go heap.
func vmRSS() int64 {
	m, _ := procmem.Read(os.Getpid())
	return int64(m.RSS >> 10)
}

// BenchmarkFreshDevice10k: a new device signs in to a workspace of 10,000
// members; the time from opening the engine to a state that holds all of
// them (snapshot pages over the websocket, the store, the state).
func BenchmarkFreshDevice10k(b *testing.B) {
	const members = 10_000
	w := newWorld(b)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	for i := range members - 1 {
		w.env.CreateMember(ws.ID, fmt.Sprintf("동료 %05d", i), map[string]string{"title": "Engineer", "department": fmt.Sprintf("Team %d", i%40), "phone": "+82 10-1234-5678"})
	}
	var lat []time.Duration
	for b.Loop() {
		opt := w.options(b)
		acct := w.account(b, opt, alice, w.proxy)
		start := time.Now()
		e := mustOpen(b, opt, acct)
		waitFor(b, e, "every member", func(s State) bool { return len(s.Members) == members-1 })
		lat = append(lat, time.Since(start))
		b.StopTimer()
		e.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
}

// BenchmarkApplySnapshot10k: the engine's part of a fresh device's sign-in
// to a workspace of 10,000: the snapshot into the store and the state
// every watcher gets.
func BenchmarkApplySnapshot10k(b *testing.B) {
	snap := testSnapshot()
	for i := range 10_000 {
		snap.Members = append(snap.Members, protocol.Profile{ID: fmt.Sprintf("m%05d", i), WorkspaceID: "w1", Name: fmt.Sprintf("동료 %05d", i), Version: 1,
			Fields: map[string]string{"title": "Engineer", "department": fmt.Sprintf("Team %d", i%40), "phone": "+82 10-1234-5678"}})
	}
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		opt, acct := benchAccount(b, b.TempDir(), false)
		e, err := Open(ctx, opt, acct)
		if err != nil {
			b.Fatal(err)
		}
		ch := e.Watch(ctx)
		<-ch
		b.StartTimer()
		if err := e.applySnapshot(ctx, snap); err != nil {
			b.Fatal(err)
		}
		for s := range ch {
			if len(s.Members) >= 10_000 {
				break
			}
		}
		b.StopTimer()
		e.Close()
		b.StartTimer()
	}
}
