package store

import (
	"encoding/json"
	"time"

	"worktalk.dev/worktalk/protocol"
)

// Relations of a stored profile to me.
const (
	RelCached   = 0 // fetched on demand; not a coworker or external member
	RelCoworker = 1
	RelExternal = 2
)

// PendingKeyBase is added to the outbox position of a pending message to make
// its order key: pending messages sort after every acknowledged one.
const PendingKeyBase int64 = 1 << 52

// Replica is the server state of one member as last synced, without messages.
type Replica struct {
	Me        protocol.Profile
	Workspace protocol.Workspace
	Coworkers []protocol.Profile // me excluded
	Externals []protocol.Profile
	Blocked   []protocol.BlockedMember
	Rooms     []protocol.Room
}

// Message is a stored message with its local order key.
type Message struct {
	protocol.Message
	Key     int64 // ascending = display order
	Pending bool
}

// Entry is one outbox entry: a mutation not yet acknowledged by the server.
type Entry struct {
	N        int64 // position in the outbox
	ID       string
	Op       string
	Body     json.RawMessage
	Created  time.Time
	Attempts int
}

// Notice is something the user must be told, such as a refused mutation.
type Notice struct {
	ID     string
	Op     string
	Code   string
	Reason string
	Text   string
	At     time.Time
}

// Changes says what a write touched, so that readers refresh only that.
type Changes struct {
	Replica bool // me, workspace, blocked or rooms
	// Profiles are the coworkers and external members whose stored
	// profile (or relation to me) changed; AllProfiles says any may have
	// (a snapshot replaced them). One rename so re-reads one profile,
	// not every member of a large workspace.
	Profiles    map[string]bool
	AllProfiles bool
	Rooms       map[string]bool // rooms whose messages changed
	Outbox      bool
	Notices     bool
	Cursor      bool
	Reads       bool // read marks or unread counts
}

func (c *Changes) profile(id string) {
	if c.Profiles == nil {
		c.Profiles = map[string]bool{}
	}
	c.Profiles[id] = true
}

func (c *Changes) room(id string) {
	if c.Rooms == nil {
		c.Rooms = map[string]bool{}
	}
	c.Rooms[id] = true
}

// Merge adds o to c.
func (c *Changes) Merge(o Changes) {
	c.Replica = c.Replica || o.Replica
	c.AllProfiles = c.AllProfiles || o.AllProfiles
	for id := range o.Profiles {
		c.profile(id)
	}
	c.Outbox = c.Outbox || o.Outbox
	c.Notices = c.Notices || o.Notices
	c.Cursor = c.Cursor || o.Cursor
	c.Reads = c.Reads || o.Reads
	for id := range o.Rooms {
		c.room(id)
	}
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool {
	return !c.Replica && !c.AllProfiles && len(c.Profiles) == 0 && !c.Outbox && !c.Notices && !c.Cursor && !c.Reads && len(c.Rooms) == 0
}
