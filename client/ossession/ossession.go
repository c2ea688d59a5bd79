// Package ossession tells the app what the operating system's user session
// does: the screen locks, the computer is about to sleep, and how long the
// user has been idle, counting mouse and keyboard input anywhere, not only
// in the app's windows.
//
//	Linux    logind Lock and PrepareForSleep (system bus, with a delay
//	         inhibitor so the app locks before the machine sleeps) and the
//	         ScreenSaver ActiveChanged signal (session bus); idle time from the
//	         X11 MIT-SCREEN-SAVER extension, GNOME's IdleMonitor on Wayland,
//	         else logind's IdleHint.
//	Windows  WTS session-change notifications and PBT_APMSUSPEND on a hidden
//	         window; idle time from GetLastInputInfo.
//	macOS    com.apple.screenIsLocked and NSWorkspaceWillSleepNotification;
//	         idle time from the HID system (CGEventSourceSecondsSinceLastEventType).
//
// Where a source is missing, Watch watches what there is and OpenIdle
// answers ErrUnsupported: the app then counts input in its own windows.
package ossession

import (
	"errors"
	"time"
)

// Event is something the OS session did that locks the app.
type Event int

const (
	// Locked: the session locked, or the screen saver came on.
	Locked Event = iota + 1
	// Sleeping: the computer is about to suspend or hibernate.
	Sleeping
)

func (e Event) String() string {
	switch e {
	case Locked:
		return "locked"
	case Sleeping:
		return "sleeping"
	}
	return "unknown"
}

// Handler is told of each event, on the watcher's goroutine, one at a time.
// For Sleeping the OS waits until it returns (up to its own limit: five
// seconds with logind's defaults), so the app can lock, and write down that
// it is locked, before the machine stops.
type Handler func(Event)

// ErrUnsupported: this system offers nothing for the asked-for part.
var ErrUnsupported = errors.New("not offered by this system")

// Watcher watches the session until Close.
type Watcher struct {
	close func() error
}

// Close stops watching and waits for the watcher's goroutines.
func (w *Watcher) Close() error {
	if w == nil || w.close == nil {
		return nil
	}
	c := w.close
	w.close = nil
	return c()
}

// Idle reports how long the user has not touched mouse or keyboard.
type Idle interface {
	IdleTime() (time.Duration, error)
	Close() error
}
