//go:build !linux

package procmem

import "errors"

// Read is Linux only: it reads /proc.
func Read(int) (Memory, error) {
	return Memory{}, errors.New("procmem: reading a process's resident set needs Linux's /proc")
}
