package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/internal/fakeorg"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/service"
)

func person(id, name, dept string, departed bool) protocol.Profile {
	p := protocol.Profile{ID: id, Name: name, Departed: departed}
	if dept != "" {
		p.Fields = map[string]string{deptField: dept}
	}
	return p
}

// rowText is a row as a short string: "+name n" for an open department,
// "-name n" for a closed one, "  name" for a person, indented two spaces
// a level.
func rowText(rows []orgRow) []string {
	var out []string
	for _, r := range rows {
		pad := strings.Repeat("  ", r.depth)
		switch {
		case r.dept != nil && r.open:
			out = append(out, fmt.Sprintf("%s+%s %d", pad, r.dept.name, r.count))
		case r.dept != nil:
			out = append(out, fmt.Sprintf("%s-%s %d", pad, r.dept.name, r.count))
		default:
			out = append(out, pad+r.person.p.Name)
		}
	}
	return out
}

func TestOrgTree(t *testing.T) {
	members := []protocol.Profile{
		person("1", "김민준", "개발본부/플랫폼실/백엔드팀", false),
		person("2", "Ann Lee", "개발본부 / 플랫폼실 / 백엔드팀", false), // spaces around the slashes
		person("3", "박지호", "개발본부/플랫폼실", false),
		person("4", "Old Timer", "개발본부/플랫폼실/백엔드팀", true),
		person("5", "이서연", "경영지원본부>인사팀", false),
		person("6", "No Dept", "", false),
	}
	me := person("me", "Zoe Kim", "개발본부/플랫폼실/백엔드팀", false)
	tree := buildOrgTree(members, me)

	closed := rowText(tree.rows(map[string]bool{}, ""))
	if want := []string{"-개발본부 4", "-경영지원본부 1", "-No Dept 1"}; !slices.Equal(closed[:2], want[:2]) || len(closed) != 3 {
		t.Errorf("closed chart = %q, want the two divisions and no department", closed)
	}
	open := map[string]bool{"개발본부": true, "개발본부/플랫폼실": true, "개발본부/플랫폼실/백엔드팀": true}
	got := rowText(tree.rows(open, ""))
	want := []string{
		"+개발본부 4",
		"  +플랫폼실 4",
		"    박지호",
		"    +백엔드팀 3",
		"      Ann Lee",
		"      Zoe Kim",
		"      김민준",
		"      Old Timer", // the departed come last and do not count
		"-경영지원본부 1",
		"- 1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("open chart =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	found := rowText(tree.rows(map[string]bool{}, "kim"))
	if want := []string{"+개발본부 1", "  +플랫폼실 1", "    +백엔드팀 1", "      Zoe Kim"}; !slices.Equal(found, want) {
		t.Errorf("search kim = %q, want %q (open whatever the open map says)", found, want)
	}
	byDept := rowText(tree.rows(nil, "인사"))
	if want := []string{"+경영지원본부 1", "  +인사팀 1", "    이서연"}; !slices.Equal(byDept, want) {
		t.Errorf("search by department = %q, want %q", byDept, want)
	}
	if rows := tree.rows(nil, "nobody at all"); len(rows) != 0 {
		t.Errorf("a search that finds nobody shows %q", rowText(rows))
	}
}

// TestOrgChartTree: the chart opens on my own department, a department
// opens on a tap, a departed member shows as such, and a new search finds
// people across the tree and starts at the top.
func TestOrgChartTree(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", map[string]string{"department": "QA Guild/Test Lab", "title": "Engineer"})
	w.env.CreateMember(w.ws.ID, "Carol Lee", map[string]string{"department": "QA Guild/Test Lab", "title": "Designer"})
	gone := w.env.CreateMember(w.ws.ID, "Bob Gone", map[string]string{"department": "QA Guild/Test Lab"})
	for _, p := range fakeorg.Generate(150, "acme.example", 3) {
		w.env.CreateMember(w.ws.ID, p.Name, map[string]string{"department": p.Department, "title": p.Title})
	}
	if _, _, err := w.env.Service.DisableMember(t.Context(), w.ws.ID, gone.Email); err != nil {
		t.Fatal(err)
	}
	h := w.signedIn(t, alice)
	h.app.win.Resize(fyne.NewSize(1280, 800))
	h.app.main.tabs.SelectIndex(1)
	org := h.app.main.org.members
	h.until("the chart", func() bool { return len(org.rows) > 0 })

	text := rowText(org.rows)
	if !slices.Contains(text, "+QA Guild 2") || !slices.Contains(text, "  +Test Lab 2") { // Bob does not count
		t.Fatalf("chart opens as\n%s\nwant Alice's QA Guild/Test Lab open", strings.Join(text, "\n"))
	}
	for _, want := range []string{"    Alice Kim", "    Carol Lee", "    Bob Gone"} {
		if !slices.Contains(text, want) {
			t.Errorf("open department lacks %q:\n%s", want, strings.Join(text, "\n"))
		}
	}
	if s := memberSubtitle(h.app.state(), findRow(t, org, "Bob Gone").person.p); s != "Left the company" {
		t.Errorf("Bob's subtitle = %q, want Left the company", s)
	}

	// A closed department opens on a tap.
	closed := slices.IndexFunc(org.rows, func(r orgRow) bool { return r.dept != nil && !r.open })
	name := org.rows[closed].dept.name
	before := len(org.rows)
	org.list.Select(closed)
	if !org.rows[closed].open || len(org.rows) <= before {
		t.Errorf("tapping %s: open %v, %d rows (was %d)", name, org.rows[closed].open, len(org.rows), before)
	}

	// Scrolled down, a new search starts at the top and finds across the tree.
	org.list.ScrollToOffset(400)
	if org.list.GetScrollOffset() == 0 {
		t.Fatal("the chart did not scroll")
	}
	test.Type(h.app.main.org.search, "lee")
	if off := org.list.GetScrollOffset(); off != 0 {
		t.Errorf("after a new search the chart is at %v, want the top", off)
	}
	if r := findRow(t, org, "Carol Lee"); r.depth != 2 {
		t.Errorf("Carol found at depth %d, want under QA Guild/Test Lab", r.depth)
	}
	for _, r := range org.rows {
		if r.person != nil && !strings.Contains(strings.ToLower(r.person.p.Name+r.person.p.Fields["department"]), "lee") {
			t.Errorf("search lee shows %s", r.person.p.Name)
		}
	}
}

func findRow(t *testing.T, l *orgList, name string) orgRow {
	t.Helper()
	for _, r := range l.rows {
		if r.person != nil && r.person.p.Name == name {
			return r
		}
	}
	t.Fatalf("no row for %s", name)
	return orgRow{}
}

// BenchmarkOrgChart10k: the org chart of a workspace of 10,000 (nested
// departments, Korean and English names), through the real engine. open
// is choosing the Org chart tab with the tree not built yet, until the
// rows on screen are laid out and filled (the engine's state into the
// tree, the tree into rows, the visible rows' widgets); search is one more
// query typed until the chart is laid out again. Painting is left out: the
// test driver paints the whole window with a software rasterizer (capture
// reports how long that takes), where the real driver uses the GPU.
func BenchmarkOrgChart10k(b *testing.B) {
	w := newWorld(b)
	people := fakeorg.Generate(10_000, "acme.example", 1)
	rows := make([]service.ImportRow, 0, len(people))
	for i, p := range people[1:] {
		rows = append(rows, service.ImportRow{Line: i + 2, Email: p.Email, Name: p.Name,
			Fields: map[string]string{"title": p.Title, "department": p.Department, "phone": p.Phone}})
	}
	if _, err := w.env.Service.ImportMembers(b.Context(), w.ws.ID, rows, 0, "bench"); err != nil {
		b.Fatal(err)
	}
	me := w.env.CreateMember(w.ws.ID, people[0].Name, map[string]string{"department": people[0].Department})
	h := w.signedIn(b, me)
	h.until("every member", func() bool { return len(h.app.state().Members) == len(people)-1 })
	h.app.win.Resize(fyne.NewSize(1280, 800))
	canvas := h.app.win.Canvas()
	org := h.app.main.org

	var open, search, paint []time.Duration
	queries := []string{"김", "김민", "james", "플랫폼", "smith"}
	for i := 0; b.Loop(); i++ {
		h.app.main.tabs.SelectIndex(0)
		org.search.SetText("")
		org.members.tree = nil // a first opening: the tree is built anew
		canvas.Capture()
		start := time.Now()
		h.app.main.tabs.SelectIndex(1)
		org.apply(h.app.state())
		open = append(open, time.Since(start))
		start = time.Now()
		canvas.Capture()
		paint = append(paint, time.Since(start))

		q := queries[i%len(queries)]
		start = time.Now()
		org.search.SetText(q)
		search = append(search, time.Since(start))
		if len(org.members.rows) == 0 {
			b.Fatalf("search %q found nobody", q)
		}
		canvas.Capture()
	}
	report := func(d []time.Duration, name string) {
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, name+"-p50-ms")
		b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, name+"-p99-ms")
	}
	report(open, "open")
	report(search, "search")
	report(paint, "capture")
}

