package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// Notification settings (the More tab), kept in the app's preferences.
const (
	prefNotifications = "notifications" // notifyOn, notifyHidden or notifyOff
	notifyOn          = "on"            // sender and text
	notifyHidden      = "hidden"        // "New message" only
	notifyOff         = "off"
)

// notifyQuiet is how long after a notification further messages wait, to
// go out together as one summary instead of a flood.
const notifyQuiet = 4 * time.Second

// notifier raises an OS notification for messages that arrive in a room
// the user is not looking at. It works from the unread counts of the
// states the app applies: a count that grew is new messages from others
// (my own never count, nor what members I block send). The first notification of a burst goes out at
// once; what arrives in the notifyQuiet after it goes out as one summary.
// All its fields belong to the Fyne thread.
type notifier struct {
	a    *App
	send func(*fyne.Notification)
	// after runs fn on the Fyne thread after d; tests replace it.
	after func(d time.Duration, fn func()) (stop func())

	prev map[string]int // unread per room in the last state seen
	// live is set once the workspace first caught up with the server:
	// counts until then (the local copy, a first snapshot, what came while
	// the app was closed) are not news; the badges show them.
	live     bool
	quietEnd time.Time // until then new messages wait for the summary
	held     []arrival // messages waiting for the summary
	stop     func()    // the summary's timer, nil when none
}

// arrival is what one state brought to one room.
type arrival struct {
	room  client.RoomSummary
	count int
}

func newNotifier(a *App) *notifier {
	return &notifier{
		a:    a,
		send: a.fa.SendNotification,
		after: func(d time.Duration, fn func()) func() {
			return afterOnFyne(a.work, d, fn)
		},
		prev: map[string]int{},
	}
}

// mode is the user's notification setting.
func (n *notifier) mode() string {
	return n.a.fa.Preferences().StringWithFallback(prefNotifications, notifyOn)
}

// reset forgets the counts, e.g. when another workspace opens: what is
// unread there at first is not news.
func (n *notifier) reset() {
	n.prev, n.live, n.held = map[string]int{}, false, nil
	if n.stop != nil {
		n.stop()
		n.stop = nil
	}
}

// apply looks at a newly applied state for new messages.
func (n *notifier) apply(st client.State) {
	var news []arrival
	seen := n.a.seenRoom()
	next := make(map[string]int, len(st.Rooms))
	for _, r := range st.Rooms {
		next[r.ID] = r.Unread
		if d := r.Unread - n.prev[r.ID]; n.live && d > 0 && r.ID != seen {
			news = append(news, arrival{room: r, count: d})
		}
	}
	n.prev = next
	if st.Conn.Online && !st.Conn.CatchingUp {
		n.live = true
	}
	if len(news) == 0 || n.mode() == notifyOff {
		return
	}
	now := n.a.now()
	if now.Before(n.quietEnd) {
		n.held = append(n.held, news...)
		if n.stop == nil {
			n.stop = n.after(n.quietEnd.Sub(now), n.flush)
		}
		return
	}
	n.notify(news)
}

// flush sends what arrived during the quiet time as one summary.
func (n *notifier) flush() {
	n.stop = nil
	held := n.held
	n.held = nil
	if len(held) > 0 && n.mode() != notifyOff {
		n.notify(held)
	}
}

func (n *notifier) notify(news []arrival) {
	n.send(n.compose(news))
	n.quietEnd = n.a.now().Add(notifyQuiet)
	n.a.event("notified")
}

// compose writes the notification: the sender and the text for one
// message; a count (and where, when it is one room) for several; only
// "New message" while locked or when the user hides the content.
func (n *notifier) compose(news []arrival) *fyne.Notification {
	total := 0
	rooms := map[string]client.RoomSummary{}
	for _, a := range news {
		total += a.count
		rooms[a.room.ID] = a.room // the newest summary of each room wins
	}
	if n.a.locked() || n.mode() == notifyHidden {
		if total == 1 {
			return fyne.NewNotification("Worktalk", lang.L("New message"))
		}
		return fyne.NewNotification("Worktalk", lang.L("{{.N}} new messages", map[string]any{"N": total}))
	}
	if total == 1 && len(rooms) == 1 {
		for _, r := range rooms {
			if r.Last != nil {
				return fyne.NewNotification(n.senderTitle(r), previewText(*r.Last, r.Room, n.a.state()))
			}
		}
	}
	if len(rooms) == 1 {
		for _, r := range rooms {
			return fyne.NewNotification(r.DisplayTitle, lang.L("{{.N}} new messages", map[string]any{"N": total}))
		}
	}
	return fyne.NewNotification("Worktalk", lang.L("{{.N}} new messages in {{.Rooms}} chats", map[string]any{"N": total, "Rooms": len(rooms)}))
}

// senderTitle names who wrote a room's newest message, and the room when
// it is a group.
func (n *notifier) senderTitle(r client.RoomSummary) string {
	m := r.Last
	name := m.ActorName
	if m.SenderID != "" {
		name = memberName(n.a.state(), r.Room, m.SenderID)
	}
	if name == "" {
		name = r.DisplayTitle
	}
	if r.Kind == protocol.RoomGroup && r.DisplayTitle != "" {
		return name + " · " + r.DisplayTitle
	}
	return name
}

// memberName finds a member's name in the state or the room.
func memberName(st client.State, room protocol.Room, id string) string {
	if p, ok := findProfile(st, id); ok {
		return p.Name
	}
	for _, m := range room.Members {
		if m.ID == id {
			return m.Name
		}
	}
	return ""
}

// afterOnFyne runs fn on the Fyne thread once, after d, unless stopped or
// the app shuts down first.
func afterOnFyne(work *worker, d time.Duration, fn func()) (stop func()) {
	t := time.AfterFunc(d, func() {
		if work.ctx.Err() == nil {
			work.post(fn)
		}
	})
	return func() { t.Stop() }
}
