package ossession

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"

	"worktalk.dev/worktalk/internal/desktoptest"
)

// privateBus starts a D-Bus daemon of the test's own, as dbus-run-session
// does, and points both the session and the system bus at it, so that
// signals sent with gdbus reach the watcher as logind's would.
func privateBus(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"dbus-daemon", "gdbus"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian packages dbus and libglib2.0-bin)", tool)
		}
	}
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon address: %v", err)
	}
	addr = strings.TrimSpace(addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)
}

// emit sends a signal with gdbus on the private bus. (--session, which
// DBUS_SESSION_BUS_ADDRESS points there: with --address gdbus talks to
// the daemon as a peer, and the daemon routes nothing it sends.)
func emit(t *testing.T, path, signal string, args ...string) {
	t.Helper()
	cmd := exec.Command("gdbus", append([]string{"emit", "--session", "--object-path", path, "--signal", signal}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gdbus emit %s: %v: %s", signal, err, out)
	}
}

// The watcher hears logind's Lock of this session and PrepareForSleep, and
// the screen saver coming on, as gdbus emit sends them on a private bus;
// signals that mean nothing (another session, waking up, the saver going
// off) are not events.
func TestWatchDBusSignals(t *testing.T) {
	privateBus(t)
	t.Setenv("XDG_SESSION_ID", "7")
	events := make(chan Event, 8)
	w, err := Watch(func(e Event) { events <- e }, nil)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	defer w.Close()

	steps := []struct {
		path, signal string
		args         []string
		want         Event // 0: none
	}{
		{"/org/freedesktop/login1/session/_37", "org.freedesktop.login1.Session.Lock", nil, Locked},
		{"/org/freedesktop/login1/session/_38", "org.freedesktop.login1.Session.Lock", nil, 0},
		{"/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep", []string{"true"}, Sleeping},
		{"/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep", []string{"false"}, 0},
		{"/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver.ActiveChanged", []string{"false"}, 0},
		{"/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver.ActiveChanged", []string{"true"}, Locked},
		{"/org/gnome/ScreenSaver", "org.gnome.ScreenSaver.ActiveChanged", []string{"true"}, Locked},
	}
	for _, s := range steps {
		emit(t, s.path, s.signal, s.args...)
		if s.want == 0 {
			continue
		}
		// Signals from one sender arrive in order: the ones that mean
		// nothing were handled (and ignored) before the next event.
		select {
		case got := <-events:
			if got != s.want {
				t.Errorf("after %s %v: event %v, want %v", s.signal, s.args, got, s.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("after %s %v: no event, want %v", s.signal, s.args, s.want)
		}
	}
	if err := w.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case e := <-events:
		t.Errorf("unexpected event %v", e)
	default:
	}
}

func TestEscapeLabel(t *testing.T) {
	for in, want := range map[string]string{"7": "_37", "c2": "c2", "12": "_312", "a-b": "a_2db"} {
		if got := escapeLabel(in); got != want {
			t.Errorf("escapeLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// The X server's idle time counts input anywhere on the display: a pointer
// move made by another client resets it.
func TestX11Idle(t *testing.T) {
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Skip("xdotool is not installed")
	}
	t.Setenv("DISPLAY", desktoptest.Display(t, "640x480"))
	idle, err := OpenIdle()
	if err != nil {
		t.Fatalf("OpenIdle: %v", err)
	}
	defer idle.Close()
	if _, ok := idle.(*x11Idle); !ok {
		t.Fatalf("OpenIdle = %T, want the X11 source", idle)
	}
	before, err := idle.IdleTime()
	if err != nil {
		t.Fatal(err)
	}
	move := exec.Command("xdotool", "mousemove", "100", "100", "mousemove", "120", "130")
	move.Env = os.Environ()
	if out, err := move.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v: %s", err, out)
	}
	after, err := idle.IdleTime()
	if err != nil {
		t.Fatal(err)
	}
	if after > before || after > time.Second {
		t.Errorf("idle after a pointer move = %v (before %v), want it reset", after, before)
	}
	later, _ := idle.IdleTime()
	if later < after {
		t.Errorf("idle went back from %v to %v without input", after, later)
	}
}

// The tray counts as there only while a StatusNotifierWatcher runs with a
// host registered, as a panel that draws tray icons makes it.
func TestTrayAvailable(t *testing.T) {
	privateBus(t)
	if TrayAvailable() {
		t.Fatalf("TrayAvailable with no watcher = true, want false")
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const watcher = "org.kde.StatusNotifierWatcher"
	props, err := prop.Export(conn, "/StatusNotifierWatcher", prop.Map{watcher: {
		"IsStatusNotifierHostRegistered": {Value: false, Writable: true, Emit: prop.EmitTrue},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.RequestName(watcher, dbus.NameFlagDoNotQueue); err != nil {
		t.Fatal(err)
	}
	if TrayAvailable() {
		t.Errorf("TrayAvailable with a watcher but no host = true, want false")
	}
	props.SetMust(watcher, "IsStatusNotifierHostRegistered", true)
	if !TrayAvailable() {
		t.Errorf("TrayAvailable with a host = false, want true")
	}
}
