package ossession

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/screensaver"
	"github.com/jezek/xgb/xproto"
)

// OpenIdle finds the best idle time this desktop offers: the X server's
// MIT-SCREEN-SAVER extension (X11, or XWayland apps on a DISPLAY), GNOME's
// IdleMonitor on the session bus (Wayland), else logind's IdleHint of this
// session, which only says "idle" after the desktop's own idle delay.
func OpenIdle() (Idle, error) {
	var errs []error
	if os.Getenv("DISPLAY") != "" {
		x, err := openX11Idle()
		if err == nil {
			return x, nil
		}
		errs = append(errs, fmt.Errorf("x11: %w", err))
	}
	if g, err := openMutterIdle(); err == nil {
		return g, nil
	} else {
		errs = append(errs, fmt.Errorf("gnome idle monitor: %w", err))
	}
	if l, err := openLogindIdle(); err == nil {
		return l, nil
	} else {
		errs = append(errs, fmt.Errorf("logind: %w", err))
	}
	return nil, errors.Join(append(errs, ErrUnsupported)...)
}

// x11Idle asks the X server, which sees every input event of the display.
type x11Idle struct {
	conn *xgb.Conn
	root xproto.Window
}

func openX11Idle() (*x11Idle, error) {
	xgb.Logger = log.New(io.Discard, "", 0) // errors come back as values; its log is noise on stderr
	conn, err := xgb.NewConn()
	if err != nil {
		return nil, err
	}
	if err := screensaver.Init(conn); err != nil {
		conn.Close()
		return nil, err
	}
	x := &x11Idle{conn: conn, root: xproto.Setup(conn).DefaultScreen(conn).Root}
	if _, err := x.IdleTime(); err != nil {
		conn.Close()
		return nil, err
	}
	return x, nil
}

func (x *x11Idle) IdleTime() (time.Duration, error) {
	info, err := screensaver.QueryInfo(x.conn, xproto.Drawable(x.root)).Reply()
	if err != nil {
		return 0, fmt.Errorf("x11 idle time: %w", err)
	}
	return time.Duration(info.MsSinceUserInput) * time.Millisecond, nil
}

func (x *x11Idle) Close() error {
	x.conn.Close()
	return nil
}

// mutterIdle is GNOME Shell's idle monitor, the one Wayland source of idle
// time that does not need a protocol extension bound to a surface.
type mutterIdle struct {
	conn *dbus.Conn
	obj  dbus.BusObject
}

func openMutterIdle() (*mutterIdle, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, err
	}
	m := &mutterIdle{conn: conn, obj: conn.Object("org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core")}
	if _, err := m.IdleTime(); err != nil {
		conn.Close()
		return nil, err
	}
	return m, nil
}

func (m *mutterIdle) IdleTime() (time.Duration, error) {
	var ms uint64
	if err := m.obj.Call("org.gnome.Mutter.IdleMonitor.GetIdletime", 0).Store(&ms); err != nil {
		return 0, err
	}
	return time.Duration(ms) * time.Millisecond, nil
}

func (m *mutterIdle) Close() error { return m.conn.Close() }

// logindIdle reads IdleHint and IdleSinceHint of this session: coarse (the
// desktop sets the hint after its own idle delay) but better than nothing.
type logindIdle struct {
	conn *dbus.Conn
	obj  dbus.BusObject
}

func openLogindIdle() (*logindIdle, error) {
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		return nil, err
	}
	path := findSession(conn)
	if path == "" {
		conn.Close()
		return nil, errors.New("no logind session for this process")
	}
	l := &logindIdle{conn: conn, obj: conn.Object(login1Name, path)}
	if _, err := l.IdleTime(); err != nil {
		conn.Close()
		return nil, err
	}
	return l, nil
}

func (l *logindIdle) IdleTime() (time.Duration, error) {
	hint, err := l.obj.GetProperty(login1Session + ".IdleHint")
	if err != nil {
		return 0, err
	}
	if idle, _ := hint.Value().(bool); !idle {
		return 0, nil
	}
	since, err := l.obj.GetProperty(login1Session + ".IdleSinceHint")
	if err != nil {
		return 0, err
	}
	us, _ := since.Value().(uint64) // CLOCK_REALTIME, microseconds
	if us == 0 {
		return 0, nil
	}
	return max(time.Since(time.UnixMicro(int64(us))), 0), nil
}

func (l *logindIdle) Close() error { return l.conn.Close() }
