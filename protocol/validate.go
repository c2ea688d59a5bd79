package protocol

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"image"
	_ "image/jpeg" // ValidatePicture reads JPEG headers
	_ "image/png"  // and PNG headers
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits enforced by the server (and checked early by clients).
const (
	MaxFrameBytes           = 1 << 20 // one websocket message
	MaxIDLen                = 64
	MaxNameLen              = 40   // runes
	MaxFieldLen             = 100  // runes, when a FieldDef sets none
	MaxTitleLen             = 60   // room titles, runes
	MaxMessageLen           = 4000 // runes
	MaxEmailLen             = 254
	MaxPasswordLen          = 128
	MinPasswordLen          = 8 // account passwords
	MinLockPasswordLen      = 6 // lock mode
	MaxLockPasswordLen      = 128
	MaxPictureBytes         = 512 << 10
	MaxPictureSide          = 4096 // pixels, width and height
	MaxGroupMembers         = 1000
	MaxPageLimit            = 500
	SnapshotMessagesPerRoom = 200
	OnceLinkTTL             = time.Hour
	MaxLiveLinksListed      = 100 // link.list
	// MaxCombiningMarks is how many combining marks may follow one
	// character in a one-line text: enough for Vietnamese, Thai or pointed
	// Hebrew, not for a name that spills over the lines around it.
	MaxCombiningMarks = 4
)

// NewID returns a random id of 128 bits, 26 lowercase base32 characters.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// SelfRoomID is the id of a member's "chat with me" room.
func SelfRoomID(memberID string) string { return "self:" + memberID }

// DirectRoomID is the id of the 1:1 room of two members, whichever asks.
func DirectRoomID(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return "dm:" + a + ":" + b
}

// LinkToken extracts the token from a profile link: a URL whose path is
// /p/TOKEN, a worktalk://p/TOKEN URL, or a bare token.
func LinkToken(link string) (string, error) {
	link = strings.TrimSpace(link)
	tok := link
	if strings.Contains(link, "/") {
		u, err := url.Parse(link)
		if err != nil {
			return "", Errorf(ELinkInvalid, "this is not a profile link")
		}
		p := u.Path
		if u.Scheme == "worktalk" { // worktalk://p/TOKEN parses with Host "p"
			p = "/" + u.Host + u.Path
		}
		rest, ok := strings.CutPrefix(p, "/p/")
		if !ok {
			return "", Errorf(ELinkInvalid, "this is not a profile link")
		}
		tok = strings.TrimSuffix(rest, "/")
	}
	if !validToken(tok) {
		return "", Errorf(ELinkInvalid, "this is not a profile link")
	}
	return tok, nil
}

