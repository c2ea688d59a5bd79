package protocol

import (
	"errors"
	"fmt"
)

// Error codes. A code is for programs; the message is for people. Codes
// survive the wire both ways: a client that receives a refusal gets the same
// code the server decided on.
const (
	EInvalid      = "invalid"           // bad input; Field names the field when there is one
	EUnauthorized = "unauthorized"      // no session, or the session was revoked
	EForbidden    = "forbidden"         // a rule refused the action
	ENotFound     = "not_found"         // no such thing, or not visible to the caller
	EConflict     = "conflict"          // the state does not allow it now
	ERateLimited  = "rate_limited"      // too many attempts; try later
	EExternalOff  = "external_chat_off" // a workspace does not allow external chat
	ELinkInvalid  = "link_invalid"      // unknown, expired, used or reset link: one code for all
	EBlocked      = "blocked"           // a block stands between the two members
	ESelf         = "self"              // the action cannot target oneself
	ECoworker     = "coworker"          // the target is in the caller's own workspace
	ENotEditable  = "not_editable"      // the admin does not let members edit this field
	ETooLarge     = "too_large"         // frame, message, field or picture over its limit
	EUnavailable  = "unavailable"       // the server is too busy now; try again in a moment
	EOffline      = "offline"           // client side: the action needs the server and it is not reachable
	EInternal     = "internal"          // anything else; details are in the server log only
)

// Reasons say more precisely than a code what went wrong, so that a client
// can say it in its user's language without reading Message (which is
// English, for people and logs). A reason belongs to the codes named with
// it; it may be empty, and a client that does not know a reason falls back
// to the code.
const (
	// EInvalid or ETooLarge, with Field naming the input.
	REmpty     = "empty"      // nothing was given
	RTooLong   = "too_long"   // over its length or size limit (ETooLarge)
	RNotText   = "not_text"   // not valid UTF-8
	RControl   = "control"    // control characters or line breaks
	RDirection = "direction"  // bidirectional text controls
	RMarks     = "marks"      // too many combining marks on one character
	RInvisible = "invisible"  // nothing visible
	RNameChars = "name_chars" // characters a name may not hold (PRECIS)
	RNUL       = "nul"        // a NUL character
	RPhone     = "phone"      // not a phone number
	REmail     = "email"      // not an e-mail address
	RNotImage  = "not_image"  // not a PNG or JPEG image
	RImageSide = "image_side" // more pixels on a side than allowed (ETooLarge)
	RNoField   = "no_field"   // no such profile field
	RNoChange  = "no_change"  // nothing to update
	RLength    = "length"     // outside its length range (passwords)
	RServerURL = "server_url" // client side: the server address is not a URL

	// ENotFound: what there is none of (or none the caller may see).
	RNoMember    = "no_member"
	RNoRoom      = "no_room"
	RNoPicture   = "no_picture"
	RNoWorkspace = "no_workspace"

	// EForbidden: which rule refused.
	RRoomClosed  = "room_closed"   // nobody can send in this room any more
	RNotOwner    = "not_owner"     // someone else's own room
	RNotExternal = "not_external"  // not one of my external members
	RNotContact  = "not_contact"   // neither a coworker nor an external member
	RAddBackOnly = "add_back_only" // only who added me can be added back by id
	RDeparted    = "departed"      // the member has left their workspace
	RDeactivated = "deactivated"   // the admin deactivated the caller's own account

	// EExternalOff: whose workspace does not allow external chat.
	RMyWorkspace    = "my_workspace"
	RTheirWorkspace = "their_workspace"

	// EUnauthorized.
	RWrongPassword = "wrong_password" // e-mail or password wrong
	RSignedOut     = "signed_out"     // no session, or it was signed out

	// ERateLimited: what was tried too often.
	RSignIn = "sign_in"
	RLinks  = "links"

	// EConflict.
	RIDUsed         = "id_used"         // a request id already used for something else
	RExists         = "exists"          // it exists already
	RAlreadySyncing = "already_syncing" // a second sync on one connection
	RSnapshotNeeded = "snapshot_needed" // the cursor is older than the kept events
)

// Error is the one application error type. Any other error reaching a user
// is shown as "internal error".
type Error struct {
	Code string `json:"code"`
	// Reason is one of the R* constants, or empty (see there).
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message"`
	// Field is the input field the error is about, when there is one
	// (a profile field key, "name", "picture", "text", "password", ...).
	Field string `json:"field,omitempty"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Because returns a copy of e with reason r: Errorf(...).Because(RNoRoom).
func (e *Error) Because(reason string) *Error {
	c := *e
	c.Reason = reason
	return &c
}

// ErrorReason returns the reason of an *Error in err's chain, "" for any
// other error.
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// FieldError returns an EInvalid (or other code) error about one input field.
func FieldError(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an *Error in err's chain, EInternal for any
// other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the human message of an *Error in err's chain and
// "internal error" for any other non-nil error.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
