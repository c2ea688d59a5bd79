//go:build !linux

package ossession

// TrayAvailable reports whether the desktop shows tray icons: Windows'
// notification area and macOS's menu bar always do.
func TrayAvailable() bool { return true }

// TrayPossible reports whether a tray icon can be set up: always here.
func TrayPossible() bool { return true }
