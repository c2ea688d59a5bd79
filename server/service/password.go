package service

import "worktalk.dev/worktalk/internal/argon2id"

// DefaultArgon is OWASP's recommended m=19 MiB, t=2, run on two lanes: it
// took 40-85 ms on the 2-core build machine, where 64 MiB took 100-330 ms,
// mostly page faults, which would make sign-in a cheap way to load the server.
var DefaultArgon = argon2id.Params{Memory: 19 * 1024, Time: 2, Threads: 2}
