package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/client/lock"
	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/internal/desktoptest"
	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// quitEnv is Kim signed in on this device to a real server behind a proxy,
// with unread messages from Lee in a group (so the tray shows a count).
type quitEnv struct {
	env   *servertest.Env
	proxy *servertest.Proxy
	bin   string
	data  string
	xenv  []string
	opt   client.Options
	acct  client.Account
	room  string
}

func newQuitEnv(t *testing.T) *quitEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the app under Xvfb")
	}
	q := &quitEnv{bin: desktoptest.App(t), data: t.TempDir()}
	q.xenv = []string{"DISPLAY=" + desktoptest.Display(t, "1280x800"), "LANG=en_US.UTF-8"}
	q.env = servertest.New(t)
	q.proxy = q.env.NewProxy(t)
	ws := q.env.CreateWorkspace("Acme")
	kim := q.env.CreateMember(ws.ID, "Kim Minji", nil)
	lee := q.env.NewUser(ws.ID, "Lee Jun")
	q.opt = client.Options{DataDir: q.data, AllowFileSecrets: true}
	var err error
	if q.acct, _, err = client.SignIn(context.Background(), q.opt, q.proxy.URL(), kim.Email, kim.Password, ""); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	c := q.env.Dial(lee.Token)
	defer c.Close()
	var room protocol.Room
	c.DoOK(protocol.OpRoomCreate, protocol.CreateRoom{Kind: protocol.RoomGroup, Title: "Launch", Members: []string{kim.ID()}}, &room)
	for _, text := range []string{"회의 3시", "자료 보냈어요", "확인 부탁해요"} {
		c.DoOK(protocol.OpMessageSend, protocol.SendMessage{RoomID: room.ID, Text: text}, nil)
	}
	q.room = room.ID
	return q
}

// start runs the app on Kim's data folder with more environment.
func (q *quitEnv) start(t *testing.T, env ...string) *desktoptest.Proc {
	t.Helper()
	return desktoptest.Start(t, q.bin, append(append([]string(nil), q.xenv...), env...), "--data", q.data, "--insecure-file-secrets", "--event-report")
}

// exit waits for the app to end and returns its exit code, failing the
// test on any panic it printed, or Fyne's complaint about focusing what
// the window does not show.
func exit(t *testing.T, p *desktoptest.Proc) int {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for open := true; open; {
		select {
		case _, open = <-p.Lines:
		case <-timeout:
			t.Fatalf("the app did not end within 30 s; it said:\n%s", strings.Join(p.Output(), "\n"))
		}
	}
	var ee *exec.ExitError
	if err := p.Cmd.Wait(); err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	out := p.Output()
	for _, l := range out {
		if strings.Contains(l, "panic") || strings.Contains(l, "GLFW") || strings.Contains(l, "Failed to focus") {
			t.Errorf("the app said:\n%s", strings.Join(out, "\n"))
			break
		}
	}
	return p.Cmd.ProcessState.ExitCode()
}

// SIGTERM quits the real app cleanly whenever it comes: exit 0, no panic.
// Fyne ends its loop on the signal by itself; the app must then neither
// touch the tray (Fyne closed its D-Bus connection) nor GLFW (terminated),
// and still closes the workspace.
func TestSigtermQuitsCleanly(t *testing.T) {
	q := newQuitEnv(t)
	for _, when := range []struct {
		event string
		after time.Duration
	}{
		{"event: ready", 0},          // the loop is about to start
		{"event: main", 0},           // the unread count just reached the tray
		{"event: main", time.Second}, // idle
	} {
		p := q.start(t)
		p.Await(t, when.event, 60*time.Second)
		time.Sleep(when.after)
		if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := exit(t, p); code != 0 {
			t.Errorf("SIGTERM %v after %q: exit code %d, want 0", when.after, when.event, code)
		}
	}
}

