package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// orgChartTab lists my coworkers and my external members, searchable by
// name. Choosing one opens their profile window. Pasting a profile link in
// the search opens "Add external member" with it.
type orgChartTab struct {
	a       *App
	content fyne.CanvasObject
	search  *appEntry
	members *memberList
	extern  *memberList
	addExt  *widget.Button
	st      client.State
}

func newOrgChartTab(a *App) *orgChartTab {
	o := &orgChartTab{a: a}
	o.search = newAppEntry(a)
	o.search.SetPlaceHolder(lang.L("Search by name"))
	o.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	o.search.OnChanged = func(string) { o.filter() }
	o.members = newMemberList(a, lang.L("No members found."))
	o.extern = newMemberList(a, lang.L("No external members yet."))
	o.addExt = widget.NewButtonWithIcon(lang.L("Add external member"), theme.ContentAddIcon(), o.onAddExternalTapped)
	tabs := container.NewAppTabs(
		container.NewTabItem(lang.L("Members"), o.members.content),
		container.NewTabItem(lang.L("External members"),
			container.NewBorder(nil, container.NewPadded(o.addExt), nil, nil, o.extern.content)),
	)
	o.content = container.NewBorder(container.NewPadded(o.search), nil, nil, nil, tabs)
	return o
}

func (o *orgChartTab) apply(st client.State) {
	o.st = st
	o.filter()
}

func (o *orgChartTab) onAddExternalTapped() { o.a.openAddExternal("") }

func (o *orgChartTab) filter() {
	q := strings.ToLower(strings.TrimSpace(o.search.Text))
	o.members.set(matchName(o.st.Members, q), o.st.Workspace.Settings)
	o.extern.set(matchName(o.st.Externals, q), o.st.Workspace.Settings)
}

// matchName keeps the profiles whose name contains q (lower case).
func matchName(list []protocol.Profile, q string) []protocol.Profile {
	if q == "" {
		return list
	}
	var out []protocol.Profile
	for _, p := range list {
		if strings.Contains(strings.ToLower(p.Name), q) {
			out = append(out, p)
		}
	}
	return out
}

// memberList is a list of people with their picture, name and title.
type memberList struct {
	a        *App
	content  fyne.CanvasObject
	list     *widget.List
	empty    *widget.Label
	people   []protocol.Profile
	settings protocol.WorkspaceSettings
}

func newMemberList(a *App, emptyText string) *memberList {
	m := &memberList{a: a}
	m.list = widget.NewList(func() int { return len(m.people) }, m.createItem, m.updateItem)
	m.list.OnSelected = m.onMemberSelected
	m.empty = widget.NewLabel(emptyText)
	m.empty.Alignment = fyne.TextAlignCenter
	m.empty.Importance = widget.LowImportance
	m.content = container.NewStack(m.list, container.NewVBox(m.empty))
	return m
}

func (m *memberList) set(people []protocol.Profile, s protocol.WorkspaceSettings) {
	m.people, m.settings = people, s
	m.list.UnselectAll()
	m.list.Refresh()
	if len(people) == 0 {
		m.empty.Show()
	} else {
		m.empty.Hide()
	}
}

type memberRow struct {
	pic  *avatar
	name *widget.Label
	sub  *widget.Label
}

func (m *memberList) createItem() fyne.CanvasObject {
	r := &memberRow{pic: newAvatar(32, nil), name: boldLabel(""), sub: widget.NewLabel("")}
	r.sub.Importance = widget.LowImportance
	r.sub.Truncation = fyne.TextTruncateEllipsis
	return newListRow(r, container.NewBorder(nil, nil, container.NewCenter(r.pic), nil, container.NewGridWithColumns(2, r.name, r.sub)))
}

func (m *memberList) updateItem(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(m.people) {
		return
	}
	p := m.people[id]
	r := o.(*listRow[memberRow]).parts
	r.name.SetText(p.Name)
	r.pic.set(m.a, p.Name, p.PictureID)
	r.sub.SetText(memberSubtitle(m.a.state(), p))
}

// memberSubtitle is the second line about a person: that they left, their
// workspace for external members, else their title (the first visible
// field).
func memberSubtitle(st client.State, p protocol.Profile) string {
	if p.Departed {
		return lang.L("Left the company")
	}
	if p.WorkspaceID != "" && p.WorkspaceID != st.Workspace.ID {
		return p.WorkspaceName
	}
	for _, def := range st.Workspace.Settings.Fields {
		if def.Visible && def.Kind == protocol.FieldText && p.Fields[def.Key] != "" {
			return p.Fields[def.Key]
		}
	}
	return ""
}

func (m *memberList) onMemberSelected(id widget.ListItemID) {
	if id >= len(m.people) {
		return
	}
	openMemberProfile(m.a, m.people[id])
	m.list.UnselectAll()
}
