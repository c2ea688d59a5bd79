package server_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// TestMalformedFramesKeepConnection sends bad frames: each gets an "err"
// frame (or a refused "res" for a well-formed but bad request) and the
// connection keeps working.
func TestMalformedFramesKeepConnection(t *testing.T) {
	env := servertest.New(t)
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	c := env.Dial(alice.Token)

	tests := []struct {
		name  string
		frame string
		wantT string // err or res
		code  string
	}{
		{"not JSON", `{"t":"req",`, protocol.FrameErr, protocol.EInvalid},
		{"binary junk", "\x00\xff\xfe", protocol.FrameErr, protocol.EInvalid},
		{"JSON array", `[1,2,3]`, protocol.FrameErr, protocol.EInvalid},
		{"unknown frame type", `{"t":"hello"}`, protocol.FrameErr, protocol.EInvalid},
		{"request without id", `{"t":"req","op":"member.get"}`, protocol.FrameErr, protocol.EInvalid},
		{"request without op", `{"t":"req","id":"x1"}`, protocol.FrameErr, protocol.EInvalid},
		{"id too long", `{"t":"req","id":"` + strings.Repeat("x", protocol.MaxIDLen+1) + `","op":"member.get"}`, protocol.FrameErr, protocol.EInvalid},
		{"server frame from client", `{"t":"event","seq":1,"op":"message.new"}`, protocol.FrameErr, protocol.EInvalid},
		{"unknown op", `{"t":"req","id":"x2","op":"no.such.op"}`, protocol.FrameRes, protocol.EInvalid},
		{"data of the wrong shape", `{"t":"req","id":"x3","op":"message.send","d":[1]}`, protocol.FrameRes, protocol.EInvalid},
		{"sync with a bad cursor", `{"t":"req","id":"x4","op":"sync","d":{"cursor":"soon"}}`, protocol.FrameRes, protocol.EInvalid},
		{"sync with a negative cursor", `{"t":"req","id":"x5","op":"sync","d":{"cursor":-1}}`, protocol.FrameRes, protocol.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.SendRaw([]byte(tt.frame))
			f := c.Next()
			if f.T != tt.wantT || f.Err == nil || f.Err.Code != tt.code {
				t.Errorf("answer = %+v, want a %q frame with code %q", f, tt.wantT, tt.code)
			}
			// The connection still answers a good request.
			var me protocol.Profile
			c.DoOK(protocol.OpMemberGet, protocol.MemberRef{MemberID: alice.ID()}, &me)
			if me.ID != alice.ID() {
				t.Errorf("member.get after a bad frame = %s, want %s", me.ID, alice.ID())
			}
		})
	}
	if s := c.Sync(0); s.Snapshot == nil || s.Snapshot.Me.ID != alice.ID() {
		t.Errorf("sync after bad frames: snapshot %+v, want Alice's", s.Snapshot)
	}
	if code := c.DoCode(protocol.OpSync, protocol.SyncRequest{}); code != protocol.EConflict {
		t.Errorf("second sync on one connection: code %q, want %q", code, protocol.EConflict)
	}
}

// TestOversizeFrameClosesConnection: a frame over protocol.MaxFrameBytes
// ends the connection with close code 1009, whether it is that large on
// the wire (gorilla's read limit) or only once inflated (a compressed
// frame of a few KB).
func TestOversizeFrameClosesConnection(t *testing.T) {
	env := servertest.New(t)
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compressed=%v", compress), func(t *testing.T) {
			c := env.Dial(alice.Token)
			c.CompressWrites(compress)
			c.SendRaw(bytes.Repeat([]byte("x"), protocol.MaxFrameBytes+1))
			err := c.Closed()
			if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
				t.Errorf("after an oversize frame: %v, want close code %d", err, websocket.CloseMessageTooBig)
			}
			// The server is fine: a new connection works.
			c2 := env.Dial(alice.Token)
			c2.Sync(0)
		})
	}
}

// TestSignOutClosesOnlyThatSession signs one device out over HTTP: its
// websocket gets session.revoked and closes; the other device keeps going.
func TestSignOutClosesOnlyThatSession(t *testing.T) {
	env := servertest.New(t)
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	other := env.SignIn(alice.Email, alice.Password, acme.ID)
	c1, c2 := env.Dial(alice.Token), env.Dial(other.Token)
	c1.Sync(0)
	c2.Sync(0)

	if status := env.PostJSON("/api/signout", alice.Token, protocol.Empty{}, nil, nil); status != http.StatusOK {
		t.Fatalf("POST /api/signout = %d, want 200", status)
	}
	c1.AwaitEvent(protocol.EvSessionRevoked, nil)
	c1.Closed()

	if _, resp, err := env.DialErr(alice.Token); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("dial with a signed-out token: err %v, want HTTP 401", err)
	}
	var me protocol.Profile
	c2.DoOK(protocol.OpMemberGet, protocol.MemberRef{MemberID: alice.ID()}, &me)
	self := protocol.SelfRoomID(alice.ID())
	awaitText(t, c2, send(t, c2, self, "still here"))
}

func TestSyncNeedsAuth(t *testing.T) {
	env := servertest.New(t)
	tests := []struct {
		name  string
		token string
	}{
		{"no token", ""},
		{"unknown token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, err := env.DialErr(tt.token)
			if !errors.Is(err, websocket.ErrBadHandshake) || resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("dial: err %v, want a refused handshake with 401", err)
			}
		})
	}
}
