package main

import (
	"os/user"
	"regexp"
	"strings"
	"testing"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// TestMemberDisableSignsOut: member disable, run beside a serving
// worktalkd as another process would (a Main of its own on the same data),
// signs the member's open app out through the server's read-back of the
// database, refuses sign-in, and is in the audit log with who ran it;
// member enable lets her sign in again.
func TestMemberDisableSignsOut(t *testing.T) {
	dir := t.TempDir()
	_, out := runMain(t, "", "workspace", "create", "--data", dir, "--name", "Acme")
	wsID := regexp.MustCompile(`created workspace (\S+)`).FindStringSubmatch(out)[1]
	const email, pw = "lee@acme.test", "a long enough password"
	runMain(t, pw+"\n", "member", "create", "--data", dir, "--workspace", wsID, "--email", email, "--name", "이서연")

	m, _ := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", dir)
	env := servertest.Remote(t, m.Server.URL())
	signIn := func() (int, *protocol.SessionInfo) {
		status, res, _ := env.SignInHTTP(protocol.SignInRequest{Email: email, Password: pw, WorkspaceID: wsID, Device: "test"})
		return status, res.Session
	}
	status, sess := signIn()
	if status != 200 {
		t.Fatalf("sign in: %d", status)
	}
	c := env.Dial(sess.Token)
	c.Sync(0)

	_, out = runMain(t, "", "member", "disable", "--data", dir, "--workspace", wsID, "--member", email)
	if !strings.Contains(out, "disabled member") {
		t.Errorf("member disable printed %q", out)
	}
	c.AwaitEvent(protocol.EvSessionRevoked, nil)
	c.Closed()
	if status, _ := signIn(); status != 403 {
		t.Errorf("sign in while disabled = %d, want 403", status)
	}
	_, out = runMain(t, "", "member", "list", "--data", dir, "--workspace", wsID)
	if !strings.Contains(out, "disabled") {
		t.Errorf("member list printed %q, want her disabled", out)
	}

	runMain(t, "", "member", "enable", "--data", dir, "--workspace", wsID, "--member", email)
	if status, _ := signIn(); status != 200 {
		t.Errorf("sign in after enable = %d, want 200", status)
	}
	_, out = runMain(t, "", "audit", "list", "--data", dir, "--workspace", wsID)
	u, _ := user.Current()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.Contains(lines[1], "member.enable") || !strings.Contains(lines[2], "member.disable") ||
		!strings.Contains(lines[3], "member.create") || !strings.Contains(lines[4], "workspace.create") ||
		!strings.Contains(lines[2], email) || !strings.Contains(lines[2], "1 session signed out") || (u != nil && !strings.Contains(lines[2], u.Username)) {
		t.Errorf("audit list printed:\n%s\nwant enable, disable and create of %s and the workspace, by this account", out, email)
	}
}
