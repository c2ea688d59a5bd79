package client

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// TestMemberChangesApplyInPlace: a coworker's rename, departure and
// arrival each change that one member of State.Members, in its sorted
// place, with MembersChanged naming them; a settings change that shows
// no other fields leaves the members as they were. States handed out
// before keep their values.
func TestMemberChangesApplyInPlace(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	ws := w.env.CreateWorkspace("Acme")
	alice := w.env.NewUser(ws.ID, "Alice")
	bob := w.env.NewUser(ws.ID, "Bob")
	carol := w.env.CreateMember(ws.ID, "Carol", nil)
	dave := w.env.CreateMember(ws.ID, "Dave", nil)
	e := w.device(t, alice)
	before := waitFor(t, e, "three coworkers", func(s State) bool { return synced(s) && len(s.Members) == 3 })
	if got := names(before.Members); !slices.Equal(got, []string{"Bob", "Carol", "Dave"}) {
		t.Fatalf("members = %q", got)
	}

	bc, err := w.env.Service.Authenticate(ctx, bob.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.env.Service.Do(ctx, bc, protocol.NewID(), protocol.OpProfileUpdate, mustJSON(t, protocol.ProfileUpdate{Name: ptr("Zed")})); err != nil {
		t.Fatal(err)
	}
	renamed := waitFor(t, e, "Bob renamed", func(s State) bool { return slices.Contains(names(s.Members), "Zed") })
	if got := names(renamed.Members); !slices.Equal(got, []string{"Carol", "Dave", "Zed"}) {
		t.Errorf("members after the rename = %q, want Zed moved last", got)
	}
	if renamed.MembersGen != before.MembersGen+1 || !slices.Equal(renamed.MembersChanged, []string{bob.ID()}) {
		t.Errorf("rename: generation %d -> %d, changed %q; want one step naming Bob", before.MembersGen, renamed.MembersGen, renamed.MembersChanged)
	}
	if got := names(before.Members); !slices.Equal(got, []string{"Bob", "Carol", "Dave"}) {
		t.Errorf("an earlier state changed under its reader: %q", got)
	}

	if _, _, err := w.env.Service.DisableMember(ctx, ws.ID, carol.Email); err != nil {
		t.Fatal(err)
	}
	gone := waitFor(t, e, "Carol departed", func(s State) bool { return s.MembersGen > renamed.MembersGen })
	if i := slices.IndexFunc(gone.Members, func(p protocol.Profile) bool { return p.ID == carol.ID() }); i < 0 || !gone.Members[i].Departed {
		t.Errorf("Carol after disable: %+v", gone.Members)
	}
	if !slices.Equal(gone.MembersChanged, []string{carol.ID()}) {
		t.Errorf("disable changed %q, want Carol", gone.MembersChanged)
	}

	erin := w.env.CreateMember(ws.ID, "Erin", nil)
	joined := waitFor(t, e, "Erin joined", func(s State) bool { return len(s.Members) == 4 })
	if got := names(joined.Members); !slices.Equal(got, []string{"Carol", "Dave", "Erin", "Zed"}) || !slices.Equal(joined.MembersChanged, []string{erin.ID()}) {
		t.Errorf("after Erin joined: %q, changed %q", got, joined.MembersChanged)
	}

	w.env.SetExternalChat(ws, false)
	set := waitFor(t, e, "external chat off", func(s State) bool { return !s.Workspace.Settings.ExternalChat })
	if set.MembersGen != joined.MembersGen || &set.Members[0] != &joined.Members[0] {
		t.Errorf("a settings change replaced the members (generation %d -> %d)", joined.MembersGen, set.MembersGen)
	}
	_ = dave
}

func names(ps []protocol.Profile) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// BenchmarkRename10k: the engine's part of one coworker's rename in a
// workspace of 10,000: the event into the store and the new state every
// watcher gets (the UI's part is ui's BenchmarkOrgChartRename10k).
func BenchmarkRename10k(b *testing.B) {
	snap := testSnapshot()
	for i := range 10_000 {
		snap.Members = append(snap.Members, protocol.Profile{ID: fmt.Sprintf("m%05d", i), WorkspaceID: "w1", Name: fmt.Sprintf("동료 %05d", i), Version: 1,
			Fields: map[string]string{"title": "Engineer", "department": fmt.Sprintf("Team %d", i%40), "phone": "+82 10-1234-5678"}})
	}
	ctx := context.Background()
	opt, acct := benchAccount(b, b.TempDir(), false)
	e, err := Open(ctx, opt, acct)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	if err := e.applySnapshot(ctx, snap); err != nil {
		b.Fatal(err)
	}
	ch := e.Watch(ctx)
	<-ch
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		p := snap.Members[2+i%10_000]
		p.Name = fmt.Sprintf("새 이름 %d", i)
		p.Version = int64(2 + i)
		seq := snap.Cursor + 1 + int64(i)
		start := time.Now()
		if err := e.applyEvents(ctx, []store.Event{{Seq: seq, Op: protocol.EvMemberUpsert, Data: mustJSON(b, p)}}); err != nil {
			b.Fatal(err)
		}
		s := <-ch
		lat = append(lat, time.Since(start))
		if !slices.Equal(s.MembersChanged, []string{p.ID}) {
			b.Fatalf("changed %q, want %s", s.MembersChanged, p.ID)
		}
	}
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
}
