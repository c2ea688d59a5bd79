package ui

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/protocol"
)

// newRoomDialog makes a group chat room: a title and the members, some
// chosen already (the member whose profile it was opened from).
type newRoomDialog struct {
	a      *App
	parent fyne.Window
	dialog *dialog.CustomDialog
	title  *entry
	picks  *widget.CheckGroup
	ids    map[string]string // check label -> member id
	errL   *widget.Label
	create *widget.Button
}

func showNewRoomDialog(a *App, parent fyne.Window, preset []string) *newRoomDialog {
	st := a.state()
	d := &newRoomDialog{a: a, parent: parent, ids: map[string]string{}}
	d.title = newEntry()
	d.title.SetPlaceHolder(lang.L("Room title"))
	var labels, selected []string
	people := append(append([]protocol.Profile(nil), st.Members...), st.Externals...)
	for _, p := range people {
		label := p.Name
		if p.WorkspaceID != st.Workspace.ID && p.WorkspaceName != "" {
			label += " · " + p.WorkspaceName
		}
		if _, dup := d.ids[label]; dup {
			label += " (" + p.ID[:min(6, len(p.ID))] + ")"
		}
		d.ids[label] = p.ID
		labels = append(labels, label)
		if slices.Contains(preset, p.ID) {
			selected = append(selected, label)
		}
	}
	d.picks = widget.NewCheckGroup(labels, nil)
	d.picks.SetSelected(selected)
	d.errL = errorLabel()
	var names []string
	for _, l := range selected {
		names = append(names, strings.SplitN(l, " · ", 2)[0])
	}
	if len(names) > 0 {
		d.title.SetText(strings.Join(append([]string{st.Me.Name}, names...), ", "))
	}
	d.create = widget.NewButton(lang.L("Create"), d.onCreateTapped)
	d.title.OnSubmitted = func(string) { d.onCreateTapped() }
	d.create.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { d.dialog.Hide() })
	scroll := container.NewVScroll(d.picks)
	scroll.SetMinSize(fyne.NewSize(320, 240))
	body := container.NewBorder(container.NewVBox(d.title, widget.NewLabel(lang.L("Members"))), d.errL, nil, nil, scroll)
	d.dialog = dialog.NewCustomWithoutButtons(lang.L("New chat room"), body, parent)
	d.dialog.SetButtons([]fyne.CanvasObject{cancel, d.create})
	d.dialog.SetOnClosed(func() {
		if a.newRoom == d {
			a.newRoom = nil
		}
	})
	a.newRoom = d
	a.showDialog(parent, d.dialog)
	parent.Canvas().Focus(d.title)
	return d
}

func (d *newRoomDialog) onCreateTapped() {
	title := strings.TrimSpace(d.title.Text)
	var ids []string
	for _, l := range d.picks.Selected {
		ids = append(ids, d.ids[l])
	}
	switch {
	case len(ids) == 0:
		d.setError(lang.L("Choose at least one member."))
		return
	case title == "":
		d.setError(lang.L("Give the room a title."))
		return
	case utf8.RuneCountInString(title) > protocol.MaxTitleLen:
		d.setError(lang.L("At most {{.Max}} characters.", map[string]any{"Max": protocol.MaxTitleLen}))
		return
	}
	if err := protocol.ValidateRoomTitle(title); err != nil {
		d.setError(problemText(err, protocol.MaxTitleLen))
		return
	}
	d.create.Disable()
	eng := d.a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	fetch(d.a.run, func(ctx context.Context) (string, error) {
		return eng.CreateGroupRoom(ctx, title, ids)
	}, func(roomID string, err error) {
		d.create.Enable()
		if err != nil {
			d.setError(errorText(err))
			return
		}
		d.dialog.Hide()
		if d.parent != d.a.win {
			d.parent.Close()
		}
		if d.a.main != nil {
			d.a.main.tabs.SelectIndex(0)
			d.a.main.openRoom(roomID)
			d.a.win.RequestFocus()
		}
	})
}

func (d *newRoomDialog) setError(s string) {
	d.errL.SetText(s)
	d.errL.Show()
}
