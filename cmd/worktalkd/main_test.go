package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"worktalk.dev/worktalk/cmd/internal/cli"
	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
)

// runMain parses args and runs them, returning stdout; serve commands stay
// up until the test ends.
func runMain(t testing.TB, stdin string, args ...string) (*Main, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Argon: argon2id.TestParams}
	if err := m.ParseFlags(args); err != nil {
		t.Fatalf("ParseFlags(%q): %v\n%s", args, err, errOut.String())
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := m.Run(t.Context()); err != nil {
		t.Fatalf("Run(%q): %v\n%s", args, err, errOut.String())
	}
	if !m.Serving() {
		if err := m.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	return m, out.String()
}

func TestServeDemo(t *testing.T) {
	dir := t.TempDir()
	m, out := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", dir, "--demo")
	if !m.Serving() {
		t.Fatalf("Serving() = false after serve, want true")
	}
	pw := regexp.MustCompile(`password "([^"]+)"`).FindStringSubmatch(out)
	email := regexp.MustCompile(`\S+@\S+`).FindString(out)
	if pw == nil || email == "" {
		t.Fatalf("serve --demo printed %q, want e-mails and the password", out)
	}

	resp, err := http.Get(m.Server.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", resp.StatusCode)
	}

	body, _ := json.Marshal(protocol.SignInRequest{Email: email, Password: pw[1]})
	resp, err = http.Post(m.Server.URL()+"/api/signin", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var res protocol.SignInResponse
	if err := json.Unmarshal(b, &res); err != nil || resp.StatusCode != http.StatusOK || (res.Session == nil && len(res.Workspaces) == 0) {
		t.Fatalf("demo sign-in as %s = %d %s, want a session or workspaces", email, resp.StatusCode, b)
	}

	// A second start on the same data keeps it and does not seed again.
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, out2 := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", dir, "--demo")
	if !strings.Contains(out2, "already present") {
		t.Errorf("second serve --demo printed %q, want it to leave the data alone", out2)
	}
}

func TestServeBusyPortFails(t *testing.T) {
	m, _ := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir())
	var errOut bytes.Buffer
	m2 := &Main{Stdout: io.Discard, Stderr: &errOut, Argon: argon2id.TestParams}
	if err := m2.ParseFlags([]string{"serve", "--addr", m.Server.Addr(), "--data", t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if err := m2.Run(t.Context()); err == nil {
		t.Errorf("serve on a busy port: nil error, want a listen error")
	}
}

func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	_, out := runMain(t, "", "workspace", "create", "--data", dir, "--name", "Acme")
	id := regexp.MustCompile(`created workspace (\S+)`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("workspace create printed %q, want the id", out)
	}
	wsID := id[1]

	_, out = runMain(t, "", "workspace", "set", "--data", dir, "--id", wsID,
		"--external-chat", "off", "--field", "title:hidden", "--field", "nickname:visible,editable")
	if !strings.Contains(out, "external chat off") || !strings.Contains(out, "title:hidden") || !strings.Contains(out, "nickname:visible,editable") {
		t.Errorf("workspace set printed %q, want the new settings", out)
	}
	_, out = runMain(t, "", "workspace", "list", "--data", dir)
	if !strings.Contains(out, wsID) || !strings.Contains(out, "Acme") || !strings.Contains(out, "off") {
		t.Errorf("workspace list printed %q, want Acme with external chat off", out)
	}

	runMain(t, "a long enough password\n", "member", "create", "--data", dir, "--workspace", wsID,
		"--email", "kim@acme.test", "--name", "김민준", "--admin", "--set", "nickname=MJ")
	_, out = runMain(t, "", "member", "list", "--data", dir, "--workspace", wsID)
	if !strings.Contains(out, "kim@acme.test") || !strings.Contains(out, "김민준") || !strings.Contains(out, "yes") {
		t.Errorf("member list printed %q, want the new admin", out)
	}

	// The password read from stdin works.
	m, _ := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", dir)
	res, err := m.Service.SignIn(t.Context(), protocol.SignInRequest{Email: "kim@acme.test", Password: "a long enough password"}, "test")
	if err != nil || res.Session == nil {
		t.Errorf("sign in with the stdin password: %+v %v, want a session", res, err)
	}
}

func TestBadArguments(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no command", nil},
		{"unknown command", []string{"frobnicate"}},
		{"serve without data", []string{"serve"}},
		{"unknown flag", []string{"serve", "--data", "x", "--nope"}},
		{"workspace without subcommand", []string{"workspace"}},
		{"unknown workspace subcommand", []string{"workspace", "delete", "--data", "x"}},
		{"member list without data", []string{"member", "list"}},
		{"public URL without scheme", []string{"serve", "--data", "x", "--public-url", "talk.example.com"}},
		{"trusted proxy not an address", []string{"serve", "--data", "x", "--trusted-proxy", "proxy.internal"}},
		{"trusted proxy bad prefix", []string{"serve", "--data", "x", "--trusted-proxy", "10.0.0.0/99"}},
		{"negative retention", []string{"serve", "--data", "x", "--retention", "-1h"}},
		{"retention without unit", []string{"serve", "--data", "x", "--retention", "30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Main{Stdout: io.Discard, Stderr: io.Discard}
			if err := m.ParseFlags(tt.args); err == nil {
				t.Errorf("ParseFlags(%q) = nil, want an error", tt.args)
			}
		})
	}
	runErrors := []struct {
		name string
		args []string
	}{
		{"bad field flag", []string{"workspace", "set", "--id", "x", "--field", "title:purple"}},
		{"bad on/off", []string{"workspace", "create", "--name", "A", "--external-chat", "maybe"}},
		{"unknown workspace", []string{"workspace", "set", "--id", "nope", "--external-chat", "on"}},
	}
	for _, tt := range runErrors {
		t.Run(tt.name, func(t *testing.T) {
			m := &Main{Stdout: io.Discard, Stderr: io.Discard, Argon: argon2id.TestParams}
			args := append(tt.args[:2:2], append([]string{"--data", t.TempDir()}, tt.args[2:]...)...)
			if err := m.ParseFlags(args); err != nil {
				t.Fatalf("ParseFlags(%q): %v", args, err)
			}
			defer m.Close()
			if err := m.Run(t.Context()); err == nil {
				t.Errorf("Run(%q) = nil, want an error", args)
			}
		})
	}
}

// TestTrustedProxyFlag: --trusted-proxy takes prefixes and bare addresses.
func TestTrustedProxyFlag(t *testing.T) {
	got, err := parsePrefixes("10.0.0.0/8, 192.0.2.7,2001:db8::/32")
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"}
	if err != nil || len(got) != len(want) {
		t.Fatalf("parsePrefixes = %v, %v; want %v", got, err, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("prefix %d = %s, want %s", i, got[i], want[i])
		}
	}
	m, _ := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--trusted-proxy", "127.0.0.1")
	if !m.Serving() {
		t.Fatal("serve with --trusted-proxy is not serving")
	}
}

// -h prints usage to stdout and asks for exit 0, for the program and for
// every subcommand and group; --version too.
func TestHelpOnStdout(t *testing.T) {
	tests := [][]string{{"-h"}, {"--help"}, {"help"}, {"--version"}, {"version"},
		{"serve", "-h"}, {"workspace", "-h"}, {"member", "--help"}, {"key", "-h"}}
	for _, c := range commands {
		group, subs, _ := strings.Cut(c.name, " ")
		for _, sub := range strings.Split(subs, "|") {
			if sub != "" {
				tests = append(tests, []string{group, sub, "-h"})
			}
		}
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			m := &Main{Stdout: &out, Stderr: &errOut}
			err := m.ParseFlags(args)
			if !errors.Is(err, flag.ErrHelp) && !errors.Is(err, cli.ErrVersion) {
				t.Fatalf("ParseFlags(%q) = %v, want flag.ErrHelp or cli.ErrVersion", args, err)
			}
			if out.Len() == 0 || errOut.Len() != 0 {
				t.Errorf("ParseFlags(%q) printed stdout %q and stderr %q, want only stdout", args, out.String(), errOut.String())
			}
			if len(args) == 3 && !strings.Contains(out.String(), "worktalkd "+args[0]) {
				t.Errorf("%q printed %q, want its synopsis", args, out.String())
			}
		})
	}
}

