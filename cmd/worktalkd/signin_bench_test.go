package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/procmem"
	"worktalk.dev/worktalk/protocol"
)

// BenchmarkSignInFlood is the sign-in flood of issue 10, measured on a real
// worktalkd process with production Argon2id costs: 64 clients send wrong
// sign-ins as fast as they are answered, through the TLS proxy the server
// trusts (--trusted-proxy), each from a new client address and for a new
// e-mail (a botnet spraying, which no per-address or per-account limit
// stops), while another member sends messages and waits for each ack. It
// reports the server's peak resident memory and that member's ack latency.
//
//	go test -run '^$' -bench SignInFlood -benchtime 1x ./cmd/worktalkd/
//
// WORKTALK_FLOOD sets how long (default 8s), WORKTALK_FLOOD_CLIENTS how
// many attackers (default 64; 0 measures the same member on a quiet server).
//
// Targets: peak-RSS-MB <= 200 and ack-p99-ms <= 50. Linux only (/proc).
// The attackers share this machine's cores with the server, which a real
// botnet does not.
func BenchmarkSignInFlood(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("reads the server's memory from /proc")
	}
	attackers, flood := 64, 8*time.Second
	if s := os.Getenv("WORKTALK_FLOOD"); s != "" { // how long, e.g. 30s
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatal(err)
		}
		flood = d
	}
	if s := os.Getenv("WORKTALK_FLOOD_CLIENTS"); s != "" { // 0: the ack latency of a quiet server
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		attackers = n
	}
	dir := b.TempDir()
	_, out := runMain(b, "", "workspace", "create", "--data", dir, "--name", "Acme")
	ws := regexp.MustCompile(`created workspace (\S+)`).FindStringSubmatch(out)[1]
	runMain(b, "", "member", "create", "--data", dir, "--workspace", ws, "--email", "bob@acme.test", "--name", "Bob", "--password", password)
	p := startProcess(b, "worktalkd", "--data", dir, "--trusted-proxy", "127.0.0.1")
	pid := p.cmd.Process.Pid
	bob := signIn(b, p, "bob@acme.test", ws)
	self := protocol.SelfRoomID(bob.id)

	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), flood)
		var status sync.Map // HTTP status -> *atomic.Int64
		count := func(code int) {
			v, _ := status.LoadOrStore(code, new(atomic.Int64))
			v.(*atomic.Int64).Add(1)
		}
		var next atomic.Uint32
		var wg sync.WaitGroup
		for range attackers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}} // one proxy connection each
				defer hc.CloseIdleConnections()
				for ctx.Err() == nil {
					n := next.Add(1)
					code, err := wrongSignIn(ctx, hc, p.url, n)
					if err != nil {
						if ctx.Err() == nil {
							count(-1)
						}
						continue
					}
					count(code)
				}
			}()
		}
		var peak int64
		rssDone := make(chan struct{})
		go func() {
			defer close(rssDone)
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				if kb, _ := rssKB(pid); kb > peak {
					peak = kb
				}
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
		var acks []time.Duration
		for i := 0; ctx.Err() == nil; i++ {
			start := time.Now()
			send(b, bob.c, self, fmt.Sprintf("still here %d", i))
			acks = append(acks, time.Since(start))
		}
		wg.Wait()
		<-rssDone
		cancel()
		// Memory a little after the flood: is it given back?
		after, _ := rssKB(pid)

		slices.Sort(acks)
		pct := func(q float64) float64 {
			return float64(acks[min(len(acks)-1, int(q*float64(len(acks))))].Microseconds()) / 1000
		}
		b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
		b.ReportMetric(float64(after)/1024, "end-RSS-MB")
		b.ReportMetric(pct(0.50), "ack-p50-ms")
		b.ReportMetric(pct(0.99), "ack-p99-ms")
		b.ReportMetric(float64(len(acks)), "acks")
		var summary []string
		status.Range(func(k, v any) bool {
			n := v.(*atomic.Int64).Load()
			summary = append(summary, fmt.Sprintf("%v: %d", k, n))
			if code := k.(int); code > 0 {
				b.ReportMetric(float64(n)/flood.Seconds(), "http"+strconv.Itoa(code)+"/s")
			}
			return true
		})
		slices.Sort(summary)
		b.Logf("%d attackers for %v: sign-in answers %s; %d acks, p50 %.1f ms, p99 %.1f ms, max %.1f ms; RSS peak %d MB, after %d MB",
			attackers, flood, strings.Join(summary, ", "), len(acks), pct(0.5), pct(0.99), pct(1), peak/1024, after/1024)
	}
}

// wrongSignIn posts a wrong password for a made-up e-mail as client
// number n behind the proxy.
func wrongSignIn(ctx context.Context, hc *http.Client, url string, n uint32) (int, error) {
	body, _ := json.Marshal(protocol.SignInRequest{Email: fmt.Sprintf("nobody%d@attack.test", n), Password: "guess guess"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/api/signin", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", net.IPv4(10, byte(n>>16), byte(n>>8), byte(n)).String())
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// rssKB is process pid's resident set and its peak so far in kB, 0 if unknown.
func rssKB(pid int) (now, peak int64) {
	m, _ := procmem.Read(pid)
	return int64(m.RSS >> 10), int64(m.Peak >> 10)
}
