package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strconv"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"worktalk.dev/worktalk/assets"
)

// trayIconSize is the side of the tray icon in pixels: trays show 16 to 32
// logical pixels, and 64 stays sharp on a 2x screen.
const trayIconSize = 64

// badgeColor is the unread mark: the red every messenger uses.
var badgeColor = color.NRGBA{R: 0xe5, G: 0x39, B: 0x35, A: 0xff}

// trayIcons makes the tray icon with an unread mark and keeps each one it
// made: counts above 9 share the "9+" icon, so there are at most eleven.
type trayIcons struct {
	mu    sync.Mutex
	base  image.Image // the app icon scaled to trayIconSize
	face  font.Face
	cache map[string]fyne.Resource // by badge text; "" is the plain icon
}

func newTrayIcons() (*trayIcons, error) {
	src, err := png.Decode(bytes.NewReader(assets.Icon.Content()))
	if err != nil {
		return nil, fmt.Errorf("tray icon: %w", err)
	}
	base := image.NewNRGBA(image.Rect(0, 0, trayIconSize, trayIconSize))
	xdraw.CatmullRom.Scale(base, base.Bounds(), src, src.Bounds(), draw.Over, nil)
	// The mark shows only digits and "+": Fyne's bundled bold font has
	// them, and sfnt reads it in place (the app's Hangul font would be
	// inflated and kept in the heap for it).
	f, err := opentype.Parse(theme.DefaultTextBoldFont().Content())
	if err != nil {
		return nil, fmt.Errorf("tray icon font: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 26, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("tray icon font: %w", err)
	}
	return &trayIcons{base: base, face: face, cache: map[string]fyne.Resource{}}, nil
}

// badgeText is what the mark says for n unread messages ("" for none).
func badgeText(n int) string {
	switch {
	case n <= 0:
		return ""
	case n > 9:
		return "9+"
	}
	return strconv.Itoa(n)
}

// icon returns the tray icon for n unread messages.
func (t *trayIcons) icon(n int) fyne.Resource {
	text := badgeText(n)
	t.mu.Lock()
	defer t.mu.Unlock()
	if r, ok := t.cache[text]; ok {
		return r
	}
	img := image.NewNRGBA(t.base.Bounds())
	draw.Draw(img, img.Bounds(), t.base, image.Point{}, draw.Src)
	if text != "" {
		t.drawBadge(img, text)
	}
	var buf bytes.Buffer
	png.Encode(&buf, img) // an in-memory NRGBA always encodes
	r := fyne.NewStaticResource("tray-"+strconv.Itoa(len(t.cache))+".png", buf.Bytes())
	t.cache[text] = r
	return r
}

// drawBadge draws a red disc (a pill for "9+") with a white rim in the top
// right corner and the count in white on it.
func (t *trayIcons) drawBadge(img *image.NRGBA, text string) {
	const r = 17 // radius: the mark covers the top right quarter and a bit
	w := font.MeasureString(t.face, text).Ceil()
	width := max(2*r, w+14)
	x1, y0 := trayIconSize, 0
	x0 := x1 - width
	pill := func(x, y, grow int) bool { // inside the pill grown by grow pixels
		cy := y0 + r
		rr := r + grow
		switch {
		case x < x0+r:
			dx, dy := x-(x0+r), y-cy
			return dx*dx+dy*dy <= rr*rr
		case x >= x1-r:
			dx, dy := x-(x1-r-1), y-cy
			return dx*dx+dy*dy <= rr*rr
		default:
			return y >= cy-rr && y <= cy+rr
		}
	}
	for y := y0; y < y0+2*r+2 && y < trayIconSize; y++ {
		for x := max(x0-2, 0); x < x1; x++ {
			switch {
			case pill(x, y, 0):
				img.SetNRGBA(x, y, badgeColor)
			case pill(x, y, 2):
				img.SetNRGBA(x, y, color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff})
			}
		}
	}
	m := t.face.Metrics()
	d := font.Drawer{Dst: img, Src: image.White, Face: t.face}
	d.Dot = fixed.P(x0+(width-w)/2, y0+r+(m.Ascent.Ceil()-m.Descent.Ceil())/2)
	d.DrawString(text)
}
