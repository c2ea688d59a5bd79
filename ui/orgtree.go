package ui

import (
	"maps"
	"slices"
	"strings"

	"worktalk.dev/worktalk/protocol"
)

// The org chart is a tree of departments made from the profile's
// department field, a path such as "개발본부/플랫폼실/백엔드팀" (segments
// split on "/" or ">"). orgTree is that tree, built once per member list
// and then changed one member at a time (update); rows flattens what is
// open (or what a search finds) for a list widget, which draws only the
// rows on screen, so 10,000 members cost a walk of the tree, not 10,000
// widgets.

// deptField is the profile field the tree is made from.
const deptField = "department"

// orgDept is one department: a segment of the paths.
type orgDept struct {
	name     string
	path     string   // the segments down to it, joined by "/"; "" for members without one
	parent   *orgDept // nil at the top
	lower    string   // path in lower case, for searching
	children []*orgDept
	people   []orgPerson // directly in it, by name
	count    int         // present (not departed) members in it and below
}

// orgPerson is a member with their name lower-cased once, for searching.
type orgPerson struct {
	p    protocol.Profile
	name string // lower case
	isMe bool
}

// orgTree is the departments of a workspace; none holds the members with
// no department and is nil when there are none.
type orgTree struct {
	roots []*orgDept
	none  *orgDept

	byPath  map[string]*orgDept
	byValue map[string]*orgDept // by the department field as written; most members share a few hundred values, each split once
	where   map[string]*orgDept // member id -> the department they are in
}

// orgRow is one line of the chart: a department (with how many it holds,
// or how many of them a search found) or a person.
type orgRow struct {
	depth  int
	dept   *orgDept // nil for a person
	open   bool     // a department row that shows what it holds
	count  int
	person *orgPerson
}

