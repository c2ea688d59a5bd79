package service_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// withKeys is e's service with other keys, as after a restart.
func (e *env) withKeys(k service.Keys) *service.Service {
	return service.New(service.Config{
		Store: e.db, Bus: e.bus, PublicURL: "https://talk.test/", Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Argon: argon2id.TestParams, Keys: k,
	})
}

// sealedState makes a QR link and a stored link.create_once answer with svc
// and returns the QR URL, the answer's request id and the once URL.
func sealedState(t *testing.T, e *env, svc *service.Service, c service.Caller) (qr, onceID, once string) {
	t.Helper()
	var l protocol.ProfileLink
	res, err := svc.Do(e.ctx, c, protocol.NewID(), protocol.OpLinkQR, []byte("{}"))
	if err != nil || json.Unmarshal(res, &l) != nil {
		t.Fatalf("link.qr: %v", err)
	}
	onceID = protocol.NewID()
	res, err = svc.Do(e.ctx, c, onceID, protocol.OpLinkCreateOnce, []byte("{}"))
	var o protocol.ProfileLink
	if err != nil || json.Unmarshal(res, &o) != nil {
		t.Fatalf("link.create_once: %v", err)
	}
	return l.URL, onceID, o.URL
}

// checkSealedState: after a restart with svc the QR link and the stored
// answer are what they were.
func checkSealedState(t *testing.T, e *env, svc *service.Service, c service.Caller, qr, onceID, once string) {
	t.Helper()
	var l protocol.ProfileLink
	res, err := svc.Do(e.ctx, c, protocol.NewID(), protocol.OpLinkQR, []byte("{}"))
	if err != nil || json.Unmarshal(res, &l) != nil || l.URL != qr {
		t.Errorf("link.qr after the restart = %s, %v; want %s", l.URL, err, qr)
	}
	res, err = svc.Do(e.ctx, c, onceID, protocol.OpLinkCreateOnce, []byte("{}"))
	if err != nil || json.Unmarshal(res, &l) != nil || l.URL != once {
		t.Errorf("resent link.create_once = %s, %v; want the first answer %s", l.URL, err, once)
	}
}

func legacyKeyIn(t *testing.T, e *env) []byte {
	t.Helper()
	k, err := service.LegacyKey(e.ctx, e.db)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestResealMovesLegacyKeyOut: a database from before the key file keeps
// its key in a row; Reseal moves what it sealed to the file's key and
// deletes the row, and existing QR links keep working.
func TestResealMovesLegacyKeyOut(t *testing.T) {
	for _, sameKey := range []bool{true, false} {
		e, w := newWorld(t)
		legacy := service.NewKey()
		old := e.withKeys(service.Keys{Current: legacy})
		qr, onceID, once := sealedState(t, e, old, w.a1)
		if err := e.db.Write(e.ctx, func(tx service.Tx) error { return tx.InsertServerKey(context.Background(), "seal", legacy) }); err != nil {
			t.Fatal(err)
		}
		// A single node adopts the legacy key as its file key; nodes
		// sharing PostgreSQL come with their own.
		fileKey := legacy
		if !sameKey {
			fileKey = service.NewKey()
		}
		svc := e.withKeys(service.Keys{Current: fileKey})
		rep, err := svc.Reseal(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantResealed := 2
		if sameKey {
			wantResealed = 0
		}
		if rep.Resealed != wantResealed || rep.Lost != 0 || !rep.LegacyRemoved {
			t.Errorf("sameKey=%v: Reseal = %+v, want %d resealed, none lost, legacy key removed", sameKey, rep, wantResealed)
		}
		if k := legacyKeyIn(t, e); k != nil {
			t.Errorf("sameKey=%v: the database still holds a key after Reseal", sameKey)
		}
		checkSealedState(t, e, svc, w.a1, qr, onceID, once)
		if n, err := svc.NeedsOldKeys(e.ctx); err != nil || n != 0 {
			t.Errorf("NeedsOldKeys = %d, %v; want 0", n, err)
		}
	}
}

// TestRotation: with a new current key and the old one kept to open,
// Reseal moves everything to the new key, after which the old one can go.
func TestRotation(t *testing.T) {
	e, w := newWorld(t)
	first := service.NewKey()
	qr, onceID, once := sealedState(t, e, e.withKeys(service.Keys{Current: first}), w.a1)
	next := service.NewKey()
	both := e.withKeys(service.Keys{Current: next, Old: [][]byte{first}})
	if n, err := both.NeedsOldKeys(e.ctx); err != nil || n != 2 {
		t.Fatalf("NeedsOldKeys before Reseal = %d, %v; want 2", n, err)
	}
	checkSealedState(t, e, both, w.a1, qr, onceID, once)
	if rep, err := both.Reseal(e.ctx); err != nil || rep.Resealed != 2 {
		t.Fatalf("Reseal = %+v, %v; want 2 resealed", rep, err)
	}
	if n, err := both.NeedsOldKeys(e.ctx); err != nil || n != 0 {
		t.Fatalf("NeedsOldKeys after Reseal = %d, %v; want 0", n, err)
	}
	checkSealedState(t, e, e.withKeys(service.Keys{Current: next}), w.a1, qr, onceID, once)
}

// TestLostKey: values no key opens cannot come back; the QR link is reset
// so its owner gets a working one instead of an error for ever.
func TestLostKey(t *testing.T) {
	e, w := newWorld(t)
	qr, onceID, _ := sealedState(t, e, e.withKeys(service.Keys{Current: service.NewKey()}), w.a1)
	svc := e.withKeys(service.Keys{Current: service.NewKey()})
	rep, err := svc.Reseal(e.ctx)
	if err != nil || rep.Lost != 2 {
		t.Fatalf("Reseal = %+v, %v; want 2 lost", rep, err)
	}
	var l protocol.ProfileLink
	res, err := svc.Do(e.ctx, w.a1, protocol.NewID(), protocol.OpLinkQR, []byte("{}"))
	if err != nil || json.Unmarshal(res, &l) != nil || l.URL == qr || l.URL == "" {
		t.Errorf("link.qr after a lost key = %q, %v; want a new link", l.URL, err)
	}
	if err := e.do(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: qr}, nil); code(err) != protocol.ELinkInvalid {
		t.Errorf("the old QR link after a lost key: %v, want %s", err, protocol.ELinkInvalid)
	}
	// The answer is gone, so a resend makes a new link rather than failing.
	if _, err := svc.Do(e.ctx, w.a1, onceID, protocol.OpLinkCreateOnce, []byte("{}")); err != nil {
		t.Errorf("resent link.create_once after a lost key: %v", err)
	}
}

// TestNoKeyNoSeal: a service without keys refuses to seal rather than
// seal with a key nobody keeps.
func TestNoKeyNoSeal(t *testing.T) {
	e, w := newWorld(t)
	svc := e.withKeys(service.Keys{})
	if _, err := svc.Do(e.ctx, w.a1, protocol.NewID(), protocol.OpLinkQR, []byte("{}")); code(err) != protocol.EInternal {
		t.Fatalf("link.qr without keys: %v, want %s", err, protocol.EInternal)
	}
}
