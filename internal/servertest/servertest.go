// Package servertest runs a complete Worktalk server in process for tests:
// real SQLite in a temporary directory (or a store the test gives), the
// in-process bus (or one the test gives), cheap Argon2 parameters and a
// clock the test moves, listening on 127.0.0.1:0. It also has a small raw
// websocket client (Client) that speaks the sync protocol frame by frame,
// to this server or to one running elsewhere (Remote).
//
// Typical use:
//
//	env := servertest.New(t)
//	ws := env.CreateWorkspace("Acme")
//	alice := env.NewUser(ws.ID, "Alice")    // a member, signed in
//	c := env.Dial(alice.Token)              // a websocket
//	snap, _ := c.Sync(0)                    // snapshot, replay, caught up
//	res := c.Do(protocol.OpMessageSend, protocol.SendMessage{...})
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/internal/testclock"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server"
	"worktalk.dev/worktalk/server/inmem"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/sqlite"
)

// Options change the server New starts. The zero value is what New uses.
type Options struct {
	// PingPeriod of websocket keepalive; 0: the server default.
	PingPeriod time.Duration
	// SendQueue per connection; 0: the server default.
	SendQueue int
	// PublicPageRate per remote address and minute; 0: the server default.
	PublicPageRate int
	// Retention of events in the feeds (service.Config.Retention); 0 keeps
	// everything. Tests move Clock and call Service.Prune.
	Retention time.Duration
	// Logger; nil discards everything below Error.
	Logger *slog.Logger
	// Store the service runs on; nil: a new SQLite database in Dir. The
	// caller opened it and closes it (after the Env's cleanup, so register
	// its close before calling NewWith).
	Store service.Store
	// Bus between the service and the hub; nil: a new in-process bus. The
	// caller closes it, as Store.
	Bus service.Bus
	// PublicURL of profile links; "": the server's own URL.
	PublicURL string
	// TrustedProxies whose forwarding headers name the client.
	TrustedProxies []netip.Prefix
}

// Env is a running server and everything behind it. Close runs through
// tb.Cleanup; tests need not call it.
type Env struct {
	TB      testing.TB
	Dir     string // the temporary data directory
	URL     string // http://127.0.0.1:PORT
	Clock   *testclock.Clock
	Store   service.Store // *sqlite.DB unless Options.Store was given
	Bus     service.Bus   // *inmem.Bus unless Options.Bus was given
	Service *service.Service
	Server  *server.Server

	seq atomic.Int64 // for unique e-mails
}

// New starts a server with default options.
func New(tb testing.TB) *Env { return NewWith(tb, Options{}) }

