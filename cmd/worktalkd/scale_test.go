package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/sqlite"
)

// BenchmarkTenSignIns10k: ten members of a workspace of 10,000 sign in at
// once to a real worktalkd serve process (production password hashing)
// and sync from scratch, each getting the whole snapshot (a sign-in the
// server's hashing pool turns away as busy is tried again). It reports the
// process's resident memory at its peak (VmHWM) and before the sign-ins,
// and the time until all ten have their sync answer.
func BenchmarkTenSignIns10k(b *testing.B) {
	const members, signing = 10_000, 10
	dir := b.TempDir()
	emails := populate(b, dir, members, signing)
	for b.Loop() {
		b.StopTimer()
		p := startProcess(b, "worktalkd", "--data", dir)
		idle := procStatusKB(p.cmd.Process.Pid, "VmRSS")
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for _, email := range emails {
			wg.Go(func() {
				status, res, perr := p.env.SignInHTTP(protocol.SignInRequest{Email: email, Password: password, Device: "bench"})
				for status == 503 { // the hashing pool is full: try again, as its user would
					time.Sleep(100 * time.Millisecond)
					status, res, perr = p.env.SignInHTTP(protocol.SignInRequest{Email: email, Password: password, Device: "bench"})
				}
				if status != 200 || res.Session == nil {
					b.Errorf("sign in %s: %d %v", email, status, perr)
					return
				}
				c := p.env.Dial(res.Session.Token)
				if snap := c.Sync(0).Snapshot; snap == nil || len(snap.Members) != members {
					b.Errorf("snapshot of %s has not all %d members", email, members)
				}
				c.Close()
			})
		}
		wg.Wait()
		took := time.Since(start)
		b.StopTimer()
		peak := procStatusKB(p.cmd.Process.Pid, "VmHWM")
		p.stop()
		b.StartTimer()
		b.ReportMetric(float64(idle)/1024, "idle-rss-MB")
		b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
		b.ReportMetric(float64(took.Milliseconds()), "all-synced-ms")
	}
}

// populate makes a workspace of n members in an SQLite database in dir;
// the first signing ones get the production password hash and the
// password of the cluster tests, and their e-mails are returned.
func populate(tb testing.TB, dir string, n, signing int) []string {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	cheap := service.New(service.Config{Store: db, Argon: argon2id.TestParams})
	real := service.New(service.Config{Store: db})
	ws, err := cheap.CreateWorkspace(ctx, "Acme", service.DefaultSettings())
	if err != nil {
		tb.Fatal(err)
	}
	var emails []string
	for i := range n {
		svc := cheap
		email := fmt.Sprintf("m%05d@acme.test", i)
		if i < signing {
			svc = real
			emails = append(emails, email)
		}
		_, err := svc.CreateMember(ctx, service.NewMember{WorkspaceID: ws.ID, Email: email, Password: password,
			Name: fmt.Sprintf("동료 %05d", i), Fields: map[string]string{"title": "선임", "department": fmt.Sprintf("개발%d팀", i%40), "phone": "+82 10-1234-5678"}})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return emails
}
