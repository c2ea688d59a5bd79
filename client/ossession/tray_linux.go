package ossession

import "github.com/godbus/dbus/v5"

// TrayPossible reports whether a tray icon can be set up at all: Fyne's
// tray talks to the session bus, and set up without one it crashes the app
// when it quits (e.g. under a bare xvfb-run).
func TrayPossible() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// TrayAvailable reports whether the desktop shows tray icons now: a
// StatusNotifierWatcher runs on the session bus and a host (a panel that
// draws the icons) has registered with it. Fyne's tray registers there;
// without a host its icon is nowhere to be seen.
func TrayAvailable() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	const watcher = "org.kde.StatusNotifierWatcher"
	var owned bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, watcher).Store(&owned); err != nil || !owned {
		return false
	}
	v, err := conn.Object(watcher, "/StatusNotifierWatcher").GetProperty(watcher + ".IsStatusNotifierHostRegistered")
	if err != nil {
		return false
	}
	host, _ := v.Value().(bool)
	return host
}
