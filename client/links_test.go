package client

import (
	"context"
	"testing"
	"time"

	"worktalk.dev/worktalk/protocol"
)

// My live one-time links through the engine and the real server: listed
// with their expiry, one revoked at once, then all of them and the QR link.
func TestLiveLinksRevoke(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	acme := w.env.CreateWorkspace("Acme")
	hanbit := w.env.CreateWorkspace("Hanbit")
	alice := w.device(t, w.env.NewUser(acme.ID, "Alice"))
	bora := w.device(t, w.env.NewUser(hanbit.ID, "보라"))
	waitFor(t, alice, "online", online)
	waitFor(t, bora, "online", online)

	first, err := alice.OneTimeLink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.env.Clock.Advance(time.Second) // newest first needs two times
	second, err := alice.OneTimeLink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	qr, err := alice.QRLink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	live, err := alice.LiveLinks(ctx)
	if err != nil || len(live) != 2 || live[0].ID != second.ID || live[0].ExpiresAt != second.ExpiresAt || live[1].ID != first.ID {
		t.Fatalf("LiveLinks = %+v, %v; want %s then %s with their expiry", live, err, second.ID, first.ID)
	}

	if err := alice.RevokeLink(ctx, first.ID); err != nil {
		t.Fatalf("RevokeLink: %v", err)
	}
	if _, err := bora.ViewLink(ctx, first.URL); protocol.ErrorCode(err) != protocol.ELinkInvalid {
		t.Errorf("ViewLink of the revoked link = %v, want %s", err, protocol.ELinkInvalid)
	}
	if _, err := bora.ViewLink(ctx, second.URL); err != nil {
		t.Errorf("ViewLink of the other link = %v, want it live", err)
	}
	if err := bora.RevokeLink(ctx, second.ID); protocol.ErrorCode(err) != protocol.ENotFound {
		t.Errorf("someone else revoking my link = %v, want %s", err, protocol.ENotFound)
	}
	if live, _ := alice.LiveLinks(ctx); len(live) != 1 || live[0].ID != second.ID {
		t.Errorf("LiveLinks after revoke = %+v, want only %s", live, second.ID)
	}

	newQR, err := alice.RevokeAllLinks(ctx)
	if err != nil || newQR.URL == "" || newQR.URL == qr.URL {
		t.Fatalf("RevokeAllLinks = %+v, %v; want a new QR link", newQR, err)
	}
	for _, l := range []string{second.URL, qr.URL} {
		if _, err := bora.ViewLink(ctx, l); protocol.ErrorCode(err) != protocol.ELinkInvalid {
			t.Errorf("ViewLink(%s) after revoke all = %v, want %s", l, err, protocol.ELinkInvalid)
		}
	}
	if _, err := bora.AddExternalByLink(ctx, newQR.URL); err != nil {
		t.Errorf("the new QR link: %v", err)
	}
	if live, _ := alice.LiveLinks(ctx); len(live) != 0 {
		t.Errorf("LiveLinks after revoke all = %+v, want none", live)
	}
}
