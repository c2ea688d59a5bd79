//go:build darwin && cgo

package ossession

/*
#cgo CFLAGS: -x objective-c -fobjc-arc
#cgo LDFLAGS: -framework Cocoa -framework CoreGraphics

#import <Cocoa/Cocoa.h>
#import <CoreGraphics/CoreGraphics.h>

extern void worktalkSessionEvent(int event);

static id lockObserver;
static id sleepObserver;

// Observers run on the main queue, which the app's main run loop (GLFW's)
// serves; the Go handler is called there and may block briefly.
static void worktalkWatch(void) {
	dispatch_async(dispatch_get_main_queue(), ^{
		lockObserver = [[NSDistributedNotificationCenter defaultCenter]
			addObserverForName:@"com.apple.screenIsLocked" object:nil queue:[NSOperationQueue mainQueue]
			usingBlock:^(NSNotification *n) { worktalkSessionEvent(1); }];
		sleepObserver = [[[NSWorkspace sharedWorkspace] notificationCenter]
			addObserverForName:NSWorkspaceWillSleepNotification object:nil queue:[NSOperationQueue mainQueue]
			usingBlock:^(NSNotification *n) { worktalkSessionEvent(2); }];
	});
}

static void worktalkUnwatch(void) {
	dispatch_async(dispatch_get_main_queue(), ^{
		if (lockObserver) {
			[[NSDistributedNotificationCenter defaultCenter] removeObserver:lockObserver];
			lockObserver = nil;
		}
		if (sleepObserver) {
			[[[NSWorkspace sharedWorkspace] notificationCenter] removeObserver:sleepObserver];
			sleepObserver = nil;
		}
	});
}

static double worktalkIdleSeconds(void) {
	return CGEventSourceSecondsSinceLastEventType(kCGEventSourceStateHIDSystemState, kCGAnyInputEventType);
}
*/
import "C"

import (
	"fmt"
	"log/slog"
	"sync"
	"time"
)

var (
	darwinMu      sync.Mutex
	darwinHandler Handler // guarded by darwinMu
)

//export worktalkSessionEvent
func worktalkSessionEvent(ev C.int) {
	darwinMu.Lock()
	h := darwinHandler
	darwinMu.Unlock()
	if h != nil {
		h(Event(ev))
	}
}

// Watch observes com.apple.screenIsLocked (distributed) and
// NSWorkspaceWillSleepNotification on the main queue. macOS gives apps a
// short time to act on will-sleep before it sleeps anyway.
func Watch(h Handler, log *slog.Logger) (*Watcher, error) {
	darwinMu.Lock()
	defer darwinMu.Unlock()
	if darwinHandler != nil {
		return nil, fmt.Errorf("os session: already watching")
	}
	darwinHandler = h
	C.worktalkWatch()
	return &Watcher{close: func() error {
		C.worktalkUnwatch()
		darwinMu.Lock()
		darwinHandler = nil
		darwinMu.Unlock()
		return nil
	}}, nil
}

type darwinIdle struct{}

// OpenIdle uses the HID system's time since the last input event.
func OpenIdle() (Idle, error) { return darwinIdle{}, nil }

func (darwinIdle) IdleTime() (time.Duration, error) {
	return time.Duration(float64(C.worktalkIdleSeconds()) * float64(time.Second)), nil
}

func (darwinIdle) Close() error { return nil }
