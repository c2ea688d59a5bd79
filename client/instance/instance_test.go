package instance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// The test binary doubles as the app: with WORKTALK_INSTANCE_HELPER set to
// a data folder it runs Start there, prints "primary" or exits 0 after a
// hand-off, and as the running copy prints every hand-off it receives.
func TestMain(m *testing.M) {
	if dir := os.Getenv("WORKTALK_INSTANCE_HELPER"); dir != "" {
		os.Exit(helper(dir, os.Args[len(os.Args)-1:]))
	}
	os.Exit(m.Run())
}

func helper(dir string, args []string) int {
	if args[0] == "-" {
		args = nil
	}
	p, err := Start(context.Background(), dir, args)
	if errors.Is(err, ErrHandedOff) {
		return 0
	}
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	p.SetHandler(func(args []string) error {
		fmt.Printf("got %q\n", args)
		return nil
	})
	fmt.Println("primary")
	select {} // until killed
}

// proc is a helper process and its output lines.
type proc struct {
	cmd   *exec.Cmd
	lines chan string
}

func startHelper(t *testing.T, dir, arg string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", arg)
	cmd.Env = append(os.Environ(), "WORKTALK_INSTANCE_HELPER="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 16)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return p
}

// next waits for the helper's next line (bounded, so a broken hand-off fails
// instead of hanging).
func (p *proc) next(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			t.Fatalf("helper ended without a line")
		}
		return l
	case <-time.After(30 * time.Second):
		t.Fatalf("helper said nothing for 30 s")
	}
	return ""
}

// wait waits for a second copy to exit and returns its exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	err := p.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	return 0
}

const link = "worktalk://p/abcdefghijklmnopqrstuvwxyz012345"

func TestHandOffBetweenProcesses(t *testing.T) {
	dir := t.TempDir()
	first := startHelper(t, dir, "-")
	if l := first.next(t); l != "primary" {
		t.Fatalf("first copy said %q, want primary", l)
	}
	second := startHelper(t, dir, link)
	if code := second.wait(t); code != 0 {
		t.Fatalf("second copy exit code = %d, want 0", code)
	}
	if l, want := first.next(t), fmt.Sprintf("got %q", []string{link}); l != want {
		t.Errorf("running copy got %s, want %s", l, want)
	}
	third := startHelper(t, dir, "-") // a start without a link raises the window
	if code := third.wait(t); code != 0 {
		t.Fatalf("third copy exit code = %d, want 0", code)
	}
	if l, want := first.next(t), `got []`; l != want {
		t.Errorf("running copy got %s, want %s", l, want)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(dir, SocketFile))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("socket mode = %v (%v), want 0600", fi.Mode().Perm(), err)
		}
	}
}

// A copy killed with SIGKILL leaves its lock file and socket behind; the
// next start must become the running copy all the same.
func TestStaleLockAfterKill(t *testing.T) {
	dir := t.TempDir()
	first := startHelper(t, dir, "-")
	if l := first.next(t); l != "primary" {
		t.Fatalf("first copy said %q, want primary", l)
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.cmd.Wait()
	for _, f := range []string{LockFile, SocketFile} {
		if runtime.GOOS == "windows" && f == SocketFile {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("%s after kill: %v; the test needs the stale file", f, err)
		}
	}
	next := startHelper(t, dir, link)
	if l := next.next(t); l != "primary" {
		t.Fatalf("start after kill said %q, want primary", l)
	}
	after := startHelper(t, dir, link)
	if code := after.wait(t); code != 0 {
		t.Fatalf("hand-off to the new copy: exit code %d", code)
	}
	if l := next.next(t); !strings.Contains(l, "abcdefghij") {
		t.Errorf("new running copy got %s, want the link", l)
	}
}

func TestEarlyHandOffsAreKept(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	p, err := Start(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := Start(ctx, dir, []string{"one"}); !errors.Is(err, ErrHandedOff) {
		t.Fatalf("second Start = %v, want ErrHandedOff", err)
	}
	var got []string
	p.SetHandler(func(args []string) error { got = append(got, args...); return nil })
	if len(got) != 1 || got[0] != "one" {
		t.Errorf("handler got %q, want the early hand-off [one]", got)
	}
}

func TestRefusedHandOff(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	p, err := Start(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.SetHandler(func([]string) error { return errors.New("not a profile link") })
	_, err = Start(ctx, dir, []string{"junk"})
	if err == nil || errors.Is(err, ErrHandedOff) || !strings.Contains(err.Error(), "not a profile link") {
		t.Errorf("Start with refused args = %v, want the running copy's refusal", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	// Closed: the lock is free again and the next Start runs.
	q, err := Start(ctx, dir, nil)
	if err != nil {
		t.Fatalf("Start after Close: %v", err)
	}
	q.Close()
}

func TestMalformedRequest(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	p, err := Start(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	called := false
	p.SetHandler(func([]string) error { called = true; return nil })
	c, err := dialChannel(ctx, p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "not json\n")
	line, _ := bufio.NewReader(c).ReadString('\n')
	if !strings.Contains(line, `"ok":false`) || called {
		t.Errorf("answer = %q, handler called %v; want a refusal and no call", line, called)
	}
}

func TestLongDataFolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("named pipes have no path length limit")
	}
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
	ctx := context.Background()
	p, err := Start(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if len(p.Addr()) > 103 || strings.HasPrefix(p.Addr(), dir) {
		t.Errorf("socket %s for a long folder; want a short one outside it", p.Addr())
	}
	if _, err := Start(ctx, dir, nil); !errors.Is(err, ErrHandedOff) {
		t.Errorf("second Start = %v, want ErrHandedOff", err)
	}
}