// NewWith starts a server with opts.
func NewWith(tb testing.TB, opts Options) *Env {
	tb.Helper()
	dir := tb.TempDir()
	var store service.Store = opts.Store
	closeStore := func() error { return nil }
	if store == nil {
		db, err := sqlite.Open(filepath.Join(dir, "worktalk.db"))
		if err != nil {
			tb.Fatalf("open store: %v", err)
		}
		store, closeStore = db, db.Close
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		closeStore()
		tb.Fatalf("listen: %v", err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	url := "http://" + ln.Addr().String()
	publicURL := opts.PublicURL
	if publicURL == "" {
		publicURL = url
	}
	clock := testclock.New(time.Now())
	var bus service.Bus = opts.Bus
	if bus == nil {
		bus = inmem.New()
	}
	svc := service.New(service.Config{
		Store:     store,
		Bus:       bus,
		PublicURL: publicURL,
		Now:       clock.Now,
		Logger:    logger,
		Argon:     argon2id.TestParams,
		Retention: opts.Retention,
		Keys:      service.Keys{Current: service.NewKey()},
	})
	srv := server.New(server.Config{
		Listener:       ln,
		Service:        svc,
		Bus:            bus,
		Logger:         logger,
		PingPeriod:     opts.PingPeriod,
		SendQueue:      opts.SendQueue,
		TrustedProxies: opts.TrustedProxies,
		PublicPageRate: opts.PublicPageRate,
	})
	if err := srv.Open(); err != nil {
		ln.Close()
		closeStore()
		tb.Fatalf("open server: %v", err)
	}
	e := &Env{TB: tb, Dir: dir, URL: url, Clock: clock, Store: store, Bus: bus, Service: svc, Server: srv}
	tb.Cleanup(func() {
		if err := srv.Close(); err != nil {
			tb.Errorf("close server: %v", err)
		}
		if err := closeStore(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return e
}

// Remote is an Env for a server running elsewhere (another process) at
// url (http://HOST:PORT). Only what goes over the network works on it:
// Dial, DialErr, DialObserved, SignInHTTP and PostJSON.
func Remote(tb testing.TB, url string) *Env {
	return &Env{TB: tb, URL: url}
}

// WSURL is the websocket sync endpoint.
func (e *Env) WSURL() string { return "ws" + e.URL[len("http"):] + "/api/sync" }

// CreateWorkspace makes a workspace with the default settings, changed by
// any edit functions given.
func (e *Env) CreateWorkspace(name string, edits ...func(*protocol.WorkspaceSettings)) protocol.Workspace {
	e.TB.Helper()
	settings := service.DefaultSettings()
	for _, edit := range edits {
		edit(&settings)
	}
	ws, err := e.Service.CreateWorkspace(context.Background(), name, settings)
	if err != nil {
		e.TB.Fatalf("CreateWorkspace(%q): %v", name, err)
	}
	return ws
}

// SetExternalChat switches a workspace's external chat on or off.
func (e *Env) SetExternalChat(ws protocol.Workspace, on bool) {
	e.TB.Helper()
	var cur protocol.WorkspaceSettings
	err := e.Store.Read(context.Background(), func(tx service.Tx) error {
		row, err := tx.Workspace(context.Background(), ws.ID)
		cur = row.Settings
		return err
	})
	if err != nil {
		e.TB.Fatalf("read workspace %s: %v", ws.ID, err)
	}
	cur.ExternalChat = on
	if err := e.Service.UpdateWorkspaceSettings(context.Background(), ws.ID, cur); err != nil {
		e.TB.Fatalf("UpdateWorkspaceSettings(%s): %v", ws.ID, err)
	}
}

// User is a member with a signed-in session.
type User struct {
	Profile  protocol.Profile
	Email    string
	Password string
	Token    string // the session token
}

// ID is the member id.
func (u *User) ID() string { return u.Profile.ID }

// Password is the password NewUser gives every member.
const Password = "correct horse battery"

// NewUser creates a member of workspaceID and signs them in.
func (e *Env) NewUser(workspaceID, name string) *User {
	e.TB.Helper()
	u := e.CreateMember(workspaceID, name, nil)
	u.Token = e.SignIn(u.Email, u.Password, workspaceID).Token
	return u
}

// CreateMember creates a member (not signed in) with a unique e-mail and
// Password; fields may be nil.
func (e *Env) CreateMember(workspaceID, name string, fields map[string]string) *User {
	e.TB.Helper()
	email := fmt.Sprintf("user%d@example.com", e.seq.Add(1))
	p, err := e.Service.CreateMember(context.Background(), service.NewMember{
		WorkspaceID: workspaceID, Email: email, Password: Password, Name: name, Fields: fields,
	})
	if err != nil {
		e.TB.Fatalf("CreateMember(%q): %v", name, err)
	}
	return &User{Profile: p, Email: email, Password: Password}
}

// SignIn signs a member in through the service, from an address of its own
// so that many sign-ins in one test do not hit the per-address rate limit.
// Use SignInHTTP to go through the HTTP API.
func (e *Env) SignIn(email, password, workspaceID string) protocol.SessionInfo {
	e.TB.Helper()
	res, err := e.Service.SignIn(context.Background(), protocol.SignInRequest{
		Email: email, Password: password, WorkspaceID: workspaceID, Device: "servertest",
	}, "servertest:"+email)
	if err != nil {
		e.TB.Fatalf("SignIn(%s): %v", email, err)
	}
	if res.Session == nil {
		e.TB.Fatalf("SignIn(%s): no session, workspaces %v", email, res.Workspaces)
	}
	return *res.Session
}

// SignInHTTP posts req to /api/signin and returns the HTTP status and the
// decoded answer: a SignInResponse on 200, a protocol.Error otherwise.
func (e *Env) SignInHTTP(req protocol.SignInRequest) (int, protocol.SignInResponse, *protocol.Error) {
	e.TB.Helper()
	var res protocol.SignInResponse
	var perr protocol.Error
	status := e.PostJSON("/api/signin", "", req, &res, &perr)
	if status == http.StatusOK {
		return status, res, nil
	}
	return status, res, &perr
}

// PostJSON posts v as JSON to path with an optional bearer token, decoding
// a 200 answer into ok and any other into fail. It returns the status.
func (e *Env) PostJSON(path, token string, v, ok, fail any) int {
	e.TB.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		e.TB.Fatalf("marshal: %v", err)
	}
	req, err := http.NewRequest(http.MethodPost, e.URL+path, bytes.NewReader(b))
	if err != nil {
		e.TB.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.TB.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.TB.Fatalf("read %s: %v", path, err)
	}
	into := fail
	if resp.StatusCode == http.StatusOK {
		into = ok
	}
	if into != nil {
		if err := json.Unmarshal(body, into); err != nil {
			e.TB.Fatalf("POST %s: status %d, body %q is not JSON: %v", path, resp.StatusCode, body, err)
		}
	}
	return resp.StatusCode
}
