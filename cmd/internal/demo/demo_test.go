package demo_test

import (
	"context"
	"testing"

	"worktalk.dev/worktalk/cmd/internal/demo"
	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

func TestSeed(t *testing.T) {
	ctx := context.Background()
	env := servertest.New(t)
	svc := env.Service
	info, err := demo.Seed(ctx, env.Store, svc)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Created || info.Password == "" || len(info.Accounts) < 8 {
		t.Fatalf("demo info = %+v", info)
	}
	res, err := svc.SignIn(ctx, protocol.SignInRequest{Email: "alex@consult.example", Password: info.Password}, "127.0.0.1")
	if err != nil || len(res.Workspaces) != 2 {
		t.Fatalf("alex sign-in = %+v, %v, want a choice of two workspaces", res, err)
	}
	res, err = svc.SignIn(ctx, protocol.SignInRequest{Email: info.Accounts[0].Email, Password: info.Password}, "127.0.0.1")
	if err != nil || res.Session == nil {
		t.Fatalf("sign-in = %+v, %v", res, err)
	}
	c, err := svc.Authenticate(ctx, res.Session.Token)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := svc.Snapshot(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Members) != 5 || len(snap.Rooms) != 1 || len(snap.Messages) != 4 || !snap.Workspace.Settings.ExternalChat {
		t.Fatalf("snapshot: %d members, %d rooms, %d messages, external %v", len(snap.Members), len(snap.Rooms), len(snap.Messages), snap.Workspace.Settings.ExternalChat)
	}
	senders := map[string]bool{}
	for _, m := range snap.Messages {
		senders[m.SenderID] = true
	}
	if len(senders) != 4 {
		t.Errorf("messages come from %d members, want 4 taking turns", len(senders))
	}
	again, err := demo.Seed(ctx, env.Store, svc)
	if err != nil || again.Created {
		t.Fatalf("second seed = %+v, %v, want left alone", again, err)
	}
}
