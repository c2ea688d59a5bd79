package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/store"
)

func TestSignInChoicesAndLogOut(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	acme := w.env.CreateWorkspace("Acme")
	globex := w.env.CreateWorkspace("Globex")
	for _, ws := range []protocol.Workspace{acme, globex} {
		if _, err := w.env.Service.CreateMember(ctx, service.NewMember{WorkspaceID: ws.ID, Email: "alice@example.com", Password: servertest.Password, Name: "Alice"}); err != nil {
			t.Fatal(err)
		}
	}
	opt := w.options(t)
	acct, choices, err := SignIn(ctx, opt, w.proxy.URL(), "alice@example.com", servertest.Password, "")
	if err != nil || acct.MemberID != "" || len(choices) != 2 {
		t.Fatalf("SignIn without a workspace = %+v, %v, %v; want two choices", acct, choices, err)
	}
	acct, _, err = SignIn(ctx, opt, w.proxy.URL(), "alice@example.com", servertest.Password, globex.ID)
	if err != nil || acct.WorkspaceID != globex.ID || acct.WorkspaceName != "Globex" {
		t.Fatalf("SignIn(globex) = %+v, %v; want the Globex account", acct, err)
	}
	if _, _, err := SignIn(ctx, opt, w.proxy.URL(), "alice@example.com", "wrong password", globex.ID); protocol.ErrorCode(err) == "" || protocol.ErrorMessage(err) == "internal error" {
		t.Errorf("SignIn with a wrong password: err = %v, want the server's refusal", err)
	}
	accts, err := Accounts(opt)
	if err != nil || len(accts) != 1 || accts[0] != acct {
		t.Fatalf("Accounts = %+v, %v; want [%+v]", accts, err, acct)
	}
	e := mustOpen(t, opt, acct)
	waitFor(t, e, "online", online)
	logOutAndCheck(t, opt, e)
}

// logOutAndCheck logs out and checks that nothing of the account is left.
func logOutAndCheck(t *testing.T, opt Options, e *Engine) {
	t.Helper()
	user := secretUser(e.acct.ServerURL, e.acct.MemberID)
	secrets := e.secrets
	tok, err := secrets.Get(SecretService, user)
	if err != nil {
		t.Fatalf("token before log out: %v", err)
	}
	keyUser := storeKeyUser(e.acct.ServerURL, e.acct.MemberID)
	if _, err := secrets.Get(SecretService, keyUser); err != nil {
		t.Fatalf("local data key before log out: %v", err)
	}
	dir := e.dir
	if err := e.LogOut(context.Background()); err != nil {
		t.Fatalf("LogOut: %v", err)
	}
	if _, err := secrets.Get(SecretService, user); !errors.Is(err, secret.ErrNotFound) {
		t.Errorf("token after log out: err = %v, want secret.ErrNotFound", err)
	}
	if _, err := secrets.Get(SecretService, keyUser); !errors.Is(err, secret.ErrNotFound) {
		t.Errorf("local data key after log out: err = %v, want secret.ErrNotFound", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("account directory after log out: %v, want gone", err)
	}
	if accts, _ := Accounts(opt); len(accts) != 0 {
		t.Errorf("Accounts after log out = %v, want none", accts)
	}
	_ = tok
}

func TestKeyringStoresAndDeletesToken(t *testing.T) {
	if os.Getenv("WORKTALK_TEST_KEYRING") != "1" {
		t.Skip("needs a real Secret Service: scripts/test.sh runs gnome-keyring in a private D-Bus session and sets WORKTALK_TEST_KEYRING=1")
	}
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	u := w.env.CreateMember(ws.ID, "Alice", nil)
	opt := w.options(t)
	opt.Secrets = nil // the OS keyring
	acct, _, err := SignIn(ctx, opt, w.proxy.URL(), u.Email, u.Password, ws.ID)
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	user := secretUser(acct.ServerURL, acct.MemberID)
	tok, err := keyring.Get(SecretService, user)
	if err != nil || tok == "" {
		t.Fatalf("keyring token = %q, %v; want the session token", tok, err)
	}
	b, _ := os.ReadFile(filepath.Join(opt.DataDir, "accounts.json"))
	if strings.Contains(string(b), tok) {
		t.Errorf("accounts.json contains the token")
	}
	e := mustOpen(t, opt, acct)
	waitFor(t, e, "online with the keyring token", online)
	keyUser := storeKeyUser(acct.ServerURL, acct.MemberID)
	if k, err := keyring.Get(SecretService, keyUser); err != nil || len(k) != 2*store.KeySize {
		t.Errorf("keyring local data key = %d hex digits, %v; want %d", len(k), err, 2*store.KeySize)
	}
	if err := e.LogOut(ctx); err != nil {
		t.Fatalf("LogOut: %v", err)
	}
	for _, u := range []string{user, keyUser} {
		if _, err := keyring.Get(SecretService, u); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("keyring entry %q after log out: err = %v, want not found", u, err)
		}
	}
	if _, err := w.env.Service.Authenticate(ctx, tok); protocol.ErrorCode(err) != protocol.EUnauthorized {
		t.Errorf("session after log out: err = %v, want %s", err, protocol.EUnauthorized)
	}
}

// noKeyringChildMain signs in where no Secret Service can be reached.
func noKeyringChildMain() int {
	ctx := context.Background()
	opt := Options{DataDir: os.Getenv("NOKEYRING_DATA")}
	server, email := os.Getenv("NOKEYRING_SERVER"), os.Getenv("NOKEYRING_EMAIL")
	_, _, err := SignIn(ctx, opt, server, email, servertest.Password, "")
	if !errors.Is(err, ErrNoKeyring) {
		fmt.Printf("without keyring: err = %v, want ErrNoKeyring\n", err)
		return 1
	}
	opt.AllowFileSecrets = true
	acct, _, err := SignIn(ctx, opt, server, email, servertest.Password, "")
	if err != nil {
		fmt.Printf("with file secrets: %v\n", err)
		return 1
	}
	fi, err := os.Stat(filepath.Join(opt.DataDir, "secrets.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		fmt.Printf("secrets file: %v, %v; want mode 0600\n", fi, err)
		return 1
	}
	e, err := Open(ctx, opt, acct)
	if err != nil {
		fmt.Printf("Open: %v\n", err)
		return 1
	}
	defer e.Close()
	if ws := e.State().Warnings; len(ws) != 1 || ws[0] != FileSecretsWarning {
		fmt.Printf("Warnings = %v, want the file secrets warning\n", ws)
		return 1
	}
	fmt.Println("OK")
	return 0
}

func TestNoKeyringNeedsOptIn(t *testing.T) {
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	u := w.env.CreateMember(ws.ID, "Alice", nil)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		helperEnv+"=nokeyring",
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-bus"),
		"NOKEYRING_DATA="+t.TempDir(),
		"NOKEYRING_SERVER="+w.proxy.URL(),
		"NOKEYRING_EMAIL="+u.Email,
	)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "OK" {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
