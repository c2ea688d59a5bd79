// Package cli holds the command-line manners both programs share: -h
// prints usage to stdout and succeeds, mistakes go to stderr, --version
// names the build, and tables line up with Hangul in them.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// ErrVersion ends a program after --version printed the version.
var ErrVersion = errors.New("version printed")

// Parse parses args into fs. -h, -help or --help print usage (synopsis, then
// the flags) to stdout and return flag.ErrHelp, which a program answers by
// exiting 0. Any other mistake is returned with nothing printed: the caller
// writes it to stderr.
func Parse(fs *flag.FlagSet, args []string, stdout io.Writer, synopsis string) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		Usage(stdout, fs, synopsis)
	}
	return err
}

// Usage writes synopsis and then fs's flags to w.
func Usage(w io.Writer, fs *flag.FlagSet, synopsis string) {
	fmt.Fprintln(w, strings.TrimRight(synopsis, "\n"))
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintln(w, "\nflags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// IsHelp reports whether arg asks for help.
func IsHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// IsVersion reports whether arg asks for the version.
func IsVersion(arg string) bool {
	switch arg {
	case "-version", "--version", "version":
		return true
	}
	return false
}

// Version is "NAME VERSION", with the commit it was built from when the
// version is the default "dev" and Go recorded one.
func Version(name, version string) string {
	s := name + " " + version
	if version != "dev" {
		return s
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return s
	}
	var rev, when, dirty string
	for _, kv := range info.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value[:min(12, len(kv.Value))]
		case "vcs.time":
			when = kv.Value
		case "vcs.modified":
			if kv.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	if rev != "" {
		s += fmt.Sprintf(" (%s %s%s)", rev, when, dirty)
	}
	return s + " " + info.GoVersion
}

// Table writes rows as columns separated by two spaces, padded by the
// width each text takes in a terminal: Hangul, Hanja and other wide
// characters take two cells, combining marks none (text/tabwriter counts
// every character as one cell, which misaligns Korean names).
type Table struct {
	rows [][]string
}

// Row adds a row.
func (t *Table) Row(cells ...string) { t.rows = append(t.rows, cells) }

// WriteTo writes the table to w.
func (t *Table) WriteTo(w io.Writer) (int64, error) {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], DisplayWidth(c))
		}
	}
	var b, line strings.Builder
	for _, r := range t.rows {
		line.Reset()
		for i, c := range r {
			line.WriteString(c)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-DisplayWidth(c)+2))
			}
		}
		// Empty last cells leave no spaces at the end of the line.
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// DisplayWidth is the number of terminal cells s takes.
func DisplayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf), r == 0x200b:
			// combining marks and format characters take no cell
		case r >= 0x1160 && r <= 0x11ff:
			// Hangul medial vowels and final consonants join the initial
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				n += 2
			default:
				n++
			}
		}
	}
	return n
}
