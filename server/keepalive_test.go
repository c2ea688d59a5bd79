package server_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// TestKeepalive: a peer that never answers pings is closed after two ping
// periods; a peer whose websocket library answers them stays connected.
func TestKeepalive(t *testing.T) {
	env := servertest.NewWith(t, servertest.Options{PingPeriod: 250 * time.Millisecond}) // room for a loaded -race run
	acme := env.CreateWorkspace("Acme")
	alice := env.NewUser(acme.ID, "Alice")
	live := env.Dial(alice.Token) // reads all the time, so it answers pings
	cursor := live.Sync(0).Cursor

	silent, br := rawSyncedConn(t, strings.TrimPrefix(env.URL, "http://"), alice.Token, cursor)
	defer silent.Close()
	_ = silent.SetReadDeadline(time.Now().Add(10 * time.Second))
	pings := 0
	var err error
	for err == nil {
		var p []byte
		if p, err = readServerFrame(br); err == nil && len(p) == 0 {
			pings++ // pings carry no payload; event frames always do
		}
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("silent peer still connected after 10s, want closed after two ping periods")
	}
	if pings == 0 {
		t.Errorf("silent peer got no pings before being closed, want some")
	}
	// At least two ping periods have passed: the answering peer is still here.
	var me protocol.Profile
	live.DoOK(protocol.OpMemberGet, protocol.MemberRef{MemberID: alice.ID()}, &me)
}
