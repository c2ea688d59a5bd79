// Package client is the local-first sync engine: the desktop app's only way
// to the server. Commands write their local effect and an outbox entry in one
// SQLite transaction and return; a background loop keeps a websocket to the
// server, applies its events to the local replica and drains the outbox in
// order. The UI reads State and watches for changes.
package client

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// Account is one signed-in workspace on this device. No secrets in it.
type Account struct {
	ServerURL     string
	MemberID      string
	WorkspaceID   string
	WorkspaceName string
	Email         string
	Name          string
}

// Options configure the engine and the account functions.
type Options struct {
	DataDir          string       // local databases and accounts.json; "" = os.UserConfigDir()/worktalk
	Secrets          secret.Store // nil = OS keyring; if the keyring is unusable, sign-in fails with a message naming what to install
	AllowFileSecrets bool         // explicit opt-in: tokens in a 0600 file when no keyring; State.Warnings says so
	HTTPClient       *http.Client
	Logger           *slog.Logger
	Now              func() time.Time

	// After waits between reconnect attempts; nil = time.After. Tests inject
	// it to control reconnects without sleeping.
	After func(d time.Duration) <-chan time.Time
	// RequestTimeout bounds a request that needs the server; 0 = 15 seconds.
	RequestTimeout time.Duration

	// plainStore leaves the local database unencrypted, for benchmarks
	// that compare against it.
	plainStore bool
}

func (o Options) dataDir() (string, error) {
	if o.DataDir != "" {
		return o.DataDir, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config directory: %w", err)
	}
	return filepath.Join(d, "worktalk"), nil
}

