package ui

import (
	"context"
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// mainScreen is the main window of an open workspace: the sidebar (my
// profile panel and the Chats | Org chart | More tabs), the open room, and
// the banners above them.
type mainScreen struct {
	a       *App
	content fyne.CanvasObject

	profile       *profilePanel
	sidebar       *fyne.Container // re-laid out when my profile's height changes
	profileHeight float32         // the profile panel's height at the last layout
	tabs          *container.AppTabs
	chats         *chatsTab
	org           *orgChartTab
	more          *moreTab

	roomArea *fyne.Container // the open room, or a hint
	room     *roomView       // nil when no room is open

	banner       *fyne.Container // offline / catching up / pending
	bannerText   *widget.Label
	bannerBusy   *widget.Activity // while catching up
	bannerIcon   *widget.Icon     // while offline
	top          *fyne.Container  // banner and notices; the rest moves down for them
	topHeight    float32
	notices      *fyne.Container
	noticeLabels []*widget.Label  // the notices shown, in order
	noticeCloses []*widget.Button // their close buttons
}

func newMainScreen(a *App) *mainScreen {
	m := &mainScreen{a: a}
	m.profile = newProfilePanel(a)
	m.chats = newChatsTab(a)
	m.org = newOrgChartTab(a)
	m.more = newMoreTab(a)
	m.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Chats"), theme.MailComposeIcon(), m.chats.content),
		container.NewTabItemWithIcon(lang.L("Org chart"), theme.AccountIcon(), m.org.content),
		container.NewTabItemWithIcon(lang.L("More"), theme.SettingsIcon(), m.more.content),
	)
	m.tabs.OnSelected = func(*container.TabItem) { a.touch() }
	sidebarBg := newThemedRect(colorSidebar, 0)
	m.sidebar = container.NewBorder(m.profile.content, nil, nil, nil, m.tabs)
	sidebar := container.NewStack(sidebarBg, m.sidebar)

	m.roomArea = container.NewStack(emptyRoomHint())
	split := container.NewHSplit(sidebar, m.roomArea)
	split.Offset = 0.34

	m.bannerText = widget.NewLabel("")
	m.bannerText.Wrapping = fyne.TextWrapWord
	m.bannerBusy = widget.NewActivity()
	m.bannerBusy.Hide()
	m.bannerIcon = widget.NewIcon(theme.WarningIcon())
	bannerBg := newThemedRect(colorBanner, 0)
	m.banner = container.NewStack(bannerBg, container.NewBorder(nil, nil, container.NewStack(m.bannerIcon, m.bannerBusy), nil, m.bannerText))
	m.banner.Hide()
	m.notices = container.NewVBox()

	m.top = container.NewVBox(m.banner, m.notices)
	m.content = container.NewBorder(m.top, nil, nil, nil, split)
	return m
}

func emptyRoomHint() fyne.CanvasObject {
	t := widget.NewLabel(lang.L("Choose a chat room, or start one from the org chart."))
	t.Importance = widget.LowImportance
	return container.NewCenter(t)
}

// apply shows a new engine state.
func (m *mainScreen) apply(st client.State) {
	m.a.setTitle(unreadTitle(fmt.Sprintf("%s - Worktalk", st.Workspace.Name), st.Unread))
	m.profile.apply(st)
	if h := m.profile.content.MinSize().Height; h != m.profileHeight {
		m.profileHeight = h
		m.sidebar.Refresh() // my profile grew or shrank: lay the tabs out again
	}
	m.chats.apply(st)
	m.org.apply(st)
	m.more.apply(st)
	if m.room != nil {
		if m.room.room.ID != "" && !slices.ContainsFunc(st.Rooms, func(r client.RoomSummary) bool { return r.ID == m.room.roomID }) {
			m.closeRoom() // shown before, now gone: the server refused it (a notice says why)
		} else {
			m.room.apply(st)
		}
	}
	if w := m.a.memberWin; w != nil && isBlockedID(st, w.p.ID) {
		w.win.Close() // blocked meanwhile: their profile no longer shows
	}
	m.applyBanner(st)
	m.applyNotices(st)
	if h := m.top.MinSize().Height; h != m.topHeight {
		m.topHeight = h
		m.content.Refresh() // lay the window out again around the new top
	}
}

