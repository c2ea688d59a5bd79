// Package service holds every rule of the Worktalk domain. The transport
// (package server) authenticates callers and moves frames; storage sits
// behind Store and fan-out behind Bus, so other technologies can replace
// SQLite and the in-process bus without touching the rules.
package service

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"worktalk.dev/worktalk/protocol"
)

// Caller is an authenticated session.
type Caller struct {
	SessionID   string
	MemberID    string
	WorkspaceID string
}

// Event is one change for a set of members. Seq > 0 events are stored in each
// recipient's feed before they are published; Seq == 0 events are live-only
// (EvSessionRevoked, addressed to one SessionID).
type Event struct {
	Seq        int64
	Op         string          // protocol.Ev*
	Data       json.RawMessage // the event body, the same for every recipient
	Recipients []string        // member ids
	SessionID  string          // live-only events aimed at one session
}

// Bus carries events from the node that committed them to every node's hub.
// Publish is called in commit order and must not block on slow subscribers.
type Bus interface {
	Publish(ctx context.Context, ev Event) error
	Subscribe(fn func(Event)) (unsubscribe func())
}

// Config configures a Service.
type Config struct {
	Store     Store
	Bus       Bus
	PublicURL string           // base of profile links, e.g. "https://talk.example.com"
	Now       func() time.Time // nil: time.Now
	Logger    *slog.Logger     // nil: slog.Default()
	Argon     ArgonParams      // zero: production parameters
	// Retention is how long events stay in the feeds; a client whose cursor
	// is older gets a snapshot. Zero keeps everything.
	Retention time.Duration
}

// MaxReplay is the most events EventsSince replays; a client further behind
// gets a snapshot instead, which is cheaper than a long replay.
const MaxReplay = 50_000

// Service enforces the rules. It is safe for concurrent use.
type Service struct {
	store     Store
	bus       Bus
	publicURL string
	now       func() time.Time
	log       *slog.Logger
	argon     ArgonParams
	retention time.Duration

	signInByEmail *limiter
	signInByAddr  *limiter
	linkByMember  *limiter

	dummyOnce sync.Once
	dummyHash string // a hash of nothing, verified for unknown e-mails

	keyMu     sync.Mutex
	serverKey []byte // AES-256 key that seals QR tokens and link answers; loaded on first use

	// writeMu serializes commit-and-publish so the bus sees events in seq order.
	writeMu sync.Mutex
}

