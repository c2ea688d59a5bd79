package ui

import (
	"slices"
	"strings"

	"worktalk.dev/worktalk/protocol"
)

// The org chart is a tree of departments made from the profile's
// department field, a path such as "개발본부/플랫폼실/백엔드팀" (segments
// split on "/" or ">"). orgTree is that tree, built once per member list;
// rows flattens what is open (or what a search finds) for a list widget,
// which draws only the rows on screen, so 10,000 members cost a walk of
// the tree, not 10,000 widgets.

// deptField is the profile field the tree is made from.
const deptField = "department"

// orgDept is one department: a segment of the paths.
type orgDept struct {
	name     string
	path     string // the segments down to it, joined by "/"; "" for members without one
	lower    string // path in lower case, for searching
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
	t := &orgTree{}
	byPath := make(map[string]*orgDept)
	var add func(segs []string) *orgDept
	add = func(segs []string) *orgDept {
		path := strings.Join(segs, "/")
		if d, ok := byPath[path]; ok {
			return d
		}
		d := &orgDept{name: segs[len(segs)-1], path: path, lower: strings.ToLower(path)}
		byPath[path] = d
		if len(segs) == 1 {
			t.roots = append(t.roots, d)
		} else {
			parent := add(segs[:len(segs)-1])
			parent.children = append(parent.children, d)
		}
		return d
	}
	// Most members share a few hundred department values: each is split
	// once.
	byValue := make(map[string]*orgDept)
	place := func(p protocol.Profile, isMe bool) {
		value := p.Fields[deptField]
		d, ok := byValue[value]
		if !ok {
			if segs := splitDept(value); len(segs) > 0 {
				d = add(segs)
			} else {
				if t.none == nil {
					t.none = &orgDept{}
				}
				d = t.none
			}
			byValue[value] = d
		}
		d.people = append(d.people, orgPerson{p: p, name: strings.ToLower(p.Name), isMe: isMe})
	}
	for _, p := range members {
		place(p, false)
	}
	if me.ID != "" {
		place(me, true)
	}
	var finish func(ds []*orgDept) int
	finish = func(ds []*orgDept) int {
		slices.SortFunc(ds, func(a, b *orgDept) int { return strings.Compare(a.name, b.name) })
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

func sortPeople(ps []orgPerson) {
	slices.SortFunc(ps, func(a, b orgPerson) int {
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
	})
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
	var out []orgRow
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
