// Package instance keeps one running copy of the app per data folder.
//
// The first copy holds an OS file lock on DIR/instance.lock and listens on
// a local channel only the same user can open: a Unix socket with mode 0600
// in DIR (DIR itself is 0700), or on Windows a named pipe whose ACL admits
// only the current user. A later copy finds the lock taken, hands its
// command-line arguments over that channel, waits for the running copy to
// confirm and exits. The OS drops the lock with the process, so a copy that
// crashed or was killed leaves nothing that blocks the next start: a stale
// socket file is removed by whoever takes the lock next.
package instance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// ErrHandedOff is what Start returns in a second copy once the running copy
// has taken its arguments: the second copy should exit successfully.
var ErrHandedOff = errors.New("handed over to the running copy")

// File names in the data folder: the lock, and the socket (not on Windows).
const (
	LockFile   = "instance.lock"
	SocketFile = "instance.sock"
)

// maxRequest bounds a hand-off: a profile link is well under a kilobyte.
const maxRequest = 64 << 10

// How long a second copy tries: the running copy may still be starting (it
// holds the lock before it listens), and answers once its handler returns.
const (
	dialWindow    = 5 * time.Second
	answerTimeout = 10 * time.Second
)

// request is what a second copy sends, one JSON line.
type request struct {
	Args []string `json:"args"`
}

// answer is what the running copy sends back, one JSON line.
type answer struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// Handler receives the arguments of a later start. It runs on the
// listener's goroutine, one call at a time; the later copy waits for it to
// return and reports a non-nil error.
type Handler func(args []string) error

// Primary is the running copy's side: the lock and the listener. Close
// releases both.
type Primary struct {
	lock *flock.Flock
	ln   net.Listener
	addr string

	mu      sync.Mutex
	handler Handler    // guarded by mu; nil until SetHandler
	early   [][]string // guarded by mu; hand-offs that came before SetHandler

	wg     sync.WaitGroup
	closed chan struct{}
}

// Start makes this process the running copy for dir, or hands args to the
// copy that already runs there and returns ErrHandedOff. dir is created
// (0700) when missing.
func Start(ctx context.Context, dir string, args []string) (*Primary, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	addr, err := channelAddr(abs)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(dialWindow)
	for {
		lk := flock.New(filepath.Join(abs, LockFile))
		ok, err := lk.TryLock()
		if err != nil {
			return nil, fmt.Errorf("lock data folder: %w", err)
		}
		if ok {
			return listen(lk, addr)
		}
		err = handOff(ctx, addr, args)
		if err == nil {
			return nil, ErrHandedOff
		}
		var refused *refusedError
		if errors.As(err, &refused) || ctx.Err() != nil || time.Now().After(deadline) {
			return nil, fmt.Errorf("hand over to the running copy: %w", err)
		}
		// The running copy holds the lock but does not listen yet (it is
		// starting), or it has just quit: try the lock again.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func listen(lk *flock.Flock, addr string) (*Primary, error) {
	ln, err := listenChannel(addr)
	if err != nil {
		lk.Unlock()
		return nil, err
	}
	p := &Primary{lock: lk, ln: ln, addr: addr, closed: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.serve()
	}()
	return p, nil
}

// SetHandler installs the function that receives later starts' arguments.
// Hand-offs that arrived before it are delivered to it at once, in order.
func (p *Primary) SetHandler(h Handler) {
	p.mu.Lock()
	early := p.early
	p.early = nil
	p.handler = h
	p.mu.Unlock()
	for _, args := range early {
		_ = h(args) // those copies were told "ok" already: nobody to tell
	}
}

// Addr is the channel's address (a socket path or a pipe name), for logs.
func (p *Primary) Addr() string { return p.addr }

// Close stops listening and releases the lock.
func (p *Primary) Close() error {
	select {
	case <-p.closed:
		return nil
	default:
	}
	close(p.closed)
	err := p.ln.Close()
	p.wg.Wait()
	removeChannel(p.addr)
	return errors.Join(err, p.lock.Unlock())
}

func (p *Primary) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			select {
			case <-p.closed:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // e.g. out of file descriptors
			continue
		}
		p.handle(c)
	}
}

// handle serves one later start: read its arguments, hand them over, answer.
func (p *Primary) handle(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(answerTimeout))
	line, err := bufio.NewReader(io.LimitReader(c, maxRequest)).ReadBytes('\n')
	if err != nil {
		return
	}
	var req request
	var ans answer
	if err := json.Unmarshal(line, &req); err != nil {
		ans.Error = "malformed request"
	} else {
		p.mu.Lock()
		h := p.handler
		if h == nil {
			p.early = append(p.early, req.Args)
		}
		p.mu.Unlock()
		ans.OK = true
		if h != nil {
			if err := h(req.Args); err != nil {
				ans.OK, ans.Error = false, err.Error()
			}
		}
	}
	b, _ := json.Marshal(ans)
	c.Write(append(b, '\n'))
}

// refusedError is the running copy's answer that it could not take the
// arguments; trying again would not help.
type refusedError struct{ msg string }

func (e *refusedError) Error() string { return "the running copy refused: " + e.msg }

// handOff sends args to the running copy and waits for its answer.
func handOff(ctx context.Context, addr string, args []string) error {
	if args == nil {
		args = []string{}
	}
	c, err := dialChannel(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(answerTimeout))
	b, err := json.Marshal(request{Args: args})
	if err != nil {
		return err
	}
	if _, err := c.Write(append(b, '\n')); err != nil {
		return err
	}
	line, err := bufio.NewReader(io.LimitReader(c, maxRequest)).ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("no answer: %w", err)
	}
	var ans answer
	if err := json.Unmarshal(line, &ans); err != nil {
		return fmt.Errorf("malformed answer: %w", err)
	}
	if !ans.OK {
		return &refusedError{msg: ans.Error}
	}
	return nil
}
