//go:build !unix

package server

import (
	"net"
	"syscall"
)

// rawConn is nil where a write cannot be tried without blocking: each
// connection's queue is then written by a flusher of its own.
func rawConn(net.Conn) syscall.RawConn { return nil }

// tryWrite is never called: rawConn is nil.
func tryWrite(syscall.RawConn, []byte) (int, error) { return 0, nil }
