package client

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// The crash child sends messages and edits its profile in a loop, printing
// each item only after the command returned (committed locally). The parent
// kills it with SIGKILL at random points and restarts it.
const (
	crashItems = 15 // per run
	crashKills = 4
)

func crashChildMain() int {
	ctx := context.Background()
	opt := Options{
		DataDir: os.Getenv("CRASH_DATA"),
		Secrets: &FileSecrets{Path: os.Getenv("CRASH_SECRETS")},
		After:   func(time.Duration) <-chan time.Time { return time.After(10 * time.Millisecond) },
	}
	acct := Account{ServerURL: os.Getenv("CRASH_SERVER"), MemberID: os.Getenv("CRASH_MEMBER")}
	run := os.Getenv("CRASH_RUN")
	e, err := Open(ctx, opt, acct)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 1
	}
	// A new device knows nothing until its first sync: the edit window
	// needs the workspace's field definitions.
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for s := range e.Watch(wctx) {
		if s.Workspace.ID != "" {
			break
		}
	}
	room, err := e.OpenSelfRoom(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open self room:", err)
		return 1
	}
	for i := range crashItems {
		text := fmt.Sprintf("r%s-%02d", run, i)
		if _, err := e.SendMessage(ctx, room, text); err != nil {
			fmt.Fprintln(os.Stderr, "send:", err)
			return 1
		}
		fmt.Println("M", text)
		if err := e.UpdateProfile(ctx, protocol.ProfileUpdate{Fields: map[string]string{"title": text}}); err != nil {
			fmt.Fprintln(os.Stderr, "update profile:", err)
			return 1
		}
		fmt.Println("P", text)
	}
	for s := range e.Watch(wctx) {
		if synced(s) {
			fmt.Println("DONE")
			e.Close()
			return 0
		}
	}
	fmt.Fprintln(os.Stderr, "outbox did not drain")
	return 1
}

func TestCrashSafety(t *testing.T) {
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	dir := t.TempDir()
	secrets := &FileSecrets{Path: filepath.Join(dir, "secrets.json")}
	opt := Options{DataDir: filepath.Join(dir, "data"), Secrets: secrets}
	s := w.env.SignIn(alice.Email, alice.Password, ws.ID)
	acct := Account{ServerURL: w.env.URL, MemberID: s.MemberID}
	if err := secrets.Set(SecretService, secretUser(acct.ServerURL, acct.MemberID), s.Token); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var acked []string // messages the child reported, in order
	var lastTitle string
	for run := 0; run <= crashKills; run++ {
		final := run == crashKills
		killAfter := 1 + rng.IntN(2*crashItems) // lines
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(),
			helperEnv+"=crash",
			"CRASH_DATA="+opt.DataDir,
			"CRASH_SECRETS="+secrets.Path,
			"CRASH_SERVER="+acct.ServerURL,
			"CRASH_MEMBER="+acct.MemberID,
			"CRASH_RUN="+strconv.Itoa(run),
		)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start child: %v", err)
		}
		sc := bufio.NewScanner(out)
		lines, done := 0, false
		for sc.Scan() {
			kind, text, _ := strings.Cut(sc.Text(), " ")
			switch kind {
			case "M":
				acked = append(acked, text)
			case "P":
				lastTitle = text
			case "DONE":
				done = true
			}
			lines++
			if !final && lines == killAfter {
				cmd.Process.Kill() // SIGKILL: no chance to clean up
				break
			}
		}
		err = cmd.Wait()
		if final && (!done || err != nil) {
			t.Fatalf("final run: done %v, err %v, stderr:\n%s", done, err, stderr.String())
		}
		if !final && err == nil {
			t.Logf("run %d finished before the kill", run)
		}
	}
	if len(acked) == 0 {
		t.Fatal("the child acknowledged nothing")
	}
	// What the kills left on disk is encrypted too.
	adir, _ := accountDir(opt, acct)
	if k, err := store.Inspect(filepath.Join(adir, storeFile)); k != store.FileEncrypted {
		t.Errorf("the child's store is %v, %v; want FileEncrypted", k, err)
	}
	if found := readableIn(t, opt.DataDir, acked...); len(found) > 0 {
		t.Errorf("readable in the child's data folder: %v", found)
	}

	// A fresh device reads what the server has.
	check := w.env.NewUser(ws.ID, "Checker")
	_ = check
	d := w.device(t, alice)
	st := waitFor(t, d, "online", online)
	ms, err := d.Messages(protocol.SelfRoomID(alice.ID()), 0, protocol.SnapshotMessagesPerRoom)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	var order []string
	for _, m := range ms {
		count[m.Text]++
		order = append(order, m.Text)
	}
	for text, n := range count {
		if n != 1 {
			t.Errorf("message %q is on the server %d times, want once", text, n)
		}
	}
	i := 0
	for _, text := range order { // acked must be a subsequence of the server order
		if i < len(acked) && text == acked[i] {
			i++
		}
	}
	if i != len(acked) {
		t.Errorf("server has %d of %d acknowledged messages in order; server: %v; acknowledged: %v", i, len(acked), order, acked)
	}
	if st.Me.Fields["title"] != lastTitle {
		t.Errorf("title = %q, want the last edit %q", st.Me.Fields["title"], lastTitle)
	}
	t.Logf("%d acknowledged messages over %d kills, %d on the server", len(acked), crashKills, len(ms))
}
