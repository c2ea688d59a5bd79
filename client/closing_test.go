package client

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// A step of the connection loop cut short by Close is not an error: a
// normal quit logs no "apply events ... context canceled".
func TestClosingStepsAreNotErrors(t *testing.T) {
	var buf bytes.Buffer
	e := &Engine{log: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	ctx, cancel := context.WithCancel(context.Background())
	e.logFailure(ctx, "apply events", errors.New("disk full"))
	if !strings.Contains(buf.String(), "level=ERROR") {
		t.Errorf("a failure while running logged %q, want an error", buf.String())
	}
	buf.Reset()
	cancel()
	e.logFailure(ctx, "apply events", context.Canceled)
	if buf.Len() != 0 {
		t.Errorf("a step cut short by Close logged %q, want nothing at info level", buf.String())
	}
}
