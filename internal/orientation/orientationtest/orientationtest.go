// Package orientationtest gives tests the tagged phone photos of
// internal/orientation/testdata and checks that a picture made from one
// shows upright.
package orientationtest

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Photo returns a portrait JPEG as a phone stores it: the pixels sideways
// (160x120) and EXIF Orientation o (6 or 8) saying how to turn them. The
// upright picture is red in its top quarter, with a green stripe down the
// left edge and blue elsewhere.
func Photo(tb testing.TB, o int) []byte {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "testdata", fmt.Sprintf("portrait-%d.jpg", o)))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// CheckUpright says what is wrong with m as the photo shown upright (any
// size, or its centred square): "" when the top is red, the left edge
// green and the rest blue.
func CheckUpright(m image.Image) string {
	r := m.Bounds()
	w, h := r.Dx(), r.Dy()
	for _, p := range []struct {
		where string
		x, y  int
		want  string
	}{
		{"top middle", w / 2, 2, "red"},
		{"left middle", 3, h * 2 / 3, "green"},
		{"right middle", w - 4, h * 2 / 3, "blue"},
		{"bottom middle", w / 2, h - 4, "blue"},
	} {
		if got := colorName(m, r.Min.X+p.x, r.Min.Y+p.y); got != p.want {
			return fmt.Sprintf("%dx%d picture: %s is %s, want %s (not upright)", w, h, p.where, got, p.want)
		}
	}
	return ""
}

func colorName(m image.Image, x, y int) string {
	r, g, b, _ := m.At(x, y).RGBA()
	r, g, b = r>>8, g>>8, b>>8
	switch {
	case r > 150 && g < 100 && b < 100:
		return "red"
	case g > 150 && r < 100 && b < 100:
		return "green"
	case b > 150 && r < 100 && g < 100:
		return "blue"
	}
	return fmt.Sprintf("rgb(%d,%d,%d)", r, g, b)
}