func (m *mainScreen) applyBanner(st client.State) {
	var text string
	switch {
	case st.Conn.CatchingUp: // connected, not yet Online
		text = lang.L("Catching up with the server…")
	case !st.Conn.Online:
		text = lang.L("Offline. You can keep working: changes are saved here and sent when the connection is back.")
		if why := connProblemText(st.Conn.Problem); why != "" {
			text += " " + why
		}
	}
	if text == "" {
		m.banner.Hide()
		m.bannerBusy.Stop()
		return
	}
	if st.Pending > 0 {
		text += " " + lang.L("Waiting to be sent: {{.N}}.", map[string]any{"N": st.Pending})
	}
	m.bannerText.SetText(text)
	if st.Conn.CatchingUp {
		m.bannerIcon.Hide()
		m.bannerBusy.Show()
		m.bannerBusy.Start()
	} else {
		m.bannerBusy.Stop()
		m.bannerBusy.Hide()
		m.bannerIcon.Show()
	}
	m.banner.Show()
}

// applyNotices shows each refusal the engine reports as a message with a
// close button; closing it dismisses it in the engine.
func (m *mainScreen) applyNotices(st client.State) {
	m.notices.RemoveAll()
	m.noticeLabels, m.noticeCloses = nil, nil
	for _, n := range st.Notices {
		m.notices.Add(m.noticeRow(n))
	}
}

func (m *mainScreen) noticeRow(n client.Notice) fyne.CanvasObject {
	text := widget.NewLabel(noticeText(n))
	text.Wrapping = fyne.TextWrapWord
	var closeBtn *widget.Button
	closeBtn = widget.NewButtonWithIcon("", theme.CancelIcon(), func() {
		closeBtn.Disable()
		m.onNoticeDismissed(n.ID)
	})
	m.noticeLabels = append(m.noticeLabels, text)
	m.noticeCloses = append(m.noticeCloses, closeBtn)
	bg := newThemedRect(colorBanner, 0)
	return container.NewStack(bg, container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), closeBtn, text))
}

func (m *mainScreen) onNoticeDismissed(id string) {
	eng := m.a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	m.a.run(func(context.Context) error {
		eng.DismissNotice(id)
		return nil
	}, nil)
}

// openRoom shows roomID in the room area.
func (m *mainScreen) openRoom(roomID string) {
	if m.room != nil && m.room.roomID == roomID {
		m.room.focus()
		return
	}
	m.room = newRoomView(m.a, roomID)
	m.roomArea.Objects = []fyne.CanvasObject{m.room.content}
	m.roomArea.Refresh()
	m.room.apply(m.a.state())
	m.chats.selectRoom(roomID)
	m.room.focus()
	m.a.markSeen()
}

// closeRoom puts the hint back in the room area.
func (m *mainScreen) closeRoom() {
	m.room = nil
	m.roomArea.Objects = []fyne.CanvasObject{emptyRoomHint()}
	m.roomArea.Refresh()
}

// openSelfRoom opens (creating if needed) my own "chat with me" room.
func (m *mainScreen) openSelfRoom() {
	m.showRoom(Engine.OpenSelfRoom, false, nil)
}

// openDirectRoom opens (creating if needed) my 1:1 room with memberID. It
// is asked for from a profile window, so the main window comes forward;
// done runs once the room shows.
func (m *mainScreen) openDirectRoom(memberID string, done func()) {
	m.showRoom(func(eng Engine, ctx context.Context) (string, error) {
		return eng.OpenDirectRoom(ctx, memberID)
	}, true, done)
}

// showRoom shows in the chats tab the room open answers with; focus brings
// the main window forward too.
func (m *mainScreen) showRoom(open func(Engine, context.Context) (string, error), focus bool, done func()) {
	eng := m.a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	fetch(m.a.run, func(ctx context.Context) (string, error) {
		return open(eng, ctx)
	}, func(id string, err error) {
		if err != nil {
			m.a.showError(m.a.win, err)
			return
		}
		if m.a.main == m {
			m.tabs.SelectIndex(0)
			m.openRoom(id)
			if focus {
				m.a.win.RequestFocus()
			}
		}
		if done != nil {
			done()
		}
	})
}

// noticeText says in the user's language what was refused and why.
func noticeText(n client.Notice) string {
	var what string
	switch n.Op {
	case protocol.OpProfileUpdate:
		what = lang.L("Your profile change was not saved")
	case protocol.OpMessageSend:
		what = lang.L("A message was not sent")
	case protocol.OpRoomCreate:
		what = lang.L("A chat room was not created")
	default:
		what = lang.L("Not done")
	}
	// Two sentences: the reason is a sentence of its own in every language.
	return what + ". " + refusalText(&protocol.Error{Code: n.Code, Reason: n.Reason})
}

// connProblemText says why the app is offline, "" when the engine does not
// know.
func connProblemText(problem string) string {
	switch problem {
	case client.ConnUnreachable:
		return lang.L("The server cannot be reached.")
	case client.ConnLost:
		return lang.L("The connection to the server was lost.")
	case client.ConnKeyring:
		return lang.L("The saved sign-in cannot be read from the OS keyring.")
	case client.ConnSignedOut:
		return lang.L("You were signed out. Please sign in again.")
	}
	return ""
}
