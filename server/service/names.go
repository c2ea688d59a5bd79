package service

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/secure/precis"

	"worktalk.dev/worktalk/protocol"
)

// Names are normalised here, not in protocol: protocol is the wire
// vocabulary that any client can implement from the standard library, and
// PRECIS needs Unicode tables from golang.org/x/text. The server is the one
// authority on what is stored; clients run protocol.ValidateName for early
// feedback and receive the normalised name in the answer and the events.

// normalizeName returns name as the PRECIS nickname profile (RFC 8266)
// maps it: widths and compatibility forms folded (NFKC), every kind of
// space made one ASCII space, runs of spaces collapsed, ends trimmed. It
// refuses (EInvalid, ETooLarge on field) what protocol.ValidateName refuses
// and what the profile disallows: control, default-ignorable and
// unassigned code points, joiners outside the scripts that use them.
func normalizeName(field, name string, maxLen int) (string, error) {
	if p := protocol.LineProblem(strings.TrimSpace(name)); p != "" {
		return "", protocol.FieldError(protocol.EInvalid, field, "name %s", p).Because(protocol.ProblemReason(p))
	}
	n, err := precis.Nickname.String(name)
	if err != nil {
		return "", protocol.FieldError(protocol.EInvalid, field, "name contains characters that cannot be used in a name").Because(protocol.RNameChars)
	}
	if utf8.RuneCountInString(n) > maxLen {
		return "", protocol.FieldError(protocol.ETooLarge, field, "name is longer than %d characters", maxLen).Because(protocol.RTooLong)
	}
	// NFKC can compose and expand; check the result as stored.
	if p := protocol.LineProblem(n); p != "" {
		return "", protocol.FieldError(protocol.EInvalid, field, "name %s", p).Because(protocol.ProblemReason(p))
	}
	return n, nil
}
