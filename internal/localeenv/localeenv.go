// Package localeenv makes a C or POSIX locale with an encoding (LANG=C.UTF-8,
// Debian's default) read as English before Fyne's lang package looks at it:
// lang's own init parses the locale, takes "C.UTF-8" for the language tag
// "C" and logs "Error parsing user locale C" before main runs.
//
// It is a module of its own so that its import path sorts before every
// other package: Go initialises packages in import path order as far as
// their imports allow (the spec's "Package initialization"), so this init
// runs before fyne.io/fyne/v2/lang's. Programs import it for its effect:
//
//	import _ "0.worktalk.dev/localeenv"
package localeenv

import (
	"os"
	"strings"
)

func init() { Fix(os.Getenv, os.Setenv) }

// Fix sets LANGUAGE=en when the locale that decides the messages' language
// (the first of LC_ALL, LC_MESSAGES and LANG that is set, as gettext reads
// them) is C or POSIX with an encoding or modifier, and LANGUAGE is unset.
// Plain C and POSIX already read as English; LANGUAGE is only read for the
// other forms, and gettext programs ignore it under a C locale.
func Fix(getenv func(string) string, setenv func(string, string) error) {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		base, _, _ := strings.Cut(v, ".")
		base, _, _ = strings.Cut(base, "@")
		if (base == "C" || base == "POSIX") && v != base && getenv("LANGUAGE") == "" {
			_ = setenv("LANGUAGE", "en")
		}
		return
	}
}
