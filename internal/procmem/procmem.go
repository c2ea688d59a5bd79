// Package procmem reads a process's resident memory as the kernel counts
// it, the figure an operator pays for (Go's own statistics leave out
// SQLite's allocations, the runtime's slack and what was not given back).
package procmem

// Memory is a process's resident set, in bytes.
type Memory struct {
	RSS  uint64 // VmRSS: resident now
	Peak uint64 // VmHWM: the highest RSS so far
}
