//go:build !linux

package loadtest

import (
	"errors"
	"sync/atomic"
	"time"
)

var errLinuxOnly = errors.New("the load tool reads /proc and runs on Linux only")

func raiseFileLimit(uint64) (uint64, error) { return 0, errLinuxOnly }
func loadAverage() string                   { return "?" }
func kernelSlab() uint64                    { return 0 }
func processCPU(int) (time.Duration, error) { return 0, errLinuxOnly }
func selfCPU() time.Duration                { return 0 }

type poller struct{ stop atomic.Bool }

func newPoller(time.Duration, func(*client, []byte), func(*client, error)) (*poller, error) {
	return nil, errLinuxOnly
}
func (*poller) add(*client) error { return errLinuxOnly }
func (*poller) run()              {}
func (*poller) close()            {}

func writeFD(int, []byte) error { return errLinuxOnly }
func closeFD(int)               {}
