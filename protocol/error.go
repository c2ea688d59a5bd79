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

// Error is the one application error type. Any other error reaching a user
// is shown as "internal error".
type Error struct {
	Code    string `json:"code"`
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
