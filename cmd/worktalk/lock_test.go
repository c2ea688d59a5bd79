package main

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"worktalk.dev/worktalk/client/lock"
	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/internal/desktoptest"
)

// The real app locks when the session's screen saver comes on (a signal
// sent with gdbus on the test's private D-Bus session), writes that down,
// and after kill -9 starts locked again.
func TestLockHeldAcrossKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the app under Xvfb")
	}
	if os.Getenv("WORKTALK_TEST_KEYRING") != "1" {
		t.Skip("needs a real Secret Service: scripts/test.sh runs gnome-keyring in a private D-Bus session and sets WORKTALK_TEST_KEYRING=1")
	}
	if _, err := exec.LookPath("gdbus"); err != nil {
		t.Skip("gdbus is not installed (Debian package libglib2.0-bin)")
	}
	// The app's own lock record in the test session's keyring, with a
	// cheap hash so the test does not wait on Argon2id.
	lk, err := lock.Open(lock.Options{Params: argon2id.TestParams})
	if err != nil {
		t.Fatalf("open lock: %v", err)
	}
	if err := lk.Set("lock-password-1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lk.Clear() })

	bin := desktoptest.App(t)
	env := []string{"DISPLAY=" + desktoptest.Display(t, "1280x800"), "LANG=en_US.UTF-8"}
	data := t.TempDir()
	app := desktoptest.Start(t, bin, env, "--data", data, "--event-report")
	app.Await(t, "event: ready", 30*time.Second)

	emit := exec.Command("gdbus", "emit", "--session", "--object-path", "/org/freedesktop/ScreenSaver",
		"--signal", "org.freedesktop.ScreenSaver.ActiveChanged", "true")
	if out, err := emit.CombinedOutput(); err != nil {
		t.Fatalf("gdbus emit: %v: %s", err, out)
	}
	app.Await(t, "event: locked", 30*time.Second)
	app.Await(t, "event: lock-written", 30*time.Second)
	if again, err := lock.Open(lock.Options{}); err != nil || !again.Locked() {
		t.Fatalf("keyring after the lock: locked %v (%v), want true", again != nil && again.Locked(), err)
	}

	if err := app.Cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	app.Cmd.Wait()
	next := desktoptest.Start(t, bin, env, "--data", data, "--event-report")
	next.Await(t, "event: locked", 30*time.Second)
}