// BenchmarkOrgTree10k: the tree of 10,000 members (build) and its rows
// for a search (rows), without widgets.
func BenchmarkOrgTree10k(b *testing.B) {
	people := fakeorg.Generate(10_000, "acme.example", 1)
	members := make([]protocol.Profile, len(people))
	for i, p := range people {
		members[i] = person(fmt.Sprint(i), p.Name, p.Department, false)
	}
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			buildOrgTree(members, protocol.Profile{})
		}
	})
	tree := buildOrgTree(members, protocol.Profile{})
	b.Run("rows", func(b *testing.B) {
		for b.Loop() {
			tree.rows(nil, "김")
		}
	})
}

// BenchmarkSignInToOrgChart10k: a fresh device of a member of a workspace
// of 10,000, from pressing Sign in (the test server's cheap password
// hashing) until the org chart shows the workspace's departments
// with every member counted: sign-in, the snapshot's pages, the local
// store, the state and the chart's rows, through the real server, engine
// and app (Fyne's test driver; painting left out).
func BenchmarkSignInToOrgChart10k(b *testing.B) {
	w := newWorld(b)
	people := fakeorg.Generate(10_000, "acme.example", 1)
	rows := make([]service.ImportRow, 0, len(people))
	for i, p := range people[1:] {
		rows = append(rows, service.ImportRow{Line: i + 2, Email: p.Email, Name: p.Name,
			Fields: map[string]string{"title": p.Title, "department": p.Department, "phone": p.Phone}})
	}
	if _, err := w.env.Service.ImportMembers(b.Context(), w.ws.ID, rows, 0, "bench"); err != nil {
		b.Fatal(err)
	}
	me := w.env.CreateMember(w.ws.ID, people[0].Name, map[string]string{"department": people[0].Department})
	var lat []time.Duration
	for b.Loop() {
		w.opt.DataDir = b.TempDir() // a fresh device
		start := time.Now()
		acct, _, err := client.SignIn(b.Context(), w.opt, w.proxy.URL(), me.Email, me.Password, "")
		if err != nil {
			b.Fatal(err)
		}
		h := w.start(b, &acct)
		h.until("the main screen", func() bool { return h.app.main != nil })
		h.app.main.tabs.SelectIndex(1)
		org := h.app.main.org.members
		h.until("the org chart", func() bool {
			total := 0
			for _, r := range org.rows {
				if r.dept != nil && r.depth == 0 {
					total += r.count
				}
			}
			return total == len(people)
		})
		lat = append(lat, time.Since(start))
		b.StopTimer()
		h.shutdown()
		b.StartTimer()
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// TestDepartedInRooms: a member who left keeps their messages in a group,
// under their name marked as left, and their profile offers no chat.
func TestDepartedInRooms(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
	bob := w.env.CreateMember(w.ws.ID, "Bob Lee", nil)
	makeGroup(t, w.env, "Launch", bob, alice.ID())
	h := w.signedIn(t, alice)
	var room string
	h.until("the group", func() bool {
		for _, r := range h.app.state().Rooms {
			if r.Title == "Launch" {
				room = r.ID
			}
		}
		return room != ""
	})
	if _, _, err := w.env.Service.DisableMember(t.Context(), w.ws.ID, bob.Email); err != nil {
		t.Fatal(err)
	}
	h.until("Bob departed", func() bool {
		st := h.app.state()
		return len(st.Members) == 1 && st.Members[0].Departed
	})
	h.app.main.openRoom(room)
	if got := h.app.main.room.senderName(bob.ID()); got != "Bob Lee (left)" {
		t.Errorf("sender name = %q, want Bob Lee (left)", got)
	}
	p := openMemberProfile(h.app, h.app.state().Members[0])
	if !p.chat.Disabled() || !p.create.Disabled() || p.sub.Text != "Left the company" {
		t.Errorf("profile of a member who left: chat disabled %v, create disabled %v, %q", p.chat.Disabled(), p.create.Disabled(), p.sub.Text)
	}
}
