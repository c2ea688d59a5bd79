//go:build !linux

package ui

import "time"

// threadCPU is not measured here: benchmarks report 0.
func threadCPU() time.Duration { return 0 }

// processCPU is not measured here: benchmarks report 0.
func processCPU() time.Duration { return 0 }
