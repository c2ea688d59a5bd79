package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/internal/servertest"
	"worktalk.dev/worktalk/protocol"
)

func TestSignIn(t *testing.T) {
	w := newWorld(t)
	u := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.start(t, nil)
	var s *signInScreen
	h.until("the sign-in screen", func() bool {
		s = h.app.signIn
		return s != nil
	})
	tests := []struct {
		name, server, password, want string
	}{
		{"wrong password", w.proxy.URL(), "not the password", "Wrong e-mail or password."},
		{"unreachable server", "http://127.0.0.1:1", u.Password, "Cannot reach the server at http://127.0.0.1:1. Check the address and your connection."},
		{"not an address", "ftp://talk.example.com", u.Password, "Enter the address of your Worktalk server, such as https://talk.example.com."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.server.SetText(tc.server)
			s.email.SetText("")
			test.Type(s.email, u.Email)
			s.password.SetText(tc.password)
			test.Tap(s.signIn)
			h.until("an error", func() bool { return s.errText.Visible() && !s.signIn.Disabled() })
			if got := s.errText.Text; got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
		})
	}
	s.server.SetText(w.proxy.URL())
	s.password.SetText(u.Password)
	s.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.until("the main screen", func() bool { return h.app.main != nil && h.app.state().Me.Name == "Alice Kim" })
	if got := h.app.win.Title(); got != "Acme - Worktalk" {
		t.Errorf("window title = %q, want %q", got, "Acme - Worktalk")
	}
}

func TestEditProfile(t *testing.T) {
	w := newWorld(t)
	u := w.env.CreateMember(w.ws.ID, "Alice Kim", map[string]string{"title": "Engineer", "phone": "+82 10-1111-2222"})
	h := w.signedIn(t, u)

	test.Tap(h.app.main.profile.edit)
	e := h.app.main.profile.editor
	if e == nil {
		t.Fatal("Edit opened no window")
	}
	if _, ok := e.inputs["employee_no"]; ok {
		t.Error("hidden field employee_no has an input, want it absent")
	}
	if _, ok := e.inputs["email"]; ok {
		t.Error("read-only field email has an input, want text")
	}

	// Bad input is named next to its field and nothing is saved.
	phone := e.inputs["phone"]
	formHeight := e.form.MinSize().Height
	phone.SetText("")
	test.Type(phone, "call me")
	if !e.errs["phone"].Visible() || !strings.Contains(e.errs["phone"].Text, "phone number") {
		t.Errorf("phone error = %q (visible %v), want a phone number hint", e.errs["phone"].Text, e.errs["phone"].Visible())
	}
	// The error line had its place already: nothing below it moved.
	if got := e.form.MinSize().Height; got != formHeight {
		t.Errorf("form height with an error line = %v, want %v as without (no jump)", got, formHeight)
	}
	test.Tap(e.save)
	h.loop.drain()
	if h.app.state().ProfilePending {
		t.Fatal("an invalid phone was saved")
	}

	phone.SetText("+82 10-9999-0000")
	if e.errs["phone"].Text != "" || e.form.MinSize().Height != formHeight {
		t.Errorf("phone error still shown for a valid number: %q (form height %v, want %v)", e.errs["phone"].Text, e.form.MinSize().Height, formHeight)
	}
	e.inputs["title"].SetText("Staff Engineer")
	test.Tap(e.save)
	h.until("the edit window to close", func() bool { return h.app.main.profile.editor == nil })
	// The panel shows the edit (pending until the server acks), then the
	// acknowledged profile.
	h.until("the panel to show the edit", func() bool {
		return strings.Contains(h.app.main.profile.fields.Text, "Title: Staff Engineer")
	})
	h.until("the server to acknowledge", func() bool {
		return !h.app.main.profile.pending.Visible() && h.app.state().Me.Fields["phone"] == "+82 10-9999-0000" && h.app.state().Pending == 0
	})
	got := memberOnServer(t, w.env, u).Fields
	if got["title"] != "Staff Engineer" || got["phone"] != "+82 10-9999-0000" {
		t.Errorf("server profile fields = %v, want the new title and phone", got)
	}
}

