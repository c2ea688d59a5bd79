// Package assets holds the files the desktop app embeds: its icon, its
// font and its translations.
package assets

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"sync"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon, 512x512 PNG.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)

// Translations holds en.json and ko.json for fyne.io/fyne/v2/lang.
//
//go:embed translations/*.json
var Translations embed.FS

// The font is Nanum Gothic (SIL OFL 1.1, see fonts/OFL.txt), cut down by
// fonts/make-fonts.sh to Latin, punctuation and all Hangul, and stored
// gzip-compressed: 0.9 MB in the binary instead of 9.3 MB for the full
// originals. It is inflated once, on first use, to 2.7 MB of heap.
//
//go:embed fonts/WorktalkGothic-Regular.ttf.gz
var regularGz []byte

//go:embed fonts/WorktalkGothic-Bold.ttf.gz
var boldGz []byte

// Fonts are the inflated font files.
type Fonts struct {
	Regular fyne.Resource
	Bold    fyne.Resource
}

var loadFonts = sync.OnceValues(func() (Fonts, error) {
	r, err := inflate(regularGz)
	if err != nil {
		return Fonts{}, fmt.Errorf("regular font: %w", err)
	}
	b, err := inflate(boldGz)
	if err != nil {
		return Fonts{}, fmt.Errorf("bold font: %w", err)
	}
	return Fonts{
		Regular: fyne.NewStaticResource("WorktalkGothic-Regular.ttf", r),
		Bold:    fyne.NewStaticResource("WorktalkGothic-Bold.ttf", b),
	}, nil
})

// LoadFonts returns the embedded fonts, inflating them on the first call.
func LoadFonts() (Fonts, error) { return loadFonts() }

func inflate(gz []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(zr)
}
