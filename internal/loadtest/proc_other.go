//go:build !linux

package loadtest

import "errors"

// Memory is a process's resident set.
type Memory struct {
	RSS  uint64
	Peak uint64
}

var errLinuxOnly = errors.New("the load tool reads /proc and runs on Linux only")

func readMemory(int) (Memory, error)        { return Memory{}, errLinuxOnly }
func raiseFileLimit(uint64) (uint64, error) { return 0, errLinuxOnly }
func loadAverage() string                   { return "?" }
