package client

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func mustJSON(tb testing.TB, v any) json.RawMessage {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func asProtocolError(err error, pe **protocol.Error) bool { return errors.As(err, pe) }

// callerOf authenticates an engine's session token at the service, to act
// for that member behind the engine's back.
func callerOf(t *testing.T, w *world, e *Engine) service.Caller {
	t.Helper()
	tok, err := e.secrets.Get(SecretService, secretUser(e.acct.ServerURL, e.acct.MemberID))
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.env.Service.Authenticate(context.Background(), tok)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	return c
}
