package ui

import (
	"image/color"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// orgChartTab is the org chart: my workspace as a tree of departments
// with their head counts (orgList), my external members, and one search
// for both, by name (and, in the tree, by department). Choosing someone
// opens their profile window. Pasting a profile link in the search opens
// "Add external member" with it.
type orgChartTab struct {
	a       *App
	content fyne.CanvasObject
	search  *appEntry
	members *orgList
	extern  *memberList
	addExt  *widget.Button
	st      client.State
}

func newOrgChartTab(a *App) *orgChartTab {
	o := &orgChartTab{a: a}
	o.search = newAppEntry(a)
	o.search.SetPlaceHolder(lang.L("Search by name or department"))
	o.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	o.search.OnChanged = func(string) { o.filter(true) }
	o.members = newOrgList(a)
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

// apply shows a new engine state. Most states change neither the people
// nor the settings the chart draws; those leave it alone.
func (o *orgChartTab) apply(st client.State) {
	prev := o.st
	o.st = st
	fieldsChanged := prev.Workspace.ID != st.Workspace.ID || !slices.Equal(prev.Workspace.Settings.Fields, st.Workspace.Settings.Fields)
	switch {
	case o.members.apply(st):
	case fieldsChanged: // subtitles come from the visible fields
		o.members.list.Refresh()
	}
	if fieldsChanged || !sameProfiles(prev.Externals, st.Externals) {
		q := strings.ToLower(strings.TrimSpace(o.search.Text))
		o.extern.set(matchName(st.Externals, q), st.Workspace.Settings)
	}
}

// sameProfiles reports whether two short lists hold the same versions of
// the same profiles.
func sameProfiles(a, b []protocol.Profile) bool {
	return slices.EqualFunc(a, b, func(x, y protocol.Profile) bool { return x.ID == y.ID && x.Version == y.Version })
}

func (o *orgChartTab) onAddExternalTapped() { o.a.openAddExternal("") }

// filter shows what the search finds; a new search starts at the top.
func (o *orgChartTab) filter(newSearch bool) {
	q := strings.ToLower(strings.TrimSpace(o.search.Text))
	o.members.show(q, newSearch)
	o.extern.set(matchName(o.st.Externals, q), o.st.Workspace.Settings)
	if newSearch {
		o.extern.list.ScrollToTop()
	}
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

// orgList draws the tree's rows in one list, which creates widgets only
// for the rows on screen. A department row opens or closes on a tap.
type orgList struct {
	a       *App
	content fyne.CanvasObject
	list    *widget.List
	empty   *widget.Label

	tree     *orgTree
	gen      uint64           // the State.MembersGen the tree shows
	me       protocol.Profile // as the tree shows me
	open     map[string]bool  // department paths shown open
	openedMe bool             // my department was opened once
	q        string
	rows     []orgRow
}

func newOrgList(a *App) *orgList {
	l := &orgList{a: a, open: map[string]bool{}}
	l.list = widget.NewList(func() int { return len(l.rows) }, l.createItem, l.updateItem)
	l.list.OnSelected = l.onRowSelected
	l.empty = widget.NewLabel(lang.L("No members found."))
	l.empty.Alignment = fyne.TextAlignCenter
	l.empty.Importance = widget.LowImportance
	l.content = container.NewStack(l.list, container.NewVBox(l.empty))
	return l
}

// apply brings the tree up to date with st and shows it, and reports
// whether anything changed. The coworkers the engine says changed since
// the state shown last (State.MembersChanged) move in place and only the
// rows that differ are drawn again; when states were skipped, or many
// changed at once, the tree is built anew. The chart first opens on my
// department.
func (l *orgList) apply(st client.State) bool {
	meChanged := l.me.ID != st.Me.ID || l.me.Version != st.Me.Version
	if l.tree != nil && l.gen == st.MembersGen && !meChanged {
		return false
	}
	switch {
	case l.tree != nil && l.me.ID == st.Me.ID &&
		(l.gen == st.MembersGen || l.gen+1 == st.MembersGen && st.MembersChanged != nil && len(st.MembersChanged) <= orgPatchLimit):
		var changed []string
		if l.gen != st.MembersGen {
			changed = l.patch(st.Members, st.MembersChanged)
		}
		if meChanged {
			l.tree.update(st.Me.ID, st.Me, true, false)
			changed = append(changed, st.Me.ID)
		}
		l.gen, l.me = st.MembersGen, st.Me
		l.redraw(changed)
		return true
	}
	l.gen, l.me = st.MembersGen, st.Me
	l.tree = buildOrgTree(st.Members, st.Me)
	if mine := pathTo(st.Me); !l.openedMe && len(mine) > 0 {
		l.openedMe = true
		for _, path := range mine {
			l.open[path] = true
		}
	}
	l.show(l.q, false)
	if len(st.Members) > 0 {
		l.a.probe("orgchart") // the rows of a workspace laid out (--startup-report)
	}
	return true
}

// orgPatchLimit is how many changed coworkers are moved one by one; past
// it building the tree anew is as quick.
const orgPatchLimit = 256

// patch moves the coworkers of ids (sorted) to where members says, or out
// of the tree when members lacks them, and returns ids.
func (l *orgList) patch(members []protocol.Profile, ids []string) []string {
	found := make(map[string]bool, len(ids))
	for _, p := range members {
		if _, ok := slices.BinarySearch(ids, p.ID); ok {
			found[p.ID] = true
			l.tree.update(p.ID, p, false, false)
			if len(found) == len(ids) {
				break
			}
		}
	}
	for _, id := range ids {
		if !found[id] {
			l.tree.update(id, protocol.Profile{}, false, true)
		}
	}
	return ids
}

// redraw lays out the rows again after members of ids changed: when the
// rows are the same departments and people as before, only those that
// differ, and those of the people changed, are drawn again.
func (l *orgList) redraw(ids []string) {
	old := l.rows
	l.rows = l.tree.rows(l.open, l.q)
	if len(old) != len(l.rows) {
		l.list.Refresh()
		l.showEmpty()
		return
	}
	for i, r := range l.rows {
		if !sameRow(r, old[i]) || r.person != nil && slices.Contains(ids, r.person.p.ID) {
			l.list.RefreshItem(i)
		}
	}
}

// sameRow reports whether two rows show the same department or person in
// the same way (a person's details are left to the caller).
func sameRow(a, b orgRow) bool {
	if a.depth != b.depth || a.dept != b.dept || a.open != b.open || a.count != b.count || (a.person == nil) != (b.person == nil) {
		return false
	}
	return a.person == nil || a.person.p.ID == b.person.p.ID
}

// show lays out the rows for query q; a new search scrolls to the top.
func (l *orgList) show(q string, newSearch bool) {
	l.q = q
	if l.tree == nil {
		return
	}
	clear(l.rows) // drop what the old rows point to
	l.rows = l.tree.appendRows(l.rows[:0], l.open, q)
	l.list.UnselectAll()
	if newSearch {
		l.list.ScrollToTop()
	}
	l.list.Refresh()
	l.showEmpty()
}

func (l *orgList) showEmpty() {
	if len(l.rows) == 0 {
		l.empty.Show()
	} else {
		l.empty.Hide()
	}
}

// orgRowParts are the widgets of one row: a department's or a person's,
// the other hidden.
type orgRowParts struct {
	indent  *canvas.Rectangle
	chevron *widget.Icon
	dept    *widget.Label
	count   *widget.Label
	deptBox *fyne.Container
	pic     *avatar
	name    *widget.Label
	sub     *widget.Label
	line    *fyne.Container // name and sub, by leadLayout
	person  *fyne.Container
}

const orgIndent = 18 // per level

func (l *orgList) createItem() fyne.CanvasObject {
	r := &orgRowParts{
		indent:  canvas.NewRectangle(color.Transparent),
		chevron: widget.NewIcon(theme.MenuExpandIcon()),
		dept:    boldLabel(""),
		count:   widget.NewLabel(""),
		pic:     newAvatar(32, nil),
		name:    widget.NewLabel(""),
		sub:     widget.NewLabel(""),
	}
	r.dept.Truncation = fyne.TextTruncateEllipsis
	r.count.Importance = widget.LowImportance
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.sub.Importance = widget.LowImportance
	r.sub.Truncation = fyne.TextTruncateEllipsis
	r.deptBox = container.NewBorder(nil, nil, r.chevron, r.count, r.dept)
	r.line = container.New(&leadLayout{lead: r.name}, r.name, r.sub)
	r.person = container.NewBorder(nil, nil, container.NewCenter(r.pic), nil, r.line)
	return newListRow(r, container.NewBorder(nil, nil, r.indent, nil, container.NewStack(r.deptBox, r.person)))
}

func (l *orgList) updateItem(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(l.rows) {
		return
	}
	row := l.rows[id]
	r := o.(*listRow[orgRowParts]).parts
	r.indent.SetMinSize(fyne.NewSize(float32(row.depth)*orgIndent, 1))
	// A label set to the text it has is still shaped again (its
	// truncation), which is most of a search's time: set what changed.
	if row.dept != nil {
		r.person.Hide()
		r.deptBox.Show()
		name := row.dept.name
		if row.dept.path == "" {
			name = lang.L("No department")
		}
		setLabel(r.dept, name, widget.MediumImportance)
		if setLabel(r.count, strconv.Itoa(row.count), widget.LowImportance) {
			r.deptBox.Refresh() // the count's width changed with its text
		}
		icon := theme.MenuExpandIcon()
		if row.open {
			icon = theme.MenuDropDownIcon()
		}
		if r.chevron.Resource != icon {
			r.chevron.SetResource(icon)
		}
		return
	}
	r.deptBox.Hide()
	r.person.Show()
	p := row.person.p
	r.pic.set(l.a, p.Name, p.PictureID)
	name := p.Name
	if row.person.isMe {
		name = lang.L("{{.Name}} (me)", map[string]any{"Name": p.Name})
	}
	importance := widget.MediumImportance
	if p.Departed {
		importance = widget.LowImportance
	}
	nameChanged := setLabel(r.name, name, importance)
	setLabel(r.sub, memberSubtitle(l.a.state(), p), widget.LowImportance)
	if nameChanged {
		r.line.Refresh() // the name's width changed with its text
	}
}

// setLabel gives a label its text and importance when either differs,
// and reports whether it did.
func setLabel(l *widget.Label, text string, importance widget.Importance) bool {
	if l.Text == text && l.Importance == importance {
		return false
	}
	l.Importance = importance
	l.SetText(text) // refreshes with the importance too
	return true
}

// onRowSelected opens or closes a department, or opens a person's profile.
func (l *orgList) onRowSelected(id widget.ListItemID) {
	l.list.UnselectAll()
	if id >= len(l.rows) {
		return
	}
	row := l.rows[id]
	switch {
	case row.dept != nil && l.q == "":
		l.open[row.dept.path] = !l.open[row.dept.path]
		l.show(l.q, false)
	case row.person != nil && row.person.isMe:
		showMyProfileDetail(l.a)
	case row.person != nil:
		openMemberProfile(l.a, row.person.p)
	}
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

// leadLayout lays out a name and a subtitle on one line: the name as wide
// as its text, up to three quarters of the line, the subtitle in the rest
// (both truncate). An equal split cut short names on narrow windows.
type leadLayout struct{ lead *widget.Label }

func (l *leadLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(a.Width+b.Width, max(a.Height, b.Height))
}

func (l *leadLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	th := l.lead.Theme()
	text := fyne.MeasureText(l.lead.Text, th.Size(theme.SizeNameText), l.lead.TextStyle)
	w := min(text.Width+2*th.Size(theme.SizeNameInnerPadding)+1, size.Width*3/4)
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(w, size.Height))
	objs[1].Move(fyne.NewPos(w, 0))
	objs[1].Resize(fyne.NewSize(size.Width-w, size.Height))
}
