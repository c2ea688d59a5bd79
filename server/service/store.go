package service

import (
	"context"
	"errors"
	"time"

	"worktalk.dev/worktalk/protocol"
)

// ErrNoRow is what a Store returns when a looked-up row does not exist.
var ErrNoRow = errors.New("no such row")

// Store is the service's storage: plain reads and writes, no rules. Every
// method of Tx runs inside the transaction it was given to.
//
// Read runs fn in a transaction that sees one consistent state; fn must not
// write. Write runs fn in a transaction that commits when fn returns nil and
// rolls back otherwise; writes are serialized.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction of a Store. Lookups of a single row return ErrNoRow
// when it does not exist.
type Tx interface {
	// Workspaces.
	InsertWorkspace(ctx context.Context, w WorkspaceRow) error
	Workspace(ctx context.Context, id string) (WorkspaceRow, error)
	Workspaces(ctx context.Context) ([]WorkspaceRow, error)
	UpdateWorkspaceSettings(ctx context.Context, id string, settings protocol.WorkspaceSettings) error

	// Members.
	InsertMember(ctx context.Context, m MemberRow) error
	Member(ctx context.Context, id string) (MemberRow, error)
	Members(ctx context.Context, ids []string) ([]MemberRow, error)
	MembersByEmail(ctx context.Context, email string) ([]MemberRow, error)
	WorkspaceMembers(ctx context.Context, workspaceID string) ([]MemberRow, error)
	// WorkspaceMembersAfter is a page of WorkspaceMembers: at most limit
	// members that sort after (afterName, afterID) ("", "": from the start).
	WorkspaceMembersAfter(ctx context.Context, workspaceID, afterName, afterID string, limit int) ([]MemberRow, error)
	// UpdateMember saves Name, Fields, PictureID and Version.
	UpdateMember(ctx context.Context, m MemberRow) error
	// SetMemberDisabled marks a member departed at at, or back (zero at).
	SetMemberDisabled(ctx context.Context, id string, at time.Time) error
	// SetPassword stores a member's password hash.
	SetPassword(ctx context.Context, id, hash string) error

	// Pictures, content-addressed: the id is the hex SHA-256 of the bytes.
	// Each has a thumbnail; Picture with thumb set returns it (the picture
	// itself for pictures stored before thumbnails).
	PutPicture(ctx context.Context, id string, b, thumb []byte) error
	Picture(ctx context.Context, id string, thumb bool) ([]byte, error)
	// PictureOwners lists the members whose picture is id.
	PictureOwners(ctx context.Context, id string) ([]string, error)

	// Sessions.
	InsertSession(ctx context.Context, s SessionRow) error
	SessionByTokenHash(ctx context.Context, hash string) (SessionRow, error)
	RevokeSession(ctx context.Context, id string, at time.Time) error
	// RevokeMemberSessions revokes every active session of a member and
	// returns their ids.
	RevokeMemberSessions(ctx context.Context, memberID string, at time.Time) ([]string, error)

	// Profile links.
	InsertLink(ctx context.Context, l LinkRow) error
	LinkByTokenHash(ctx context.Context, hash string) (LinkRow, error)
	// ActiveQRLink returns the member's QR link that is not revoked.
	ActiveQRLink(ctx context.Context, memberID string) (LinkRow, error)
	RevokeQRLinks(ctx context.Context, memberID string, at time.Time) error
	// RevokeMemberLinks revokes every live link of a member, of any kind.
	RevokeMemberLinks(ctx context.Context, memberID string, at time.Time) error
	// UseLink marks an unused link used and reports whether this call did it.
	UseLink(ctx context.Context, id string, at time.Time) (bool, error)
	// LiveOnceLinks returns the member's one-time links that are unused,
	// not revoked and expire after now: newest first, at most limit.
	LiveOnceLinks(ctx context.Context, memberID string, now time.Time, limit int) ([]LinkRow, error)
	// RevokeOnceLink revokes one of the member's one-time links at t; one
	// revoked before keeps its time. ErrNoRow: the member has no one-time
	// link with that id.
	RevokeOnceLink(ctx context.Context, memberID, id string, at time.Time) error
	// RevokeOnceLinks revokes every one-time link of the member that is
	// neither used nor revoked.
	RevokeOnceLinks(ctx context.Context, memberID string, at time.Time) error

	// ServerKey returns a named secret the store keeps; InsertServerKey adds
	// one and DeleteServerKey removes it, overwriting its bytes where the
	// store can. Only versions before the key file kept one (see Keys).
	ServerKey(ctx context.Context, name string) ([]byte, error)
	InsertServerKey(ctx context.Context, name string, key []byte) error
	DeleteServerKey(ctx context.Context, name string) error
	// SealedValues lists every value sealed with a server key: QR link
	// tokens of live links and sealed mutation answers.
	SealedValues(ctx context.Context) ([]SealedValue, error)
	// UpdateSealedValue stores v.Data in place of the value; nil Data
	// revokes the link at t, or drops the answer, whose value is lost.
	UpdateSealedValue(ctx context.Context, v SealedValue, t time.Time) error

	// External members: owner added member.
	InsertExternal(ctx context.Context, owner, member string, at time.Time) error
	DeleteExternal(ctx context.Context, owner, member string) (bool, error)
	HasExternal(ctx context.Context, owner, member string) (bool, error)
	// Externals lists the members owner added; ExternalOwners those who added member.
	Externals(ctx context.Context, owner string) ([]string, error)
	ExternalOwners(ctx context.Context, member string) ([]string, error)

	// Blocks: blocker blocked blocked.
	InsertBlock(ctx context.Context, blocker, blocked string, at time.Time) error
	DeleteBlock(ctx context.Context, blocker, blocked string) (bool, error)
	Block(ctx context.Context, blocker, blocked string) (BlockRow, error)
	Blocks(ctx context.Context, blocker string) ([]BlockRow, error)
	// BlockAmong reports whether any of ids has blocked another of ids.
	BlockAmong(ctx context.Context, ids []string) (bool, error)

	// Rooms.
	InsertRoom(ctx context.Context, r RoomRow, members []string) error
	Room(ctx context.Context, id string) (RoomRow, error)
	SetRoomClosed(ctx context.Context, id string, closed bool) error
	RoomMembers(ctx context.Context, roomID string) ([]string, error)
	IsRoomMember(ctx context.Context, roomID, memberID string) (bool, error)
	MemberRooms(ctx context.Context, memberID string) ([]RoomRow, error)

	// Messages. InsertMessage sets and returns m.Seq, which grows across rooms.
	InsertMessage(ctx context.Context, m protocol.Message) (int64, error)
	MessageExists(ctx context.Context, id string) (bool, error)
	// NewestMessageSeq is the seq of the newest message of any room, 0
	// when there is none.
	NewestMessageSeq(ctx context.Context) (int64, error)
	// Messages returns up to limit messages of a room with seq < before
	// (before 0: the newest), oldest first.
	Messages(ctx context.Context, roomID string, before int64, limit int) ([]protocol.Message, error)
	// LastMessageSeq is the seq of the room's newest message, 0 when none.
	LastMessageSeq(ctx context.Context, roomID string) (int64, error)

	// Read marks: the seq of the newest message a member has read in a
	// room; 0 when there is none. SetReadMark replaces it.
	ReadMark(ctx context.Context, memberID, roomID string) (int64, error)
	SetReadMark(ctx context.Context, memberID, roomID string, seq int64) error
	// ReadMarks returns every read mark of a member by room id.
	ReadMarks(ctx context.Context, memberID string) (map[string]int64, error)
	// CountUnread counts the room's messages with seq > after that the
	// member did not send (not as sender, nor as the actor of a system
	// message) and that no member they block sent.
	CountUnread(ctx context.Context, roomID string, after int64, memberID string) (int, error)

	// Events and feeds. AppendEvent stores an event and one feed row per
	// recipient and returns its seq.
	AppendEvent(ctx context.Context, op string, data []byte, recipients []string, at time.Time) (int64, error)
	// FeedSince returns the member's events with seq > after, oldest first.
	FeedSince(ctx context.Context, memberID string, after int64, limit int) ([]StoredEvent, error)
	// FeedCount counts the member's events with seq > after, stopping at max.
	FeedCount(ctx context.Context, memberID string, after int64, max int) (int, error)
	// LastSeq is the newest event seq, 0 when there is none.
	LastSeq(ctx context.Context) (int64, error)
	// PrunedThrough is the newest seq that pruning removed (0: none).
	PrunedThrough(ctx context.Context) (int64, error)
	// PruneEvents removes events (and feed rows) created before t.
	PruneEvents(ctx context.Context, before time.Time) error

	// Activation links, by the hash of their token.
	InsertActivation(ctx context.Context, a ActivationRow) error
	ActivationByTokenHash(ctx context.Context, hash string) (ActivationRow, error)
	// UseActivation marks an unused activation used and reports whether
	// this call did it.
	UseActivation(ctx context.Context, tokenHash string, at time.Time) (bool, error)

	// Audit log of admin changes. AuditLog returns up to limit entries
	// with seq < before (0: from the newest), newest first, of one
	// workspace or of all ("").
	InsertAudit(ctx context.Context, a AuditRow) error
	AuditLog(ctx context.Context, workspaceID string, before int64, limit int) ([]AuditRow, error)

	// Mutations: answers of applied requests, for resends.
	Mutation(ctx context.Context, memberID, id string) (MutationRow, error)
	InsertMutation(ctx context.Context, m MutationRow) error
}

