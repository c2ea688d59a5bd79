// Package natstest gives tests a NATS server: the shared local one, or a
// private nats-server process that a test can stop and start again.
//
// The shared server is WORKTALK_TEST_NATS, else nats://127.0.0.1:4222. When
// it (or the nats-server binary) is missing, tests are skipped with the
// reason; with CI=true or WORKTALK_REQUIRE_NATS=1 they fail instead: CI
// must not pass by skipping.
package natstest

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Required reports whether a missing server fails tests rather than skip them.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("WORKTALK_REQUIRE_NATS") == "1"
}

// URL returns the shared test server's URL once it answers on TCP.
func URL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("WORKTALK_TEST_NATS")
	if u == "" {
		u = "nats://127.0.0.1:4222"
	}
	host := strings.TrimPrefix(strings.Split(u, ",")[0], "nats://")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = host[i+1:]
	}
	c, err := net.DialTimeout("tcp", host, 2*time.Second)
	if err != nil {
		if Required() {
			tb.Fatalf("NATS is required (CI=true or WORKTALK_REQUIRE_NATS=1) but not reachable at %s: %v", host, err)
		}
		tb.Skipf("skipping: NATS not reachable at %s (%v); set WORKTALK_TEST_NATS", host, err)
	}
	c.Close()
	return u
}

// Subject returns a subject no other test uses, so tests can share a server.
func Subject() string {
	var b [6]byte
	rand.Read(b[:])
	return "worktalk.test." + hex.EncodeToString(b[:])
}

// Server is a private nats-server process.
type Server struct {
	tb   testing.TB
	port int
	cmd  *exec.Cmd
}

// Start runs nats-server on 127.0.0.1:port (0: a free port) and returns once
// it is ready. It stops when tb ends.
func Start(tb testing.TB, port int) *Server {
	tb.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		if Required() {
			tb.Fatalf("the nats-server binary is required (CI=true or WORKTALK_REQUIRE_NATS=1): %v", err)
		}
		tb.Skipf("skipping: no nats-server binary (%v)", err)
	}
	if port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatalf("find a free port: %v", err)
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", strconv.Itoa(port))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatalf("nats-server pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start nats-server: %v", err)
	}
	s := &Server{tb: tb, port: port, cmd: cmd}
	tb.Cleanup(s.Stop)
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		found := false
		for sc.Scan() { // read to the end, so the server never blocks on its log
			if !found && strings.Contains(sc.Text(), "Server is ready") {
				found = true
				ready <- true
			}
		}
		if !found {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			tb.Fatalf("nats-server on port %d exited before it was ready", port)
		}
	case <-time.After(10 * time.Second):
		tb.Fatalf("nats-server on port %d not ready within 10s", port)
	}
	return s
}

// URL is the server's client URL.
func (s *Server) URL() string { return "nats://127.0.0.1:" + strconv.Itoa(s.port) }

// Port is the port it listens on; Start(tb, s.Port()) brings it back.
func (s *Server) Port() int { return s.port }

// Stop kills the server and waits for it; stopping twice is harmless.
func (s *Server) Stop() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}
