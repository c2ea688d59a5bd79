//go:build !linux

package ossession

// TrayAvailable reports whether the desktop shows tray icons: Windows'
// notification area and macOS's menu bar always do.
func TrayAvailable() bool { return true }
