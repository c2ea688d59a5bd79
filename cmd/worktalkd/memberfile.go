package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"worktalk.dev/worktalk/protocol"
)

// A member file is CSV as spreadsheet programs save it (UTF-8, with or
// without a byte order mark): a header line naming the columns, then one
// member a line. Columns are "email" and "name" (or 이메일 and 이름) and
// any profile field of the workspace, by key or by its English or Korean
// label.

// memberFile is a member file read and its columns matched.
type memberFile struct {
	email, name int            // column indexes; -1: absent
	fields      map[int]string // column index -> field key
	width       int            // columns in the header
	records     []memberRecord
}

// memberRecord is one line of a member file.
type memberRecord struct {
	line  int
	cells []string
}

var (
	emailHeaders = []string{"email", "e-mail", "mail", "이메일", "메일", "전자우편"}
	nameHeaders  = []string{"name", "이름", "성명"}
)

// readMemberFile reads path and matches its header against the
// workspace's fields. A file that is not such a CSV, or whose header names
// an unknown column, is an error naming the problem.
func readMemberFile(path string, s protocol.WorkspaceSettings) (*memberFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseMemberFile(f, s)
}

func parseMemberFile(r io.Reader, s protocol.WorkspaceSettings) (*memberFile, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\ufeff" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // a short line is reported by us, with its number
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: it needs a header line such as email,name,title")
	}
	if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
	}
	mf := &memberFile{email: -1, name: -1, fields: map[int]string{}, width: len(header)}
	seen := map[string]int{}
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, errors.New("the file is not UTF-8: save it as \"CSV UTF-8\"")
		}
		key, err := columnKey(h, s)
		if err != nil {
			return nil, fmt.Errorf("line 1, column %d: %w", i+1, err)
		}
		if j, dup := seen[key]; dup {
			return nil, fmt.Errorf("line 1: columns %d and %d are both %q", j+1, i+1, key)
		}
		seen[key] = i
		switch key {
		case "email":
			mf.email = i
		case "name":
			mf.name = i
		default:
			mf.fields[i] = key
		}
	}
	if mf.email < 0 {
		return nil, errors.New("line 1: the header has no email column")
	}
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return mf, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, err // csv's error names the line
		}
		for i := range cells {
			if !utf8.ValidString(cells[i]) {
				return nil, fmt.Errorf("line %d is not UTF-8: save the file as \"CSV UTF-8\"", line)
			}
			cells[i] = strings.TrimSpace(cells[i])
		}
		mf.records = append(mf.records, memberRecord{line: line, cells: cells})
	}
}

// columnKey is what a header cell names: "email", "name" or a field key.
func columnKey(h string, s protocol.WorkspaceSettings) (string, error) {
	h = strings.TrimSpace(h)
	low := strings.ToLower(h)
	for _, alias := range emailHeaders {
		if low == alias {
			return "email", nil
		}
	}
	for _, alias := range nameHeaders {
		if low == alias {
			return "name", nil
		}
	}
	var keys []string
	for _, f := range s.Fields {
		if low == f.Key || low == strings.ToLower(f.Label) || h == f.LabelKo {
			return f.Key, nil
		}
		keys = append(keys, f.Key)
	}
	return "", fmt.Errorf("%q is not email, name or a profile field of this workspace (%s)", h, strings.Join(keys, ", "))
}

// tooWide is the error of a line with more cells than the header has
// columns, "" when it has not.
func (mf *memberFile) tooWide(r memberRecord) string {
	if len(r.cells) <= mf.width {
		return ""
	}
	return fmt.Sprintf("%d cells, but the header names %d columns", len(r.cells), mf.width)
}

// cell is a record's value in column i ("" when the line is shorter).
func (r memberRecord) cell(i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return r.cells[i]
}
