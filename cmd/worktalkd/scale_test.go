package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/fakeorg"
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
		idle, _ := rssKB(p.cmd.Process.Pid)
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
		_, peak := rssKB(p.cmd.Process.Pid)
		p.stop()
		b.StartTimer()
		b.ReportMetric(float64(idle)/1024, "idle-rss-MB")
		b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
		b.ReportMetric(float64(took.Milliseconds()), "all-synced-ms")
	}
}

// populate makes a workspace of n members in an SQLite database in dir:
// the first signing ones created with the production password hash and
// the password of the cluster tests (their e-mails are returned), the
// others imported.
func populate(tb testing.TB, dir string, n, signing int) []string {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	svc := service.New(service.Config{Store: db, PublicURL: "https://talk.acme.example"})
	ws, err := svc.CreateWorkspace(ctx, "Acme", service.DefaultSettings())
	if err != nil {
		tb.Fatal(err)
	}
	var emails []string
	var rows []service.ImportRow
	for i, p := range fakeorg.Generate(n, "acme.example", 1) {
		fields := map[string]string{"title": p.Title, "department": p.Department, "phone": p.Phone}
		if i >= signing {
			rows = append(rows, service.ImportRow{Line: i + 2, Email: p.Email, Name: p.Name, Fields: fields})
			continue
		}
		emails = append(emails, p.Email)
		if _, err := svc.CreateMember(ctx, service.NewMember{WorkspaceID: ws.ID, Email: p.Email, Password: password, Name: p.Name, Fields: fields}); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := svc.ImportMembers(ctx, ws.ID, rows, 0, "bench"); err != nil {
		tb.Fatal(err)
	}
	return emails
}

// BenchmarkMemberImport10k: worktalkd member import of a file of 10,000
// members (Korean and English names, four fields each) into a new
// workspace, from reading the file to the activation links written.
func BenchmarkMemberImport10k(b *testing.B) {
	var file bytes.Buffer
	if err := fakeorg.Write(&file, fakeorg.Generate(10_000, "acme.example", 1), true); err != nil {
		b.Fatal(err)
	}
	src := filepath.Join(b.TempDir(), "org.csv")
	if err := os.WriteFile(src, file.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		_, out := runMain(b, "", "workspace", "create", "--data", dir, "--name", "Acme")
		wsID := regexp.MustCompile(`created workspace (\S+)`).FindStringSubmatch(out)[1]
		links := filepath.Join(dir, "links.csv")
		b.StartTimer()
		start := time.Now()
		runMain(b, "", "member", "import", "--data", dir, "--workspace", wsID, "--public-url", "https://talk.acme.example", "--out", links, src)
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(lat[len(lat)/2].Seconds(), "s/import")
}