// RoomFeeder is an optional capability of a Tx: it stores an event once for
// all members of a room instead of one feed row per member, and its
// FeedSince and FeedCount then return such events to every member of the
// room. A message to a room of 1,000 members then writes one row, not 1,000.
// This is exact because room membership never changes once a room is made;
// a store must not implement it if that stops being true.
type RoomFeeder interface {
	AppendRoomEvent(ctx context.Context, op string, data []byte, roomID string, at time.Time) (int64, error)
}

// WorkspaceFeeder is an optional capability of a Tx: it stores an event once
// for all members of a workspace instead of one feed row per member, plus a
// feed row for each member of another workspace who must see it too (an
// external member's viewers). Its FeedSince and FeedCount then return such
// events to every member of the workspace. A rename in a workspace of 10,000
// then writes one row, not 10,000.
//
// This is exact because a member never changes workspace and is never
// deleted, and a member who joins later starts from a snapshot whose cursor
// is past every event stored before they joined; a store must not implement
// it if that stops being true.
type WorkspaceFeeder interface {
	AppendWorkspaceEvent(ctx context.Context, op string, data []byte, workspaceID string, others []string, at time.Time) (int64, error)
}

// WorkspaceRow is a stored workspace.
type WorkspaceRow struct {
	ID        string
	Name      string
	Settings  protocol.WorkspaceSettings
	CreatedAt time.Time
}

