package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/client/secret"
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
		{[]string{"--version"}, errVersion.Error()},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			m := NewMain()
			m.Stderr = io.Discard
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