func validToken(t string) bool {
	if len(t) < 22 || len(t) > MaxIDLen {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

var (
	phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()\-]{5,22}[0-9]$`)
	emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// ValidateName checks a member's display name with the rules both sides
// can run on the standard library alone (see LineProblem). The server also
// normalises names with the PRECIS nickname profile (RFC 8266), so the name
// it stores may differ from the one sent, e.g. in its spaces or width.
func ValidateName(name string) *Error {
	n := strings.TrimSpace(name)
	switch {
	case n == "":
		return FieldError(EInvalid, "name", "name cannot be empty").Because(REmpty)
	case utf8.RuneCountInString(n) > MaxNameLen:
		return FieldError(ETooLarge, "name", "name is longer than %d characters", MaxNameLen).Because(RTooLong)
	}
	if p := LineProblem(n); p != "" {
		return FieldError(EInvalid, "name", "name %s", p).Because(ProblemReason(p))
	}
	return nil
}

// ValidateRoomTitle checks a group room's title; an empty title is allowed
// (the room is then named after its members).
func ValidateRoomTitle(title string) *Error {
	t := strings.TrimSpace(title)
	if t == "" {
		return nil
	}
	if utf8.RuneCountInString(t) > MaxTitleLen {
		return FieldError(ETooLarge, "title", "room name is longer than %d characters", MaxTitleLen).Because(RTooLong)
	}
	if p := LineProblem(t); p != "" {
		return FieldError(EInvalid, "title", "room name %s", p).Because(ProblemReason(p))
	}
	return nil
}

// ValidateFieldValue checks one profile field value against its definition.
// An empty value is always allowed (it clears the field).
func ValidateFieldValue(def FieldDef, v string) *Error {
	if v == "" {
		return nil
	}
	max := def.MaxLen
	if max <= 0 {
		max = MaxFieldLen
	}
	if utf8.RuneCountInString(v) > max {
		return FieldError(ETooLarge, def.Key, "%s is longer than %d characters", def.Label, max).Because(RTooLong)
	}
	if p := LineProblem(v); p != "" {
		return FieldError(EInvalid, def.Key, "%s %s", def.Label, p).Because(ProblemReason(p))
	}
	switch def.Kind {
	case FieldPhone:
		if !phonePattern.MatchString(v) {
			return FieldError(EInvalid, def.Key, "%s must be a phone number such as +82 10-1234-5678", def.Label).Because(RPhone)
		}
	case FieldEmail:
		if len(v) > MaxEmailLen || !emailPattern.MatchString(v) {
			return FieldError(EInvalid, def.Key, "%s must be an e-mail address such as name@example.com", def.Label).Because(REmail)
		}
	}
	return nil
}

// ValidatePicture checks that b is a PNG or JPEG within MaxPictureBytes.
// An empty picture is allowed (it removes the picture).
func ValidatePicture(b []byte) *Error {
	if len(b) == 0 {
		return nil
	}
	if len(b) > MaxPictureBytes {
		return FieldError(ETooLarge, "picture", "picture is larger than %d KB", MaxPictureBytes>>10).Because(RTooLong)
	}
	// The header is enough: a small file can claim a huge image, and every
	// client that shows the picture would decode it.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || (format != "png" && format != "jpeg") {
		return FieldError(EInvalid, "picture", "picture must be a PNG or JPEG image").Because(RNotImage)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxPictureSide || cfg.Height > MaxPictureSide {
		return FieldError(ETooLarge, "picture", "picture must be at most %d×%d pixels", MaxPictureSide, MaxPictureSide).Because(RImageSide)
	}
	return nil
}

// ValidateProfileUpdate checks an update against the workspace settings:
// unknown, hidden and non-editable fields are refused, and every value must
// pass its field's rules. The first problem found is returned.
func (s WorkspaceSettings) ValidateProfileUpdate(u ProfileUpdate) *Error {
	if u.Name == nil && u.Fields == nil && u.Picture == nil {
		return Errorf(EInvalid, "nothing to update").Because(RNoChange)
	}
	if u.Name != nil {
		if !s.NameEditable {
			return FieldError(ENotEditable, "name", "your workspace admin does not let members change their name")
		}
		if err := ValidateName(*u.Name); err != nil {
			return err
		}
	}
	for key, v := range u.Fields {
		def, ok := s.Field(key)
		if !ok || !def.Visible {
			return FieldError(EInvalid, key, "there is no profile field %q", key).Because(RNoField)
		}
		if !def.Editable {
			return FieldError(ENotEditable, key, "your workspace admin does not let members change %s", def.Label)
		}
		if err := ValidateFieldValue(def, v); err != nil {
			return err
		}
	}
	if u.Picture != nil {
		if !s.PictureEditable {
			return FieldError(ENotEditable, "picture", "your workspace admin does not let members change their picture")
		}
		if err := ValidatePicture(*u.Picture); err != nil {
			return err
		}
	}
	return nil
}

// ValidateMessageText checks the text of a message. Unlike one-line texts a
// message may hold line breaks, tabs and direction marks (right-to-left
// writers need them), but never NUL, which no store keeps alike.
func ValidateMessageText(text string) *Error {
	if strings.TrimSpace(text) == "" {
		return FieldError(EInvalid, "text", "message is empty").Because(REmpty)
	}
	if !utf8.ValidString(text) {
		return FieldError(EInvalid, "text", "message is not valid text").Because(RNotText)
	}
	if strings.IndexByte(text, 0) >= 0 {
		return FieldError(EInvalid, "text", "message contains a NUL character").Because(RNUL)
	}
	if utf8.RuneCountInString(text) > MaxMessageLen {
		return FieldError(ETooLarge, "text", "message is longer than %d characters", MaxMessageLen).Because(RTooLong)
	}
	return nil
}

// ValidateLockPassword checks a new lock-mode password.
func ValidateLockPassword(pw string) *Error {
	n := utf8.RuneCountInString(pw)
	if n < MinLockPasswordLen || n > MaxLockPasswordLen {
		return FieldError(EInvalid, "password", "lock password must be %d to %d characters", MinLockPasswordLen, MaxLockPasswordLen).Because(RLength)
	}
	return nil
}

// What LineProblem reports, worded to end a sentence that starts with what
// the text is ("name contains text direction controls"). Errors about them
// carry the reason ProblemReason gives, for clients to translate.
const (
	ProblemNotText   = "is not valid text"
	ProblemControl   = "contains control characters or line breaks"
	ProblemDirection = "contains text direction controls"
	ProblemMarks     = "has too many accent marks on one character"
	ProblemInvisible = "has no visible characters"
)

// ProblemReason is the error reason (RNotText, RControl, ...) of what
// LineProblem reported, "" for "".
func ProblemReason(problem string) string {
	switch problem {
	case ProblemNotText:
		return RNotText
	case ProblemControl:
		return RControl
	case ProblemDirection:
		return RDirection
	case ProblemMarks:
		return RMarks
	case ProblemInvisible:
		return RInvisible
	}
	return ""
}

// LineProblem says what is wrong with a one-line text shown to other people
// (a name, a title, a field value), or "" when nothing is: invalid UTF-8
// (ProblemNotText); control characters, NUL included, and line or paragraph
// separators (ProblemControl); bidirectional controls, which can make a
// name read as something else (ProblemDirection); more than
// MaxCombiningMarks marks on one character (ProblemMarks); nothing visible
// at all (ProblemInvisible).
func LineProblem(s string) string {
	if !utf8.ValidString(s) {
		return ProblemNotText
	}
	visible := false
	marks := 0
	for _, r := range s {
		switch {
		case unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp):
			return ProblemControl
		case bidiControl(r):
			return ProblemDirection
		case unicode.In(r, unicode.Mn, unicode.Me):
			if marks++; marks > MaxCombiningMarks {
				return ProblemMarks
			}
			continue
		}
		marks = 0
		visible = visible || !invisible(r)
	}
	if !visible {
		return ProblemInvisible
	}
	return ""
}

// bidiControl reports the explicit directional formatting characters of
// Unicode's bidirectional algorithm (UAX #9): embeddings, overrides,
// isolates and the implicit marks.
func bidiControl(r rune) bool {
	switch {
	case r == '\u061c', r == '\u200e', r == '\u200f':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return unicode.Is(unicode.Bidi_Control, r)
}

// invisible reports characters that draw nothing: spaces, format
// characters (zero-width ones among them), default-ignorable letters such
// as the Hangul fillers, variation selectors and the blank Braille cell.
func invisible(r rune) bool {
	return unicode.IsSpace(r) || r == '\u2800' ||
		unicode.In(r, unicode.Zs, unicode.Cf, unicode.Mn, unicode.Me,
			unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}