// MemberRow is a stored member, hidden fields and password hash included.
type MemberRow struct {
	ID           string
	WorkspaceID  string
	Email        string // lower case
	PasswordHash string // PHC-encoded Argon2id
	Name         string
	Fields       map[string]string
	PictureID    string
	Admin        bool
	Version      int64
	CreatedAt    time.Time
	DisabledAt   time.Time // zero: active; else departed since then
}

// SessionRow is a stored session; the token itself is never stored.
type SessionRow struct {
	ID        string
	TokenHash string
	MemberID  string
	Device    string
	CreatedAt time.Time
	RevokedAt time.Time // zero: active
}

// LinkRow is a stored profile link; the token is stored as its hash, and
// for QR links also sealed (see Service.linkQR).
type LinkRow struct {
	ID        string
	TokenHash string
	MemberID  string
	Kind      protocol.LinkKind
	ExpiresAt time.Time // zero: never
	Sealed    []byte    // QR links: the token sealed with the server key
	CreatedAt time.Time
	UsedAt    time.Time // zero: unused
	RevokedAt time.Time // zero: live
}

// SealedValue is one value sealed with a server key, and where it is: a
// link's sealed token (LinkID) or a mutation's sealed answer (MemberID, ID).
type SealedValue struct {
	LinkID   string
	MemberID string
	ID       string
	Data     []byte
}

// ActivationRow is a one-time link that sets a member's first password;
// the token is stored as its hash only.
type ActivationRow struct {
	TokenHash string
	MemberID  string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero: unused
}

// AuditRow is one admin change: who did what to whom, and when.
type AuditRow struct {
	Seq         int64 // set by the store
	At          time.Time
	Actor       string
	Action      string
	WorkspaceID string
	Target      string // a member's e-mail, a workspace's name, ...
	Detail      string
}

// BlockRow is one block.
type BlockRow struct {
	Blocker   string
	Blocked   string
	CreatedAt time.Time
}

// RoomRow is a stored room; members are kept apart.
type RoomRow struct {
	ID        string
	Kind      protocol.RoomKind
	Title     string
	Closed    bool
	CreatedAt time.Time
}

// StoredEvent is an event as a feed returns it.
type StoredEvent struct {
	Seq  int64
	Op   string
	Data []byte
}

// MutationRow is the first answer to a mutation: Result on success, Err
// (an encoded *protocol.Error) on refusal. Sealed results are encrypted.
type MutationRow struct {
	MemberID  string
	ID        string
	Op        string
	Result    []byte
	Err       []byte
	Sealed    bool
	CreatedAt time.Time
}
