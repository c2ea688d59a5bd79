package ui

import (
	"fyne.io/fyne/v2/lang"

	"worktalk.dev/worktalk/protocol"
)

// systemText is a system message in the UI language; unknown kinds fall
// back to the text the server wrote.
func systemText(m protocol.Message) string {
	switch m.System {
	case protocol.SystemExternalAdded:
		return lang.L("{{.Name}} added you as an external member.", map[string]any{"Name": m.ActorName})
	}
	return m.Text
}

// actionText is the label of a system message's button.
func actionText(a protocol.Action) string {
	switch a.Kind {
	case protocol.ActionViewProfile:
		return lang.L("View profile")
	}
	return string(a.Kind)
}
