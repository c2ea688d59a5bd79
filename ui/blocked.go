package ui

import (
	"context"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// blockedEngine is what the blocked members list needs of the engine.
type blockedEngine interface {
	Unblock(ctx context.Context, memberID string) error
	AddExternalBack(ctx context.Context, memberID string) error
}

// blockedList is the More tab's "Blocked members": each with [Unblock];
// a member just unblocked stays listed with [Add as external member] so
// they can be added again right there.
type blockedList struct {
	work *worker
	eng  blockedEngine
	win  fyne.Window

	content fyne.CanvasObject
	rows    *fyne.Container

	blocked   []protocol.BlockedMember
	unblocked []protocol.BlockedMember // unblocked while this list is shown, newest last
	added     map[string]bool          // unblocked members added back
	pending   map[string]bool          // unblock or add sent, waiting for the state
	externals map[string]bool
}

// newBlockedList builds the section; the More tab calls apply with every
// engine state.
func newBlockedList(work *worker, eng blockedEngine, win fyne.Window) *blockedList {
	l := &blockedList{work: work, eng: eng, win: win, added: map[string]bool{}, pending: map[string]bool{}}
	l.rows = container.NewVBox()
	l.content = section(lang.L("Blocked members"), l.rows)
	l.render()
	return l
}

func (l *blockedList) apply(st client.State) {
	l.blocked = st.Blocked
	l.externals = map[string]bool{}
	for _, p := range st.Externals {
		l.externals[p.ID] = true
	}
	// The engine lists an unblocked member it adds back at once; when they
	// leave the list again the server refused it, and the user may retry.
	for id := range l.added {
		if !l.externals[id] {
			delete(l.added, id)
		}
	}
	for id := range l.pending {
		if !slices.ContainsFunc(st.Blocked, func(b protocol.BlockedMember) bool { return b.ID == id }) || l.externals[id] {
			delete(l.pending, id)
		}
	}
	l.render()
}

func (l *blockedList) render() {
	l.rows.RemoveAll()
	if len(l.blocked) == 0 && !slices.ContainsFunc(l.unblocked, func(u protocol.BlockedMember) bool { return !l.isBlocked(u.ID) }) {
		none := widget.NewLabel(lang.L("You have not blocked anyone."))
		none.Importance = widget.LowImportance
		l.rows.Add(none)
		return
	}
	for _, b := range l.blocked {
		btn := widget.NewButton(lang.L("Unblock"), func() { l.onUnblockTapped(b) })
		if l.pending[b.ID] {
			btn.Disable()
		}
		since := lang.L("Blocked on {{.Date}}", map[string]any{"Date": time.UnixMilli(b.BlockedAt).Format(time.DateOnly)})
		l.rows.Add(l.row(b, since, btn))
	}
	for _, u := range l.unblocked {
		if l.isBlocked(u.ID) {
			continue // still (or again) blocked: its row is above
		}
		var action fyne.CanvasObject
		switch {
		case l.externals[u.ID]:
			done := widget.NewLabel(lang.L("External member"))
			done.Importance = widget.SuccessImportance
			action = done
		default:
			btn := widget.NewButtonWithIcon(lang.L("Add as external member"), theme.ContentAddIcon(), func() { l.onAddTapped(u) })
			if l.pending[u.ID] || l.added[u.ID] {
				btn.Disable()
			}
			action = btn
		}
		l.rows.Add(l.row(u, lang.L("Unblocked"), action))
	}
}

func (l *blockedList) isBlocked(id string) bool {
	return slices.ContainsFunc(l.blocked, func(b protocol.BlockedMember) bool { return b.ID == id })
}

func (l *blockedList) row(b protocol.BlockedMember, note string, action fyne.CanvasObject) fyne.CanvasObject {
	pic := newAvatar(36, nil)
	pic.name = b.Name
	name := boldLabel(b.Name)
	sub := widget.NewLabel(b.WorkspaceName + " · " + note)
	sub.Importance = widget.LowImportance
	sub.Truncation = fyne.TextTruncateEllipsis
	// The action goes under the name, not beside it: beside it, a narrow
	// sidebar cut the row off.
	return container.NewBorder(nil, nil, container.NewVBox(pic), nil,
		container.NewVBox(name, sub, container.NewHBox(action)))
}

func (l *blockedList) onUnblockTapped(b protocol.BlockedMember) {
	l.pending[b.ID] = true
	l.render()
	l.work.run(func(ctx context.Context) error {
		return l.eng.Unblock(ctx, b.ID)
	}, func(err error) {
		if err != nil {
			delete(l.pending, b.ID)
			l.render()
			l.work.dialogs.info(l.win, lang.L("Could not do that"), errorText(err))
			return
		}
		if !slices.ContainsFunc(l.unblocked, func(u protocol.BlockedMember) bool { return u.ID == b.ID }) {
			l.unblocked = append(l.unblocked, b)
		}
		l.render()
	})
}

func (l *blockedList) onAddTapped(b protocol.BlockedMember) {
	l.work.dialogs.confirm(l.win, lang.L("Add as external member"),
		lang.L("Add {{.Name}} as an external member?", map[string]any{"Name": b.Name}),
		lang.L("Confirm"), func() { l.addConfirmed(b) })
}

// addConfirmed queues the add; a refusal from the server arrives as an
// engine notice, which the main window shows.
func (l *blockedList) addConfirmed(b protocol.BlockedMember) {
	l.pending[b.ID] = true
	l.render()
	l.work.run(func(ctx context.Context) error {
		return l.eng.AddExternalBack(ctx, b.ID)
	}, func(err error) {
		delete(l.pending, b.ID)
		if err != nil {
			l.render()
			l.work.dialogs.info(l.win, lang.L("Could not do that"), addErrorText(err))
			return
		}
		l.added[b.ID] = true
		l.render()
	})
}
