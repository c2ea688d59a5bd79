//go:build unix

package server

import (
	"net"
	"syscall"
)

// rawConn is the socket under nc, for tryWrite; nil if it has none.
func rawConn(nc net.Conn) syscall.RawConn {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return raw
}

// tryWrite writes b to the socket as far as it can without waiting and
// returns how much it wrote: all of it when the send buffer has room, less
// (maybe nothing) when it is full.
func tryWrite(raw syscall.RawConn, b []byte) (int, error) {
	var n int
	var werr error
	err := raw.Write(func(fd uintptr) bool {
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
