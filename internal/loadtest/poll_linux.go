package loadtest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// poller reads the websockets of many clients with one epoll instance and
// one goroutine: 10,000 connections need no goroutine each, and a delivery
// costs the clients one read system call and no wake-up of a goroutine of
// its own. The clients share the machine with the node, so what they spend
// is taken from it.
type poller struct {
	epfd     int
	coalesce time.Duration // see Config.Coalesce
	onText   func(c *client, payload []byte)
	onEnd    func(c *client, err error) // once per client whose connection ends
	stop     atomic.Bool

	mu      sync.Mutex
	clients []*client // by the index the events carry; guarded by mu
}

func newPoller(coalesce time.Duration, onText func(*client, []byte), onEnd func(*client, error)) (*poller, error) {
	fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	return &poller{epfd: fd, coalesce: coalesce, onText: onText, onEnd: onEnd}, nil
}

// add takes c's socket over from the net package and watches it. The
// socket is moved to a descriptor of its own, so that the runtime's
// poller stops watching it too (it would wake on every delivery for
// nothing).
func (p *poller) add(c *client) error {
	raw, err := c.nc.(syscall.Conn).SyscallConn()
	if err != nil {
		return err
	}
	fd, derr := -1, error(nil)
	if err := raw.Control(func(f uintptr) { fd, derr = syscall.Dup(int(f)) }); err != nil {
		return err
	}
	if derr != nil {
		return fmt.Errorf("dup: %w", derr)
	}
	syscall.CloseOnExec(fd)
	c.wmu.Lock()
	c.nc.Close() // the socket stays open through fd (non-blocking, as the net package left it)
	c.nc, c.fd = nil, fd
	c.wmu.Unlock()
	// Bytes read past the sync's answer: handle them now, as if just read,
	// before the poller may read more.
	if len(c.pending) > 0 {
		if p.consume(c, nil); c.ended {
			return nil
		}
	}
	p.mu.Lock()
	p.clients = append(p.clients, c)
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(len(p.clients) - 1)}
	p.mu.Unlock()
	if err := syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	return nil
}

// run reads until close; each epoll wait lasts at most 100 ms, so the
// loop sees stop soon after it is set.
func (p *poller) run() {
	events := make([]syscall.EpollEvent, 256)
	buf := make([]byte, 64<<10)
	for !p.stop.Load() {
		n, err := syscall.EpollWait(p.epfd, events, 100)
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			panic(fmt.Sprintf("epoll_wait: %v", err)) // only a bug gets here
		}
		for _, ev := range events[:n] {
			p.mu.Lock()
			c := p.clients[ev.Fd]
			p.mu.Unlock()
			if c.ended {
				continue
			}
			m, err := syscall.Read(c.fd, buf)
			switch {
			case errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR):
			case err != nil:
				p.end(c, err)
			case m == 0:
				p.end(c, errors.New("connection closed by the node"))
			default:
				p.consume(c, buf[:m])
			}
		}
		if p.coalesce > 0 && n < len(events) {
			time.Sleep(p.coalesce)
		}
	}
}

// consume handles what was read for c after its pending bytes.
func (p *poller) consume(c *client, read []byte) {
	b := read
	if len(c.pending) > 0 {
		c.pending = append(c.pending, read...)
		b = c.pending
	}
	used, err := c.consume(b, p.onText)
	if err != nil {
		p.end(c, err)
		return
	}
	c.pending = append(c.pending[:0:0], b[used:]...) // b may be c.pending: copy
}

func (p *poller) end(c *client, err error) {
	c.ended = true
	_ = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
	p.onEnd(c, err)
}

// close frees the epoll instance; run must have returned.
func (p *poller) close() { syscall.Close(p.epfd) }

// writeFD writes all of b to a non-blocking socket. A client's frames are
// small and the node reads them at once, so a full send buffer is rare:
// it is waited out a millisecond at a time, for at most 10 s.
func writeFD(fd int, b []byte) error {
	for tries := 0; len(b) > 0; {
		n, err := syscall.Write(fd, b)
		if n > 0 {
			b = b[n:]
		}
		switch {
		case err == nil, errors.Is(err, syscall.EINTR):
		case errors.Is(err, syscall.EAGAIN):
			if tries++; tries > 10_000 {
				return errors.New("socket full for 10 s")
			}
			time.Sleep(time.Millisecond)
		default:
			return err
		}
	}
	return nil
}

func closeFD(fd int) { _ = syscall.Close(fd) }
