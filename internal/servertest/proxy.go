package servertest

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// Proxy is a TCP relay in front of a server that a test can cut, to make
// the server unreachable without stopping it. It stops in tb.Cleanup.
type Proxy struct {
	ln     net.Listener
	target string

	mu       sync.Mutex
	down     bool                  // guarded by mu: refuse and drop connections
	conns    map[net.Conn]struct{} // guarded by mu
	cutAfter int                   // guarded by mu: >0 ends each new connection after that many websocket frames from the server
	cuts     int                   // connections ended so; guarded by mu
	wg       sync.WaitGroup
}

// NewProxy starts a proxy to this server.
func (e *Env) NewProxy(tb testing.TB) *Proxy {
	tb.Helper()
	return NewProxy(tb, strings.TrimPrefix(e.URL, "http://"))
}

// NewProxy starts a proxy on 127.0.0.1:0 to target (host:port).
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.relay(c)
			}()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		p.SetDown(true)
		p.wg.Wait()
	})
	return p
}

// URL is the proxy's http:// address.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *Proxy) relay(c net.Conn) {
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	cutAfter := p.cutAfter
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); up.Close(); done <- struct{}{} }()
	go func() {
		if cutAfter > 0 && copyFrames(c, up, cutAfter) {
			p.mu.Lock()
			p.cuts++
			p.mu.Unlock()
		} else {
			io.Copy(c, up)
		}
		c.Close()
		done <- struct{}{}
	}()
	<-done
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// SetDown cuts every connection and refuses new ones (true), or lets them
// through again (false).
func (p *Proxy) SetDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
	}
}

// CutEach makes every new connection end after n websocket frames from the
// server (0: never), e.g. in the middle of a snapshot's pages.
func (p *Proxy) CutEach(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cutAfter = n
}

// CutCount is how many connections CutEach has ended.
func (p *Proxy) CutCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cuts
}

// copyFrames relays the server's HTTP answer and then n whole websocket
// frames (frame headers are never compressed), and reports whether it got
// that far.
func copyFrames(dst io.Writer, src io.Reader, n int) bool {
	r := bufio.NewReader(src)
	for { // the upgrade answer, up to its blank line
		line, err := r.ReadString('\n')
		if err != nil {
			return false
		}
		if _, err := io.WriteString(dst, line); err != nil {
			return false
		}
		if line == "\r\n" {
			break
		}
	}
	for range n {
		var h [2]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return false
		}
		size, ext := uint64(h[1]&0x7f), 0
		switch size {
		case 126:
			ext = 2
		case 127:
			ext = 8
		}
		x := make([]byte, ext)
		if _, err := io.ReadFull(r, x); err != nil {
			return false
		}
		if ext > 0 {
			size = 0
			for _, b := range x {
				size = size<<8 | uint64(b)
			}
		}
		if _, err := dst.Write(append(h[:], x...)); err != nil {
			return false
		}
		if _, err := io.CopyN(dst, r, int64(size)); err != nil {
			return false
		}
	}
	return true
}