// New returns a Service over cfg.Store and cfg.Bus.
func New(cfg Config) *Service {
	s := &Service{
		store:     cfg.Store,
		bus:       cfg.Bus,
		publicURL: trimSlash(cfg.PublicURL),
		now:       cfg.Now,
		log:       cfg.Logger,
		argon:     cfg.Argon,
		retention: cfg.Retention,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.argon == (ArgonParams{}) {
		s.argon = DefaultArgon
	}
	s.signInByEmail = newLimiter(signInRate, signInBurst)
	s.signInByAddr = newLimiter(signInRate, signInBurst)
	s.linkByMember = newLimiter(linkRate, linkBurst)
	return s
}

func trimSlash(u string) string {
	for len(u) > 0 && u[len(u)-1] == '/' {
		u = u[:len(u)-1]
	}
	return u
}

// ErrSnapshotNeeded is returned by EventsSince when the cursor is older than
// the feed keeps, or so far behind that a snapshot is cheaper than a replay.
var ErrSnapshotNeeded = &protocol.Error{Code: protocol.EConflict, Message: "cursor is too old; a snapshot is needed"}

func todo(what string) error { return protocol.Errorf(protocol.EInternal, "%s: not written yet", what) }

// SignIn checks an e-mail and password. ...
func (s *Service) SignIn(ctx context.Context, req protocol.SignInRequest, remoteAddr string) (protocol.SignInResponse, error) {
	return protocol.SignInResponse{}, todo("sign in")
}

// Authenticate returns the caller of a session token, EUnauthorized if unknown or revoked.
func (s *Service) Authenticate(ctx context.Context, token string) (Caller, error) {
	return Caller{}, todo("authenticate")
}

// SignOut revokes the caller's session and publishes EvSessionRevoked (Seq 0).
func (s *Service) SignOut(ctx context.Context, c Caller) error { return todo("sign out") }

// Snapshot returns the caller's full state and the cursor it is consistent with.
func (s *Service) Snapshot(ctx context.Context, c Caller) (protocol.Snapshot, error) {
	return protocol.Snapshot{}, todo("snapshot")
}

// EventsSince returns the caller's events after cursor, oldest first, at most limit.
func (s *Service) EventsSince(ctx context.Context, c Caller, cursor int64, limit int) ([]Event, error) {
	return nil, todo("events")
}

// Do runs every request op except sync.
func (s *Service) Do(ctx context.Context, c Caller, reqID, op string, data json.RawMessage) (json.RawMessage, error) {
	return nil, todo("do")
}

// PublicCard returns the card a profile link shows; ELinkInvalid otherwise.
func (s *Service) PublicCard(ctx context.Context, token string) (protocol.PublicCard, error) {
	return protocol.PublicCard{}, todo("public card")
}

// Picture returns a picture's bytes; ENotFound.
func (s *Service) Picture(ctx context.Context, c Caller, id string) ([]byte, error) {
	return nil, todo("picture")
}

// NewMember is the input of CreateMember.
type NewMember struct {
	WorkspaceID string
	Email       string
	Password    string
	Name        string
	Fields      map[string]string // any defined field, hidden ones included
	Admin       bool
}

// DemoAccount is one member SeedDemo made.
type DemoAccount struct {
	Email     string
	Name      string
	Workspace string
	Admin     bool
}

// DemoInfo says how to sign in to the demo data.
type DemoInfo struct {
	Created  bool // false: the database already had workspaces and was left alone
	Password string
	Accounts []DemoAccount
}

// CreateWorkspace makes a workspace.
func (s *Service) CreateWorkspace(ctx context.Context, name string, settings protocol.WorkspaceSettings) (protocol.Workspace, error) {
	return protocol.Workspace{}, todo("create workspace")
}

// UpdateWorkspaceSettings replaces a workspace's settings.
func (s *Service) UpdateWorkspaceSettings(ctx context.Context, workspaceID string, settings protocol.WorkspaceSettings) error {
	return todo("update workspace")
}

// CreateMember adds a member to a workspace.
func (s *Service) CreateMember(ctx context.Context, m NewMember) (protocol.Profile, error) {
	return protocol.Profile{}, todo("create member")
}

// SeedDemo fills an empty database with demo data.
func (s *Service) SeedDemo(ctx context.Context) (DemoInfo, error) {
	return DemoInfo{}, todo("seed demo")
}

// DefaultSettings is the field schema of a new workspace.
func DefaultSettings() protocol.WorkspaceSettings {
	return protocol.WorkspaceSettings{
		Fields: []protocol.FieldDef{
			{Key: "title", Label: "Title", LabelKo: "직함", Kind: protocol.FieldText, Visible: true, Editable: true},
			{Key: "department", Label: "Department", LabelKo: "부서", Kind: protocol.FieldText, Visible: true, Editable: true},
			{Key: "phone", Label: "Phone", LabelKo: "전화번호", Kind: protocol.FieldPhone, Visible: true, Editable: true, MaxLen: 24},
			{Key: "email", Label: "E-mail", LabelKo: "이메일", Kind: protocol.FieldEmail, Visible: true, Editable: false, MaxLen: protocol.MaxEmailLen},
			{Key: "employee_no", Label: "Employee number", LabelKo: "사번", Kind: protocol.FieldText, Visible: false, Editable: false, MaxLen: 20},
		},
		NameEditable:    true,
		PictureEditable: true,
		ExternalChat:    true,
	}
}
