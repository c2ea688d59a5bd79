package client

import (
	"testing"

	"worktalk.dev/worktalk/protocol"
)

func TestServerAddress(t *testing.T) {
	for typed, want := range map[string]string{
		"https://talk.example.com/":    "https://talk.example.com",
		" talk.example.com ":           "https://talk.example.com",
		"http://127.0.0.1:8080":        "http://127.0.0.1:8080",
		"https://example.com/worktalk": "https://example.com/worktalk",
	} {
		if got, err := ServerAddress(typed); got != want || err != nil {
			t.Errorf("ServerAddress(%q) = %q, %v; want %q", typed, got, err, want)
		}
	}
	for _, typed := range []string{"", "talk example com", "ftp://talk.example.com", "https://", "https://me@talk.example.com", "https://talk.example.com/?x=1"} {
		if _, err := ServerAddress(typed); protocol.ErrorCode(err) != protocol.EInvalid || protocol.ErrorReason(err) != protocol.RServerURL {
			t.Errorf("ServerAddress(%q) err = %v, want %s with reason %s", typed, err, protocol.EInvalid, protocol.RServerURL)
		}
	}
}
