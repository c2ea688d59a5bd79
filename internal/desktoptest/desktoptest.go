// Package desktoptest runs the real desktop app as a process for tests and
// benchmarks: it builds cmd/worktalk once per test binary and starts a
// private Xvfb display for it.
package desktoptest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// App builds cmd/worktalk (without the ci tag: the real GLFW driver) into a
// temporary folder, once per test binary, and returns its path. It skips
// the test when no Go toolchain or C compiler is on PATH.
func App(tb testing.TB) string {
	tb.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		tb.Skip("no go command on PATH to build the app")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "worktalk-app-")
		if err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(dir, "worktalk")
		if runtime.GOOS == "windows" {
			buildBin += ".exe"
		}
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", buildBin, "./cmd/worktalk")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/worktalk: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return buildBin
}

// Display starts a private Xvfb and returns its DISPLAY value (":N"); it
// stops with the test. It skips the test when Xvfb is not installed.
func Display(tb testing.TB, size string) string {
	tb.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		tb.Skip("Xvfb is not installed (Debian package xvfb); the app needs a display")
	}
	r, w, err := os.Pipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", size+"x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		r.Close()
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			tb.Fatal("Xvfb did not say which display it took")
		}
		return ":" + n
	case <-time.After(30 * time.Second):
		tb.Fatal("Xvfb did not start in 30 s")
	}
	return ""
}

// Proc is a running app and the lines of its standard error.
type Proc struct {
	Cmd   *exec.Cmd
	Lines chan string // closed when the process closes its standard error

	mu  sync.Mutex
	all []string // every line so far; guarded by mu
}

// Output returns every line of standard error so far, those Await read
// included.
func (p *Proc) Output() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.all...)
}

// Start starts bin with args and env added to this process's environment.
// The process is killed when the test ends.
func Start(tb testing.TB, bin string, env []string, args ...string) *Proc {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	errs, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", bin, err)
	}
	p := &Proc{Cmd: cmd, Lines: make(chan string, 256)}
	go func() {
		sc := bufio.NewScanner(errs)
		for sc.Scan() {
			p.mu.Lock()
			p.all = append(p.all, sc.Text())
			p.mu.Unlock()
			p.Lines <- sc.Text()
		}
		io.Copy(io.Discard, errs)
		close(p.Lines)
	}()
	tb.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return p
}

// Await returns the first line with prefix, failing after limit. Other
// lines are logged.
func (p *Proc) Await(tb testing.TB, prefix string, limit time.Duration) string {
	tb.Helper()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for {
		select {
		case l, ok := <-p.Lines:
			if !ok {
				tb.Fatalf("the app ended before saying %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
			tb.Log("app:", l)
		case <-timer.C:
			tb.Fatalf("the app did not say %q within %v", prefix, limit)
		}
	}
}
