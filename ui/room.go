package ui

import (
	"context"
	"fmt"
	"slices"
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

// pageSize is how many messages the room view reads at a time.
const pageSize = 200

// roomView is one open chat room: its title, its history and the input.
type roomView struct {
	a       *App
	roomID  string
	content fyne.CanvasObject

	title    *widget.Label
	titleRow *fyne.Container
	me       fyne.CanvasObject
	subtitle *widget.Label
	list     *widget.List
	input    *messageEntry
	send     *widget.Button
	closed   *widget.Label
	more     *widget.Button  // [More] of a 1:1 room: the side panel
	side     *fyne.Container // holds the side panel while it shows
	panel    *blockPanel     // nil until [More] is first tapped

	room client.RoomSummary
	msgs []client.Message // oldest first
	// provisional are messages sent from here that the engine has not
	// answered for yet (shown after msgs, pending).
	provisional []client.Message
	nextLocal   int
	older       bool // older messages are stored beyond msgs[0]
	// serverMore is cleared once the server has no older messages either
	// (a snapshot carries only the newest of each room).
	serverMore bool
	version    uint64 // RoomVersion of msgs
	pictures   string // the members' picture ids the rows show, to redraw them on a change
	loaded     bool
	loading    bool
	reloadAg   bool               // a reload was asked for while one ran
	heights    map[string]float32 // row height by message id at width
	width      float32
	// revealed are messages of members I blocked that I tapped to read.
	revealed map[string]bool
}

func newRoomView(a *App, roomID string) *roomView {
	r := &roomView{a: a, roomID: roomID, heights: map[string]float32{}, serverMore: true, revealed: map[string]bool{}}
	r.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.me = meBadge()
	r.me.Hide()
	r.subtitle = widget.NewLabel("")
	r.subtitle.Importance = widget.LowImportance
	r.subtitle.Truncation = fyne.TextTruncateEllipsis
	r.list = widget.NewList(r.length, r.createItem, r.updateItem)
	r.list.HideSeparators = true
	r.list.OnSelected = func(widget.ListItemID) { r.list.UnselectAll() }
	r.input = newMessageEntry(a, r.onSendTapped)
	r.input.SetPlaceHolder(lang.L("Write a message. Enter sends, Shift+Enter starts a new line."))
	r.send = widget.NewButtonWithIcon("", theme.MailSendIcon(), r.onSendTapped)
	r.send.Importance = widget.HighImportance
	r.closed = widget.NewLabel(lang.L("This chat room is closed. Nobody can send messages in it."))
	r.closed.Importance = widget.LowImportance
	r.closed.Hide()
	r.more = widget.NewButtonWithIcon("", theme.MoreHorizontalIcon(), r.onMoreTapped)
	r.more.Importance = widget.LowImportance
	r.more.Hide()
	r.side = container.NewStack()
	r.side.Hide()

	r.titleRow = container.NewHBox(r.title, container.NewCenter(r.me))
	header := container.NewPadded(container.NewBorder(nil, nil, nil, container.NewCenter(r.more),
		container.NewVBox(r.titleRow, r.subtitle)))
	inputRow := container.NewBorder(nil, nil, nil, container.NewVBox(r.send), r.input)
	bottom := container.NewPadded(container.NewVBox(r.closed, inputRow))
	chat := container.NewBorder(nil, bottom, nil, nil, r.list)
	r.content = container.NewBorder(container.NewVBox(header, widget.NewSeparator()), nil, nil, r.side, chat)
	return r
}

func (r *roomView) focus() {
	if !r.input.Disabled() {
		r.a.focus(r.input)
	}
}

// apply shows the room's current state and re-reads its messages when
// they changed.
func (r *roomView) apply(st client.State) {
	for _, s := range st.Rooms {
		if s.ID == r.roomID {
			r.room = s
			break
		}
	}
	title := r.room.DisplayTitle
	if title == "" && (r.room.Kind == protocol.RoomSelf || strings.HasPrefix(r.roomID, "self:")) {
		title = st.Me.Name
	}
	r.title.SetText(title)
	if r.room.Kind == protocol.RoomSelf || strings.HasPrefix(r.roomID, "self:") {
		r.me.Show()
		r.subtitle.SetText(lang.L("Only you can see this room. Notes here sync to your other devices."))
	} else {
		r.me.Hide()
		r.subtitle.SetText(r.roomSubtitle(st))
	}
	r.titleRow.Refresh() // the title's width changed
	if r.room.Kind == protocol.RoomDirect {
		r.more.Show()
	} else {
		r.more.Hide()
	}
	if r.panel != nil {
		r.panel.apply(st)
	}
	if r.room.Closed != r.closed.Visible() {
		if r.room.Closed {
			r.closed.Show()
			r.input.Disable()
			r.send.Disable()
		} else {
			r.closed.Hide()
			r.input.Enable()
			r.send.Enable()
		}
		r.content.Refresh() // the note above the input came or went
	}
	if v := st.RoomVersion[r.roomID]; !r.loaded || v != r.version {
		r.reload(v)
	} else if p := r.memberPictures(st); p != r.pictures {
		r.list.Refresh() // a new picture (mine too) with no new message
	}
	r.pictures = r.memberPictures(st)
}

// memberPictures lists the picture ids of the room's members as the
// senders' avatars show them.
func (r *roomView) memberPictures(st client.State) string {
	var b strings.Builder
	for _, m := range r.room.Members {
		if p, ok := findProfile(st, m.ID); ok {
			b.WriteString(p.PictureID)
		}
		b.WriteByte(',')
	}
	if len(r.room.Members) == 0 { // my own room before the engine lists it
		b.WriteString(st.Me.PictureID)
	}
	return b.String()
}

// roomSubtitle is the line under the title: the other member's title (or
// workspace, for an external member) in a 1:1 room, else the head count.
func (r *roomView) roomSubtitle(st client.State) string {
	if r.room.Kind == protocol.RoomDirect {
		for _, m := range r.room.Members {
			if m.ID == st.Me.ID {
				continue
			}
			if p, ok := findProfile(st, m.ID); ok {
				if sub := memberSubtitle(st, p); sub != "" {
					return sub
				}
			}
			if m.WorkspaceID != st.Workspace.ID {
				return m.WorkspaceName
			}
		}
	}
	return lang.L("{{.N}} members", map[string]any{"N": len(r.room.Members)})
}

// reload reads the newest messages (at least as many as are shown).
func (r *roomView) reload(version uint64) {
	if r.loading {
		r.reloadAg = true
		return
	}
	r.loading = true
	eng := r.a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	limit := max(pageSize, len(r.msgs))
	fetch(r.a.run, func(context.Context) ([]client.Message, error) {
		return eng.Messages(r.roomID, 0, limit+1)
	}, func(msgs []client.Message, err error) {
		r.loading = false
		if err != nil {
			r.a.showError(r.a.win, err)
			return
		}
		atBottom := !r.loaded || r.atBottom()
		r.older = len(msgs) > limit
		if r.older {
			msgs = msgs[1:]
		}
		r.msgs, r.version, r.loaded = msgs, version, true
		r.list.Refresh()
		if atBottom {
			r.list.ScrollToBottom()
		}
		if r.reloadAg {
			r.reloadAg = false
			r.reload(r.a.state().RoomVersion[r.roomID])
		}
		r.a.probe("room")
	})
}

// atBottom reports whether the newest message is in view.
func (r *roomView) atBottom() bool {
	var total float32
	for i := 0; i < r.length(); i++ {
		total += r.itemHeight(i)
	}
	return r.list.GetScrollOffset()+r.list.Size().Height >= total-40
}

func (r *roomView) itemHeight(i int) float32 {
	if h, ok := r.heights[r.keyOf(i)]; ok {
		return h
	}
	return 40
}

func (r *roomView) keyOf(i int) string {
	if r.earlier() {
		if i == 0 {
			return "earlier"
		}
		i--
	}
	if m, ok := r.msgAt(i); ok {
		return m.ID
	}
	return ""
}

// earlier reports whether the list starts with "Show earlier messages":
// older messages are stored, or the server may have some (the history
// reaches back to where a snapshot cut it).
func (r *roomView) earlier() bool {
	return r.older || r.serverMore && len(r.msgs) >= protocol.SnapshotMessagesPerRoom
}

// onEarlierTapped shows the page of messages before the oldest shown,
// fetching it from the server first when it is not stored here.
func (r *roomView) onEarlierTapped() {
	if len(r.msgs) == 0 || r.loading {
		return
	}
	eng := r.a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	r.loading = true
	before := r.msgs[0].Key
	stored := r.older
	var (
		older   []client.Message
		fetched int
	)
	r.a.run(func(ctx context.Context) error {
		if !stored {
			var err error
			if fetched, err = eng.LoadOlder(ctx, r.roomID, pageSize); err != nil {
				return err
			}
		}
		var err error
		older, err = eng.Messages(r.roomID, before, pageSize+1)
		return err
	}, func(err error) {
		r.loading = false
		if err != nil {
			r.a.showError(r.a.win, err)
			return
		}
		if !stored && fetched == 0 {
			r.serverMore = false
		}
		r.older = len(older) > pageSize
		if r.older {
			older = older[1:]
		}
		r.msgs = append(older, r.msgs...)
		r.list.Refresh()
		r.list.ScrollTo(len(older))
	})
}

func (r *roomView) onSendTapped() {
	text := strings.TrimRight(r.input.Text, "\n ")
	if strings.TrimSpace(text) == "" {
		return
	}
	if err := protocol.ValidateMessageText(text); err != nil {
		r.a.showError(r.a.win, err)
		return
	}
	eng := r.a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	r.input.SetText("")
	// The message shows at once, marked pending; the engine's answer (a
	// local commit, milliseconds later) replaces it with the stored one.
	r.nextLocal++
	shown := client.Message{Pending: true, Message: protocol.Message{
		ID: fmt.Sprintf("local-%d", r.nextLocal), RoomID: r.roomID, SenderID: r.a.state().Me.ID,
		Kind: protocol.MessageText, Text: text, SentAt: r.a.now().UnixMilli(),
	}}
	r.provisional = append(r.provisional, shown)
	r.list.Refresh()
	r.list.ScrollToBottom()
	fetch(r.a.run, func(ctx context.Context) (client.Message, error) {
		return eng.SendMessage(ctx, r.roomID, text)
	}, func(sent client.Message, err error) {
		r.provisional = slices.DeleteFunc(r.provisional, func(m client.Message) bool { return m.ID == shown.ID })
		if err != nil {
			r.list.Refresh()
			if r.input.Text == "" {
				r.input.SetText(text) // nothing is lost
			}
			r.a.showError(r.a.win, err)
			return
		}
		r.showSent(sent)
	})
}

// showSent puts a message I just sent at the bottom; the reload that
// follows the engine's state change replaces it with the stored one.
func (r *roomView) showSent(m client.Message) {
	if !slices.ContainsFunc(r.msgs, func(x client.Message) bool { return x.ID == m.ID }) {
		r.msgs = append(r.msgs, m)
	}
	r.list.Refresh()
	r.list.ScrollToBottom()
}

// msgAt is message i of the room as shown: stored ones, then the ones
// still on their way to the engine.
func (r *roomView) msgAt(i int) (client.Message, bool) {
	switch {
	case i < 0:
		return client.Message{}, false
	case i < len(r.msgs):
		return r.msgs[i], true
	case i-len(r.msgs) < len(r.provisional):
		return r.provisional[i-len(r.msgs)], true
	}
	return client.Message{}, false
}

func (r *roomView) length() int {
	n := len(r.msgs) + len(r.provisional)
	if r.earlier() {
		n++
	}
	return n
}

// messageRow shows one message: a header (picture, name, time, pending)
// above the text when the sender changes, or a centred system line with
// its action button.
type messageRow struct {
	pic     *avatar
	picSlot *fyne.Container
	name    *widget.Label
	when    *widget.Label
	pending *fyne.Container
	header  *fyne.Container
	text    *widget.Label
	normal  *fyne.Container
	sysText *widget.Label
	action  *widget.Button
	system  *fyne.Container
	earlier *widget.Button
	blocked *widget.Button // stands for a message of a member I blocked
}

func (r *roomView) createItem() fyne.CanvasObject {
	m := &messageRow{
		pic:     newAvatar(32, nil),
		name:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		when:    widget.NewLabel(""),
		text:    widget.NewLabel(""),
		sysText: widget.NewLabel(""),
		action:  widget.NewButton("", nil),
	}
	m.when.Importance = widget.LowImportance
	sending := widget.NewLabel(lang.L("Sending…"))
	sending.Importance = widget.WarningImportance
	m.pending = container.NewHBox(widget.NewIcon(theme.HistoryIcon()), sending)
	m.text.Wrapping = fyne.TextWrapWord
	m.text.Selectable = true
	m.picSlot = container.NewGridWrap(fyne.NewSquareSize(36), m.pic)
	m.header = container.NewHBox(m.name, m.when, m.pending)
	m.normal = container.NewBorder(nil, nil, container.NewVBox(m.picSlot), nil, container.NewVBox(m.header, m.text))
	m.sysText.Wrapping = fyne.TextWrapWord
	m.sysText.Alignment = fyne.TextAlignCenter
	m.sysText.Importance = widget.LowImportance
	m.system = container.NewVBox(m.sysText, container.NewCenter(m.action))
	m.earlier = widget.NewButton(lang.L("Show earlier messages"), r.onEarlierTapped)
	m.earlier.Importance = widget.LowImportance
	m.blocked = widget.NewButtonWithIcon(lang.L("Message from a member you blocked"), theme.VisibilityOffIcon(), nil)
	m.blocked.Importance = widget.LowImportance
	m.blocked.Alignment = widget.ButtonAlignLeading
	return newListRow(m, container.NewStack(m.normal, m.system, container.NewCenter(m.earlier), m.blocked))
}

// collapsed reports whether msg is shown as "Message from a member you
// blocked": a group message of a member I blocked that I have not tapped.
// (The server keeps such members out of new rooms with me; in a group we
// already shared, their messages still come, as in Telegram or Discord.)
func (r *roomView) collapsed(msg client.Message) bool {
	return r.room.Kind == protocol.RoomGroup && !r.revealed[msg.ID] && blockedByMe(r.a.state(), msg.SenderID)
}

// blockedByMe reports whether I blocked member id.
func blockedByMe(st client.State, id string) bool {
	return id != "" && slices.ContainsFunc(st.Blocked, func(b protocol.BlockedMember) bool { return b.ID == id })
}

func (r *roomView) updateItem(id widget.ListItemID, o fyne.CanvasObject) {
	row := o.(*listRow[messageRow])
	m := row.parts
	m.normal.Hide()
	m.system.Hide()
	m.earlier.Hide()
	m.blocked.Hide()
	i := id
	if r.earlier() {
		if id == 0 {
			m.earlier.Show()
			m.earlier.Refresh()
			r.fitHeight(id, "earlier", row)
			return
		}
		i--
	}
	msg, ok := r.msgAt(i)
	if !ok {
		return
	}
	if msg.Kind == protocol.MessageSystem {
		me := r.a.state().Me.ID
		m.sysText.SetText(systemText(msg.Message, r.room.Room, me))
		if a := actionFor(msg.Message, me); a != nil {
			act := *a
			m.action.SetText(actionText(act))
			m.action.OnTapped = func() { r.onActionTapped(act) }
			m.action.Show()
		} else {
			m.action.Hide()
		}
		m.system.Show()
		r.fitHeight(id, msg.ID, row)
		return
	}
	if r.collapsed(msg) {
		msgID := msg.ID
		m.blocked.OnTapped = func() {
			r.revealed[msgID] = true
			r.list.RefreshItem(id)
			r.list.RefreshItem(id + 1) // its header may now repeat
		}
		m.blocked.Show()
		r.fitHeight(id, msg.ID+"+b", row)
		return
	}
	prev, hasPrev := r.msgAt(i - 1)
	showHeader := !hasPrev || prev.SenderID != msg.SenderID || prev.Kind == protocol.MessageSystem ||
		msg.SentAt-prev.SentAt > int64(5*time.Minute/time.Millisecond) || msg.Pending || r.collapsed(prev)
	if showHeader {
		name := r.senderName(msg.SenderID)
		m.name.SetText(name)
		m.when.SetText(r.a.localTime(msg.SentAt).Format("15:04"))
		m.pic.set(r.a, name, r.senderPicture(msg.SenderID))
		m.header.Show()
		m.pic.Show()
	} else {
		m.header.Hide()
		m.pic.Hide()
	}
	if msg.Pending {
		m.pending.Show()
	} else {
		m.pending.Hide()
	}
	m.text.SetText(msg.Text)
	m.normal.Show()
	r.fitHeight(id, msg.ID+boolKey(showHeader), row)
}

func boolKey(b bool) string {
	if b {
		return "+h"
	}
	return ""
}

// fitHeight gives row id the height its wrapped text needs at the list's
// width; heights are remembered per message, so scrolling stays cheap.
func (r *roomView) fitHeight(id widget.ListItemID, key string, m fyne.CanvasObject) {
	w := r.list.Size().Width - theme.Padding()*2
	if w <= 0 {
		return
	}
	if w != r.width {
		r.width = w
		clear(r.heights)
	}
	if h, ok := r.heights[key]; ok {
		r.list.SetItemHeight(id, h) // ids shift when older pages load
		return
	}
	m.Resize(fyne.NewSize(w, m.MinSize().Height))
	h := m.MinSize().Height
	r.heights[key] = h
	r.list.SetItemHeight(id, h)
}

// senderName is who wrote a message, marked when they left the company:
// their messages stay, under their name.
func (r *roomView) senderName(id string) string {
	st := r.a.state()
	name, departed := "", false
	if p, ok := findProfile(st, id); ok {
		name, departed = p.Name, p.Departed
	} else {
		for _, m := range r.room.Members {
			if m.ID == id {
				name, departed = m.Name, m.Departed
			}
		}
	}
	switch {
	case name == "":
		return lang.L("Unknown member")
	case departed:
		return lang.L("{{.Name}} (left)", map[string]any{"Name": name})
	}
	return name
}

func (r *roomView) senderPicture(id string) string {
	if p, ok := findProfile(r.a.state(), id); ok {
		return p.PictureID
	}
	return ""
}

// onMoreTapped shows or hides the side panel of a 1:1 room: who the other
// member is and, for an external member, [Block member].
func (r *roomView) onMoreTapped() {
	if r.side.Visible() {
		r.side.Hide()
		r.content.Refresh()
		return
	}
	if r.panel == nil {
		eng := r.a.engine()
		if eng == nil {
			return // signed out meanwhile
		}
		r.panel = newBlockPanel(r.a.work, eng, r.a.win, r.roomID)
		sep := widget.NewSeparator()
		r.side.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, sep, nil,
			container.New(&minWidthLayout{w: 240}, container.NewVScroll(r.panel.content)))}
	}
	r.panel.apply(r.a.state())
	r.side.Show()
	r.content.Refresh()
}

func (r *roomView) onActionTapped(act protocol.Action) {
	switch act.Kind {
	case protocol.ActionViewProfile:
		r.a.viewProfile(act.MemberID)
	}
}
