package cli

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestParseHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.String("data", "", "data `DIR`")
		var out bytes.Buffer
		err := Parse(fs, []string{arg}, &out, "usage: x [flags]")
		if !errors.Is(err, flag.ErrHelp) {
			t.Errorf("Parse(%s) = %v, want flag.ErrHelp", arg, err)
		}
		if got := out.String(); !strings.HasPrefix(got, "usage: x [flags]\n") || !strings.Contains(got, "-data DIR") {
			t.Errorf("Parse(%s) printed %q, want the synopsis and the flags", arg, got)
		}
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var out bytes.Buffer
	if err := Parse(fs, []string{"--nope"}, &out, "usage"); err == nil || errors.Is(err, flag.ErrHelp) || out.Len() != 0 {
		t.Errorf("Parse(--nope) = %v, printed %q; want an error and nothing printed", err, out.String())
	}
}

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"Emma", 4},
		{"김서연", 6},
		{"韓國", 4},
		{"Ｆｕｌｌ", 8},
		{"e\u0301", 1},
		{"\u1112\u1161\u11ab", 2}, // 한 as jamo
		{"", 0},
	}
	for _, tc := range tests {
		if got := DisplayWidth(tc.s); got != tc.want {
			t.Errorf("DisplayWidth(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

// Every column starts at the same terminal cell on every row, whatever
// script the cells before it are in.
func TestTableAlignsWideText(t *testing.T) {
	var tb Table
	tb.Row("ID", "NAME", "EMAIL")
	tb.Row("m1", "김서연", "seoyeon@example.com")
	tb.Row("m22", "Emma Wilson", "emma@example.com")
	tb.Row("m3", "韓國 e\u0301", "x@example.com")
	var out bytes.Buffer
	if _, err := tb.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	var col []int
	for _, l := range lines {
		at := DisplayWidth(l[:strings.LastIndex(l, "  ")+2])
		col = append(col, at)
	}
	for i, c := range col {
		if c != col[0] {
			t.Errorf("line %d: last column at cell %d, want %d\n%s", i, c, col[0], out.String())
		}
	}
}
