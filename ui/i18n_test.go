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

// Every refusal reads in Korean under ko, whatever its code and reason:
// the UI never falls back to the server's English message.
func TestRefusalsInKorean(t *testing.T) {
	setLanguage(t, "ko")
	codes := []string{protocol.EInvalid, protocol.EUnauthorized, protocol.EForbidden, protocol.ENotFound, protocol.EConflict,
		protocol.ERateLimited, protocol.EExternalOff, protocol.ELinkInvalid, protocol.EBlocked, protocol.ESelf,
		protocol.ECoworker, protocol.ENotEditable, protocol.ETooLarge, protocol.EOffline, protocol.EInternal,
		protocol.EUnavailable, "some_new_code"}
	reasons := []string{"", protocol.REmpty, protocol.RTooLong, protocol.RNotText, protocol.RControl, protocol.RDirection,
		protocol.RMarks, protocol.RInvisible, protocol.RNameChars, protocol.RNUL, protocol.RPhone, protocol.REmail,
		protocol.RNotImage, protocol.RImageSide, protocol.RNoField, protocol.RNoChange, protocol.RLength, protocol.RServerURL,
		protocol.RNoMember, protocol.RNoRoom, protocol.RNoPicture, protocol.RNoWorkspace, protocol.RRoomClosed,
		protocol.RNotOwner, protocol.RNotExternal, protocol.RNotContact, protocol.RAddBackOnly, protocol.RDeparted, protocol.RDeactivated, protocol.RMyWorkspace,
		protocol.RTheirWorkspace, protocol.RWrongPassword, protocol.RSignedOut, protocol.RSignIn, protocol.RLinks,
		protocol.RIDUsed, protocol.RExists, protocol.RAlreadySyncing, protocol.RSnapshotNeeded, "some_new_reason"}
	for _, c := range codes {
		for _, r := range reasons {
			for _, field := range []string{"", "name", "picture", "members"} {
				e := &protocol.Error{Code: c, Reason: r, Field: field, Message: "English words from the server"}
				got := refusalText(e)
				if words := latinWords(got); len(words) > 0 || !hasHangul(got) {
					t.Errorf("%s/%s/%s reads %q, want Korean (English words %q)", c, r, field, got, words)
				}
			}
		}
	}
}
