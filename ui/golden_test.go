package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// The golden images are drawn from a fixed state (a recorded engine), so
// that names, times and order never change; the flows are tested through
// the real engine in flows_test.go.

// setLanguage switches the UI language for one test.
func setLanguage(t testing.TB, tag string) {
	t.Helper()
	t.Cleanup(func() {
		if err := LoadTranslations(); err != nil {
			t.Error(err)
		}
	})
	locale := map[string]string{"en": "en_US.UTF-8", "ko": "ko_KR.UTF-8"}[tag]
	t.Setenv("LC_ALL", locale)
	t.Setenv("LANGUAGE", tag)
	if err := LoadTranslations(); err != nil {
		t.Fatal(err)
	}
}

// recordedEngine answers with a fixed state and history.
type recordedEngine struct {
	st   client.State
	msgs map[string][]client.Message
	// links, when set, are my profile links; otherwise asking for them
	// fails as offline.
	links *recordedLinks
}

// recordedLinks are the profile links the recorded engine hands out.
type recordedLinks struct {
	once, qr protocol.ProfileLink
	live     []protocol.LiveLink
	preview  protocol.LinkPreview // what any link shows
}

func (e *recordedEngine) Account() client.Account { return e.st.Account }
func (e *recordedEngine) State() client.State     { return e.st }
func (e *recordedEngine) Watch(ctx context.Context) <-chan client.State {
	ch := make(chan client.State, 1)
	ch <- e.st
	go func() {
		<-ctx.Done()
		close(ch)
	}()
	return ch
}
func (e *recordedEngine) Messages(roomID string, _ int64, _ int) ([]client.Message, error) {
	return e.msgs[roomID], nil
}
func (e *recordedEngine) LoadOlder(context.Context, string, int) (int, error) { return 0, nil }
func (e *recordedEngine) Picture(context.Context, string) ([]byte, error) {
	return nil, protocol.Errorf(protocol.ENotFound, "no picture")
}
func (e *recordedEngine) MarkRead(context.Context, string) error { return nil }
func (e *recordedEngine) Thumbnail(context.Context, string) ([]byte, error) {
	return nil, protocol.Errorf(protocol.ENotFound, "no picture")
}
func (e *recordedEngine) UpdateProfile(context.Context, protocol.ProfileUpdate) error { return nil }
func (e *recordedEngine) SendMessage(_ context.Context, roomID, text string) (client.Message, error) {
	return client.Message{}, protocol.Errorf(protocol.EForbidden, "recorded")
}
func (e *recordedEngine) OpenSelfRoom(context.Context) (string, error) {
	return protocol.SelfRoomID(e.st.Me.ID), nil
}
func (e *recordedEngine) OpenDirectRoom(_ context.Context, id string) (string, error) {
	return protocol.DirectRoomID(e.st.Me.ID, id), nil
}
func (e *recordedEngine) CreateGroupRoom(context.Context, string, []string) (string, error) {
	return "", protocol.Errorf(protocol.EForbidden, "recorded")
}
func (e *recordedEngine) DismissNotice(string) {}
func (e *recordedEngine) Member(_ context.Context, id string) (protocol.Profile, error) {
	if p, ok := findProfile(e.st, id); ok {
		return p, nil
	}
	return protocol.Profile{}, protocol.Errorf(protocol.ENotFound, "no member")
}
func (e *recordedEngine) RoomsInCommon(context.Context, string) ([]protocol.Room, error) {
	return nil, nil
}
func (e *recordedEngine) OneTimeLink(context.Context) (protocol.ProfileLink, error) {
	if e.links != nil {
		return e.links.once, nil
	}
	return protocol.ProfileLink{}, protocol.Errorf(protocol.EOffline, "recorded")
}
func (e *recordedEngine) QRLink(context.Context) (protocol.ProfileLink, error) {
	if e.links != nil {
		return e.links.qr, nil
	}
	return protocol.ProfileLink{}, protocol.Errorf(protocol.EOffline, "recorded")
}
func (e *recordedEngine) ResetQRLink(context.Context) (protocol.ProfileLink, error) {
	return protocol.ProfileLink{}, protocol.Errorf(protocol.EOffline, "recorded")
}
func (e *recordedEngine) LiveLinks(context.Context) ([]protocol.LiveLink, error) {
	if e.links != nil {
		return e.links.live, nil
	}
	return nil, protocol.Errorf(protocol.EOffline, "recorded")
}
func (e *recordedEngine) RevokeLink(context.Context, string) error {
	return protocol.Errorf(protocol.EOffline, "recorded")
}
func (e *recordedEngine) RevokeAllLinks(context.Context) (protocol.ProfileLink, error) {
	return protocol.ProfileLink{}, protocol.Errorf(protocol.EOffline, "recorded")
}
func (e *recordedEngine) ViewLink(context.Context, string) (protocol.LinkPreview, error) {
	if e.links != nil {
		return e.links.preview, nil
	}
	return protocol.LinkPreview{}, protocol.Errorf(protocol.EOffline, "recorded")
}
func (e *recordedEngine) AddExternalByLink(context.Context, string) (protocol.Profile, error) {
	return protocol.Profile{}, protocol.Errorf(protocol.EOffline, "recorded")
}
func (e *recordedEngine) AddExternalBack(context.Context, string) error {
	return protocol.Errorf(protocol.EOffline, "recorded")
}
func (e *recordedEngine) Block(context.Context, string) error {
	return protocol.Errorf(protocol.EOffline, "recorded")
}
func (e *recordedEngine) Unblock(context.Context, string) error {
	return protocol.Errorf(protocol.EOffline, "recorded")
}
func (e *recordedEngine) LogOut(context.Context) error { return nil }
func (e *recordedEngine) Close() error                 { return nil }

