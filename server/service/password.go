package service

import (
	"context"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
)

// DefaultArgon is OWASP's recommended m=19 MiB, t=2, run on two lanes: it
// took 40-85 ms on the 2-core build machine, where 64 MiB took 100-330 ms,
// mostly page faults, which would make sign-in a cheap way to load the server.
var DefaultArgon = argon2id.Params{Memory: 19 * 1024, Time: 2, Threads: 2}

// errBusy refuses a password check when the hashing pool and its queue are
// full; the transport answers 503 with Retry-After.
var errBusy = protocol.Errorf(protocol.EUnavailable, "the server is busy; try again in a moment")

// hashPool bounds password hashing: at most cap(running) hashes at once and
// a short queue; anyone beyond is refused at once. Each hash holds
// DefaultArgon's 19 MiB and keeps Threads cores busy, so without the bound
// 64 concurrent wrong passwords took 1.2 GB and starved every other request
// of CPU. (The issue asked for at most GOMAXPROCS hashes at once; with two
// lanes each, GOMAXPROCS/2 already fill the cores.) Known devices (a valid device token) queue in places of their own,
// so a flood of strangers cannot keep their owners from signing in.
type hashPool struct {
	admitted chan struct{} // strangers: held from arrival until the hash is done
	known    chan struct{} // known devices: the same, in places of their own
	running  chan struct{} // held while hashing
}

func newHashPool(workers, queue int) *hashPool {
	return &hashPool{
		admitted: make(chan struct{}, workers+queue),
		known:    make(chan struct{}, workers+queue),
		running:  make(chan struct{}, workers),
	}
}

// do runs fn when a worker is free; known says the caller is a known
// device. Errors: errBusy when its queue is full, ctx.Err() when ctx ends
// while waiting.
func (p *hashPool) do(ctx context.Context, known bool, fn func()) error {
	places := p.admitted
	if known {
		places = p.known
	}
	select {
	case places <- struct{}{}:
	default:
		return errBusy
	}
	defer func() { <-places }()
	select {
	case p.running <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.running }()
	fn()
	return nil
}

// hash returns the PHC string of pw, hashed in the pool.
func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	var h string
	var herr error
	if err := s.hashes.do(ctx, true, func() { h, herr = argon2id.Hash(pw, s.argon) }); err != nil {
		return "", err
	}
	return h, herr
}
