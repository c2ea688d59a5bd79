package ui

import (
	"regexp"
	"strings"
)

// properWords are the Latin words a Korean screen may show: names of
// things, formats and keys, which Korean writes in Latin letters too.
var properWords = map[string]bool{
	"Worktalk": true, "QR": true, "PNG": true, "JPEG": true, "Ctrl": true,
	"OS": true, "Shift": true, "Enter": true, "Esc": true, "ID": true, "URL": true,
}

var (
	urlOrMailRE = regexp.MustCompile(`\b(https?|worktalk)://\S+|\S+@\S+\.\S+`)
	latinWordRE = regexp.MustCompile(`[A-Za-z]+(?:['’][A-Za-z]+)?`)
)

// latinWords lists the words in s written in Latin letters that are not
// proper words, after taking out links, e-mail addresses and the data
// strings given (names, titles, messages of the fixture).
func latinWords(s string, data ...string) []string {
	for _, d := range data {
		if d != "" {
			s = strings.ReplaceAll(s, d, " ")
		}
	}
	s = urlOrMailRE.ReplaceAllString(s, " ")
	var out []string
	for _, w := range latinWordRE.FindAllString(s, -1) {
		if !properWords[w] {
			out = append(out, w)
		}
	}
	return out
}
