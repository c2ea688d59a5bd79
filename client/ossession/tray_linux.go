package ossession

import "github.com/godbus/dbus/v5"

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