// recordedAccounts opens the recorded engine.
type recordedAccounts struct{ eng *recordedEngine }

func (r recordedAccounts) SignIn(context.Context, string, string, string, string) (client.Account, []protocol.WorkspaceChoice, error) {
	return r.eng.st.Account, nil, nil
}
func (r recordedAccounts) List() ([]client.Account, error) {
	return []client.Account{r.eng.st.Account}, nil
}
func (r recordedAccounts) Open(context.Context, client.Account) (Engine, error) {
	return r.eng, nil
}
func (r recordedAccounts) RetrySignOuts(context.Context) (int, error) { return 0, nil }

// goldenClock is the recorded "now": 2025-03-14 15:00 in Seoul.
var goldenZone = time.FixedZone("KST", 9*3600)
var goldenNow = time.Date(2025, 3, 14, 15, 0, 0, 0, goldenZone)

func ms(h, m int) int64 {
	return time.Date(2025, 3, 14, h, m, 0, 0, goldenZone).UnixMilli()
}

func recordedWorld() *recordedEngine {
	settings := protocol.WorkspaceSettings{
		Fields: []protocol.FieldDef{
			{Key: "title", Label: "Title", LabelKo: "직함", Kind: protocol.FieldText, Visible: true, Editable: true, MaxLen: 40},
			{Key: "department", Label: "Department", LabelKo: "부서", Kind: protocol.FieldText, Visible: true, Editable: true, MaxLen: 60},
			{Key: "phone", Label: "Phone", LabelKo: "전화번호", Kind: protocol.FieldPhone, Visible: true, Editable: true, MaxLen: 24},
			{Key: "email", Label: "E-mail", LabelKo: "이메일", Kind: protocol.FieldEmail, Visible: true, Editable: false},
			{Key: "employee_no", Label: "Employee number", LabelKo: "사번", Kind: protocol.FieldText, Visible: false},
		},
		NameEditable: true, PictureEditable: true, ExternalChat: true,
	}
	ws := protocol.Workspace{ID: "ws1", Name: "한빛소프트", Settings: settings}
	me := protocol.Profile{ID: "m1", WorkspaceID: "ws1", WorkspaceName: ws.Name, Name: "김서연",
		Fields: map[string]string{"title": "Product Designer", "department": "디자인팀", "phone": "+82 10-2345-6789", "email": "seoyeon@hanbit.example"}}
	member := func(id, name, title string) protocol.Profile {
		return protocol.Profile{ID: id, WorkspaceID: "ws1", WorkspaceName: ws.Name, Name: name, Fields: map[string]string{"title": title}}
	}
	members := []protocol.Profile{member("m2", "Daniel Lee", "Sales Manager"), member("m3", "박지훈", "대표이사"), member("m4", "최유나", "개발팀장")}
	rm := func(p protocol.Profile) protocol.RoomMember {
		return protocol.RoomMember{ID: p.ID, Name: p.Name, WorkspaceID: p.WorkspaceID, WorkspaceName: p.WorkspaceName}
	}
	self := protocol.SelfRoomID("m1")
	group := "g1"
	dm := protocol.DirectRoomID("m1", "m4")
	text := func(room, id, sender, body string, at int64, pending bool) client.Message {
		return client.Message{Message: protocol.Message{ID: id, RoomID: room, SenderID: sender, Kind: protocol.MessageText, Text: body, SentAt: at}, Pending: pending}
	}
	msgs := map[string][]client.Message{
		self: {
			text(self, "s1", "m1", "Launch checklist: icons, release notes, 스크린샷 교체", ms(9, 12), false),
			text(self, "s2", "m1", "회의실 예약 확인하기\nBook the room for Friday", ms(9, 13), false),
			text(self, "s3", "m1", "오프라인에서 쓴 메모", ms(14, 58), true),
		},
		group: {
			text(group, "g1a", "m3", "이번 주 금요일 회식 있습니다.", ms(10, 2), false),
			text(group, "g1b", "m2", "Sounds good!", ms(10, 5), false),
		},
		dm: {text(dm, "d1", "m4", "새 버전 배포 완료했습니다.", ms(13, 40), false)},
	}
	last := func(room string) *client.Message {
		l := msgs[room]
		return &l[len(l)-1]
	}
	st := client.State{
		Account:   client.Account{ServerURL: "https://talk.hanbit.example", MemberID: "m1", WorkspaceID: "ws1", WorkspaceName: ws.Name, Email: "seoyeon@hanbit.example", Name: me.Name},
		Me:        me,
		Workspace: ws,
		Members:   members,
		Rooms: []client.RoomSummary{
			{Room: protocol.Room{ID: self, Kind: protocol.RoomSelf, Members: []protocol.RoomMember{rm(me)}}, DisplayTitle: me.Name, Last: last(self)},
			{Room: protocol.Room{ID: dm, Kind: protocol.RoomDirect, Members: []protocol.RoomMember{rm(me), rm(members[2])}}, DisplayTitle: "최유나", Last: last(dm)},
			{Room: protocol.Room{ID: group, Kind: protocol.RoomGroup, Title: "한빛 전체방", Members: []protocol.RoomMember{rm(me), rm(members[0]), rm(members[1]), rm(members[2])}}, DisplayTitle: "한빛 전체방", Last: last(group)},
		},
		Conn:        client.ConnState{Online: true},
		Pending:     1,
		RoomVersion: map[string]uint64{self: 1, group: 1, dm: 1},
	}
	return &recordedEngine{st: st, msgs: msgs}
}

