package ossession

import (
	"fmt"
	"time"
	"unsafe"
)

type lastInputInfo struct {
	size uint32
	time uint32 // GetTickCount at the last input of the session
}

type windowsIdle struct{}

// OpenIdle uses GetLastInputInfo: the last input anywhere in this session.
func OpenIdle() (Idle, error) {
	if err := procGetLastInputInfo.Find(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	return windowsIdle{}, nil
}

func (windowsIdle) IdleTime() (time.Duration, error) {
	info := lastInputInfo{size: uint32(unsafe.Sizeof(lastInputInfo{}))}
	if r, _, err := procGetLastInputInfo.Call(uintptr(unsafe.Pointer(&info))); r == 0 {
		return 0, fmt.Errorf("GetLastInputInfo: %w", err)
	}
	now, _, _ := procGetTickCount.Call()
	// Both are 32-bit millisecond tick counts: the difference survives the
	// wrap every 49.7 days.
	return time.Duration(uint32(now)-info.time) * time.Millisecond, nil
}

func (windowsIdle) Close() error { return nil }
