package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/cmd/internal/cli"
	"worktalk.dev/worktalk/ui"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{nil, ""},
		{[]string{"--demo", "--demo-notes", "10"}, ""},
		{[]string{"--server", "https://talk.example.com", "--insecure-file-secrets"}, ""},
		{[]string{"--demo-notes", "10"}, "--demo-notes needs --demo"},
		{[]string{"extra"}, "is not a profile link"},
		{[]string{"worktalk://p/abcdefghijklmnopqrstuvwxyz012345"}, ""},
		{[]string{"--demo", "https://talk.example.com/p/abcdefghijklmnopqrstuvwxyz012345"}, ""},
		{[]string{"https://talk.example.com/about"}, "is not a profile link"},
		{[]string{"worktalk://p/abcdefghijklmnopqrstuvwxyz012345", "more"}, "unexpected arguments"},
		{[]string{"--no-such-flag"}, "flag provided but not defined"},
		{[]string{"--version"}, cli.ErrVersion.Error()},
		{[]string{"-h"}, flag.ErrHelp.Error()},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			m := NewMain()
			m.Stdout, m.Stderr = io.Discard, io.Discard
			err := m.ParseFlags(tc.args)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && !strings.Contains(got, tc.wantErr) {
				t.Errorf("ParseFlags(%q) = %v, want %q", tc.args, err, tc.wantErr)
			}
		})
	}
}

// -h and --version print to stdout, not stderr, so that they can be piped.
func TestHelpAndVersionOnStdout(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "--version"} {
		var out, errOut bytes.Buffer
		m := &Main{Stdout: &out, Stderr: &errOut}
		err := m.ParseFlags([]string{arg})
		if !errors.Is(err, flag.ErrHelp) && !errors.Is(err, cli.ErrVersion) {
			t.Errorf("ParseFlags(%s) = %v, want ErrHelp or ErrVersion", arg, err)
		}
		if out.Len() == 0 || errOut.Len() != 0 {
			t.Errorf("ParseFlags(%s) printed stdout %q, stderr %q; want only stdout", arg, out.String(), errOut.String())
		}
	}
}

// The demo server seeds once, signs in as its first member, and on the next
// start comes back on the same address so that the account (and its local
// data) stays valid.
func TestDemoServer(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	opt := client.Options{DataDir: filepath.Join(dir, "app"), Secrets: &secret.Memory{}}

	ds, err := startDemo(ctx, filepath.Join(dir, "demo"), log)
	if err != nil {
		t.Fatalf("startDemo: %v", err)
	}
	acct, err := ds.signIn(ctx, opt)
	if err != nil {
		t.Fatalf("signIn: %v", err)
	}
	if acct.Email != ds.email || acct.ServerURL != ds.url || acct.WorkspaceName == "" {
		t.Errorf("account = %+v, want the first demo member on %s", acct, ds.url)
	}
	url := ds.url
	if err := ds.close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	ds, err = startDemo(ctx, filepath.Join(dir, "demo"), log)
	if err != nil {
		t.Fatalf("startDemo again: %v", err)
	}
	defer ds.close()
	if ds.url != url {
		t.Errorf("second start url = %s, want the first one %s", ds.url, url)
	}
	again, err := ds.signIn(ctx, opt)
	if err != nil {
		t.Fatalf("signIn again: %v", err)
	}
	if again != acct {
		t.Errorf("second start account = %+v, want the saved %+v", again, acct)
	}
	list, err := client.Accounts(opt)
	if err != nil || len(list) != 1 {
		t.Errorf("accounts = %v (%v), want one", list, err)
	}
}

// --demo --server URL signs in to the demo data of a server running
// elsewhere (here one seeded like worktalkd serve --demo) and runs none.
func TestRemoteDemo(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	srv, err := startDemo(ctx, filepath.Join(dir, "server"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("startDemo: %v", err)
	}
	defer srv.close()

	ds, err := remoteDemo(filepath.Join(dir, "demo-remote"), srv.url+"/")
	if err != nil {
		t.Fatalf("remoteDemo: %v", err)
	}
	if ds.embedded() || ds.url != srv.url {
		t.Errorf("remote demo: embedded %v, url %s; want a remote one at %s", ds.embedded(), ds.url, srv.url)
	}
	acct, err := ds.signIn(ctx, client.Options{DataDir: ds.clientDir, Secrets: &secret.Memory{}})
	if err != nil {
		t.Fatalf("signIn: %v", err)
	}
	if acct.Email != srv.email || acct.ServerURL != srv.url {
		t.Errorf("account = %+v, want %s on %s", acct, srv.email, srv.url)
	}
	if err := ds.close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

// Under a C or POSIX locale, or none, the app speaks English and Fyne logs
// nothing about the locale (it parses LANG=C.UTF-8 as the tag "C" when left
// alone). The test binary links the same packages as the app, so it runs
// itself with each locale and reads what the start-up printed.
func TestCLocaleStartsQuietly(t *testing.T) {
	if os.Getenv("WORKTALK_LOCALE_CHILD") != "" {
		if err := ui.LoadTranslations(); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("system locale %s; Cancel reads %q\n", lang.SystemLocale().LanguageString(), lang.L("Cancel"))
		return
	}
	for _, locale := range []string{"C", "C.UTF-8", "POSIX", "C.utf8@euro", ""} {
		t.Run(locale, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestCLocaleStartsQuietly$", "-test.v")
			for _, kv := range os.Environ() {
				if k, _, _ := strings.Cut(kv, "="); k != "LANG" && k != "LANGUAGE" && !strings.HasPrefix(k, "LC_") {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			cmd.Env = append(cmd.Env, "WORKTALK_LOCALE_CHILD=1")
			if locale != "" {
				cmd.Env = append(cmd.Env, "LANG="+locale)
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			if strings.Contains(string(out), "Fyne error") || !strings.Contains(string(out), `system locale en; Cancel reads "Cancel"`) {
				t.Errorf("LANG=%q: start-up printed\n%s\nwant English and no Fyne error", locale, out)
			}
		})
	}
}
