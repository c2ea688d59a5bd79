package ui

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

func TestSignInErrorText(t *testing.T) {
	setLanguage(t, "en")
	// The engine's own refusal of an address, with its reason.
	_, _, badAddress := client.SignIn(context.Background(), client.Options{DataDir: t.TempDir()}, "talk example com", "a@example.com", "pw", "")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"wrong password", protocol.Errorf(protocol.EUnauthorized, "wrong e-mail or password"), "Wrong e-mail or password."},
		{"unreachable", protocol.Errorf(protocol.EOffline, "cannot reach the server"), "Cannot reach the server at https://talk.example.com. Check the address and your connection."},
		{"no keyring", fmt.Errorf("sign in: %w", client.ErrNoKeyring), "This computer has no OS keyring to keep your sign-in safe. Install and start gnome-keyring (or another Secret Service), or start Worktalk with --insecure-file-secrets."},
		{"deactivated", protocol.Errorf(protocol.EForbidden, "deactivated").Because(protocol.RDeactivated), "Your workspace admin deactivated your account."},
		{"rate limited", protocol.Errorf(protocol.ERateLimited, "slow down"), "Too many attempts. Please wait a moment and try again."},
		{"busy", protocol.Errorf(protocol.EUnavailable, "the server is busy; try again in a moment"), "The server is busy. Please try again in a moment."},
		{"not an address", badAddress, "Enter the address of your Worktalk server, such as https://talk.example.com."},
		{"invalid without a reason", protocol.Errorf(protocol.EInvalid, "the server address is not valid"), "This is not valid."},
		{"anything else", errors.New("disk on fire"), "Something went wrong. Please try again."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := signInErrorText(tc.err, "https://talk.example.com"); got != tc.want {
				t.Errorf("signInErrorText = %q, want %q", got, tc.want)
			}
		})
	}
}
