package main

import (
	"io"
	"regexp"
	"slices"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

// TestServeDataSeesAdminChanges: an admin command writes into the SQLite
// database of a running serve --data from a Main of its own, as another
// process does, publishing on a bus nobody listens to. A connected member
// still gets the change: from the server's poll when nothing follows it,
// and before the next event when one does.
func TestServeDataSeesAdminChanges(t *testing.T) {
	tests := []struct {
		name string
		poll string
		// then runs after the admin command; it may make a later event.
		then func(t *testing.T, c *servertest.Client)
	}{
		{name: "poll", poll: "20ms"},
		{name: "gap before the next event", poll: "1h", then: func(t *testing.T, c *servertest.Client) {
			name := "Kim Renamed"
			c.DoOK(protocol.OpProfileUpdate, protocol.ProfileUpdate{Name: &name}, nil)
			c.AwaitEvent(protocol.EvMemberUpsert, nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, out := runMain(t, "", "workspace", "create", "--data", dir, "--name", "Acme")
			id := regexp.MustCompile(`created workspace (\S+)`).FindStringSubmatch(out)
			if id == nil {
				t.Fatalf("workspace create printed %q, want the id", out)
			}
			wsID := id[1]
			const email, pw = "kim@acme.test", "a long enough password"
			runMain(t, pw+"\n", "member", "create", "--data", dir, "--workspace", wsID, "--email", email, "--name", "Kim")

			m, _ := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", dir, "--poll", tt.poll)
			env := servertest.Remote(t, m.Server.URL())
			status, res, perr := env.SignInHTTP(protocol.SignInRequest{Email: email, Password: pw, WorkspaceID: wsID, Device: "test"})
			if status != 200 || res.Session == nil {
				t.Fatalf("sign in: status %d, %+v, %v; want a session", status, res, perr)
			}
			c := env.Dial(res.Session.Token)
			c.Sync(0)

			runMain(t, "", "workspace", "set", "--data", dir, "--id", wsID, "--external-chat", "off")
			if tt.then != nil {
				tt.then(t, c)
			}
			f, err := c.AwaitErr(func(f protocol.Frame) bool {
				return f.T == protocol.FrameEvent && f.Op == protocol.EvWorkspaceUpdate
			}, 5*time.Second)
			if err != nil {
				t.Fatalf("workspace.update after workspace set: %v", err)
			}
			if w := servertest.Decode[protocol.Workspace](t, f); w.Settings.ExternalChat {
				t.Errorf("workspace.update has external chat on, want off")
			}

			// Events arrive once each, in seq order.
			var ops []string
			var seqs []int64
			for _, f := range c.History() {
				if f.T == protocol.FrameEvent {
					ops = append(ops, f.Op)
					seqs = append(seqs, f.Seq)
				}
			}
			if !slices.IsSorted(seqs) || len(slices.Compact(slices.Clone(seqs))) != len(seqs) {
				t.Errorf("event seqs %v (ops %v), want increasing without repeats", seqs, ops)
			}
		})
	}
}

func TestServePollMustBePositive(t *testing.T) {
	for _, poll := range []string{"0", "-1s"} {
		m := &Main{Stdout: io.Discard, Stderr: io.Discard}
		if err := m.ParseFlags([]string{"serve", "--data", t.TempDir(), "--poll", poll}); err == nil {
			t.Errorf("serve --poll %s: nil error, want a refusal", poll)
		}
	}
}
