package loadtest

import (
	"context"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if IsNode() {
		os.Exit(NodeMain()) // Run starts this test binary again as its node
	}
	os.Exit(m.Run())
}

// TestRunSmall runs every phase of a measurement at a small size, so that
// the tool behind the capacity figures keeps working.
func TestRunSmall(t *testing.T) {
	const conns = 40
	var logs strings.Builder
	rep, err := Run(context.Background(), Config{
		Conns: conns, Rooms: []int{conns, 8}, Messages: 5, Sources: 3, Writers: 4, Writes: 20,
		Log: &logs, ProfileDir: t.TempDir(),
	})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, logs.String())
	}
	if rep.Open != conns || rep.Dropped != 0 {
		t.Errorf("open %d, dropped %d; want %d and 0", rep.Open, rep.Dropped, conns)
	}
	if rep.Empty.Node.Conns != 0 || rep.Synced.Node.Conns != conns {
		t.Errorf("node connections: empty %d, synced %d; want 0 and %d", rep.Empty.Node.Conns, rep.Synced.Node.Conns, conns)
	}
	if rep.Empty.AfterRelease == 0 || rep.Synced.AfterRelease <= rep.Empty.AfterRelease {
		t.Errorf("RSS: empty %d, synced %d; want both set and growing", rep.Empty.AfterRelease, rep.Synced.AfterRelease)
	}
	if len(rep.Fanouts) != 2 {
		t.Fatalf("%d fan-outs measured, want 2", len(rep.Fanouts))
	}
	for _, f := range rep.Fanouts {
		if f.Each.N != 5*(f.Members-1) || f.Last.N != 5 {
			t.Errorf("room of %d: %d deliveries and %d messages timed, want %d and 5", f.Members, f.Each.N, f.Last.N, 5*(f.Members-1))
		}
		if f.Deliveries != 6*(f.Members-1) || f.ClientsCPU <= 0 {
			t.Errorf("room of %d: %d deliveries, clients' CPU %v; want %d and some", f.Members, f.Deliveries, f.ClientsCPU, 6*(f.Members-1))
		}
		if f.Last.P50 <= 0 || f.Last.P50 > f.Last.P99 || f.Last.P99 > f.Last.Max {
			t.Errorf("room of %d: last delivery p50 %v, p99 %v, max %v", f.Members, f.Last.P50, f.Last.P99, f.Last.Max)
		}
	}
	if rep.Writes == nil || rep.Writes.Ack.N != 20 || rep.Writes.PerSecond() <= 0 {
		t.Errorf("writes: %+v, want 20 acknowledged", rep.Writes)
	}
	var out strings.Builder
	rep.Print(&out)
	if !strings.Contains(out.String(), "websockets open at the end: 40 of 40; dropped: 0") {
		t.Errorf("report:\n%s", out.String())
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Conns: 1},
		{Conns: 10, Rooms: []int{11}},
		{Conns: 10, Rooms: []int{1}},
		{Conns: 10, Writers: 11, Writes: 20},
		{Conns: 10, Writers: 4, Writes: 3},
		{Conns: 10, Sources: 251},
	} {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("Run(%+v) = nil error, want one", cfg)
		}
	}
}

func TestPercentiles(t *testing.T) {
	ds := make([]time.Duration, 0, 200)
	for i := 200; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	p := percentiles(ds)
	if p.N != 200 || p.P50 != 100*time.Millisecond || p.P99 != 198*time.Millisecond || p.Max != 200*time.Millisecond {
		t.Errorf("percentiles of 1..200 ms = %+v, want p50 100ms, p99 198ms, max 200ms", p)
	}
	if p := percentiles(nil); p != (Percentiles{}) {
		t.Errorf("percentiles(nil) = %+v, want zero", p)
	}
}

var (
	benchConns = flag.Int("load.conns", 1000, "BenchmarkNode: synced connections")
	benchRooms = flag.String("load.rooms", "", "BenchmarkNode: comma-separated room sizes (default: 1000 and -load.conns)")
)

// BenchmarkNode is worktalk-load as a benchmark: one measurement per
// iteration (run it with -benchtime 1x). For 10,000 connections:
//
//	go test -run '^$' -bench Node -benchtime 1x ./internal/loadtest/ -args -load.conns=10000
func BenchmarkNode(b *testing.B) {
	cfg := Config{Conns: *benchConns, Messages: 50, Writers: 16, Writes: 2000}
	if *benchRooms != "" {
		for _, s := range strings.Split(*benchRooms, ",") {
			n, err := strconv.Atoi(s)
			if err != nil {
				b.Fatalf("-load.rooms: %v", err)
			}
			cfg.Rooms = append(cfg.Rooms, n)
		}
	} else {
		if cfg.Conns > 1000 {
			cfg.Rooms = append(cfg.Rooms, 1000)
		}
		cfg.Rooms = append(cfg.Rooms, cfg.Conns)
	}
	for b.Loop() {
		rep, err := Run(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		var out strings.Builder
		rep.Print(&out)
		b.Log("\n" + out.String())
		b.ReportMetric(rep.PerConn(rep.Synced)/1024, "live-KB/conn")
		b.ReportMetric(rep.PerConnGC(rep.Synced)/1024, "gc-KB/conn")
		b.ReportMetric(rep.PerConnAsIs(rep.Synced)/1024, "asis-KB/conn")
		for _, f := range rep.Fanouts {
			b.ReportMetric(float64(f.Last.P50)/float64(time.Millisecond), "fanout"+strconv.Itoa(f.Members)+"-p50-ms")
			b.ReportMetric(float64(f.Last.P99)/float64(time.Millisecond), "fanout"+strconv.Itoa(f.Members)+"-p99-ms")
			b.ReportMetric(float64(f.NodeCPUPer())/float64(time.Microsecond), "fanout"+strconv.Itoa(f.Members)+"-node-cpu-us")
		}
		b.ReportMetric(rep.Writes.PerSecond(), "writes/s")
	}
}
