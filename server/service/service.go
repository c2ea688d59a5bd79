// Package service holds every rule of the Worktalk domain. The transport
// (package server) authenticates callers and moves frames; storage sits
// behind Store and fan-out behind Bus, so other technologies can replace
// SQLite and the in-process bus without touching the rules.
package service

import (
	"context"
	"encoding/json"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
)

// Caller is an authenticated session.
type Caller struct {
	SessionID   string
	MemberID    string
	WorkspaceID string
}

// Event is one change for a set of members. Seq > 0 events are stored
// before they are published; Seq == 0 events are live-only
// (EvSessionRevoked, addressed to one SessionID or to members).
type Event struct {
	Seq  int64
	Op   string          // protocol.Ev*
	Data json.RawMessage // the event body, the same for every recipient
	// Workspace, when set, makes every member of that workspace a
	// recipient: workspace-wide events name the workspace rather than list
	// its members.
	Workspace  string
	Recipients []string // member ids (for workspace events: those outside it)
	SessionID  string   // live-only events aimed at one session
}

// Reaches reports whether the event is for the member memberID of the
// workspace workspaceID.
func (ev Event) Reaches(memberID, workspaceID string) bool {
	if ev.Workspace != "" && ev.Workspace == workspaceID {
		return true
	}
	return slices.Contains(ev.Recipients, memberID)
}

// Bus carries events from the node that committed them to every node's hub.
// Publish is called in commit order and must not block on slow subscribers.
type Bus interface {
	Publish(ctx context.Context, ev Event) error
	Subscribe(fn func(Event)) (unsubscribe func())
}

// EventSource reads committed events back from the database, for a Bus that
// must also deliver events written by other processes or nodes.
type EventSource interface {
	// LastSeq is the newest committed event seq, 0 when there is none.
	LastSeq(ctx context.Context) (int64, error)
	// EventsBetween returns the committed events with after < seq <=
	// through, oldest first, with their recipients; pruned ones are absent.
	EventsBetween(ctx context.Context, after, through int64) ([]Event, error)
}

// Config configures a Service.
type Config struct {
	Store     Store
	Bus       Bus
	PublicURL string           // base of profile links, e.g. "https://talk.example.com"
	Now       func() time.Time // nil: time.Now
	Logger    *slog.Logger     // nil: slog.Default()
	Argon     argon2id.Params  // zero: production parameters
	// HashWorkers is how many password hashes run at once. 0: as many as
	// keep GOMAXPROCS cores busy, each hash running on Argon.Threads lanes
	// (one on the 2-core machine of the benchmarks, where two doubled the
	// ack latency of other clients during a flood; see
	// BenchmarkSignInFlood). HashQueue is how many more may wait for one
	// (0: twice HashWorkers). Sign-ins beyond get EUnavailable.
	HashWorkers, HashQueue int
	// Keys are the server keys (see Keys); without them nothing can be
	// sealed and link.qr, link.create_once and link.reset_qr fail.
	Keys Keys
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
	argon     argon2id.Params
	retention time.Duration

	signInByEmail  *limiter
	signInByAddr   *limiter
	signInByDevice *limiter // sign-ins with a valid device token
	linkByMember   *limiter

	hashes       *hashPool
	pictureSlots chan struct{} // pictures being decoded and re-encoded

	dummyOnce sync.Once
	dummyHash string // a hash of nothing, verified for unknown e-mails

	keys Keys // seal QR tokens and stored link answers; sign device tokens

	groupRooms roomCache // workspaces of group rooms' members, for sends

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
		keys:      cfg.Keys,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.argon == (argon2id.Params{}) {
		s.argon = DefaultArgon
	}
	s.signInByEmail = newLimiter(signInRate, signInBurst)
	s.signInByAddr = newLimiter(signInRate, signInBurst)
	s.signInByDevice = newLimiter(signInRate, signInBurst)
	workers := cfg.HashWorkers
	if workers <= 0 {
		workers = max(1, runtime.GOMAXPROCS(0)/max(1, int(s.argon.Threads)))
	}
	queue := cfg.HashQueue
	if queue <= 0 {
		queue = 2 * workers
	}
	s.hashes = newHashPool(workers, queue)
	// A decode may hold maxDecodeBytes: a few at once bound the memory.
	s.pictureSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))
	s.linkByMember = newLimiter(linkRate, linkBurst)
	return s
}

// PublicURL is the base of the links the service makes, e.g.
// "https://talk.example.com".
func (s *Service) PublicURL() string { return s.publicURL }

func trimSlash(u string) string { return strings.TrimRight(u, "/") }

// ErrSnapshotNeeded is returned by EventsSince when the cursor is older than
// the feed keeps, or so far behind that a snapshot is cheaper than a replay.
var ErrSnapshotNeeded = &protocol.Error{Code: protocol.EConflict, Reason: protocol.RSnapshotNeeded, Message: "cursor is too old; a snapshot is needed"}

// NewMember is the input of CreateMember.
type NewMember struct {
	WorkspaceID string
	Email       string
	Password    string
	Name        string
	Fields      map[string]string // any defined field, hidden ones included
	Admin       bool
}
