package server_test

import (
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/server"
)

// TestCloseEndsConnections: Close drops open websockets and returns once
// every goroutine of the server has ended; a second Close is harmless.
func TestCloseEndsConnections(t *testing.T) {
	env := servertest.New(t)
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	idle := env.Dial(alice.Token)
	synced := env.Dial(alice.Token)
	synced.Sync(0)

	done := make(chan error, 1)
	go func() { done <- env.Server.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	idle.Closed()
	synced.Closed()
	if n := env.Server.ConnCount(); n != 0 {
		t.Errorf("ConnCount after Close = %d, want 0", n)
	}
	if err := env.Server.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if _, _, err := env.DialErr(alice.Token); err == nil {
		t.Errorf("dial after Close succeeded, want an error")
	}
}

// TestOpenBusyPort: Open fails at once when the address is taken.
func TestOpenBusyPort(t *testing.T) {
	env := servertest.New(t)
	srv := server.New(server.Config{Addr: env.Server.Addr(), Service: env.Service, Bus: env.Bus, Logger: slog.New(slog.DiscardHandler)})
	err := srv.Open()
	if err == nil {
		srv.Close()
		t.Fatalf("Open on a busy port = nil, want an error")
	}
	if opErr := (*net.OpError)(nil); !errors.As(err, &opErr) {
		t.Errorf("Open error = %v, want a listen error", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close of a server that never opened = %v, want nil", err)
	}
}
