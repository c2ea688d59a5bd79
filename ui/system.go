package ui

import (
	"fyne.io/fyne/v2/lang"

	"worktalk.dev/worktalk/protocol"
)

// systemText is a system message of room in the UI language, as I see it
// (both members of a 1:1 room get the same message, so the one who did it
// reads what they did); unknown kinds fall back to the server's text.
func systemText(m protocol.Message, room protocol.Room, meID string) string {
	switch m.System {
	case protocol.SystemExternalAdded:
		if m.ActorID != "" && m.ActorID == meID {
			return lang.L("You added {{.Name}} as an external member.", map[string]any{"Name": otherMemberName(room, meID)})
		}
		return lang.L("{{.Name}} added you as an external member.", map[string]any{"Name": m.ActorName})
	}
	return m.Text
}

// otherMemberName is the name of the first member of room who is not me.
func otherMemberName(room protocol.Room, meID string) string {
	for _, m := range room.Members {
		if m.ID != meID {
			return m.Name
		}
	}
	return ""
}

// actionFor is a system message's button as I see it: none for an action
// about myself (the member who added someone gets no [View profile] of
// their own profile).
func actionFor(m protocol.Message, meID string) *protocol.Action {
	if m.Action == nil || m.Action.MemberID != "" && m.Action.MemberID == meID {
		return nil
	}
	return m.Action
}

// actionText is the label of a system message's button.
func actionText(a protocol.Action) string {
	switch a.Kind {
	case protocol.ActionViewProfile:
		return lang.L("View profile")
	}
	return string(a.Kind)
}