// member list lines its columns up when names are Hangul (two terminal
// cells per syllable).
func TestMemberListAlignsHangul(t *testing.T) {
	dir := t.TempDir()
	_, out := runMain(t, "", "workspace", "create", "--data", dir, "--name", "한빛")
	ws := regexp.MustCompile(`created workspace (\S+)`).FindStringSubmatch(out)[1]
	for _, who := range [][2]string{{"kim@acme.test", "김서연"}, {"emma@acme.test", "Emma Wilson"}} {
		runMain(t, "", "member", "create", "--data", dir, "--workspace", ws, "--email", who[0], "--name", who[1],
			"--password", "a long enough password", "--admin")
	}
	_, out = runMain(t, "", "member", "list", "--data", dir, "--workspace", ws)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("member list printed %q, want a header and two rows", out)
	}
	// The column after the names (ADMIN, then "yes") starts at one cell.
	want := cli.DisplayWidth(lines[0][:strings.Index(lines[0], "ADMIN")])
	for i, l := range lines[1:] {
		if got := cli.DisplayWidth(l[:strings.Index(l, "yes")]); got != want {
			t.Errorf("line %d: ADMIN column at cell %d, want %d:\n%s", i+1, got, want, out)
		}
		if strings.HasSuffix(l, " ") {
			t.Errorf("line %d ends in spaces: %q", i+1, l)
		}
	}
}
