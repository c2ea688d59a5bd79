package protocol

import "fmt"

// IDs are opaque strings. Members, workspaces and links get theirs from the
// server; messages, group rooms and mutations get theirs from the client
// (NewID), which is what makes a resend safe. Self and direct rooms have
// derived ids (SelfRoomID, DirectRoomID) so that every device and the server
// agree on them without a round trip.

// FieldKind says how a profile field is validated.
type FieldKind string

const (
	FieldText  FieldKind = "text"
	FieldPhone FieldKind = "phone"
	FieldEmail FieldKind = "email"
)

// FieldDef is one profile field as the workspace admin defined it.
// A field that is not Visible does not exist for anyone but the admin tools:
// the server never sends its value, and the edit window does not show it.
type FieldDef struct {
	Key      string    `json:"key"`      // stable key, e.g. "title", "phone"
	Label    string    `json:"label"`    // English label
	LabelKo  string    `json:"label_ko"` // Korean label
	Kind     FieldKind `json:"kind"`
	Visible  bool      `json:"visible"`  // shown to other members (and to the owner)
	Editable bool      `json:"editable"` // members may change it themselves
	MaxLen   int       `json:"max_len"`  // in characters (runes); 0 means MaxFieldLen
}

// WorkspaceSettings are set by the workspace admin.
type WorkspaceSettings struct {
	Fields          []FieldDef `json:"fields"`
	NameEditable    bool       `json:"name_editable"`
	PictureEditable bool       `json:"picture_editable"`
	ExternalChat    bool       `json:"external_chat"` // chatting with external members is allowed
}

// Field returns the definition of key and whether it exists.
func (s WorkspaceSettings) Field(key string) (FieldDef, bool) {
	for _, f := range s.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return FieldDef{}, false
}

// Workspace is a company's space.
type Workspace struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Settings WorkspaceSettings `json:"settings"`
}

// Profile is a member as one viewer may see it: only visible fields are
// present. The same value is sent to every viewer, the owner included.
type Profile struct {
	ID            string            `json:"id"`
	WorkspaceID   string            `json:"workspace_id"`
	WorkspaceName string            `json:"workspace_name"`
	Name          string            `json:"name"`
	Fields        map[string]string `json:"fields,omitempty"`     // visible fields only, by FieldDef.Key
	PictureID     string            `json:"picture_id,omitempty"` // content hash; fetch with GET /api/pictures/{id}
	Admin         bool              `json:"admin,omitempty"`
	// Departed is set once the admin disabled the member (they left the
	// company): they cannot sign in, and past messages stay under their name.
	Departed bool  `json:"departed,omitempty"`
	Version  int64 `json:"version"` // grows with every change; newer wins on the client
}

// ProfileUpdate is a partial update: nil means unchanged. The same type
// travels from the edit window through the outbox to the server, so offline
// edits merge field by field.
type ProfileUpdate struct {
	Name   *string           `json:"name,omitempty"`
	Fields map[string]string `json:"fields,omitempty"` // keys present are set; "" clears
	// Picture is the new picture (PNG or JPEG, at most MaxPictureBytes);
	// a pointer to an empty slice removes the picture.
	Picture *[]byte `json:"picture,omitempty"`
}

// RoomKind is the kind of a chat room.
type RoomKind string

const (
	RoomSelf   RoomKind = "self"   // "chat with me": only its owner is in it
	RoomDirect RoomKind = "direct" // 1:1
	RoomGroup  RoomKind = "group"
)

// RoomMember is enough of a member to draw a room without another lookup.
type RoomMember struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	WorkspaceID   string `json:"workspace_id"`
	WorkspaceName string `json:"workspace_name"`
	Departed      bool   `json:"departed,omitempty"` // see Profile.Departed
}

// Room is a chat room as one of its members sees it.
type Room struct {
	ID      string       `json:"id"`
	Kind    RoomKind     `json:"kind"`
	Title   string       `json:"title,omitempty"` // group rooms; others are named after their members
	Members []RoomMember `json:"members"`
	// Closed is set on a direct room whose members are blocked (either way)
	// or can no longer chat as externals; nobody can send in it.
	Closed    bool  `json:"closed,omitempty"`
	CreatedAt int64 `json:"created_at"` // unix milliseconds
}

// MessageKind tells a normal message from a system one.
type MessageKind string

const (
	MessageText   MessageKind = "text"
	MessageSystem MessageKind = "system"
)

// SystemKind says which system message this is; clients render the text
// in the user's language from it and fall back to Message.Text.
type SystemKind string

const (
	// SystemExternalAdded: Actor added the recipient as an external member.
	SystemExternalAdded SystemKind = "external_added"
)

// ActionKind is what the button on a system message does.
type ActionKind string

const (
	ActionViewProfile ActionKind = "view_profile"
)

// Action is a button carried by a system message.
type Action struct {
	Kind     ActionKind `json:"kind"`
	MemberID string     `json:"member_id"`
}

// Message is one chat message.
type Message struct {
	ID        string      `json:"id"` // client-made
	RoomID    string      `json:"room_id"`
	SenderID  string      `json:"sender_id"` // empty for system messages
	Kind      MessageKind `json:"kind"`
	Text      string      `json:"text"`
	System    SystemKind  `json:"system,omitempty"`
	ActorID   string      `json:"actor_id,omitempty"`   // system messages: who did it
	ActorName string      `json:"actor_name,omitempty"` // system messages: their name then
	Action    *Action     `json:"action,omitempty"`
	Seq       int64       `json:"seq"`     // server order, grows across all rooms; 0 until acked
	SentAt    int64       `json:"sent_at"` // unix ms, server clock (client clock while pending)
}

