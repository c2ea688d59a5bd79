package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/servertest"
)

// asMainEnv makes the test binary run as worktalkd: the multi-process tests
// start it as their nodes, so they need no separate build.
const asMainEnv = "WORKTALKD_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process is a worktalkd serve running as a child process.
type process struct {
	t    testing.TB
	name string
	cmd  *exec.Cmd
	url  string // http://127.0.0.1:PORT
	env  *servertest.Env
	logs *lockedBuffer
	done chan struct{} // closed when the process has exited
	err  error         // Wait's error, set before done closes

	killed  bool // by kill: its exit is expected
	stopped bool // stop ran
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startProcess runs "worktalkd serve --addr 127.0.0.1:0 args..." and
// returns once it listens. The process is stopped with SIGTERM when the
// test ends, and must then exit cleanly.
func startProcess(t testing.TB, name string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	p := &process{t: t, name: name, cmd: cmd, logs: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("%s: stdout pipe: %v", name, err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() { // read to the end, so the process never blocks on stdout
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(p.stop)
	select {
	case p.url = <-urls:
	case <-p.done:
		t.Fatalf("%s exited before listening: %v\n%s", name, p.err, p.logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("%s not listening within 30s\n%s", name, p.logs)
	}
	p.env = servertest.Remote(t, p.url)
	return p
}

// kill ends the process with SIGKILL: no shutdown of any kind.
func (p *process) kill() {
	p.t.Helper()
	p.killed = true
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatalf("kill %s: %v", p.name, err)
	}
	<-p.done
}

// stop sends SIGTERM and checks the process shuts down cleanly and
// reported no data race; a killed process is only checked for races. It
// runs when the test ends; calling it before is harmless.
func (p *process) stop() {
	if p.stopped {
		return
	}
	p.stopped = true
	select {
	case <-p.done:
		if !p.killed {
			p.t.Errorf("%s exited while the test ran: %v", p.name, p.err)
		}
	default:
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
			p.t.Errorf("%s did not stop within 20s of SIGTERM", p.name)
		}
	}
	logs := p.logs.String()
	if strings.Contains(logs, "DATA RACE") {
		p.t.Errorf("%s reported a data race", p.name)
	}
	if !p.killed && p.err != nil {
		p.t.Errorf("%s exited with %v, want 0 after SIGTERM", p.name, p.err)
	}
	if p.t.Failed() {
		p.t.Logf("%s log:\n%s", p.name, logs)
	}
}

// awaitLog waits until the process has logged text.
func (p *process) awaitLog(text string) {
	p.t.Helper()
	if !p.logs.await(text, 20*time.Second) {
		p.t.Fatalf("%s did not log %q within 20s", p.name, text)
	}
}

// lockedBuffer is a bytes.Buffer a process writes to while the test reads.
type lockedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // closed and replaced on every write; guarded by mu
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.written != nil {
		close(b.written)
		b.written = nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// await waits until the buffer holds text, at most d.
func (b *lockedBuffer) await(text string, d time.Duration) bool {
	deadline := time.After(d)
	for {
		b.mu.Lock()
		if strings.Contains(b.buf.String(), text) {
			b.mu.Unlock()
			return true
		}
		if b.written == nil {
			b.written = make(chan struct{})
		}
		written := b.written
		b.mu.Unlock()
		select {
		case <-written:
		case <-deadline:
			return false
		}
	}
}
