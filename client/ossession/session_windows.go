package ossession

import (
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32   = windows.NewLazySystemDLL("user32.dll")
	wtsapi32 = windows.NewLazySystemDLL("wtsapi32.dll")
	kernel32 = windows.NewLazySystemDLL("kernel32.dll")

	procRegisterClassExW    = user32.NewProc("RegisterClassExW")
	procUnregisterClassW    = user32.NewProc("UnregisterClassW")
	procCreateWindowExW     = user32.NewProc("CreateWindowExW")
	procDestroyWindow       = user32.NewProc("DestroyWindow")
	procDefWindowProcW      = user32.NewProc("DefWindowProcW")
	procGetMessageW         = user32.NewProc("GetMessageW")
	procDispatchMessageW    = user32.NewProc("DispatchMessageW")
	procPostMessageW        = user32.NewProc("PostMessageW")
	procPostQuitMessage     = user32.NewProc("PostQuitMessage")
	procGetLastInputInfo    = user32.NewProc("GetLastInputInfo")
	procGetModuleHandleW    = kernel32.NewProc("GetModuleHandleW")
	procGetTickCount        = kernel32.NewProc("GetTickCount")
	procWTSRegisterSession  = wtsapi32.NewProc("WTSRegisterSessionNotification")
	procWTSUnRegisterSesion = wtsapi32.NewProc("WTSUnRegisterSessionNotification")
)

const (
	wmClose            = 0x0010
	wmDestroy          = 0x0002
	wmPowerBroadcast   = 0x0218
	wmWTSSessionChange = 0x02B1
	pbtAPMSuspend      = 0x0004
	wtsSessionLock     = 0x0007
	notifyForThisSess  = 0
)

type wndClassEx struct {
	size       uint32
	style      uint32
	wndProc    uintptr
	clsExtra   int32
	wndExtra   int32
	instance   windows.Handle
	icon       windows.Handle
	cursor     windows.Handle
	background windows.Handle
	menuName   *uint16
	className  *uint16
	iconSm     windows.Handle
}

type msg struct {
	hwnd    windows.HWND
	message uint32
	wParam  uintptr
	lParam  uintptr
	time    uint32
	pt      struct{ x, y int32 }
}

// The window procedure is a C callback with no user pointer: the one
// watcher it serves is found here. Watch allows one watcher at a time.
var (
	current   *windowsWatcher
	currentMu sync.Mutex
)

// Watch creates a hidden top-level window (message-only windows do not get
// power broadcasts) on a thread of its own and registers it for session
// notifications of this session: WTS_SESSION_LOCK is Locked,
// PBT_APMSUSPEND is Sleeping (Windows waits for the handler, about two
// seconds at most).
func Watch(h Handler, log *slog.Logger) (*Watcher, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &windowsWatcher{h: h, log: log, ready: make(chan error, 1), done: make(chan struct{})}
	currentMu.Lock()
	if current != nil {
		currentMu.Unlock()
		return nil, fmt.Errorf("os session: already watching")
	}
	current = w
	currentMu.Unlock() // the window procedure takes it while the window is made
	go w.run()
	if err := <-w.ready; err != nil {
		currentMu.Lock()
		current = nil
		currentMu.Unlock()
		return nil, err
	}
	return &Watcher{close: w.close}, nil
}

type windowsWatcher struct {
	h     Handler
	log   *slog.Logger
	hwnd  windows.HWND
	ready chan error
	done  chan struct{}
}

var wndProcCallback = syscall.NewCallback(wndProc)

func wndProc(hwnd windows.HWND, m uint32, wParam, lParam uintptr) uintptr {
	currentMu.Lock()
	w := current
	currentMu.Unlock()
	switch m {
	case wmWTSSessionChange:
		if wParam == wtsSessionLock && w != nil {
			w.h(Locked)
		}
		return 0
	case wmPowerBroadcast:
		if wParam == pbtAPMSuspend && w != nil {
			w.h(Sleeping)
		}
		return 1
	case wmClose:
		procWTSUnRegisterSesion.Call(uintptr(hwnd))
		procDestroyWindow.Call(uintptr(hwnd))
		return 0
	case wmDestroy:
		procPostQuitMessage.Call(0)
		return 0
	}
	r, _, _ := procDefWindowProcW.Call(uintptr(hwnd), uintptr(m), wParam, lParam)
	return r
}

func (w *windowsWatcher) run() {
	runtime.LockOSThread() // a window belongs to the thread that made it
	defer runtime.UnlockOSThread()
	defer close(w.done)
	inst, _, _ := procGetModuleHandleW.Call(0)
	name, _ := windows.UTF16PtrFromString("WorktalkSessionWatcher")
	wc := wndClassEx{wndProc: wndProcCallback, instance: windows.Handle(inst), className: name}
	wc.size = uint32(unsafe.Sizeof(wc))
	if r, _, err := procRegisterClassExW.Call(uintptr(unsafe.Pointer(&wc))); r == 0 {
		w.ready <- fmt.Errorf("register window class: %w", err)
		return
	}
	defer procUnregisterClassW.Call(uintptr(unsafe.Pointer(name)), inst)
	hwnd, _, err := procCreateWindowExW.Call(0, uintptr(unsafe.Pointer(name)), uintptr(unsafe.Pointer(name)),
		0, 0, 0, 0, 0, 0, 0, inst, 0)
	if hwnd == 0 {
		w.ready <- fmt.Errorf("create window: %w", err)
		return
	}
	w.hwnd = windows.HWND(hwnd)
	if r, _, err := procWTSRegisterSession.Call(hwnd, notifyForThisSess); r == 0 {
		w.log.Info("os session: no session notifications", "err", err)
	}
	w.ready <- nil
	var m msg
	for {
		r, _, _ := procGetMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0)
		if int32(r) <= 0 { // WM_QUIT or an error
			return
		}
		procDispatchMessageW.Call(uintptr(unsafe.Pointer(&m)))
	}
}

func (w *windowsWatcher) close() error {
	procPostMessageW.Call(uintptr(w.hwnd), wmClose, 0, 0)
	<-w.done
	currentMu.Lock()
	current = nil
	currentMu.Unlock()
	return nil
}