func (o Options) httpClient() *http.Client {
	if o.HTTPClient != nil {
		return o.HTTPClient
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o Options) after(d time.Duration) <-chan time.Time {
	if o.After != nil {
		return o.After(d)
	}
	return time.After(d)
}

func (o Options) requestTimeout() time.Duration {
	if o.RequestTimeout > 0 {
		return o.RequestTimeout
	}
	return 15 * time.Second
}

// State is everything the UI draws, except message history (Messages pages it).
// Values are never modified after they are handed out.
type State struct {
	Account   Account
	Me        protocol.Profile
	Workspace protocol.Workspace
	Members   []protocol.Profile // coworkers sorted by name, me excluded
	// MembersGen grows each time Members changes. MembersChanged lists the
	// ids of the coworkers that changed (came, changed or left) from
	// generation MembersGen-1 to MembersGen, sorted; nil when the whole
	// list was read anew. A watcher that saw generation MembersGen-1 can
	// update those rows alone.
	MembersGen     uint64
	MembersChanged []string
	Externals      []protocol.Profile // sorted by name
	Blocked        []protocol.BlockedMember
	Rooms          []RoomSummary // newest activity first
	Unread         int           // unread messages of all rooms
	Conn           ConnState
	Pending        int               // outbox entries not yet acknowledged
	ProfilePending bool              // my profile has unacknowledged edits
	Notices        []Notice          // refusals etc. the user must be told, oldest first
	RoomVersion    map[string]uint64 // bumps when a room's messages change: the open room view re-reads
	Warnings       []string
	Revoked        bool // the server ended this session (signed out elsewhere)
}

// ConnState is the state of the connection to the server.
type ConnState struct {
	Online     bool
	CatchingUp bool
	Problem    string // why it is offline: one of the Conn* codes, "" when not known
	Error      string // the last connection problem in English, for logs
}

// Why the engine is offline, for the UI to say in its own language.
const (
	ConnUnreachable = "unreachable" // the server cannot be reached
	ConnLost        = "lost"        // the connection broke
	ConnKeyring     = "keyring"     // the saved sign-in cannot be read from the keyring
	ConnSignedOut   = "signed_out"  // the session ended: sign in again
)

// RoomSummary is a room as the room list shows it.
type RoomSummary struct {
	protocol.Room
	DisplayTitle string   // group title, the other member's name, or my name for the self room
	Last         *Message // newest message, nil if none
	// Unread counts the messages after my read mark that others sent;
	// reading on any of my devices clears it on all of them.
	Unread int
}

// Message is a message with its local order key.
type Message struct {
	protocol.Message
	Key     int64 // local order key (ascending = display order); pending messages sort after acked ones
	Pending bool
}

// Notice is something the user must be told, such as a refused change.
type Notice struct {
	ID     string
	Op     string // the refused op
	Code   string // protocol error code
	Reason string // protocol error reason, may be empty
	Text   string // the server's message, in English
	At     time.Time
}

// Engine is one signed-in workspace: its local store and its connection.
// Open starts the connection loop; Close stops it and waits for it.
type Engine struct {
	opt     Options
	acct    Account
	rec     accountRecord
	db      *store.DB
	dir     string // the account's directory under DataDir
	secrets secret.Store
	log     *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	kick   chan struct{} // the outbox has a new entry

	// applyMu serializes store writes and the refresh of the in-memory view
	// that follows each, so the published state follows commit order.
	applyMu sync.Mutex
	// Guarded by applyMu:
	replica store.Replica
	members []protocol.Profile // the coworkers sorted by name (replica.Coworkers is nil)
	// membersGen and membersChanged are State.MembersGen and
	// State.MembersChanged.
	membersGen     uint64
	membersChanged []string
	names          map[string]string   // member id -> name, coworkers and externals
	last           map[string]*Message // newest message per room
	outbox         []store.Entry       // in order
	notices        []store.Notice
	reads          map[string]protocol.ReadMark // read marks as synced, by room
	// transient counts the temporary server failures (rate limited,
	// internal) of each outbox entry in this run, to give up eventually.
	transient map[string]int

	mu sync.Mutex
	// Guarded by mu:
	state    State
	conn     ConnState
	revoked  bool
	roomVer  map[string]uint64
	watchers map[*watcher]struct{}
	sess     *session // the live connection, nil when offline
	closed   bool
}

// Open opens the account's local store and starts syncing. The engine works
// offline from the store at once; Close stops it.
func Open(ctx context.Context, opt Options, acct Account) (*Engine, error) {
	dir, err := accountDir(opt, acct)
	if err != nil {
		return nil, err
	}
	rec, err := findAccount(opt, acct)
	if err != nil {
		return nil, err
	}
	secrets, warn, err := secretStoreFor(opt, rec.FileSecrets)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create account directory: %w", err)
	}
	db, err := openStore(secrets, acct, dir, opt.plainStore)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		opt:       opt,
		acct:      acct,
		rec:       rec,
		db:        db,
		dir:       dir,
		secrets:   secrets,
		log:       opt.logger().With("member", acct.MemberID),
		kick:      make(chan struct{}, 1),
		last:      map[string]*Message{},
		transient: map[string]int{},
		roomVer:   map[string]uint64{},
		watchers:  map[*watcher]struct{}{},
	}
	if warn != "" {
		e.state.Warnings = []string{warn}
	}
	if err := e.load(ctx); err != nil {
		db.Close()
		return nil, err
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.run()
	}()
	return e, nil
}

// Close stops syncing, closes every watch channel and the store.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	for w := range e.watchers {
		close(w.ch)
		delete(e.watchers, w)
	}
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	return e.db.Close()
}

// Account returns the account this engine serves.
func (e *Engine) Account() Account { return e.acct }

// State returns the current state.
func (e *Engine) State() State {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.state
}

// Messages returns up to limit messages of a room from the local store,
// oldest first, with keys below beforeKey (0: the newest page).
func (e *Engine) Messages(roomID string, beforeKey int64, limit int) ([]Message, error) {
	ms, err := e.db.Messages(context.Background(), roomID, beforeKey, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = Message(m)
	}
	return out, nil
}
