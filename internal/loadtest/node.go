package loadtest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"worktalk.dev/worktalk/server"
	"worktalk.dev/worktalk/server/inmem"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/sqlite"
)

// nodeEnv names the data directory of a process that Run started as its
// node. A program that calls Run must call NodeMain first thing when
// IsNode reports true (cmd/worktalk-load's main and this package's
// TestMain do).
const nodeEnv = "WORKTALK_LOAD_NODE"

// IsNode reports whether this process is a node started by Run.
func IsNode() bool { return os.Getenv(nodeEnv) != "" }

// NodeMain runs this process as the node under measurement and returns its
// exit code. The node is wired as `worktalkd serve --data DIR` wires it
// (SQLite, the in-process bus reading back the database, the server with
// its default settings, the collector at server.GCPercent) and listens on
// 127.0.0.1:0. It prints "listening ADDR" on stdout, then answers
// commands read from stdin, one a line, each with one line of NodeStats
// as JSON:
//
//	gc                 runtime.GC
//	release            runtime.GC, then return freed memory to the system
//	stats              neither
//	profile-start DIR  write a CPU profile to DIR/node-cpu.pprof
//	profile-stop       until now
//	heap-profile DIR   write a heap profile to DIR/node-heap.pprof
//
// It closes the server and exits at the end of stdin.
func NodeMain() int {
	server.UseGCPercent() // as worktalkd does
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := runNode(os.Getenv(nodeEnv), os.Stdin, os.Stdout, log); err != nil {
		fmt.Fprintln(os.Stderr, "load node:", err)
		return 1
	}
	return 0
}

// NodeStats is what a node reports about itself.
type NodeStats struct {
	Conns      int    `json:"conns"`       // open websockets in the hub
	Goroutines int    `json:"goroutines"`  // the whole process's
	HeapInuse  uint64 `json:"heap_inuse"`  // bytes in in-use heap spans
	StackInuse uint64 `json:"stack_inuse"` // bytes of goroutine stacks
	Sys        uint64 `json:"sys"`         // bytes the runtime got from the system
	NoFile     uint64 `json:"nofile"`      // its open-file limit
}

func runNode(dir string, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	ctx := context.Background()
	limit, err := raiseFileLimit(0)
	if err != nil {
		return err
	}
	db, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	bus, err := inmem.Open(ctx, inmem.Config{Source: db, Logger: log})
	if err != nil {
		return err
	}
	defer bus.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	svc := service.New(service.Config{Store: db, Bus: bus, PublicURL: "http://" + ln.Addr().String(), Logger: log,
		Keys: service.Keys{Current: service.NewKey()}})
	srv := server.New(server.Config{Listener: ln, Service: svc, Bus: bus, Logger: log})
	if err := srv.Open(); err != nil {
		ln.Close()
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "listening %s\n", srv.Addr())

	sc := bufio.NewScanner(stdin)
	enc := json.NewEncoder(stdout)
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(sc.Text(), " ")
		switch cmd {
		case "gc":
			runtime.GC()
		case "release":
			debug.FreeOSMemory() // collects first
		case "stats":
		case "profile-start":
			if err := startCPUProfile(filepath.Join(arg, "node-cpu.pprof")); err != nil {
				return err
			}
		case "profile-stop":
			pprof.StopCPUProfile()
		case "heap-profile":
			if err := writeHeapProfile(filepath.Join(arg, "node-heap.pprof")); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown command %q", cmd)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := NodeStats{
			Conns: srv.ConnCount(), Goroutines: runtime.NumGoroutine(),
			HeapInuse: ms.HeapInuse, StackInuse: ms.StackInuse, Sys: ms.Sys, NoFile: limit,
		}
		if err := enc.Encode(st); err != nil {
			return err
		}
	}
	return sc.Err()
}

// nodeProcess is a running node as Run sees it.
type nodeProcess struct {
	cmd   *exec.Cmd
	addr  string
	stdin io.WriteCloser
	lines chan string   // its stdout, closed at the end
	done  chan struct{} // closed when the process has exited
}

// startNode runs this program as a node on the data in dir, with env added
// to its environment, and waits until it listens. The node's stderr goes to
// logs.
func startNode(dir string, env []string, logs io.Writer) (*nodeProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this program to start the node: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(append(os.Environ(), env...), nodeEnv+"="+dir)
	cmd.Stderr = logs
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start node: %w", err)
	}
	n := &nodeProcess{cmd: cmd, stdin: stdin, lines: make(chan string, 1), done: make(chan struct{})}
	go func() {
		defer close(n.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			n.lines <- sc.Text()
		}
		close(n.lines)
		_ = cmd.Wait() // after the last read of stdout, as exec requires
	}()
	line, err := n.line(time.Minute)
	if err != nil {
		n.stop()
		return nil, err
	}
	addr, ok := strings.CutPrefix(line, "listening ")
	if !ok {
		n.stop()
		return nil, fmt.Errorf("node said %q, want listening ADDR", line)
	}
	n.addr = addr
	return n, nil
}

// command sends one control command and reads its answer.
func (n *nodeProcess) command(cmd string) (NodeStats, error) {
	var st NodeStats
	if _, err := fmt.Fprintln(n.stdin, cmd); err != nil {
		return st, fmt.Errorf("node %s: %w", cmd, err)
	}
	line, err := n.line(time.Minute)
	if err != nil {
		return st, fmt.Errorf("node %s: %w", cmd, err)
	}
	if err := json.Unmarshal([]byte(line), &st); err != nil {
		return st, fmt.Errorf("node %s: answer %q: %w", cmd, line, err)
	}
	return st, nil
}

// line reads the node's next line of stdout, waiting at most d.
func (n *nodeProcess) line(d time.Duration) (string, error) {
	select {
	case l, ok := <-n.lines:
		if !ok {
			return "", errors.New("the node ended its output")
		}
		return l, nil
	case <-time.After(d):
		return "", fmt.Errorf("no answer from the node in %v", d)
	}
}

// stop ends the node's stdin, which closes its server, and waits for it to
// exit; after 30 s it is killed.
func (n *nodeProcess) stop() error {
	n.stdin.Close()
	timeout := time.After(30 * time.Second)
	lines := n.lines
	for {
		select {
		case _, ok := <-lines: // unread output must not hold the reader up
			if !ok {
				lines = nil
			}
		case <-n.done:
			if !n.cmd.ProcessState.Success() {
				return fmt.Errorf("node: %v", n.cmd.ProcessState)
			}
			return nil
		case <-timeout:
			_ = n.cmd.Process.Kill()
			<-n.done
			return errors.New("the node did not stop within 30 s of its stdin closing; killed")
		}
	}
}

func startCPUProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	return nil // the file stays open until the process ends: the profile is flushed by StopCPUProfile
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
