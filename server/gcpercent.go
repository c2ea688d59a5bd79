package server

import (
	"os"
	"runtime/debug"
)

// GCPercent is the collector's heap goal worktalkd runs with: 1.5x the
// live heap instead of Go's 2x. A node's live heap is mostly its idle
// connections (their stacks count), and what the heap grows to while they
// connect, or while a sign-in's password hash leaves its 19 MiB behind, it
// keeps: with 2x, 10,000 connections cost some 1.7 KB each more, and ten
// sign-ins at once took the node past 150 MB (docs/scale-out.md). The
// price is a collection twice as often, a few percent of a fan-out's CPU.
const GCPercent = 50

// UseGCPercent sets GCPercent unless GOGC is set in the environment, which
// wins. worktalkd and the load tool's node call it first thing.
func UseGCPercent() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
