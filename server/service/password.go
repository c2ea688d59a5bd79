package service

// ArgonParams are the Argon2id cost parameters of new password hashes.
// Verification reads the parameters from each stored hash.
type ArgonParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon costs about 60 ms on a 2-core machine.
var DefaultArgon = ArgonParams{Memory: 64 * 1024, Time: 1, Threads: 2}
