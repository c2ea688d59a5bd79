package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
)

// A swarm is many bare websocket clients in a child process (this test
// binary run again): a process may hold only so many sockets, and a
// benchmark of 10,000 connected members needs 10,000 on each side.
//
// The parent writes one JSON line, swarmConfig; the child connects every
// token, syncs it from the cursor and answers "ready". Then, for each line
// "watch MARKER", it answers "watching", and once every socket has received
// a frame containing MARKER it writes "arrived" and each socket's arrival
// time (unix ns, the same clock as the parent's). A line "send FRAME"
// sends the request frame FRAME (JSON) on the first socket and answers
// "answered" and the time its "res" arrived.
const swarmEnv = "WORKTALK_TEST_SWARM"

func TestMain(m *testing.M) {
	if os.Getenv(swarmEnv) == "1" {
		if err := runSwarm(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "swarm:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type swarmConfig struct {
	Addr   string   `json:"addr"`
	Cursor int64    `json:"cursor"`
	Tokens []string `json:"tokens"`
}

// runSwarm is the child's side.
func runSwarm(in io.Reader, out io.Writer) error {
	r := bufio.NewReaderSize(in, 1<<20)
	line, err := r.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	var cfg swarmConfig
	if err := json.Unmarshal(line, &cfg); err != nil {
		return fmt.Errorf("decode config: %w", err)
	}
	n := len(cfg.Tokens)
	conns := make([]net.Conn, n)
	readers := make([]*bufio.Reader, n)
	var next atomic.Int64
	var dialErr atomic.Pointer[error]
	var dialers sync.WaitGroup
	for range 16 {
		dialers.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || dialErr.Load() != nil {
					return
				}
				c, br, err := dialRawSynced(cfg.Addr, cfg.Tokens[i], cfg.Cursor)
				if err != nil {
					dialErr.Store(&err)
					return
				}
				conns[i], readers[i] = c, br
			}
		})
	}
	dialers.Wait()
	if p := dialErr.Load(); p != nil {
		return *p
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()

	var answered chan int64            // the arrival of the "res" of a "send"
	var awaited atomic.Pointer[[]byte] // the start of that "res"
	type watch struct {
		marker  []byte
		arrived []int64
		left    atomic.Int64
		done    chan struct{}
	}
	var cur atomic.Pointer[watch]
	answered = make(chan int64, 1) // before the readers start
	for i, br := range readers {
		go func() {
			var seen *watch
			for {
				p, err := readServerFrame(br)
				if err != nil {
					return
				}
				if a := awaited.Load(); i == 0 && a != nil && bytes.HasPrefix(p, *a) {
					awaited.Store(nil)
					answered <- time.Now().UnixNano()
					continue
				}
				w := cur.Load()
				if w == nil || w == seen || !bytes.Contains(p, w.marker) {
					continue
				}
				seen = w
				w.arrived[i] = time.Now().UnixNano()
				if w.left.Add(-1) == 0 {
					close(w.done)
				}
			}
		}()
	}
	bw := bufio.NewWriter(out)
	say := func(s string) error {
		bw.WriteString(s)
		bw.WriteByte('\n')
		return bw.Flush()
	}
	if err := say("ready"); err != nil {
		return err
	}
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		line = strings.TrimSpace(line)
		if frame, ok := strings.CutPrefix(line, "send "); ok {
			var f protocol.Frame
			if err := json.Unmarshal([]byte(frame), &f); err != nil {
				return err
			}
			res := []byte(`{"t":"res","id":"` + f.ID + `"`)
			awaited.Store(&res)
			if _, err := conns[0].Write(maskedTextFrame([]byte(frame))); err != nil {
				return err
			}
			select {
			case at := <-answered:
				if err := say("answered " + strconv.FormatInt(at, 10)); err != nil {
					return err
				}
			case <-time.After(time.Minute):
				return errors.New("no answer within a minute")
			}
			continue
		}
		marker, ok := strings.CutPrefix(line, "watch ")
		if !ok {
			return fmt.Errorf("unknown command %q", line)
		}
		w := &watch{marker: []byte(marker), arrived: make([]int64, n), done: make(chan struct{})}
		w.left.Store(int64(n))
		cur.Store(w)
		if err := say("watching"); err != nil {
			return err
		}
		select {
		case <-w.done:
		case <-time.After(time.Minute):
			return fmt.Errorf("%d of %d sockets did not get %q within a minute", w.left.Load(), n, marker)
		}
		var sb strings.Builder
		sb.WriteString("arrived")
		for _, t := range w.arrived {
			sb.WriteByte(' ')
			sb.WriteString(strconv.FormatInt(t, 10))
		}
		if err := say(sb.String()); err != nil {
			return err
		}
	}
}

// swarm is the parent's handle on a swarm process.
type swarm struct {
	tb  testing.TB
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// startSwarm starts a child holding one synced socket per token and
// returns once all are connected. It ends with the test.
func startSwarm(tb testing.TB, addr string, cursor int64, tokens []string) *swarm {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), swarmEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start swarm: %v", err)
	}
	s := &swarm{tb: tb, cmd: cmd, in: in, out: bufio.NewReaderSize(outPipe, 1<<20)}
	tb.Cleanup(func() {
		in.Close()
		if err := cmd.Wait(); err != nil {
			tb.Errorf("swarm: %v", err)
		}
	})
	cfg, _ := json.Marshal(swarmConfig{Addr: addr, Cursor: cursor, Tokens: tokens})
	if _, err := in.Write(append(cfg, '\n')); err != nil {
		tb.Fatalf("configure swarm: %v", err)
	}
	s.expect("ready")
	return s
}

func (s *swarm) expect(want string) string {
	s.tb.Helper()
	line, err := s.out.ReadString('\n')
	if err != nil {
		s.tb.Fatalf("swarm: %v", err)
	}
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, want) {
		s.tb.Fatalf("swarm said %.80q, want %q", line, want)
	}
	return line
}

// watch makes the swarm look for marker; call arrivals after the action.
func (s *swarm) watch(marker string) {
	s.tb.Helper()
	if _, err := fmt.Fprintf(s.in, "watch %s\n", marker); err != nil {
		s.tb.Fatalf("swarm: %v", err)
	}
	s.expect("watching")
}

// arrivals waits until every socket got the watched marker and returns the
// time each took since start.
func (s *swarm) arrivals(start time.Time) []time.Duration {
	s.tb.Helper()
	fields := strings.Fields(s.expect("arrived"))[1:]
	out := make([]time.Duration, len(fields))
	for i, f := range fields {
		ns, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			s.tb.Fatalf("swarm arrival %q: %v", f, err)
		}
		out[i] = time.Duration(ns - start.UnixNano())
	}
	return out
}

// send sends a request frame on the swarm's first socket and returns when
// its answer arrived.
func (s *swarm) send(f protocol.Frame) time.Time {
	s.tb.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		s.tb.Fatal(err)
	}
	if _, err := fmt.Fprintf(s.in, "send %s\n", b); err != nil {
		s.tb.Fatalf("swarm: %v", err)
	}
	ns, err := strconv.ParseInt(strings.Fields(s.expect("answered"))[1], 10, 64)
	if err != nil {
		s.tb.Fatalf("swarm answer: %v", err)
	}
	return time.Unix(0, ns)
}
