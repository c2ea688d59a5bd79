package service_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/internal/testclock"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/sqlite"
)

// recBus records every published event.
type recBus struct {
	mu     sync.Mutex
	events []service.Event
}

func (b *recBus) Publish(_ context.Context, ev service.Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, ev)
	return nil
}

func (b *recBus) Subscribe(func(service.Event)) func() { return func() {} }

func (b *recBus) all() []service.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]service.Event(nil), b.events...)
}

// env is a Service over a fresh SQLite database.
type env struct {
	t      testing.TB
	ctx    context.Context
	svc    *service.Service
	db     *sqlite.DB
	dbPath string
	clock  *testclock.Clock
	bus    *recBus
}

func newEnv(t testing.TB) *env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "worktalk.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("open db: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, ctx: context.Background(), db: db, dbPath: path, clock: testclock.New(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)), bus: &recBus{}}
	e.svc = service.New(service.Config{
		Store:     db,
		Bus:       e.bus,
		PublicURL: "https://talk.test/",
		Now:       e.clock.Now,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Argon:     argon2id.TestParams,
		Keys:      service.Keys{Current: testKey},
	})
	return e
}

const testPassword = "correct horse"

// testKey is the server key of every test service.
var testKey = service.NewKey()

func (e *env) workspace(name string, externalChat bool) string {
	e.t.Helper()
	s := service.DefaultSettings()
	s.ExternalChat = externalChat
	ws, err := e.svc.CreateWorkspace(e.ctx, name, s)
	if err != nil {
		e.t.Fatalf("create workspace %s: %v", name, err)
	}
	return ws.ID
}

func (e *env) member(wsID, email, name string) service.Caller {
	e.t.Helper()
	p, err := e.svc.CreateMember(e.ctx, service.NewMember{
		WorkspaceID: wsID, Email: email, Password: testPassword, Name: name,
		Fields: map[string]string{"title": "Engineer", "phone": "+82 10-1111-2222", "employee_no": "SECRET-" + name},
	})
	if err != nil {
		e.t.Fatalf("create member %s: %v", email, err)
	}
	return service.Caller{SessionID: "s-" + p.ID, MemberID: p.ID, WorkspaceID: wsID}
}

func (e *env) setExternalChat(wsID string, on bool) {
	e.t.Helper()
	s := service.DefaultSettings()
	s.ExternalChat = on
	if err := e.svc.UpdateWorkspaceSettings(e.ctx, wsID, s); err != nil {
		e.t.Fatalf("update settings: %v", err)
	}
}

// do sends one request with a fresh id and decodes the answer into out (if not nil).
func (e *env) do(c service.Caller, op string, in, out any) error {
	e.t.Helper()
	return e.doID(c, protocol.NewID(), op, in, out)
}

func (e *env) doID(c service.Caller, id, op string, in, out any) error {
	e.t.Helper()
	data, err := json.Marshal(in)
	if err != nil {
		e.t.Fatalf("marshal: %v", err)
	}
	res, err := e.svc.Do(e.ctx, c, id, op, data)
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			e.t.Fatalf("%s answer %s: %v", op, res, err)
		}
	}
	return nil
}

func (e *env) mustDo(c service.Caller, op string, in, out any) {
	e.t.Helper()
	if err := e.do(c, op, in, out); err != nil {
		e.t.Fatalf("%s: %v", op, err)
	}
}

func (e *env) onceLink(c service.Caller) string {
	e.t.Helper()
	var l protocol.ProfileLink
	e.mustDo(c, protocol.OpLinkCreateOnce, protocol.Empty{}, &l)
	return l.URL
}

// addExternal makes owner add member through a one-time link.
func (e *env) addExternal(owner, member service.Caller) {
	e.t.Helper()
	e.mustDo(owner, protocol.OpExternalAdd, protocol.AddExternal{Link: e.onceLink(member)}, nil)
}

func (e *env) block(c, target service.Caller) {
	e.t.Helper()
	e.mustDo(c, protocol.OpBlock, protocol.MemberRef{MemberID: target.MemberID}, nil)
}

func code(err error) string { return protocol.ErrorCode(err) }
