// Package assets holds the files the desktop app embeds: its icon, its
// font and its translations.
package assets

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
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
// fonts/make-fonts.sh to Latin, punctuation and all Hangul, with CFF
// outlines (cheaper to load than TrueType ones, see there), and stored
// gzip-compressed: 1.4 MB in the binary instead of 9.3 MB for the full
// originals.
//
//go:embed fonts/WorktalkGothic-Regular.otf.gz
var regularGz []byte

//go:embed fonts/WorktalkGothic-Bold.otf.gz
var boldGz []byte

// Fonts are the embedded font files.
type Fonts struct {
	Regular fyne.Resource
	Bold    fyne.Resource
}

var loadFonts = sync.OnceValues(func() (Fonts, error) {
	r := &gzipResource{name: "WorktalkGothic-Regular.otf", gz: regularGz}
	b := &gzipResource{name: "WorktalkGothic-Bold.otf", gz: boldGz}
	for _, f := range []*gzipResource{r, b} {
		if _, err := f.inflate(); err != nil {
			return Fonts{}, fmt.Errorf("font %s: %w", f.name, err)
		}
	}
	return Fonts{Regular: r, Bold: b}, nil
})

// LoadFonts returns the embedded fonts, checking once that they inflate.
func LoadFonts() (Fonts, error) { return loadFonts() }

// gzipResource is a compressed resource inflated on each Content call and
// never kept: Fyne reads a theme font only to parse it (once per text
// style, again after a theme change) and keeps the parsed face, so holding
// the 1.9 MB files as well would only cost heap.
type gzipResource struct {
	name string
	gz   []byte
}

func (r *gzipResource) Name() string { return r.name }

// Content returns the inflated file (nil if it does not inflate, which
// LoadFonts rules out).
func (r *gzipResource) Content() []byte {
	b, _ := r.inflate()
	return b
}

func (r *gzipResource) inflate() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(r.gz))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	// The gzip trailer ends with the inflated size: one allocation.
	out := bytes.NewBuffer(make([]byte, 0, binary.LittleEndian.Uint32(r.gz[len(r.gz)-4:])))
	if _, err := io.Copy(out, zr); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
