package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
)

func testPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPictureLocalThenServer(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	e := w.device(t, alice)
	waitFor(t, e, "online", online)
	w.gate.Set(false)
	w.proxy.SetDown(true)
	waitFor(t, e, "offline", func(s State) bool { return !s.Conn.Online })
	pic := testPNG(t)
	if err := e.UpdateProfile(ctx, protocol.ProfileUpdate{Picture: &pic}); err != nil {
		t.Fatalf("UpdateProfile(picture): %v", err)
	}
	id := e.State().Me.PictureID
	if got, err := e.Picture(ctx, id); err != nil || !bytes.Equal(got, pic) {
		t.Fatalf("Picture(%q) offline = %d bytes, %v; want the pending picture", id, len(got), err)
	}
	w.proxy.SetDown(false)
	w.gate.Set(true)
	st := waitFor(t, e, "picture acknowledged", func(s State) bool {
		return synced(s) && s.Me.PictureID != "" && !strings.HasPrefix(s.Me.PictureID, "local:")
	})
	// The server stores the picture re-encoded, named by its hash.
	stored, err := e.Picture(ctx, st.Me.PictureID)
	sum := sha256.Sum256(stored)
	if err != nil || hex.EncodeToString(sum[:]) != st.Me.PictureID {
		t.Fatalf("Picture(%q) = %d bytes, %v; want the server's picture", st.Me.PictureID, len(stored), err)
	}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(stored)); err != nil || cfg.Width != 4 || cfg.Height != 4 {
		t.Errorf("stored picture = %+v, %v; want the 4×4 picture", cfg, err)
	}
	w.proxy.SetDown(true) // the cache alone must answer now
	if got, err := e.Picture(ctx, st.Me.PictureID); err != nil || !bytes.Equal(got, stored) {
		t.Errorf("Picture(%q) from cache = %d bytes, %v; want the picture", st.Me.PictureID, len(got), err)
	}
	w.proxy.SetDown(false)
	d2 := w.device(t, alice)
	waitFor(t, d2, "online", online)
	if got, err := d2.Picture(ctx, st.Me.PictureID); err != nil || !bytes.Equal(got, stored) {
		t.Errorf("Picture on device 2 = %d bytes, %v; want it fetched from the server", len(got), err)
	}
	if got, err := d2.Thumbnail(ctx, st.Me.PictureID); err != nil || len(got) == 0 {
		t.Errorf("Thumbnail on device 2 = %d bytes, %v; want it fetched from the server", len(got), err)
	}
}

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		attempt  int
		min, max time.Duration
	}{
		{0, backoffBase / 2, backoffBase},
		{1, backoffBase, 2 * backoffBase},
		{3, 4 * backoffBase, 8 * backoffBase},
		{20, backoffMax / 2, backoffMax},
	} {
		for range 50 {
			if d := backoff(tt.attempt); d < tt.min || d > tt.max {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", tt.attempt, d, tt.min, tt.max)
			}
		}
	}
}

func TestLoadOlderHistory(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	c := w.env.Dial(alice.Token)
	room := protocol.SelfRoomID(alice.ID())
	const n = protocol.SnapshotMessagesPerRoom + 30
	for i := range n {
		c.DoOK(protocol.OpMessageSend, protocol.SendMessage{RoomID: room, Text: fmt.Sprintf("m%03d", i)}, nil)
	}
	c.Close()
	e := w.device(t, alice)
	waitFor(t, e, "online", online)
	ms, _ := e.Messages(room, 0, 1000)
	if len(ms) != protocol.SnapshotMessagesPerRoom {
		t.Fatalf("messages after snapshot = %d, want %d", len(ms), protocol.SnapshotMessagesPerRoom)
	}
	got, err := e.LoadOlder(ctx, room, 100)
	if err != nil || got != 30 {
		t.Fatalf("LoadOlder = %d, %v; want 30", got, err)
	}
	ms, _ = e.Messages(room, 0, 1000)
	if len(ms) != n || ms[0].Text != "m000" || ms[n-1].Text != fmt.Sprintf("m%03d", n-1) {
		t.Errorf("messages = %d from %q to %q, want %d in order", len(ms), ms[0].Text, ms[len(ms)-1].Text, n)
	}
	if got, err := e.LoadOlder(ctx, room, 100); err != nil || got != 0 {
		t.Errorf("LoadOlder at the start = %d, %v; want 0", got, err)
	}
}
