package protocol

import (
	"encoding/json"
	"fmt"
)

// The sync endpoint is a websocket at GET /api/sync with the header
// "Authorization: Bearer TOKEN". Every websocket message is one JSON Frame.
//
//	client -> server  {"t":"req","id":ID,"op":OP,"d":{...}}
//	server -> client  {"t":"res","id":ID,"d":{...}}            success
//	                  {"t":"res","id":ID,"err":{code,message}}  refusal
//	                  {"t":"snapshot","d":Snapshot}             one page of a snapshot
//	                  {"t":"event","seq":N,"op":EVENT,"d":{...}}
//	                  {"t":"err","err":{...}}                   frame-level error (bad frame)
//
// A client starts with req op "sync" {cursor}. If the cursor is 0 or older
// than the server keeps, a snapshot comes first, in pages (Snapshot). Then
// every event after the cursor, in order, then the "res" of the sync
// request (caught up), then live events as they happen. Event seq numbers grow but have gaps: they are
// global, and each member sees only the events that concern them.
//
// Mutations are requests whose op is in Mutations. Their id is client-made
// and scoped to the member: a request resent with an id the server has
// already answered gets the first answer again and changes nothing.

// Frame types.
const (
	FrameReq      = "req"
	FrameRes      = "res"
	FrameSnapshot = "snapshot"
	FrameEvent    = "event"
	FrameErr      = "err"
)

// Frame is one websocket message.
type Frame struct {
	T    string          `json:"t"`
	ID   string          `json:"id,omitempty"`
	Op   string          `json:"op,omitempty"`
	Seq  int64           `json:"seq,omitempty"`
	Data json.RawMessage `json:"d,omitempty"`
	Err  *Error          `json:"err,omitempty"`
}

// Request ops (client -> server). The comment names the request and result types.
const (
	OpSync = "sync" // SyncRequest -> SyncResult, after snapshot and replayed events

	// Mutations: safe to resend with the same id.
	OpProfileUpdate  = "profile.update"   // ProfileUpdate -> Profile
	OpMessageSend    = "message.send"     // SendMessage -> Message
	OpRoomCreate     = "room.create"      // CreateRoom -> Room
	OpExternalAdd    = "external.add"     // AddExternal -> Profile
	OpBlock          = "block.add"        // MemberRef -> BlockedMember
	OpUnblock        = "block.remove"     // MemberRef -> Empty
	OpLinkCreateOnce = "link.create_once" // Empty -> ProfileLink
	OpLinkResetQR    = "link.reset_qr"    // Empty -> ProfileLink
	OpRoomRead       = "room.read"        // ReadMark -> ReadMark
	OpLinkRevoke     = "link.revoke"      // LinkID -> Empty
	OpLinkRevokeAll  = "link.revoke_all"  // Empty -> ProfileLink (the new QR link)

	// Queries: read-only.
	OpLinkQR       = "link.qr"       // Empty -> ProfileLink (made on first use)
	OpLinkList     = "link.list"     // Empty -> LiveLinkList
	OpLinkView     = "link.view"     // LinkRef -> LinkPreview
	OpMemberGet    = "member.get"    // MemberRef -> Profile
	OpRoomsCommon  = "rooms.common"  // MemberRef -> RoomList
	OpMessagesPage = "messages.page" // MessagesPageRequest -> MessageList
)

// Mutations lists the ops that change state and are deduplicated by id.
var Mutations = map[string]bool{
	OpProfileUpdate: true, OpMessageSend: true, OpRoomCreate: true, OpExternalAdd: true,
	OpBlock: true, OpUnblock: true, OpLinkCreateOnce: true, OpLinkResetQR: true, OpRoomRead: true,
	OpLinkRevoke: true, OpLinkRevokeAll: true,
}

// Event ops (server -> client), in Frame.Op of an event frame.
const (
	EvMemberUpsert    = "member.upsert"    // Profile: a coworker, an external member or me changed
	EvMemberRemove    = "member.remove"    // MemberRef: a coworker left the workspace
	EvWorkspaceUpdate = "workspace.update" // Workspace: settings changed
	EvExternalAdd     = "external.add"     // Profile: added to my external members
	EvExternalRemove  = "external.remove"  // MemberRef: removed from my external members
	EvBlockAdd        = "block.add"        // BlockedMember: I blocked someone
	EvBlockRemove     = "block.remove"     // MemberRef: I unblocked someone
	EvRoomUpsert      = "room.upsert"      // Room: created, members or closed state changed
	EvMessageNew      = "message.new"      // Message
	EvRoomRead        = "room.read"        // ReadMark: my read position in a room moved
	EvSessionRevoked  = "session.revoked"  // Empty: this session was signed out; stop syncing
)