// A change the admin forbade while the app was offline is refused by the
// server on reconnect: the panel goes back and the reason is shown.
func TestEditProfileRefused(t *testing.T) {
	w := newWorld(t)
	u := w.env.CreateMember(w.ws.ID, "Alice Kim", map[string]string{"title": "Engineer"})
	h := w.signedIn(t, u)

	w.offline()
	h.until("the offline banner", func() bool { return h.app.main.banner.Visible() })
	settings := w.ws.Settings
	for i := range settings.Fields {
		if settings.Fields[i].Key == "title" {
			settings.Fields[i].Editable = false
		}
	}
	if err := w.env.Service.UpdateWorkspaceSettings(context.Background(), w.ws.ID, settings); err != nil {
		t.Fatal(err)
	}

	test.Tap(h.app.main.profile.edit)
	e := h.app.main.profile.editor
	e.inputs["title"].SetText("Chief Everything")
	test.Tap(e.save)
	h.until("the edit window to close", func() bool { return h.app.main.profile.editor == nil })
	h.until("the pending mark on the offline edit", func() bool {
		return h.app.main.profile.pending.Visible() && strings.Contains(h.app.main.profile.fields.Text, "Chief Everything")
	})

	w.online()
	h.until("the refusal notice", func() bool { return len(h.app.state().Notices) == 1 })
	if n := h.app.state().Notices[0]; n.Code != protocol.ENotEditable || n.Op != protocol.OpProfileUpdate {
		t.Errorf("notice = %+v, want a refused %s with code %s", n, protocol.OpProfileUpdate, protocol.ENotEditable)
	}
	want := "Your profile change was not saved. Your workspace admin does not let members change this."
	if len(h.app.main.noticeLabels) != 1 || h.app.main.noticeLabels[0].Text != want {
		t.Fatalf("notices shown = %q, want %q", labelTexts(h.app.main.noticeLabels), want)
	}
	if got := h.app.main.profile.fields.Text; !strings.Contains(got, "Title: Engineer") {
		t.Errorf("panel fields = %q, want the old title back", got)
	}

	// Closing the notice dismisses it in the engine.
	test.Tap(h.app.main.noticeCloses[0])
	h.until("the notice to go", func() bool { return len(h.app.state().Notices) == 0 && len(h.app.main.noticeLabels) == 0 })
}

func labelTexts(ls []*widget.Label) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Text)
	}
	return out
}