// splitDept splits a department path into its segments.
func splitDept(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '>' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// buildOrgTree makes the tree of members (me among them when me.ID is
// set). Departments and people sort by name; the departed come after the
// present in their department.
func buildOrgTree(members []protocol.Profile, me protocol.Profile) *orgTree {
	t := &orgTree{byPath: map[string]*orgDept{}, byValue: map[string]*orgDept{}, where: make(map[string]*orgDept, len(members)+1)}
	for _, p := range members {
		d := t.deptOf(p.Fields[deptField], false)
		d.people = append(d.people, orgPerson{p: p, name: strings.ToLower(p.Name)})
		t.where[p.ID] = d
	}
	if me.ID != "" {
		d := t.deptOf(me.Fields[deptField], false)
		d.people = append(d.people, orgPerson{p: me, name: strings.ToLower(me.Name), isMe: true})
		t.where[me.ID] = d
	}
	var finish func(ds []*orgDept) int
	finish = func(ds []*orgDept) int {
		slices.SortFunc(ds, compareDepts)
		total := 0
		for _, d := range ds {
			sortPeople(d.people)
			d.count = present(d.people) + finish(d.children)
			total += d.count
		}
		return total
	}
	finish(t.roots)
	if t.none != nil {
		sortPeople(t.none.people)
		t.none.count = present(t.none.people)
	}
	return t
}

// deptOf finds or makes the department of a department field value. A
// department made with sorted set goes to its place among its siblings;
// otherwise it is appended, for the caller to sort.
func (t *orgTree) deptOf(value string, sorted bool) *orgDept {
	if d, ok := t.byValue[value]; ok {
		return d
	}
	segs := splitDept(value)
	if len(segs) == 0 {
		if t.none == nil {
			t.none = &orgDept{}
		}
		t.byValue[value] = t.none
		return t.none
	}
	var add func(segs []string) *orgDept
	add = func(segs []string) *orgDept {
		path := strings.Join(segs, "/")
		if d, ok := t.byPath[path]; ok {
			return d
		}
		d := &orgDept{name: segs[len(segs)-1], path: path, lower: strings.ToLower(path)}
		t.byPath[path] = d
		siblings := &t.roots
		if len(segs) > 1 {
			d.parent = add(segs[:len(segs)-1])
			siblings = &d.parent.children
		}
		i := len(*siblings)
		if sorted {
			i, _ = slices.BinarySearchFunc(*siblings, d, compareDepts)
		}
		*siblings = slices.Insert(*siblings, i, d)
		return d
	}
	d := add(segs)
	t.byValue[value] = d
	return d
}

func compareDepts(a, b *orgDept) int { return strings.Compare(a.name, b.name) }

// update puts one member where their profile now says, or takes them out
// when gone: their department's people, the head counts up the tree, and
// departments made or left empty. A rename in a workspace of 10,000 costs
// a few binary searches, not a new tree.
func (t *orgTree) update(id string, p protocol.Profile, isMe, gone bool) {
	if d := t.where[id]; d != nil {
		if i := slices.IndexFunc(d.people, func(o orgPerson) bool { return o.p.ID == id }); i >= 0 {
			if !d.people[i].p.Departed {
				t.addCount(d, -1)
			}
			d.people = slices.Delete(d.people, i, i+1)
		}
		delete(t.where, id)
		t.prune(d)
	}
	if gone {
		return
	}
	d := t.deptOf(p.Fields[deptField], true)
	o := orgPerson{p: p, name: strings.ToLower(p.Name), isMe: isMe}
	i, _ := slices.BinarySearchFunc(d.people, o, comparePeople)
	d.people = slices.Insert(d.people, i, o)
	t.where[id] = d
	if !p.Departed {
		t.addCount(d, 1)
	}
}

func (t *orgTree) addCount(d *orgDept, n int) {
	for ; d != nil; d = d.parent {
		d.count += n
	}
}

// prune takes out d and the departments above it that hold nobody now.
func (t *orgTree) prune(d *orgDept) {
	for d != nil && len(d.people) == 0 && len(d.children) == 0 {
		if d == t.none {
			t.none = nil
		} else {
			delete(t.byPath, d.path)
			siblings := &t.roots
			if d.parent != nil {
				siblings = &d.parent.children
			}
			*siblings = slices.DeleteFunc(*siblings, func(o *orgDept) bool { return o == d })
		}
		maps.DeleteFunc(t.byValue, func(_ string, o *orgDept) bool { return o == d })
		d = d.parent
	}
}

func sortPeople(ps []orgPerson) { slices.SortFunc(ps, comparePeople) }

// comparePeople puts the present before the departed, each by name.
func comparePeople(a, b orgPerson) int {
	if a.p.Departed != b.p.Departed {
		if a.p.Departed {
			return 1
		}
		return -1
	}
	if c := strings.Compare(a.p.Name, b.p.Name); c != 0 {
		return c
	}
	return strings.Compare(a.p.ID, b.p.ID)
}

func present(ps []orgPerson) int {
	n := 0
	for _, p := range ps {
		if !p.p.Departed {
			n++
		}
	}
	return n
}

// depts lists the top of the chart: the departments, then "no department".
func (t *orgTree) depts() []*orgDept {
	if t.none == nil {
		return t.roots
	}
	return append(slices.Clip(t.roots), t.none)
}

// rows is what the chart shows. With no query, each department whose path
// is in open shows its people and sub-departments. With a query (lower
// case), every member whose name or department has it shows under their
// departments, all open, and department rows count the matches.
func (t *orgTree) rows(open map[string]bool, q string) []orgRow {
	return t.appendRows(nil, open, q)
}

// appendRows is rows appended to out, so that a new search reuses the
// last one's rows instead of allocating thousands again.
func (t *orgTree) appendRows(out []orgRow, open map[string]bool, q string) []orgRow {
	if q == "" {
		var walk func(ds []*orgDept, depth int)
		walk = func(ds []*orgDept, depth int) {
			for _, d := range ds {
				isOpen := open[d.path]
				out = append(out, orgRow{depth: depth, dept: d, open: isOpen, count: d.count})
				if !isOpen {
					continue
				}
				for i := range d.people {
					out = append(out, orgRow{depth: depth + 1, person: &d.people[i]})
				}
				walk(d.children, depth+1)
			}
		}
		walk(t.depts(), 0)
		return out
	}
	// Each department's matches are found below it first; a department
	// with none is left out.
	var walk func(ds []*orgDept, depth int) int
	walk = func(ds []*orgDept, depth int) int {
		total := 0
		for _, d := range ds {
			at := len(out)
			out = append(out, orgRow{depth: depth, dept: d, open: true})
			n := 0
			whole := strings.Contains(d.lower, q) // the department itself matches
			for i := range d.people {
				if p := &d.people[i]; whole || strings.Contains(p.name, q) {
					out = append(out, orgRow{depth: depth + 1, person: p})
					n++
				}
			}
			n += walk(d.children, depth+1)
			if n == 0 {
				out = out[:at]
				continue
			}
			out[at].count = n
			total += n
		}
		return total
	}
	walk(t.depts(), 0)
	return out
}

// pathTo lists the paths of a member's department and of those above it,
// to open them.
func pathTo(p protocol.Profile) []string {
	segs := splitDept(p.Fields[deptField])
	out := make([]string, len(segs))
	for i := range segs {
		out[i] = strings.Join(segs[:i+1], "/")
	}
	return out
}