// SyncRequest starts (or resumes) the event stream.
type SyncRequest struct {
	Cursor int64 `json:"cursor"`
}

// SyncResult answers a sync request once the client has caught up.
type SyncResult struct {
	Cursor int64 `json:"cursor"` // the last event sent before live events
}

// SendMessage is the body of message.send. The message id is the request id.
type SendMessage struct {
	RoomID string `json:"room_id"`
	Text   string `json:"text"`
}

// CreateRoom is the body of room.create. The room id is the request id for
// group rooms; self and direct rooms use SelfRoomID and DirectRoomID.
type CreateRoom struct {
	Kind    RoomKind `json:"kind"`
	Title   string   `json:"title,omitempty"`
	Members []string `json:"members"` // member ids besides the caller
}

// AddExternal is the body of external.add: either a link I received, or the
// id of a member who added me (adding them back).
type AddExternal struct {
	Link     string `json:"link,omitempty"` // a URL or a bare token
	MemberID string `json:"member_id,omitempty"`
}

// ReadMark is a member's read position in a room: the messages up to Seq
// (Message.Seq) have been read. In room.read requests only RoomID and Seq
// count; the server never moves a mark back and never past the room's
// newest message.
//
// Unread is the number of messages after Seq that others sent (my own,
// from any device, never count), as of the event, answer or snapshot that
// carries the mark. Events come in seq order, so a client holds the exact
// count by taking Unread from each room.read event and adding one for each
// later message.new from someone else after the mark.
type ReadMark struct {
	RoomID string `json:"room_id"`
	Seq    int64  `json:"seq"`
	Unread int    `json:"unread"`
}

// MemberRef names a member.
type MemberRef struct {
	MemberID string `json:"member_id"`
}

// LinkRef names a link: a URL of the form https://HOST/p/TOKEN or a bare token.
type LinkRef struct {
	Link string `json:"link"`
}

// LinkID names one of my one-time links (LiveLink.ID, ProfileLink.ID).
type LinkID struct {
	ID string `json:"id"`
}

// LiveLinkList answers link.list: my one-time links that still work,
// newest first, at most MaxLiveLinksListed.
type LiveLinkList struct {
	Links []LiveLink `json:"links"`
}

// RoomList is a list of rooms.
type RoomList struct {
	Rooms []Room `json:"rooms"`
}

// MessagesPageRequest asks for older history than the client has.
type MessagesPageRequest struct {
	RoomID    string `json:"room_id"`
	BeforeSeq int64  `json:"before_seq"` // 0: the newest
	Limit     int    `json:"limit"`      // at most MaxPageLimit
}

// MessageList is a page of messages, oldest first.
type MessageList struct {
	Messages []Message `json:"messages"`
}

// Empty is the body of requests and results that carry nothing.
type Empty struct{}

// DecodeFrame parses one websocket message. It rejects oversize input,
// unknown frame types and requests without an id or op.
func DecodeFrame(b []byte) (Frame, error) {
	var f Frame
	if len(b) > MaxFrameBytes {
		return f, Errorf(ETooLarge, "frame is larger than %d bytes", MaxFrameBytes)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return Frame{}, Errorf(EInvalid, "frame is not valid JSON")
	}
	switch f.T {
	case FrameReq:
		if f.ID == "" || len(f.ID) > MaxIDLen {
			return Frame{}, Errorf(EInvalid, "request needs an id of 1 to %d bytes", MaxIDLen)
		}
		if f.Op == "" {
			return Frame{}, Errorf(EInvalid, "request needs an op")
		}
	case FrameRes, FrameSnapshot, FrameEvent, FrameErr:
	default:
		return Frame{}, Errorf(EInvalid, "unknown frame type %q", f.T)
	}
	return f, nil
}

// DecodeData unmarshals a frame's data into v, answering EInvalid on failure.
func DecodeData(d json.RawMessage, v any) error {
	if len(d) == 0 {
		d = []byte("{}")
	}
	if err := json.Unmarshal(d, v); err != nil {
		return Errorf(EInvalid, "request data is malformed: %s", shortJSONError(err))
	}
	return nil
}

func shortJSONError(err error) string {
	s := err.Error()
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

// NewRequest builds a request frame with v marshalled as its data.
func NewRequest(id, op string, v any) (Frame, error) {
	d, err := json.Marshal(v)
	if err != nil {
		return Frame{}, fmt.Errorf("marshal %s: %w", op, err)
	}
	return Frame{T: FrameReq, ID: id, Op: op, Data: d}, nil
}
