package ui

import (
	"bytes"
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"github.com/go-text/typesetting/fontscan"
)

// TestOtherScriptsFallBack: the bundled font has Latin and Hangul only;
// Hanja (and other scripts) come from the system's fonts, which Fyne
// looks up rune by rune for what the theme's fonts lack
// (internal/painter/font.go, dynamicFontMap.ResolveFace). 韓國 must then
// draw as two different glyphs, not as the missing-glyph mark.
func TestOtherScriptsFallBack(t *testing.T) {
	if !systemFontHas(t, '韓') || !systemFontHas(t, '國') {
		t.Skip("no system font has 韓 or 國 (Debian: apt-get install fonts-noto-cjk), so they can only draw as the missing-glyph mark")
	}
	fa := test.NewTempApp(t)
	th, err := NewTheme()
	if err != nil {
		t.Fatal(err)
	}
	fa.Settings().SetTheme(th)
	for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
		missing := drawRune(t, '\U0010FFFD', style) // in no font
		han, guk := drawRune(t, '韓', style), drawRune(t, '國', style)
		switch {
		case samePixels(han, missing) || samePixels(guk, missing):
			t.Errorf("bold %v: 韓 or 國 draws as the missing-glyph mark", style.Bold)
		case samePixels(han, guk):
			t.Errorf("bold %v: 韓 and 國 draw the same", style.Bold)
		case inked(han) < 50 || inked(guk) < 50:
			t.Errorf("bold %v: 韓 or 國 draws (almost) nothing: %d and %d dark pixels", style.Bold, inked(han), inked(guk))
		}
	}
}

// systemFontHas reports whether a font installed on this computer has r,
// looked up the way Fyne does.
func systemFontHas(t *testing.T, r rune) bool {
	fm := fontscan.NewFontMap(quietLog{})
	if err := fm.UseSystemFonts(t.TempDir()); err != nil {
		t.Logf("system fonts: %v", err)
		return false
	}
	fm.SetQuery(fontscan.Query{Families: []string{fontscan.SansSerif}})
	f := fm.ResolveFace(r)
	if f == nil {
		return false
	}
	_, ok := f.NominalGlyph(r)
	return ok
}

// drawRune draws r large, black on white, in the app's theme.
func drawRune(t *testing.T, r rune, style fyne.TextStyle) image.Image {
	txt := canvas.NewText(string(r), color.Black)
	txt.TextSize = 48
	txt.TextStyle = style
	w := test.NewTempWindow(t, txt)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(80, 80))
	return w.Canvas().Capture()
}

func samePixels(a, b image.Image) bool {
	ra, rb := image.NewRGBA(a.Bounds()), image.NewRGBA(b.Bounds())
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			ra.Set(x, y, a.At(x, y))
		}
	}
	for y := b.Bounds().Min.Y; y < b.Bounds().Max.Y; y++ {
		for x := b.Bounds().Min.X; x < b.Bounds().Max.X; x++ {
			rb.Set(x, y, b.At(x, y))
		}
	}
	return a.Bounds() == b.Bounds() && bytes.Equal(ra.Pix, rb.Pix)
}

// inked counts the dark pixels of img.
func inked(img image.Image) int {
	n := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); (r+g+b)/3 < 0x8000 {
				n++
			}
		}
	}
	return n
}

type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
