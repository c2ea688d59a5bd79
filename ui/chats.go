package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// chatsTab lists my chat rooms, newest activity first.
type chatsTab struct {
	a       *App
	content fyne.CanvasObject
	list    *widget.List
	selfBtn *widget.Button
	rooms   []client.RoomSummary
	myID    string
	// selecting is set while the list is selected from code, so that
	// OnSelected does not open the room a second time.
	selecting bool
	selected  int // the highlighted row, -1 for none
}

func newChatsTab(a *App) *chatsTab {
	c := &chatsTab{a: a, selected: -1}
	c.list = widget.NewList(c.length, c.createItem, c.updateItem)
	c.list.OnSelected = c.onRoomSelected
	newRoom := widget.NewButtonWithIcon(lang.L("New chat room"), theme.ContentAddIcon(), c.onNewRoomTapped)
	newRoom.Importance = widget.LowImportance
	c.selfBtn = widget.NewButtonWithIcon(lang.L("Chat with me"), theme.MailComposeIcon(), c.onChatWithMeTapped)
	c.selfBtn.Importance = widget.LowImportance
	c.content = container.NewBorder(container.NewHBox(c.selfBtn, newRoom), nil, nil, nil, c.list)
	return c
}

func (c *chatsTab) apply(st client.State) {
	c.rooms = st.Rooms
	c.myID = st.Me.ID
	c.list.Refresh()
	// The list highlights by position: keep it on the open room when the
	// rooms move (a room with a new message goes to the top).
	if m := c.a.main; m != nil && m.room != nil {
		c.selectRoom(m.room.roomID)
	}
}

func (c *chatsTab) length() int { return len(c.rooms) }

// roomRow is one line of the rooms list.
type roomRow struct {
	pic     *avatar
	title   *widget.Label
	me      fyne.CanvasObject
	preview *widget.Label
	when    *widget.Label
	pending *widget.Icon
	unread  *unreadBadge
	picOf   [2]string       // the name and picture id the avatar shows
	top     *fyne.Container // title, time and pending mark; re-laid out on update
	bottom  *fyne.Container // preview and unread count; re-laid out on update
}

func (c *chatsTab) createItem() fyne.CanvasObject {
	r := &roomRow{
		pic:     newAvatar(36, nil),
		title:   boldLabel(""),
		me:      meBadge(),
		preview: captionLabel(),
		when:    captionLabel(),
		pending: widget.NewIcon(theme.HistoryIcon()),
		unread:  newUnreadBadge(),
	}
	r.when.Truncation = fyne.TextTruncateOff
	r.top = container.NewBorder(nil, nil, nil, container.NewHBox(r.pending, container.NewCenter(r.when)),
		container.NewBorder(nil, nil, nil, container.NewCenter(r.me), r.title))
	r.bottom = container.NewBorder(nil, nil, nil, container.NewCenter(r.unread.content), r.preview)
	body := container.NewBorder(nil, nil, container.NewCenter(r.pic), nil,
		container.NewVBox(r.top, r.bottom))
	return newListRow(r, body)
}

func (c *chatsTab) updateItem(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(c.rooms) {
		return
	}
	room := c.rooms[id]
	r := o.(*listRow[roomRow]).parts
	setText(r.title, room.DisplayTitle)
	if pic := [2]string{room.DisplayTitle, roomPictureID(c.a.state(), room.Room)}; pic != r.picOf {
		r.picOf = pic
		r.pic.set(c.a, pic[0], pic[1])
	}
	preview, when, pending := "", "", false
	if m := room.Last; m != nil {
		preview = previewText(*m, room.Room, c.a.state())
		when = shortTime(c.a.localTime(m.SentAt), c.a.now().In(c.a.loc))
		pending = m.Pending
	}
	if room.Closed {
		preview = lang.L("This chat room is closed.")
	}
	importance := widget.LowImportance
	if room.Unread > 0 {
		importance = widget.MediumImportance // stands out until read
	}
	if r.preview.Importance != importance {
		r.preview.Importance = importance
		r.preview.Refresh()
	}
	setText(r.preview, preview)
	oldWhen := r.when.Text
	setText(r.when, when)
	// The marks beside the texts change the room the texts have: lay the
	// row out again only then (that re-measures every label in it).
	marks := showIf(r.me, room.Kind == protocol.RoomSelf)
	marks = showIf(r.pending, pending) || marks
	if marks || len(oldWhen) != len(when) {
		r.top.Refresh()
	}
	if r.unread.set(room.Unread) {
		r.bottom.Refresh()
	}
}

// showIf shows or hides o and reports whether that changed anything.
func showIf(o fyne.CanvasObject, show bool) bool {
	if o.Visible() == show {
		return false
	}
	if show {
		o.Show()
	} else {
		o.Hide()
	}
	return true
}

// roomPictureID is the picture of a 1:1 room's other member, or mine for
// my own room.
func roomPictureID(st client.State, room protocol.Room) string {
	switch room.Kind {
	case protocol.RoomSelf:
		return st.Me.PictureID
	case protocol.RoomDirect:
		for _, m := range room.Members {
			if m.ID != st.Me.ID {
				if p, ok := findProfile(st, m.ID); ok {
					return p.PictureID
				}
			}
		}
	}
	return ""
}

// findProfile looks a member up among my coworkers and external members.
func findProfile(st client.State, id string) (protocol.Profile, bool) {
	if st.Me.ID == id {
		return st.Me, true
	}
	for _, list := range [][]protocol.Profile{st.Members, st.Externals} {
		for _, p := range list {
			if p.ID == id {
				return p, true
			}
		}
	}
	return protocol.Profile{}, false
}

// previewText is a message as one line of the rooms list.
func previewText(m client.Message, room protocol.Room, st client.State) string {
	if room.Kind == protocol.RoomGroup && blockedByMe(st, m.SenderID) {
		return lang.L("Message from a member you blocked")
	}
	t := m.Text
	if m.Kind == protocol.MessageSystem {
		t = systemText(m.Message, room, st.Me.ID)
	}
	t = strings.Join(strings.Fields(t), " ")
	if r := []rune(t); len(r) > 60 {
		t = string(r[:60]) + "…"
	}
	return t
}

// shortTime is a message time as the rooms list shows it: the time today,
// else the date.
func shortTime(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	y1, m1, d1 := t.Date()
	y2, m2, d2 := now.Date()
	if y1 == y2 && m1 == m2 && d1 == d2 {
		return t.Format("15:04")
	}
	if y1 == y2 {
		return t.Format("01-02")
	}
	return t.Format("2006-01-02")
}

func (c *chatsTab) onRoomSelected(id widget.ListItemID) {
	if c.selecting || id >= len(c.rooms) || c.a.main == nil {
		return
	}
	c.a.main.openRoom(c.rooms[id].ID)
}

// selectRoom highlights roomID in the list without opening it again.
func (c *chatsTab) selectRoom(roomID string) {
	for i, r := range c.rooms {
		if r.ID == roomID {
			c.selecting = true
			c.list.Select(i)
			c.selecting = false
			c.selected = i
			return
		}
	}
	c.list.UnselectAll()
	c.selected = -1
}

func (c *chatsTab) onChatWithMeTapped() {
	if c.a.main != nil {
		c.a.main.openSelfRoom()
	}
}

func (c *chatsTab) onNewRoomTapped() { showNewRoomDialog(c.a, c.a.win, nil) }
