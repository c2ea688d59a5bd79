package ui

import (
	"context"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/protocol"
)

// memberProfile is another member's profile window: their visible fields,
// [1:1 chat], [Chat rooms together] and "Create a new chat room with this
// member".
type memberProfile struct {
	a   *App
	win fyne.Window
	p   protocol.Profile

	pic      *avatar
	name     *widget.Label
	sub      *widget.Label
	fields   *widget.Label
	together *fyne.Container // the shared rooms, once asked for
	status   *widget.Label
	chat     *widget.Button
	create   *widget.Button
	rooms    []protocol.Room
}

// openMemberProfileByID looks the member up (replica first, then the
// server) and opens their profile window.
func openMemberProfileByID(a *App, id string) {
	if isBlockedID(a.state(), id) {
		a.showBlockedProfile()
		return
	}
	if p, ok := findProfile(a.state(), id); ok {
		openMemberProfile(a, p)
		return
	}
	eng := a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	fetch(a.run, func(ctx context.Context) (protocol.Profile, error) {
		return eng.Member(ctx, id)
	}, func(p protocol.Profile, err error) {
		if err != nil {
			a.showError(a.win, err)
			return
		}
		openMemberProfile(a, p)
	})
}

// openMemberProfile opens p's profile window; a member I blocked gets a
// note instead (and nil).
func openMemberProfile(a *App, p protocol.Profile) *memberProfile {
	if isBlockedID(a.state(), p.ID) {
		a.showBlockedProfile()
		return nil
	}
	m := &memberProfile{a: a, p: p}
	m.win = a.newWindow(p.Name, func() {
		if a.memberWin == m {
			a.memberWin = nil
		}
	})
	a.memberWin = m
	m.pic = newAvatar(96, nil)
	m.name = headingLabel("")
	m.sub = widget.NewLabel("")
	m.sub.Alignment = fyne.TextAlignCenter
	m.sub.Importance = widget.LowImportance
	m.fields = widget.NewLabel("")
	m.fields.Wrapping = fyne.TextWrapWord
	m.fields.Alignment = fyne.TextAlignCenter
	m.status = widget.NewLabel("")
	m.status.Importance = widget.LowImportance
	m.status.Wrapping = fyne.TextWrapWord
	m.status.Hide()
	m.together = container.NewVBox()

	m.chat = widget.NewButtonWithIcon(lang.L("1:1 chat"), theme.MailComposeIcon(), m.onDirectChatTapped)
	m.chat.Importance = widget.HighImportance
	rooms := widget.NewButtonWithIcon(lang.L("Chat rooms together"), theme.ListIcon(), m.onRoomsTogetherTapped)
	m.create = widget.NewButtonWithIcon(lang.L("Create a new chat room with this member"), theme.ContentAddIcon(), m.onCreateRoomTapped)
	m.create.Importance = widget.LowImportance
	m.show(p)

	body := container.NewVBox(container.NewCenter(m.pic), m.name, m.sub, m.fields,
		container.NewCenter(container.NewHBox(m.chat, rooms)), m.status, m.together, container.NewCenter(m.create))
	m.win.SetContent(container.NewVScroll(container.NewPadded(body)))
	m.win.Resize(fyne.NewSize(420, 520))
	m.win.Show()
	m.refresh()
	return m
}

func (m *memberProfile) show(p protocol.Profile) {
	m.p = p
	m.win.SetTitle(p.Name)
	m.pic.set(m.a, p.Name, p.PictureID)
	m.name.SetText(p.Name)
	st := m.a.state()
	if p.WorkspaceID != "" && p.WorkspaceID != st.Workspace.ID {
		m.sub.SetText(lang.L("External member from {{.Name}}", map[string]any{"Name": p.WorkspaceName}))
		m.fields.SetText(externalFieldLines(p))
	} else {
		m.sub.SetText(p.WorkspaceName)
		m.fields.SetText(fieldLines(st.Workspace.Settings, p))
	}
	// Nobody can start a chat with a member who left (the server refuses).
	if p.Departed {
		m.sub.SetText(lang.L("Left the company"))
		m.chat.Disable()
		m.create.Disable()
	} else {
		m.chat.Enable()
		m.create.Enable()
	}
}

// externalFieldLines lists an external member's fields: their workspace's
// labels are not ours, so the keys are shown in a steady order.
func externalFieldLines(p protocol.Profile) string {
	keys := make([]string, 0, len(p.Fields))
	for k, v := range p.Fields {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out string
	for _, k := range keys {
		if out != "" {
			out += "\n"
		}
		out += p.Fields[k]
	}
	return out
}

// refresh asks the engine for the newest profile (replica first).
func (m *memberProfile) refresh() {
	eng := m.a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	id := m.p.ID
	fetch(m.a.run, func(ctx context.Context) (protocol.Profile, error) {
		return eng.Member(ctx, id)
	}, func(p protocol.Profile, err error) {
		if err == nil && p.Version >= m.p.Version {
			m.show(p)
		}
	})
}

func (m *memberProfile) onDirectChatTapped() {
	if m.a.main != nil {
		m.a.main.openDirectRoom(m.p.ID, m.win.Close)
	}
}

func (m *memberProfile) onRoomsTogetherTapped() {
	eng := m.a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	id := m.p.ID
	m.status.SetText(lang.L("Looking for the rooms you share…"))
	m.status.Show()
	fetch(m.a.run, func(ctx context.Context) ([]protocol.Room, error) {
		return eng.RoomsInCommon(ctx, id)
	}, func(rooms []protocol.Room, err error) {
		if err != nil {
			m.status.SetText(errorText(err))
			return
		}
		m.showRooms(rooms)
	})
}

func (m *memberProfile) showRooms(rooms []protocol.Room) {
	m.rooms = rooms
	m.together.RemoveAll()
	if len(rooms) == 0 {
		m.status.SetText(lang.L("You are in no group chat rooms together yet."))
		return
	}
	m.status.SetText(lang.L("Chat rooms together ({{.N}})", map[string]any{"N": len(rooms)}))
	for _, r := range rooms {
		id := r.ID
		title := r.Title
		if title == "" {
			title = lang.L("Untitled room")
		}
		btn := widget.NewButtonWithIcon(lang.L("{{.Title}} ({{.N}} members)", map[string]any{"Title": title, "N": len(r.Members)}),
			theme.MailComposeIcon(), func() { m.onRoomTapped(id) })
		btn.Alignment = widget.ButtonAlignLeading
		btn.Importance = widget.LowImportance
		m.together.Add(btn)
	}
}

func (m *memberProfile) onRoomTapped(roomID string) {
	if m.a.main != nil {
		m.a.main.tabs.SelectIndex(0)
		m.a.main.openRoom(roomID)
		m.a.win.RequestFocus()
	}
	m.win.Close()
}

func (m *memberProfile) onCreateRoomTapped() {
	showNewRoomDialog(m.a, m.win, []string{m.p.ID})
}
