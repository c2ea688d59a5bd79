package ui

import (
	"testing"

	"worktalk.dev/worktalk/protocol"
)

// TestNameProblemsInKorean: every problem protocol finds in a name or
// field reads in Korean in a Korean UI, not as the protocol's English.
func TestNameProblemsInKorean(t *testing.T) {
	setLanguage(t, "ko")
	title := protocol.FieldDef{Key: "title", Label: "Title", LabelKo: "직함", Kind: protocol.FieldText}
	for _, bad := range []string{"\u202eAlice", "\u200b", "A\u2028B", "E\u0301\u0301\u0301\u0301\u0301\u0301", "A\x00", "A\xff"} {
		nameErr := protocol.ValidateName(bad)
		fieldErr := protocol.ValidateFieldValue(title, bad)
		if nameErr == nil || fieldErr == nil {
			t.Fatalf("%q: ValidateName = %v, ValidateFieldValue = %v; want both refused", bad, nameErr, fieldErr)
		}
		for _, got := range []string{nameErrorText(nameErr), fieldErrorText(title, fieldErr)} {
			if got == nameErr.Message || got == fieldErr.Message || !hasHangul(got) {
				t.Errorf("%q shows %q, want a Korean sentence", bad, got)
			}
		}
	}
}

func hasHangul(s string) bool {
	for _, r := range s {
		if r >= 0xac00 && r <= 0xd7a3 {
			return true
		}
	}
	return false
}