// SIGTERM keeps what must outlive the app: a message written offline stays
// in the outbox and is sent at the next start, and an app locked when it
// stopped stays locked.
func TestSigtermKeepsOutboxAndLock(t *testing.T) {
	q := newQuitEnv(t)
	ctx := context.Background()
	e, err := client.Open(ctx, q.opt, q.acct)
	if err != nil {
		t.Fatal(err)
	}
	await(t, e, "the group, online", func(s client.State) bool {
		return s.Conn.Online && slices.ContainsFunc(s.Rooms, func(r client.RoomSummary) bool { return r.ID == q.room })
	})
	q.proxy.SetDown(true)
	await(t, e, "offline", func(s client.State) bool { return !s.Conn.Online })
	if _, err := e.SendMessage(ctx, q.room, "보낼 편지"); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	keyring := os.Getenv("WORKTALK_TEST_KEYRING") == "1"
	var lk *lock.Lock
	if keyring {
		if lk, err = lock.Open(lock.Options{Params: argon2id.TestParams}); err != nil {
			t.Fatal(err)
		}
		if err := lk.Set("lock-password-1"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { lk.Clear() })
		if err := lk.SetLocked(true); err != nil {
			t.Fatal(err)
		}
	} else {
		t.Log("no Secret Service (WORKTALK_TEST_KEYRING unset): the lock part is not run")
	}

	p := q.start(t)
	if keyring {
		p.Await(t, "event: locked", 60*time.Second)
	}
	p.Await(t, "event: main", 60*time.Second)
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := exit(t, p); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if keyring {
		if again, err := lock.Open(lock.Options{}); err != nil || !again.Locked() {
			t.Errorf("after SIGTERM: locked %v (%v), want still locked", again != nil && again.Locked(), err)
		}
	}

	e, err = client.Open(ctx, q.opt, q.acct)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if n := e.State().Pending; n != 1 {
		t.Fatalf("outbox after SIGTERM holds %d, want the 1 message written offline", n)
	}
	q.proxy.SetDown(false)
	await(t, e, "the kept message sent", func(s client.State) bool { return s.Conn.Online && s.Pending == 0 })
}

// await waits up to 30 s for a state of e that meets cond.
func await(t *testing.T, e *client.Engine, what string, cond func(client.State) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for s := range e.Watch(ctx) {
		if cond(s) {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// Without a D-Bus session bus (a bare xvfb-run) the app sets up no tray,
// and quitting does not crash in Fyne's tray code. The demo keeps its
// tokens in a file, which needs no bus either.
func TestQuitWithoutSessionBus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the app under Xvfb")
	}
	bin := desktoptest.App(t)
	// No address, and nowhere to find one (godbus also looks for
	// $XDG_RUNTIME_DIR/bus).
	env := []string{"DISPLAY=" + desktoptest.Display(t, "1280x800"), "LANG=en_US.UTF-8",
		"DBUS_SESSION_BUS_ADDRESS=", "XDG_RUNTIME_DIR=" + t.TempDir()}
	p := desktoptest.Start(t, bin, env, "--demo", "--data", t.TempDir(), "--startup-report")
	p.Await(t, "startup: room ready", 90*time.Second)
	if code := exit(t, p); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// An app that starts locked keeps the workspace's screens off the window
// until unlocked, so it focuses nothing on them: Fyne would log "Failed to
// focus object" for each (here: my own room, which --startup-report opens).
func TestLockedStartFocusesNothingHidden(t *testing.T) {
	if os.Getenv("WORKTALK_TEST_KEYRING") != "1" {
		t.Skip("needs a real Secret Service: scripts/test.sh runs gnome-keyring in a private D-Bus session and sets WORKTALK_TEST_KEYRING=1")
	}
	q := newQuitEnv(t)
	lk, err := lock.Open(lock.Options{Params: argon2id.TestParams})
	if err != nil {
		t.Fatal(err)
	}
	if err := lk.Set("lock-password-1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lk.Clear() })
	if err := lk.SetLocked(true); err != nil {
		t.Fatal(err)
	}
	p := desktoptest.Start(t, q.bin, q.xenv, "--data", q.data, "--insecure-file-secrets", "--startup-report")
	p.Await(t, "startup: room ready", 60*time.Second)
	if code := exit(t, p); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}