// memberOnServer reads u's profile as the server has it.
func memberOnServer(t *testing.T, env *servertest.Env, u *servertest.User) protocol.Profile {
	t.Helper()
	c, err := env.Service.Authenticate(context.Background(), env.SignIn(u.Email, u.Password, u.Profile.WorkspaceID).Token)
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.Service.Do(context.Background(), c, protocol.NewID(), protocol.OpMemberGet, mustJSON(t, protocol.MemberRef{MemberID: u.ID()}))
	if err != nil {
		t.Fatalf("member.get: %v", err)
	}
	var p protocol.Profile
	if err := json.Unmarshal(res, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// roomRowOf renders message i of the open room the way the list does.
func roomRowOf(r *roomView, i int) *messageRow {
	o := r.createItem()
	id := i
	if r.earlier() {
		id++
	}
	r.updateItem(id, o)
	return o.(*listRow[messageRow]).parts
}

func pressEnter(e *messageEntry, shift bool) {
	if shift {
		e.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if shift {
		e.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	}
}

func TestChatWithMe(t *testing.T) {
	w := newWorld(t)
	u := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.signedIn(t, u)

	test.Tap(h.app.main.profile.pic)
	tapButton(t, topOverlay(h.app.win), "Chat with me")
	h.until("my room to open", func() bool { return h.app.main.room != nil && h.app.main.room.loaded })
	r := h.app.main.room
	if r.roomID != protocol.SelfRoomID(u.ID()) {
		t.Fatalf("room = %q, want my own room", r.roomID)
	}
	if !r.me.Visible() {
		t.Error("no [Me] badge on my own room")
	}
	if r.title.Text != "Alice Kim" {
		t.Errorf("room title = %q, want my name", r.title.Text)
	}

	// Shift+Enter is a new line; Enter sends.
	test.Type(r.input, "first line")
	pressEnter(r.input, true)
	test.Type(r.input, "second line")
	if r.input.Text != "first line\nsecond line" {
		t.Fatalf("input = %q after Shift+Enter, want two lines", r.input.Text)
	}
	pressEnter(r.input, false)
	if r.input.Text != "" {
		t.Errorf("input = %q after Enter, want it empty", r.input.Text)
	}
	h.until("the message to show", func() bool { return len(r.msgs) == 1 })
	if got := r.msgs[0].Text; got != "first line\nsecond line" {
		t.Errorf("message = %q, want the two lines", got)
	}
	h.settled()
	h.until("the ack to show", func() bool { return !r.msgs[0].Pending })

	// Offline: the message shows at once with a pending mark.
	w.offline()
	h.until("the offline banner", func() bool { return h.app.main.banner.Visible() })
	test.Type(r.input, "written offline")
	test.Tap(r.send)
	h.until("the offline message", func() bool { return len(r.msgs) == 2 })
	if !r.msgs[1].Pending || !roomRowOf(r, 1).pending.Visible() {
		t.Errorf("offline message pending = %v, want a pending mark", r.msgs[1].Pending)
	}
	if roomRowOf(r, 0).pending.Visible() {
		t.Error("acknowledged message shows a pending mark")
	}

	// Back online: the mark goes once the server has it.
	w.online()
	h.until("the pending mark to clear", func() bool { return len(r.msgs) == 2 && !r.msgs[1].Pending })
	if roomRowOf(r, 1).pending.Visible() {
		t.Error("pending mark still drawn after the ack")
	}
	if h.app.main.banner.Visible() {
		t.Errorf("banner still shown online: %q", h.app.main.bannerText.Text)
	}
}

// makeGroup creates a group room of members (the first creates it) on the
// server, as another device would.
func makeGroup(t *testing.T, env *servertest.Env, title string, creator *servertest.User, others ...string) {
	t.Helper()
	c, err := env.Service.Authenticate(context.Background(), env.SignIn(creator.Email, creator.Password, creator.Profile.WorkspaceID).Token)
	if err != nil {
		t.Fatal(err)
	}
	req := protocol.CreateRoom{Kind: protocol.RoomGroup, Title: title, Members: others}
	if _, err := env.Service.Do(context.Background(), c, protocol.NewID(), protocol.OpRoomCreate, mustJSON(t, req)); err != nil {
		t.Fatalf("room.create: %v", err)
	}
}

// openProfileOf opens a coworker's profile from the org chart.
func openProfileOf(t *testing.T, h *harness, name string) *memberProfile {
	t.Helper()
	h.app.main.tabs.SelectIndex(1)
	org := h.app.main.org
	test.Type(org.search, strings.Fields(name)[0])
	var found []string
	at := -1
	for i, r := range org.members.rows {
		if r.person != nil {
			found, at = append(found, r.person.p.Name), i
		}
	}
	if len(found) != 1 || found[0] != name {
		t.Fatalf("search found %v, want %s", found, name)
	}
	org.members.list.Select(at)
	if h.app.memberWin == nil || h.app.memberWin.p.Name != name {
		t.Fatalf("no profile window for %s", name)
	}
	return h.app.memberWin
}

func TestRoomsInCommon(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	bob := w.env.CreateMember(w.ws.ID, "Bob Lee", map[string]string{"title": "Designer"})
	carol := w.env.CreateMember(w.ws.ID, "Carol Park", nil)
	makeGroup(t, w.env, "Launch", alice, bob.ID(), carol.ID())
	makeGroup(t, w.env, "Design review", bob, alice.ID())
	makeGroup(t, w.env, "Without Bob", alice, carol.ID())
	h := w.signedIn(t, alice)
	h.until("the rooms", func() bool { return len(h.app.state().Rooms) == 3 })

	m := openProfileOf(t, h, "Bob Lee")
	if !strings.Contains(m.fields.Text, "Designer") {
		t.Errorf("profile fields = %q, want the title", m.fields.Text)
	}
	tapButton(t, m.win.Content(), "Chat rooms together")
	h.until("the shared rooms", func() bool { return m.rooms != nil })
	var titles []string
	for _, r := range m.rooms {
		titles = append(titles, r.Title)
	}
	slices.Sort(titles)
	if want := []string{"Design review", "Launch"}; !slices.Equal(titles, want) {
		t.Errorf("rooms together = %v, want %v", titles, want)
	}
	if got := len(m.together.Objects); got != 2 {
		t.Errorf("room buttons = %d, want 2", got)
	}

	// [1:1 chat] opens our direct room.
	tapButton(t, m.win.Content(), "1:1 chat")
	want := protocol.DirectRoomID(alice.ID(), bob.ID())
	h.until("the 1:1 room", func() bool { return h.app.main.room != nil && h.app.main.room.roomID == want })
}

func TestCreateRoomWithMember(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	bob := w.env.CreateMember(w.ws.ID, "Bob Lee", nil)
	w.env.CreateMember(w.ws.ID, "Carol Park", nil)
	h := w.signedIn(t, alice)

	m := openProfileOf(t, h, "Bob Lee")
	tapButton(t, m.win.Content(), "Create a new chat room with this member")
	d := h.app.newRoom
	if d == nil {
		t.Fatal("no new room dialog")
	}
	if got := d.picks.Selected; len(got) != 1 || got[0] != "Bob Lee" {
		t.Errorf("preselected = %v, want Bob Lee", got)
	}
	d.title.SetText("Lunch plans")
	test.Tap(d.create)
	h.until("the new room to open", func() bool {
		return h.app.main.room != nil && h.app.main.room.title.Text == "Lunch plans"
	})
	roomID := h.app.main.room.roomID
	h.settled()
	// The server made the room with both of us.
	var found bool
	for _, r := range h.app.state().Rooms {
		if r.ID == roomID {
			found = true
			var ids []string
			for _, mem := range r.Members {
				ids = append(ids, mem.ID)
			}
			slices.Sort(ids)
			want := []string{alice.ID(), bob.ID()}
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Errorf("room members = %v, want %v", ids, want)
			}
		}
	}
	if !found {
		t.Fatalf("room %s not in my rooms", roomID)
	}
	common := memberRoomsInCommon(t, w.env, bob, alice.ID())
	if len(common) != 1 || common[0].Title != "Lunch plans" {
		t.Errorf("Bob's rooms with Alice on the server = %v, want Lunch plans", common)
	}
}

func memberRoomsInCommon(t *testing.T, env *servertest.Env, u *servertest.User, other string) []protocol.Room {
	t.Helper()
	c, err := env.Service.Authenticate(context.Background(), env.SignIn(u.Email, u.Password, u.Profile.WorkspaceID).Token)
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.Service.Do(context.Background(), c, protocol.NewID(), protocol.OpRoomsCommon, mustJSON(t, protocol.MemberRef{MemberID: other}))
	if err != nil {
		t.Fatalf("rooms.common: %v", err)
	}
	var list protocol.RoomList
	if err := json.Unmarshal(res, &list); err != nil {
		t.Fatal(err)
	}
	return list.Rooms
}

func TestLogOutWipesLocalData(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	other := w.env.CreateWorkspace("Other Co")
	alice2 := w.env.CreateMember(other.ID, "Alice at Other", nil)
	// A second workspace signed in on this device stays signed in.
	acct2, _, err := client.SignIn(context.Background(), w.opt, w.proxy.URL(), alice2.Email, alice2.Password, "")
	if err != nil {
		t.Fatal(err)
	}
	h := w.signedIn(t, alice)
	test.Tap(h.app.main.chats.selfBtn)
	h.until("my room", func() bool { return h.app.main.room != nil })
	h.settled()
	before := localFiles(t, w.opt.DataDir)
	if len(before) < 2 {
		t.Fatalf("local files before logout = %v, want the workspace's database", before)
	}
	token, err := w.secrets.Get(client.SecretService, w.proxy.URL()+"|"+alice.ID())
	if err != nil {
		t.Fatalf("token before logout: %v", err)
	}

	h.app.main.profile.onLogOutTapped()
	tapButton(t, topOverlay(h.app.win), "Log out")
	h.until("the other workspace to open", func() bool {
		return h.app.main != nil && h.app.state().Me.ID == alice2.ID()
	})
	accts, err := client.Accounts(w.opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 1 || accts[0].MemberID != acct2.MemberID {
		t.Errorf("accounts after logout = %+v, want only the other workspace", accts)
	}
	if _, err := w.secrets.Get(client.SecretService, w.proxy.URL()+"|"+alice.ID()); err == nil {
		t.Error("session token still stored after logout")
	}
	after := localFiles(t, w.opt.DataDir)
	for _, f := range before {
		if filepath.Base(f) != "accounts.json" && slices.Contains(after, f) {
			t.Errorf("local file %s of the logged-out workspace remains", f)
		}
	}
	// The server ended the session.
	if _, err := w.env.Service.Authenticate(context.Background(), token); protocol.ErrorCode(err) != protocol.EUnauthorized {
		t.Errorf("old token authenticates with error %v, want %s", err, protocol.EUnauthorized)
	}
}

// localFiles lists every file under dir.
func localFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestChangePicture(t *testing.T) {
	w := newWorld(t)
	u := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.signedIn(t, u)

	test.Tap(h.app.main.profile.edit)
	e := h.app.main.profile.editor
	e.usePictureFile([]byte("not a picture"))
	h.until("the picture problem", func() bool { return e.picErr.Text != "" })

	// A new file clears the old problem at once and shows progress while
	// it is prepared (a large photo takes seconds).
	e.usePictureFile(encodePNG(t, noisy(900, 600, false)))
	if e.picErr.Text != "" || !e.picBusy.Visible() {
		t.Errorf("while preparing: problem %q, progress shown %v; want no problem and progress", e.picErr.Text, e.picBusy.Visible())
	}
	h.until("the new picture", func() bool { return e.picture != nil && e.picErr.Text == "" })
	if e.picBusy.Visible() {
		t.Error("progress still shown after the picture was prepared")
	}
	test.Tap(e.save)
	h.until("the edit window to close", func() bool { return h.app.main.profile.editor == nil })
	h.until("the acknowledged picture", func() bool {
		st := h.app.state()
		return st.Me.PictureID != "" && !st.ProfilePending && st.Pending == 0
	})
	// The panel fetches and shows it.
	h.until("the picture in the panel", func() bool { return h.app.main.profile.pic.pic != nil })
	if id := memberOnServer(t, w.env, u).PictureID; id != h.app.state().Me.PictureID {
		t.Errorf("server picture id = %q, want %q", id, h.app.state().Me.PictureID)
	}
}

func TestEscClosesDialogs(t *testing.T) {
	w := newWorld(t)
	u := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.signedIn(t, u)
	esc := func(win fyne.Window) {
		win.Canvas().(test.WindowlessCanvas).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	}

	test.Tap(h.app.main.profile.pic)
	if topOverlay(h.app.win) == nil {
		t.Fatal("my profile detail did not open")
	}
	esc(h.app.win)
	if o := topOverlay(h.app.win); o != nil && o.Visible() {
		t.Error("Esc left my profile detail open")
	}

	test.Tap(h.app.main.profile.edit)
	e := h.app.main.profile.editor
	esc(e.win)
	if h.app.main.profile.editor != nil {
		t.Error("Esc left the profile settings window open")
	}
}

func TestSwitchWorkspace(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	other := w.env.CreateWorkspace("Other Co")
	alice2 := w.env.CreateMember(other.ID, "Alice at Other", nil)
	if _, _, err := client.SignIn(context.Background(), w.opt, w.proxy.URL(), alice2.Email, alice2.Password, ""); err != nil {
		t.Fatal(err)
	}
	h := w.signedIn(t, alice)
	h.until("the switcher", func() bool { return findButton(h.app.main.more.accounts, "Switch") != nil })
	test.Tap(findButton(h.app.main.more.accounts, "Switch"))
	h.until("the other workspace", func() bool {
		st := h.app.state()
		return h.app.main != nil && st.Me.ID == alice2.ID() && st.Conn.Online
	})
	if got := h.app.win.Title(); got != "Other Co - Worktalk" {
		t.Errorf("window title = %q, want %q", got, "Other Co - Worktalk")
	}
}

// A room with more history than a snapshot carries pages back through the
// server with "Show earlier messages".
func TestLongHistory(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	bob := w.env.CreateMember(w.ws.ID, "Bob Lee", nil)
	const total = 450
	ctx := context.Background()
	c, err := w.env.Service.Authenticate(ctx, w.env.SignIn(bob.Email, bob.Password, w.ws.ID).Token)
	if err != nil {
		t.Fatal(err)
	}
	room := protocol.DirectRoomID(alice.ID(), bob.ID())
	if _, err := w.env.Service.Do(ctx, c, protocol.NewID(), protocol.OpRoomCreate, mustJSON(t, protocol.CreateRoom{Kind: protocol.RoomDirect, Members: []string{alice.ID()}})); err != nil {
		t.Fatalf("room.create: %v", err)
	}
	for i := range total {
		msg := protocol.SendMessage{RoomID: room, Text: fmt.Sprintf("message %d", i+1)}
		if _, err := w.env.Service.Do(ctx, c, protocol.NewID(), protocol.OpMessageSend, mustJSON(t, msg)); err != nil {
			t.Fatalf("message.send %d: %v", i+1, err)
		}
	}
	h := w.signedIn(t, alice)
	h.app.main.openRoom(room)
	r := h.app.main.room
	h.until("the room", func() bool { return r.loaded })
	if got := len(r.msgs); got != protocol.SnapshotMessagesPerRoom {
		t.Fatalf("messages shown = %d, want the snapshot's %d", got, protocol.SnapshotMessagesPerRoom)
	}
	for page := 0; r.earlier(); page++ {
		if page > 5 {
			t.Fatal("Show earlier messages never went away")
		}
		if !roomRowOf(r, -1).earlier.Visible() {
			t.Fatal("first row is not Show earlier messages")
		}
		n := len(r.msgs)
		r.onEarlierTapped()
		h.until("an earlier page", func() bool { return !r.loading })
		if len(r.msgs) < n {
			t.Fatalf("messages went from %d to %d", n, len(r.msgs))
		}
	}
	if got := len(r.msgs); got != total {
		t.Fatalf("messages after paging = %d, want %d", got, total)
	}
	if r.msgs[0].Text != "message 1" || r.msgs[total-1].Text != fmt.Sprintf("message %d", total) {
		t.Errorf("history runs %q .. %q, want message 1 .. message %d", r.msgs[0].Text, r.msgs[total-1].Text, total)
	}
}

// A damaged accounts.json is said on the sign-in screen, not shown as an
// empty list of workspaces.
func TestDamagedAccountsFile(t *testing.T) {
	w := newWorld(t)
	if err := os.WriteFile(filepath.Join(w.opt.DataDir, "accounts.json"), []byte(`{"accounts": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	h := w.start(t, nil)
	h.until("the sign-in screen with an error", func() bool { return h.app.signIn != nil && h.app.signIn.errText.Visible() })
	if got, want := h.app.signIn.errText.Text, "The list of workspaces signed in on this computer (accounts.json in the data folder) is damaged. Move that file away and sign in again."; got != want {
		t.Errorf("sign-in message = %q, want %q", got, want)
	}
}

// Signed out elsewhere: the app says so and goes back to the sign-in screen.
func TestRevokedSession(t *testing.T) {
	w := newWorld(t)
	u := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	h := w.signedIn(t, u)
	token, err := w.secrets.Get(client.SecretService, w.proxy.URL()+"|"+u.ID())
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.env.Service.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.env.Service.SignOut(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	h.until("the sign-in screen", func() bool { return h.app.signIn != nil && h.app.main == nil })
	if got, want := h.app.signIn.errText.Text, "You were signed out of this workspace. Please sign in again."; got != want {
		t.Errorf("sign-in message = %q, want %q", got, want)
	}
	if s := h.app.signIn; s.server.Text != w.proxy.URL() || s.email.Text != u.Email {
		t.Errorf("sign-in fields = %q, %q; want the server and e-mail of the ended session", s.server.Text, s.email.Text)
	}
}
