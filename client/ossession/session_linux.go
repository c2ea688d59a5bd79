package ossession

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"
)

const (
	login1Name    = "org.freedesktop.login1"
	login1Path    = dbus.ObjectPath("/org/freedesktop/login1")
	login1Manager = "org.freedesktop.login1.Manager"
	login1Session = "org.freedesktop.login1.Session"
)

// screenSavers are the interfaces whose ActiveChanged(true) means the
// screen saver (and with it, on most desktops, the lock) came on.
var screenSavers = []string{"org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver", "org.mate.ScreenSaver", "org.cinnamon.ScreenSaver"}

// Watch listens to logind on the system bus (Lock of this session,
// PrepareForSleep) and to the screen saver on the session bus. It uses
// connections of its own: the shared ones carry Fyne's tray and theme
// signals, whose readers must not see ours. A bus that cannot be reached is
// skipped (log says so); with neither, Watch answers ErrUnsupported.
//
// DBUS_SYSTEM_BUS_ADDRESS picks the system bus, as for every D-Bus client,
// which is how tests point it at a private bus.
func Watch(h Handler, log *slog.Logger) (*Watcher, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &linuxWatcher{h: h, log: log, done: make(chan struct{})}
	var errs []error
	if err := w.watchSystem(); err != nil {
		errs = append(errs, fmt.Errorf("system bus: %w", err))
	}
	if err := w.watchSession(); err != nil {
		errs = append(errs, fmt.Errorf("session bus: %w", err))
	}
	if w.sys == nil && w.sess == nil {
		return nil, errors.Join(append(errs, ErrUnsupported)...)
	}
	for _, err := range errs {
		log.Info("os session: watching less", "err", err)
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.loop()
	}()
	return &Watcher{close: w.close}, nil
}

type linuxWatcher struct {
	h    Handler
	log  *slog.Logger
	sys  *dbus.Conn // nil when the system bus is not reachable
	sess *dbus.Conn // nil when the session bus is not reachable
	sigs chan *dbus.Signal

	sessionPath dbus.ObjectPath // this login session on logind; "" when unknown

	mu      sync.Mutex
	inhibit *os.File // logind delay lock on sleep; guarded by mu

	done chan struct{}
	wg   sync.WaitGroup
}

func (w *linuxWatcher) signals() chan *dbus.Signal {
	if w.sigs == nil {
		w.sigs = make(chan *dbus.Signal, 16)
	}
	return w.sigs
}

func (w *linuxWatcher) watchSystem() error {
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		return err
	}
	w.sessionPath = findSession(conn)
	rules := [][]dbus.MatchOption{{
		dbus.WithMatchObjectPath(login1Path), dbus.WithMatchInterface(login1Manager), dbus.WithMatchMember("PrepareForSleep"),
	}}
	if w.sessionPath != "" {
		rules = append(rules, []dbus.MatchOption{
			dbus.WithMatchObjectPath(w.sessionPath), dbus.WithMatchInterface(login1Session), dbus.WithMatchMember("Lock"),
		})
	}
	for _, r := range rules {
		if err := conn.AddMatchSignal(r...); err != nil {
			conn.Close()
			return err
		}
	}
	conn.Signal(w.signals())
	w.sys = conn
	w.takeInhibitor()
	return nil
}

func (w *linuxWatcher) watchSession() error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	for _, iface := range screenSavers {
		if err := conn.AddMatchSignal(dbus.WithMatchInterface(iface), dbus.WithMatchMember("ActiveChanged")); err != nil {
			conn.Close()
			return err
		}
	}
	conn.Signal(w.signals())
	w.sess = conn
	return nil
}

// findSession finds this process's logind session: by XDG_SESSION_ID, else
// by PID (a process started outside a session, e.g. by systemd --user, has
// none: then session locks come through the screen saver only).
func findSession(conn *dbus.Conn) dbus.ObjectPath {
	obj := conn.Object(login1Name, login1Path)
	var p dbus.ObjectPath
	if id := os.Getenv("XDG_SESSION_ID"); id != "" {
		if err := obj.Call(login1Manager+".GetSession", 0, id).Store(&p); err == nil {
			return p
		}
		// No logind to ask (or it does not answer): its path for the id.
		return login1Path + "/session/" + dbus.ObjectPath(escapeLabel(id))
	}
	if err := obj.Call(login1Manager+".GetSessionByPID", 0, uint32(os.Getpid())).Store(&p); err == nil {
		return p
	}
	return ""
}

// escapeLabel is systemd's bus_label_escape: an object path element from
// any string (a leading digit and anything but [A-Za-z0-9] become _XX).
func escapeLabel(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "_%02x", c)
	}
	return b.String()
}

// takeInhibitor asks logind to hold off sleep until we let go (a "delay"
// lock), so PrepareForSleep(true) gives the app time to lock. Without
// logind there is nothing to take.
func (w *linuxWatcher) takeInhibitor() {
	var fd dbus.UnixFD
	err := w.sys.Object(login1Name, login1Path).Call(login1Manager+".Inhibit", 0,
		"sleep", "Worktalk", "Lock Worktalk before the computer sleeps", "delay").Store(&fd)
	if err != nil {
		w.log.Debug("os session: no sleep delay lock", "err", err)
		return
	}
	w.mu.Lock()
	w.inhibit = os.NewFile(uintptr(fd), "logind-inhibit")
	w.mu.Unlock()
}

func (w *linuxWatcher) releaseInhibitor() {
	w.mu.Lock()
	f := w.inhibit
	w.inhibit = nil
	w.mu.Unlock()
	if f != nil {
		f.Close()
	}
}

func (w *linuxWatcher) loop() {
	for {
		select {
		case <-w.done:
			return
		case sig := <-w.sigs:
			if sig == nil {
				continue
			}
			w.handle(sig)
		}
	}
}

func (w *linuxWatcher) handle(sig *dbus.Signal) {
	iface, member := splitName(sig.Name)
	switch {
	case iface == login1Manager && member == "PrepareForSleep":
		if going, ok := firstBool(sig); ok && going {
			w.h(Sleeping)
			w.releaseInhibitor() // the app has locked: let the machine sleep
		} else if ok {
			w.takeInhibitor() // awake again: ready for the next sleep
		}
	case iface == login1Session && member == "Lock":
		if sig.Path == w.sessionPath {
			w.h(Locked)
		}
	case member == "ActiveChanged":
		if on, ok := firstBool(sig); ok && on {
			w.h(Locked)
		}
	}
}

func splitName(name string) (iface, member string) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "", name
	}
	return name[:i], name[i+1:]
}

func firstBool(sig *dbus.Signal) (bool, bool) {
	if len(sig.Body) == 0 {
		return false, false
	}
	b, ok := sig.Body[0].(bool)
	return b, ok
}

func (w *linuxWatcher) close() error {
	close(w.done)
	var errs []error
	for _, c := range []*dbus.Conn{w.sys, w.sess} {
		if c != nil {
			c.RemoveSignal(w.sigs)
			errs = append(errs, c.Close())
		}
	}
	w.wg.Wait()
	w.releaseInhibitor()
	return errors.Join(errs...)
}
