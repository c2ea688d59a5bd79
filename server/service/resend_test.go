package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

// TestResendAfterRateLimit: a resent external.add that the server already
// applied gets its first answer back even when the member's link budget is
// spent; it is not refused as rate limited (the client would roll back an
// add that happened).
func TestResendAfterRateLimit(t *testing.T) {
	e, w := newWorld(t)
	link := e.onceLink(w.a1)
	var first protocol.Profile
	if err := e.doID(w.b1, "add-1", protocol.OpExternalAdd, protocol.AddExternal{Link: link}, &first); err != nil {
		t.Fatal(err)
	}
	for {
		err := e.do(w.b1, protocol.OpLinkView, protocol.LinkRef{Link: link}, nil)
		if code(err) == protocol.ERateLimited {
			break
		}
	}
	var again protocol.Profile
	if err := e.doID(w.b1, "add-1", protocol.OpExternalAdd, protocol.AddExternal{Link: link}, &again); err != nil {
		t.Fatalf("resend: got %v, want the first answer", err)
	}
	if again.ID != first.ID {
		t.Fatalf("resend answer = %q, want %q", again.ID, first.ID)
	}
	// A new add is still limited.
	err := e.doID(w.b1, "add-2", protocol.OpExternalAdd, protocol.AddExternal{Link: e.onceLink(w.a2)}, nil)
	if code(err) != protocol.ERateLimited {
		t.Fatalf("new add: code = %q, want %q", code(err), protocol.ERateLimited)
	}
}

// failingStore fails the commit of the next write when failNext is set,
// after fn ran, so the transaction rolls back as on a lost commit.
type failingStore struct {
	service.Store
	failNext atomic.Bool
}

var errCommit = errors.New("commit failed")

func (s *failingStore) Write(ctx context.Context, fn func(service.Tx) error) error {
	return s.Store.Write(ctx, func(tx service.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if s.failNext.CompareAndSwap(true, false) {
			return errCommit
		}
		return nil
	})
}

// TestServerKeyRolledBack: a sealing mutation whose commit fails leaves
// nothing behind that a restart cannot open. link.reset_qr seals twice in
// one transaction.
func TestServerKeyRolledBack(t *testing.T) {
	for _, op := range []string{protocol.OpLinkCreateOnce, protocol.OpLinkResetQR} {
		t.Run(op, func(t *testing.T) {
			e, w := newWorld(t)
			fs := &failingStore{Store: e.db}
			newSvc := func() *service.Service {
				return service.New(service.Config{
					Store: fs, Bus: e.bus, PublicURL: "https://talk.test", Now: e.clock.Now,
					Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Argon: argon2id.TestParams,
					Keys: service.Keys{Current: testKey},
				})
			}
			svc := newSvc()
			do := func(s *service.Service, op string) (protocol.ProfileLink, error) {
				var l protocol.ProfileLink
				res, err := s.Do(e.ctx, w.a1, protocol.NewID(), op, []byte("{}"))
				if err == nil {
					err = json.Unmarshal(res, &l)
				}
				return l, err
			}
			fs.failNext.Store(true)
			if _, err := do(svc, op); code(err) != protocol.EInternal {
				t.Fatalf("failed commit: code = %q, want %q", code(err), protocol.EInternal)
			}
			qr, err := do(svc, protocol.OpLinkQR)
			if err != nil {
				t.Fatal(err)
			}
			restarted, err := do(newSvc(), protocol.OpLinkQR)
			if err != nil {
				t.Fatalf("QR link after a restart: got %v, want %s", err, qr.URL)
			}
			if restarted.URL != qr.URL {
				t.Fatalf("QR link after a restart = %s, want %s", restarted.URL, qr.URL)
			}
		})
	}
}
