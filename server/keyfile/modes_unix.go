//go:build !windows

package keyfile

// ignoresModes reports whether the OS has no Unix permission bits to check.
func ignoresModes() bool { return false }
