package server

import (
	"net"
	"sync"
	"syscall"
	"unsafe"
)

// socket writes to a connection's descriptor directly, without blocking.
// Go's own path to it (RawConn.Write) takes the descriptor's locks, resets
// its poller state and tells the scheduler about each system call; on a
// fan-out to 10,000 sockets that was about a fifth of the node's CPU.
//
// The descriptor stays open while a write is in progress: the connection
// closes its socket only through close, which waits for that write (it
// cannot block) and stops later ones, so a number the kernel hands out
// again after the close is never written to.
type socket struct {
	fd     int
	mu     sync.RWMutex // read-held for a write, held by close
	closed bool         // guarded by mu
}

// newSocket returns the socket under nc, or nil if it has none: then each
// connection's queue is written by a flusher of its own.
func newSocket(nc net.Conn) *socket {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	s := &socket{fd: -1}
	if err := raw.Control(func(fd uintptr) { s.fd = int(fd) }); err != nil || s.fd < 0 {
		return nil
	}
	return s
}

// tryWrite writes b as far as the socket takes it without waiting and
// returns how much it wrote: all of it when the send buffer has room, less
// (maybe nothing) when it is full. The descriptor is non-blocking (Go's
// poller set it so), so the system call never sleeps and is made raw: the
// scheduler need not hand the processor to another thread meanwhile.
func (s *socket) tryWrite(b []byte) (int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, net.ErrClosed
	}
	n := 0
	for n < len(b) {
		m, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(s.fd),
			uintptr(unsafe.Pointer(&b[n])), uintptr(len(b)-n))
		switch errno {
		case 0:
			n += int(m)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return n, nil // full: the caller finishes with a blocking write
		default:
			return n, errno
		}
	}
	return n, nil
}

// close stops further writes, after the one in progress; the caller then
// closes the connection.
func (s *socket) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}
