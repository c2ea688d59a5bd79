package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// BenchmarkRenameFanout10k: in a workspace of 10,000 members, all
// connected, one renames themself. ack-p50/p99 is the time from sending
// profile.update to its answer on the renaming member's websocket; p50/p99
// the time from sending it to the new name's arrival on each of the 9,999
// other members' sockets. The clients are bare sockets reading every frame
// in two child processes, as on other machines: one process may not hold
// 20,000 sockets, and the renaming member's answer must not wait behind
// 9,999 other sockets' reads in one process's scheduler.
func BenchmarkRenameFanout10k(b *testing.B) {
	const members = 10_000
	env := servertest.NewWith(b, servertest.Options{SendQueue: 1024, PingPeriod: time.Hour})
	acme := env.CreateWorkspace("Acme")
	tokens := make([]string, 0, members-1)
	var renamer *servertest.User
	for i := range members {
		u := env.CreateMember(acme.ID, fmt.Sprintf("Member %d", i), map[string]string{"department": fmt.Sprintf("Team %d", i%40)})
		u.Token = env.SignIn(u.Email, u.Password, acme.ID).Token
		if i == 0 {
			renamer = u
			continue
		}
		tokens = append(tokens, u.Token)
	}
	cursor := env.Dial(renamer.Token).Sync(0).Cursor
	addr := strings.TrimPrefix(env.URL, "http://")
	coworkers := startSwarm(b, addr, cursor, tokens)
	me := startSwarm(b, addr, cursor, []string{renamer.Token})
	b.Logf("%d connections open", env.Server.ConnCount())

	var ack, seen []time.Duration
	i := 0
	for b.Loop() {
		i++
		name := fmt.Sprintf("Renamed-%d-%d", i, time.Now().UnixNano())
		req, err := protocol.NewRequest(protocol.NewID(), protocol.OpProfileUpdate, protocol.ProfileUpdate{Name: &name})
		if err != nil {
			b.Fatal(err)
		}
		coworkers.watch(name)
		start := time.Now()
		ack = append(ack, me.send(req).Sub(start))
		seen = append(seen, coworkers.arrivals(start)...)
	}
	reportPercentilesAs(b, ack, "ack-")
	reportPercentiles(b, seen)
}
