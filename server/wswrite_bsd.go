//go:build unix && !linux

package server

import (
	"net"
	"syscall"
)

// socket writes to a connection without blocking through its RawConn.
type socket struct{ raw syscall.RawConn }

// newSocket returns the socket under nc, or nil if it has none.
func newSocket(nc net.Conn) *socket {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return &socket{raw: raw}
}

// tryWrite writes b to the socket as far as it can without waiting and
// returns how much it wrote: all of it when the send buffer has room, less
// (maybe nothing) when it is full.
func (s *socket) tryWrite(b []byte) (int, error) {
	var n int
	var werr error
	err := s.raw.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, err := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			switch err {
			case nil:
			case syscall.EINTR:
			case syscall.EAGAIN:
				return true // full: the caller finishes with a blocking write
			default:
				werr = err
				return true
			}
		}
		return true // done; never wait here
	})
	if err != nil {
		return n, err
	}
	return n, werr
}

// close has nothing to do: RawConn.Write holds the descriptor open itself.
func (s *socket) close() {}
