package ui

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"

	"worktalk.dev/worktalk/client"
)

// seenRoom is the room the user is looking at: open in the main window
// while it shows, has the focus and is not locked; "" when none.
func (a *App) seenRoom() string {
	if !a.focused || a.hidden || a.locked() || a.main == nil || a.main.room == nil {
		return ""
	}
	return a.main.room.roomID
}

// markSeen marks the room the user is looking at read, on every device,
// when it has unread messages. The app calls it whenever what the user
// sees may have changed: a new state, a room opened, focus, unlock.
func (a *App) markSeen() {
	id := a.seenRoom()
	eng := a.engine()
	if id == "" || eng == nil || a.marking[id] || unreadIn(a.state(), id) == 0 {
		return
	}
	if a.marking == nil {
		a.marking = map[string]bool{}
	}
	a.marking[id] = true
	a.work.run(func(ctx context.Context) error {
		return eng.MarkRead(ctx, id)
	}, func(err error) {
		delete(a.marking, id)
		if err != nil {
			a.log.Warn("mark read", "room", id, "err", err)
		}
	})
}

// unreadTitle is a window title with the unread total, as the taskbar
// shows it: "Acme - Worktalk (3)".
func unreadTitle(title string, n int) string {
	if n <= 0 {
		return title
	}
	return fmt.Sprintf("%s (%d)", title, n)
}

func unreadIn(st client.State, roomID string) int {
	i := slices.IndexFunc(st.Rooms, func(r client.RoomSummary) bool { return r.ID == roomID })
	if i < 0 {
		return 0
	}
	return st.Rooms[i].Unread
}

// setFocused follows the app's windows gaining and losing the focus.
func (a *App) setFocused(on bool) {
	a.focused = on
	if on {
		a.hidden = false // shown again, e.g. by a click on the tray icon
		a.markSeen()
	}
}

// unreadBadge is the red count on a room of the chats list.
type unreadBadge struct {
	content *fyne.Container
	text    *canvas.Text
}

func newUnreadBadge() *unreadBadge {
	b := &unreadBadge{text: canvas.NewText("", color.White)}
	b.text.TextSize = theme.CaptionTextSize()
	b.text.TextStyle.Bold = true
	b.text.Alignment = fyne.TextAlignCenter
	b.content = container.NewStack(newThemedRect(theme.ColorNameError, 9),
		container.New(layout.NewCustomPaddedLayout(1, 1, 6, 6), b.text))
	b.content.Hide()
	return b
}

// set shows n (99+ above 99), or hides the badge for 0. It reports
// whether the badge's size changed (shown, hidden or other digits), when
// its row must be laid out again.
func (b *unreadBadge) set(n int) bool {
	if n <= 0 {
		return showIf(b.content, false)
	}
	text := "99+"
	if n <= 99 {
		text = strconv.Itoa(n)
	}
	resized := len(b.text.Text) != len(text)
	if b.text.Text != text {
		b.text.Text = text
		b.text.Refresh()
	}
	return showIf(b.content, true) || resized
}
