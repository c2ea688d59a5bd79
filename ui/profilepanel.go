package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// profilePanel is my profile at the top of the sidebar: picture, name,
// the fields the admin shows, [Edit] and the menu (lock, log out, quit).
type profilePanel struct {
	a       *App
	content fyne.CanvasObject
	box     *fyne.Container

	pic       *avatar
	name      *widget.Label
	workspace *widget.Label
	fields    *widget.Label
	pending   *widget.Label
	edit      *widget.Button
	menu      *widget.Button
	shownPic  string
	shownName string
	editor    *editProfile // the open profile settings window, if any
}

func newProfilePanel(a *App) *profilePanel {
	p := &profilePanel{a: a}
	p.pic = newAvatar(56, p.onPictureTapped)
	p.name = boldLabel("")
	p.workspace = widget.NewLabel("")
	p.workspace.Truncation = fyne.TextTruncateEllipsis
	p.workspace.Importance = widget.LowImportance
	p.fields = widget.NewLabel("")
	p.fields.Truncation = fyne.TextTruncateEllipsis
	p.pending = widget.NewLabel(lang.L("Saving…"))
	p.pending.Importance = widget.WarningImportance
	p.pending.Hide()
	p.edit = widget.NewButtonWithIcon(lang.L("Edit"), theme.DocumentCreateIcon(), p.onEditTapped)
	p.menu = widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), p.onMenuTapped)
	p.menu.Importance = widget.LowImportance

	top := container.NewBorder(nil, nil, container.NewCenter(p.pic), container.NewVBox(p.menu),
		container.NewVBox(p.name, p.workspace))
	p.box = container.NewVBox(top, p.fields, p.pending, container.NewHBox(p.edit))
	p.content = container.NewPadded(p.box)
	return p
}

func (p *profilePanel) apply(st client.State) {
	me := st.Me
	setText(p.name, me.Name)
	setText(p.workspace, st.Workspace.Name)
	if me.PictureID != p.shownPic || me.Name != p.shownName {
		p.shownPic, p.shownName = me.PictureID, me.Name
		p.pic.set(p.a, me.Name, me.PictureID)
	}
	setText(p.fields, fieldLines(st.Workspace.Settings, me))
	if p.fields.Text == "" {
		p.fields.Hide()
	} else {
		p.fields.Show()
	}
	if st.ProfilePending {
		p.pending.Show()
	} else {
		p.pending.Hide()
	}
	p.box.Refresh() // lines came or went
}

// fieldLines lists a profile's visible fields that have a value, in the
// admin's order, one per line.
func fieldLines(s protocol.WorkspaceSettings, prof protocol.Profile) string {
	var out string
	for _, def := range s.Fields {
		v := prof.Fields[def.Key]
		if !def.Visible || v == "" {
			continue
		}
		if out != "" {
			out += "\n"
		}
		out += fieldLabel(def) + ": " + v
	}
	return out
}

func (p *profilePanel) onPictureTapped() { showMyProfileDetail(p.a) }

func (p *profilePanel) onEditTapped() {
	if p.editor != nil {
		p.editor.win.RequestFocus()
		return
	}
	p.editor = openEditProfile(p.a, func() { p.editor = nil })
}

func (p *profilePanel) onMenuTapped() {
	lock := fyne.NewMenuItem(lang.L("Lock mode"), p.onLockTapped)
	lock.Icon = theme.VisibilityOffIcon()
	lock.Disabled = p.a.locker == nil
	logout := fyne.NewMenuItem(lang.L("Log out"), p.onLogOutTapped)
	logout.Icon = theme.LogoutIcon()
	quit := fyne.NewMenuItem(lang.L("Quit"), p.onQuitTapped)
	quit.Icon = theme.CancelIcon()
	items := []*fyne.MenuItem{lock, logout}
	for _, acct := range p.a.otherAccounts() {
		acct := acct
		items = append(items, fyne.NewMenuItem(lang.L("Switch to {{.Name}}", map[string]any{"Name": acct.WorkspaceName}), func() { p.a.switchTo(acct) }))
	}
	items = append(items, fyne.NewMenuItemSeparator(), quit)
	menu := fyne.NewMenu("", items...)
	c := p.a.win.Canvas()
	pos := p.a.fa.Driver().AbsolutePositionForObject(p.menu)
	widget.ShowPopUpMenuAtPosition(menu, c, pos.Add(fyne.NewPos(0, p.menu.Size().Height)))
}

func (p *profilePanel) onLockTapped() { p.a.lockNow() }

func (p *profilePanel) onLogOutTapped() {
	name := p.a.state().Workspace.Name
	p.a.work.dialogs.confirm(p.a.win, lang.L("Log out"),
		lang.L("Log out of {{.Name}}? Its messages and data are removed from this computer. Other workspaces stay signed in.", map[string]any{"Name": name}),
		lang.L("Log out"), p.a.logOut)
}

func (p *profilePanel) onQuitTapped() { p.a.Quit() }
