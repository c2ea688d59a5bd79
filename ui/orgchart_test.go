package ui

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

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

// TestOrgTreeUpdate: a tree changed one member at a time shows what a
// tree built anew from the same members shows, whatever the changes:
// renames, moves between departments (new ones among them), departures,
// members leaving and coming.
func TestOrgTreeUpdate(t *testing.T) {
	depts := []string{"개발본부/플랫폼실/백엔드팀", "개발본부/플랫폼실", "개발본부 > 모바일팀", "경영지원본부/인사팀", "Sales/EMEA", "", "New/Unit/Deep"}
	rnd := rand.New(rand.NewPCG(1, 2))
	var members []protocol.Profile
	for i := range 60 {
		members = append(members, person(fmt.Sprint(i), fmt.Sprintf("%c%d", 'A'+rune(i%7), i), depts[i%5], i%11 == 0))
	}
	me := person("me", "Me Myself", depts[0], false)
	tree := buildOrgTree(members, me)
	all := func(tr *orgTree) map[string]bool {
		open := map[string]bool{}
		for path := range tr.byPath {
			open[path] = true
		}
		return open
	}
	for step := range 400 {
		i := rnd.IntN(len(members) + 1)
		switch k := rnd.IntN(5); {
		case i == len(members): // a newcomer
			p := person(fmt.Sprint("n", step), fmt.Sprint("Newcomer ", step), depts[rnd.IntN(len(depts))], false)
			members = append(members, p)
			tree.update(p.ID, p, false, false)
		case k == 0: // gone
			id := members[i].ID
			members = slices.Delete(members, i, i+1)
			tree.update(id, protocol.Profile{}, false, true)
		default:
			p := members[i]
			p.Fields = map[string]string{deptField: depts[rnd.IntN(len(depts))]}
			p.Departed = k == 1
			if k == 2 {
				p.Name = fmt.Sprint("Renamed ", step)
			}
			members[i] = p
			tree.update(p.ID, p, false, false)
		}
		if step%3 == 0 {
			me.Name = fmt.Sprint("Me ", step)
			me.Fields = map[string]string{deptField: depts[rnd.IntN(len(depts))]}
			tree.update(me.ID, me, true, false)
		}
		fresh := buildOrgTree(members, me)
		for _, q := range []string{"", "e", "플랫폼", "renamed"} {
			got, want := rowText(tree.rows(all(tree), q)), rowText(fresh.rows(all(fresh), q))
			if !slices.Equal(got, want) {
				t.Fatalf("step %d, query %q: updated tree\n%s\nwant\n%s", step, q, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
		if len(tree.byPath) != len(fresh.byPath) || len(tree.where) != len(fresh.where) {
			t.Fatalf("step %d: %d departments and %d people indexed, want %d and %d", step, len(tree.byPath), len(tree.where), len(fresh.byPath), len(fresh.where))
		}
	}
}

// TestOrgChartMemberChanges: a coworker's rename, departure and move to
// another department reach the chart through the engine and change their
// row in place: the tree is not built again.
func TestOrgChartMemberChanges(t *testing.T) {
	w := newWorld(t)
	alice := w.env.CreateMember(w.ws.ID, "Alice Kim", map[string]string{"department": "QA Guild/Test Lab"})
	bob := w.env.NewUser(w.ws.ID, "Bob Lee")
	carol := w.env.CreateMember(w.ws.ID, "Carol Park", map[string]string{"department": "QA Guild/Test Lab"})
	for _, p := range fakeorg.Generate(150, "acme.example", 3) {
		w.env.CreateMember(w.ws.ID, p.Name, map[string]string{"department": p.Department, "title": p.Title})
	}
	h := w.signedIn(t, alice)
	h.app.win.Resize(fyne.NewSize(1280, 800))
	h.app.main.tabs.SelectIndex(1)
	org := h.app.main.org.members
	h.until("the chart", func() bool { return slices.Contains(rowText(org.rows), "  +Test Lab 2") })
	tree := org.tree

	bc, err := w.env.Service.Authenticate(t.Context(), bob.Token)
	if err != nil {
		t.Fatal(err)
	}
	moved := "Bob Moved"
	if _, err := w.env.Service.Do(t.Context(), bc, protocol.NewID(), protocol.OpProfileUpdate,
		mustJSON(t, protocol.ProfileUpdate{Name: &moved, Fields: map[string]string{"department": "QA Guild/Test Lab"}})); err != nil {
		t.Fatal(err)
	}
	h.until("Bob in Test Lab", func() bool { return slices.Contains(rowText(org.rows), "    Bob Moved") })
	if want := []string{"  +Test Lab 3", "    Alice Kim", "    Bob Moved", "    Carol Park"}; !containsRun(rowText(org.rows), want) {
		t.Errorf("after Bob's move:\n%s\nwant %q in a row", strings.Join(rowText(org.rows), "\n"), want)
	}

	if _, _, err := w.env.Service.DisableMember(t.Context(), w.ws.ID, carol.Email); err != nil {
		t.Fatal(err)
	}
	h.until("Carol departed", func() bool { return slices.Contains(rowText(org.rows), "  +Test Lab 2") })
	if want := []string{"  +Test Lab 2", "    Alice Kim", "    Bob Moved", "    Carol Park"}; !containsRun(rowText(org.rows), want) {
		t.Errorf("after Carol left:\n%s\nwant %q in a row", strings.Join(rowText(org.rows), "\n"), want)
	}
	if org.tree != tree {
		t.Error("the tree was built again for changes of single members")
	}
	// The rows drawn show the new name.
	var shown []string
	walk(org.list, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Visible() {
			shown = append(shown, l.Text)
		}
	})
	if !slices.Contains(shown, "Bob Moved") {
		t.Errorf("labels on screen %q lack Bob Moved", shown)
	}
}

// containsRun reports whether want appears in rows as consecutive lines.
func containsRun(rows, want []string) bool {
	for i := range rows {
		if i+len(want) <= len(rows) && slices.Equal(rows[i:i+len(want)], want) {
			return true
		}
	}
	return false
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

	// The CPU time is this thread's: the work itself, without the waits
	// for a core that other work on the machine adds to the time.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var open, search, paint, openCPU, searchCPU []time.Duration
	queries := []string{"김", "김민", "james", "플랫폼", "smith"}
	for i := 0; b.Loop(); i++ {
		h.app.main.tabs.SelectIndex(0)
		org.search.SetText("")
		org.members.tree = nil // a first opening: the tree is built anew
		canvas.Capture()
		start, cpu := time.Now(), threadCPU()
		h.app.main.tabs.SelectIndex(1)
		org.apply(h.app.state())
		open = append(open, time.Since(start))
		openCPU = append(openCPU, threadCPU()-cpu)
		start = time.Now()
		canvas.Capture()
		paint = append(paint, time.Since(start))

		q := queries[i%len(queries)]
		start, cpu = time.Now(), threadCPU()
		org.search.SetText(q)
		search = append(search, time.Since(start))
		searchCPU = append(searchCPU, threadCPU()-cpu)
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
	report(openCPU, "open-cpu")
	report(searchCPU, "search-cpu")
}

// BenchmarkOrgChartRename10k: the UI's part of one coworker's rename in a
// workspace of 10,000 (the engine's is client's BenchmarkRename10k): the
// engine's next state, whose one changed member moves in the tree, until
// the chart's rows are laid out and the rows that changed are drawn again
// (painting left out, as in BenchmarkOrgChart10k). The chart is open on
// my department and the renamed members are in it, so their rows are on
// screen.
func BenchmarkOrgChartRename10k(b *testing.B) {
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
	h.app.main.tabs.SelectIndex(1)
	org := h.app.main.org
	var mates []string // the emails of my department's members
	for _, p := range people[1:] {
		if p.Department == people[0].Department {
			mates = append(mates, p.Email)
		}
	}
	if len(mates) == 0 {
		b.Fatal("nobody shares my department")
	}
	h.until("the chart", func() bool { return org.members.tree != nil })
	// States straight from the engine: the app's own loop would apply them
	// first.
	states := h.app.sess.eng.Watch(b.Context())
	var lat []time.Duration
	tree := org.members.tree
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		name := fmt.Sprintf("새 이름 %d", i)
		if _, err := w.env.Service.UpdateMembers(b.Context(), w.ws.ID, []service.UpdateRow{{Line: 2, Email: mates[i%len(mates)], Name: &name}}); err != nil {
			b.Fatal(err)
		}
		var st client.State
		for st = range states {
			if slices.ContainsFunc(st.Members, func(p protocol.Profile) bool { return p.Name == name }) {
				break
			}
		}
		b.StartTimer()
		start := time.Now()
		org.apply(st)
		lat = append(lat, time.Since(start))
	}
	if org.members.tree != tree {
		b.Fatal("the tree was built again")
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
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
// and app (Fyne's test driver; painting left out). Besides the time it
// reports the CPU time the whole process used (the server's part
// included), which varies less with other work on the machine.
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
	var lat, cpu []time.Duration
	for b.Loop() {
		w.opt.DataDir = b.TempDir() // a fresh device
		start, startCPU := time.Now(), processCPU()
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
		cpu = append(cpu, processCPU()-startCPU)
		b.StopTimer()
		h.shutdown()
		b.StartTimer()
	}
	report := func(d []time.Duration, name string) {
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, name)
	}
	report(cpu, "cpu-p50-ms")
	report(lat, "p50-ms")
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