// BlockedMember is an entry of my blocked members list.
type BlockedMember struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	WorkspaceName string `json:"workspace_name"`
	BlockedAt     int64  `json:"blocked_at"`
}

// LinkKind tells the two kinds of profile link apart.
type LinkKind string

const (
	LinkOnce LinkKind = "once" // valid for OnceLinkTTL, usable once
	LinkQR   LinkKind = "qr"   // permanent until reset
)

// ProfileLink is a link to my profile that I can hand out.
type ProfileLink struct {
	ID        string   `json:"id,omitempty"` // one-time links: the id link.revoke takes
	Kind      LinkKind `json:"kind"`
	URL       string   `json:"url"`        // https://HOST/p/TOKEN
	ExpiresAt int64    `json:"expires_at"` // unix ms; 0 for QR links
}

// LiveLink is a one-time link of mine that still works (unused, not
// revoked, not expired). Its token is not kept, so it has no URL.
type LiveLink struct {
	ID        string `json:"id"`
	CreatedAt int64  `json:"created_at"` // unix ms
	ExpiresAt int64  `json:"expires_at"` // unix ms
}

// PublicCard is what a profile link shows to anyone: never phone or
// e-mail, and no picture (only coworkers and contacts see pictures).
type PublicCard struct {
	Name          string `json:"name"`
	WorkspaceName string `json:"workspace_name"`
	Title         string `json:"title,omitempty"`
}

// LinkPreview is what a signed-in member sees for a link before adding.
type LinkPreview struct {
	Card     PublicCard `json:"card"`
	MemberID string     `json:"member_id"`
	Kind     LinkKind   `json:"kind"`
	// Already is set when the member is already one of my external members.
	Already bool `json:"already,omitempty"`
}

// SessionInfo describes a signed-in session.
type SessionInfo struct {
	Token     string    `json:"token"` // secret: goes to the OS keyring only
	MemberID  string    `json:"member_id"`
	Workspace Workspace `json:"workspace"`
}

// SignInRequest is the body of POST /api/signin.
type SignInRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	WorkspaceID string `json:"workspace_id,omitempty"` // empty: list the workspaces to choose from
	Device      string `json:"device,omitempty"`       // a name for the device, shown nowhere secret
	// DeviceToken is what an earlier sign-in with this e-mail answered on
	// this device: it exempts the device from the per-account limit, so
	// an attacker guessing the password cannot lock its owner out.
	DeviceToken string `json:"device_token,omitempty"`
}

// WorkspaceChoice is one workspace an e-mail and password open.
type WorkspaceChoice struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SignInResponse answers POST /api/signin: either the workspaces to choose
// from (when the request named none and there are several) or a session.
type SignInResponse struct {
	Workspaces []WorkspaceChoice `json:"workspaces,omitempty"`
	Session    *SessionInfo      `json:"session,omitempty"`
	// DeviceToken comes with every answer to a right password: a secret
	// the client keeps (in the OS keyring, like the session token) and
	// sends with its next sign-ins of the same e-mail.
	DeviceToken string `json:"device_token,omitempty"`
}

// Snapshot is the full state of one member, sent when a client has no cursor
// or its cursor is older than the server keeps events for.
//
// It travels in pages, one frame each, numbered from 1; the last has Last
// set. Every page carries the same Cursor, the first also Me and
// Workspace, and each list may go on over several pages. A client puts the
// pages together (Append) and applies them at once when the last arrives;
// pages of a snapshot cut short by a lost connection are thrown away.
type Snapshot struct {
	Page int  `json:"page,omitempty"`
	Last bool `json:"last,omitempty"`

	Cursor    int64     `json:"cursor"` // the events after this one follow
	Me        Profile   `json:"me"`
	Workspace Workspace `json:"workspace"`
	Members   []Profile `json:"members"`   // my workspace's members (me included)
	Externals []Profile `json:"externals"` // my external members
	// Contacts are members of other workspaces who added me and whom I have
	// not added back: the profiles member.upsert events bring live.
	Contacts []Profile       `json:"contacts,omitempty"`
	Blocked  []BlockedMember `json:"blocked"`
	Rooms    []Room          `json:"rooms"`
	// Messages holds up to SnapshotMessagesPerRoom of the newest messages of each room.
	Messages []Message `json:"messages"`
	// Reads holds my read mark of every room that has one or has unread
	// messages; a room not listed has nothing unread.
	Reads []ReadMark `json:"reads,omitempty"`
}

// Append adds the next page p to s, the pages so far (the zero Snapshot
// before the first). It fails when p is not the page after s's last one,
// when s is complete, or when p's cursor differs.
func (s *Snapshot) Append(p Snapshot) error {
	switch {
	case s.Last:
		return fmt.Errorf("snapshot page %d after the last one", p.Page)
	case p.Page != s.Page+1:
		return fmt.Errorf("snapshot page %d after page %d", p.Page, s.Page)
	case p.Page > 1 && p.Cursor != s.Cursor:
		return fmt.Errorf("snapshot page %d has cursor %d, want %d", p.Page, p.Cursor, s.Cursor)
	}
	if p.Page == 1 {
		s.Cursor, s.Me, s.Workspace = p.Cursor, p.Me, p.Workspace
	}
	s.Page, s.Last = p.Page, p.Last
	s.Members = append(s.Members, p.Members...)
	s.Externals = append(s.Externals, p.Externals...)
	s.Contacts = append(s.Contacts, p.Contacts...)
	s.Blocked = append(s.Blocked, p.Blocked...)
	s.Rooms = append(s.Rooms, p.Rooms...)
	s.Messages = append(s.Messages, p.Messages...)
	s.Reads = append(s.Reads, p.Reads...)
	return nil
}
