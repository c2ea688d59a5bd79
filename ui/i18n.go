package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2/lang"

	"worktalk.dev/worktalk/assets"
	"worktalk.dev/worktalk/protocol"
)

// LoadTranslations adds the app's English and Korean strings to Fyne's
// lang package, which picks the one closest to the system language. Calling
// it again re-reads the system language (tests switch languages this way).
func LoadTranslations() error {
	if err := lang.AddTranslationsFS(assets.Translations, "translations"); err != nil {
		return fmt.Errorf("load translations: %w", err)
	}
	return nil
}

// korean reports whether the UI speaks Korean: field labels come from the
// admin's schema in both languages.
func korean() bool {
	return strings.HasPrefix(lang.SystemLocale().LanguageString(), "ko")
}

// fieldLabel is a field's label in the UI language.
func fieldLabel(def protocol.FieldDef) string {
	if korean() && def.LabelKo != "" {
		return def.LabelKo
	}
	if def.Label != "" {
		return def.Label
	}
	return def.Key
}

// The error texts below pick their words by an error's code and reason
// (protocol.Error), never by its Message: that is English for logs.

// problemText says what is wrong with an input in the UI language; max is
// its length limit.
func problemText(e *protocol.Error, max int) string {
	switch e.Reason {
	case protocol.REmpty:
		return lang.L("This cannot be empty.")
	case protocol.RTooLong:
		return lang.L("At most {{.Max}} characters.", map[string]any{"Max": max})
	case protocol.RNotText, protocol.RNUL:
		return lang.L("Contains characters that cannot be shown.")
	case protocol.RControl:
		return lang.L("Contains control characters or line breaks.")
	case protocol.RDirection:
		return lang.L("Contains text direction controls.")
	case protocol.RMarks:
		return lang.L("Too many accent marks on one character.")
	case protocol.RInvisible:
		return lang.L("Has no visible characters.")
	case protocol.RNameChars:
		return lang.L("Contains characters that cannot be used in a name.")
	case protocol.RPhone:
		return lang.L("Enter a phone number such as +82 10-1234-5678.")
	case protocol.REmail:
		return lang.L("Enter an e-mail address such as name@example.com.")
	case protocol.RNotImage:
		return lang.L("Choose a PNG or JPEG image.")
	case protocol.RImageSide:
		return lang.L("The picture has too many pixels.")
	}
	switch e.Code {
	case protocol.ETooLarge:
		return lang.L("At most {{.Max}} characters.", map[string]any{"Max": max})
	case protocol.ENotEditable:
		return lang.L("Your workspace admin does not let members change this.")
	}
	return lang.L("This is not valid.")
}

// fieldErrorText says what is wrong with a field value in the UI language.
func fieldErrorText(def protocol.FieldDef, e *protocol.Error) string {
	max := def.MaxLen
	if max <= 0 {
		max = protocol.MaxFieldLen
	}
	if e.Code == protocol.EInvalid && e.Reason == "" {
		// A server from before reasons: the field's kind says what it wants.
		switch def.Kind {
		case protocol.FieldPhone:
			return lang.L("Enter a phone number such as +82 10-1234-5678.")
		case protocol.FieldEmail:
			return lang.L("Enter an e-mail address such as name@example.com.")
		}
	}
	return problemText(e, max)
}

// nameErrorText says what is wrong with a name in the UI language.
func nameErrorText(e *protocol.Error) string {
	if e.Reason == protocol.REmpty {
		return lang.L("Name cannot be empty.")
	}
	return problemText(e, protocol.MaxNameLen)
}

// refusalText is why the server (or the engine) refused something, by the
// error's code and reason, in the UI language.
func refusalText(e *protocol.Error) string {
	switch e.Code {
	case protocol.EOffline:
		return lang.L("You are offline. This needs a connection to the server.")
	case protocol.ERateLimited:
		return lang.L("Too many attempts. Please wait a moment and try again.")
	case protocol.EUnavailable:
		return lang.L("The server is busy. Please try again in a moment.")
	case protocol.EUnauthorized:
		if e.Reason == protocol.RWrongPassword {
			return lang.L("Wrong e-mail or password.")
		}
		return lang.L("You were signed out. Please sign in again.")
	case protocol.ENotFound:
		switch e.Reason {
		case protocol.RNoMember:
			return lang.L("This member's profile is not available.")
		case protocol.RNoRoom:
			return lang.L("This chat room no longer exists.")
		}
		return lang.L("It is no longer there.")
	case protocol.EForbidden:
		switch e.Reason {
		case protocol.RRoomClosed:
			return lang.L("This chat room is closed. Nobody can send messages in it.")
		case protocol.RNotOwner:
			return lang.L("Only its owner can write in this room.")
		case protocol.RNotExternal:
			return lang.L("This member is not one of your external members.")
		case protocol.RNotContact:
			return lang.L("You can chat only with coworkers and your external members.")
		case protocol.RAddBackOnly:
			return lang.L("You can add back only members who added you. Ask them for their profile link.")
		case protocol.RDeparted:
			return lang.L("This member has left their workspace.")
		case protocol.RDeactivated:
			return lang.L("Your workspace admin deactivated your account.")
		}
		return lang.L("You are not allowed to do this.")
	case protocol.EBlocked:
		return lang.L("A block stands between you and this member.")
	case protocol.EExternalOff:
		switch e.Reason {
		case protocol.RMyWorkspace:
			return lang.L("Your workspace admin does not allow chatting with external members.")
		case protocol.RTheirWorkspace:
			return lang.L("Their workspace does not allow chatting with external members.")
		}
		return lang.L("Chatting with external members is turned off in your workspace or in theirs.")
	case protocol.ELinkInvalid:
		return lang.L("This link no longer works: it has expired, was already used, or its owner reset it. Ask them for a new link.")
	case protocol.ESelf:
		return lang.L("You cannot do this with yourself.")
	case protocol.ECoworker:
		return lang.L("This member is in your own workspace.")
	case protocol.ENotEditable:
		return lang.L("Your workspace admin does not let members change this.")
	case protocol.EConflict:
		return lang.L("Something changed meanwhile. Please try again.")
	case protocol.EInvalid, protocol.ETooLarge:
		if e.Reason == protocol.RServerURL {
			return lang.L("Enter the address of your Worktalk server, such as https://talk.example.com.")
		}
		max := protocol.MaxFieldLen
		switch e.Field {
		case "name":
			max = protocol.MaxNameLen
		case "title":
			max = protocol.MaxTitleLen
		case "text":
			max = protocol.MaxMessageLen
		case "picture":
			if e.Reason == protocol.RTooLong {
				return lang.L("The picture is too large.")
			}
		case "members":
			if e.Reason == protocol.REmpty {
				return lang.L("Choose at least one member.")
			}
			max = protocol.MaxGroupMembers
		}
		return problemText(e, max)
	}
	return lang.L("Something went wrong. Please try again.")
}