// goldenApp starts the app on the recorded world in a fixed-size window.
func goldenApp(t *testing.T, lang string) (*App, *loop) {
	t.Helper()
	a, l := startRecorded(t, lang, recordedWorld(), fyne.NewSize(960, 640))
	l.until(t, "the main screen", func() bool { return a.main != nil && a.state().Me.ID == "m1" })
	return a, l
}

// startRecorded starts the app on eng at the recorded time with its main
// window at size, in the app's own theme; opts change its Config.
func startRecorded(t *testing.T, lang string, eng *recordedEngine, size fyne.Size, opts ...func(*Config)) (*App, *loop) {
	t.Helper()
	setLanguage(t, lang)
	fa := test.NewTempApp(t)
	th, err := NewTheme()
	if err != nil {
		t.Fatal(err)
	}
	fa.Settings().SetTheme(th)
	l := newLoop()
	cfg := Config{Accounts: recordedAccounts{eng}}
	for _, o := range opts {
		o(&cfg)
	}
	a := newApp(fa, cfg, l.post)
	a.now, a.loc = func() time.Time { return goldenNow }, goldenZone
	quit := false
	a.quit = func() { quit = true }
	t.Cleanup(func() {
		a.Quit()
		l.until(t, "quit", func() bool { return quit })
	})
	a.win.Resize(size)
	a.Start()
	return a, l
}

func TestGoldenImages(t *testing.T) {
	for _, lang := range []string{"en", "ko"} {
		t.Run(lang, func(t *testing.T) {
			t.Run("main", func(t *testing.T) {
				a, l := goldenApp(t, lang)
				test.Tap(a.main.chats.selfBtn)
				l.until(t, "my room", func() bool { return a.main.room != nil && a.main.room.loaded })
				test.AssertImageMatches(t, "main_"+lang+".png", a.win.Canvas().Capture())
			})
			t.Run("edit", func(t *testing.T) {
				a, l := goldenApp(t, lang)
				test.Tap(a.main.profile.edit)
				e := a.main.profile.editor
				e.win.Resize(fyne.NewSize(480, 560))
				e.inputs["phone"].SetText("010 call me")
				l.drain()
				test.AssertImageMatches(t, "edit_"+lang+".png", e.win.Canvas().Capture())
			})
			t.Run("detail", func(t *testing.T) {
				a, l := goldenApp(t, lang)
				test.Tap(a.main.profile.pic)
				l.drain()
				test.AssertImageMatches(t, "detail_"+lang+".png", a.win.Canvas().Capture())
			})
		})
	}
}
