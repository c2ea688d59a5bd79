package orientation

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"worktalk.dev/worktalk/internal/orientation/orientationtest"
)

// The phone photos in testdata were written by image/jpeg and tagged by
// exiftool (Make, Model, Orientation), as a camera app lays them out.
func TestOfJPEG(t *testing.T) {
	for file, want := range map[string]int{"portrait-6.jpg": Rotate90, "portrait-8.jpg": Rotate270, "upright.jpg": Normal} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		if got := OfJPEG(b); got != want {
			t.Errorf("OfJPEG(%s) = %d, want %d", file, got, want)
		}
		// Cut anywhere, the tag reads or is Normal, and nothing panics.
		for n := range len(b) {
			if got := OfJPEG(b[:n]); got != want && got != Normal {
				t.Fatalf("OfJPEG(%s cut at %d) = %d", file, n, got)
			}
		}
	}
	var p bytes.Buffer
	if err := png.Encode(&p, image.NewNRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"png": p.Bytes(), "empty": nil, "soi only": {0xff, 0xd8}} {
		if got := OfJPEG(b); got != Normal {
			t.Errorf("OfJPEG(%s) = %d, want Normal", name, got)
		}
	}
}

// Each orientation turns a 3x2 image as the EXIF specification draws it.
func TestUpright(t *testing.T) {
	// a b c
	// d e f
	src := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	for i, c := range "abcdef" {
		src.SetNRGBA(i%3, i/3, color.NRGBA{uint8(c), 0, 0, 255})
	}
	for o, want := range map[int][]string{
		Normal:     {"abc", "def"},
		FlipH:      {"cba", "fed"},
		Rotate180:  {"fed", "cba"},
		FlipV:      {"def", "abc"},
		Transpose:  {"ad", "be", "cf"},
		Rotate90:   {"da", "eb", "fc"},
		Transverse: {"fc", "eb", "da"},
		Rotate270:  {"cf", "be", "ad"},
	} {
		got := Upright(src, o)
		var rows []string
		for y := range got.Bounds().Dy() {
			row := ""
			for x := range got.Bounds().Dx() {
				row += string(rune(got.NRGBAAt(x, y).R))
			}
			rows = append(rows, row)
		}
		if len(rows) != len(want) || rows[0] != want[0] || rows[len(rows)-1] != want[len(want)-1] {
			t.Errorf("Upright(%d) = %q, want %q", o, rows, want)
		}
	}
	if Upright(src, 0) != src || Upright(src, 9) != src {
		t.Error("an unknown orientation changed the image")
	}
}

// The tagged phone photos decode, once turned, to the upright picture:
// red at the top, the green stripe on the left.
func TestPhotosTurnUpright(t *testing.T) {
	for _, file := range []string{"portrait-6.jpg", "portrait-8.jpg"} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		m, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		n := image.NewNRGBA(m.Bounds())
		for y := m.Bounds().Min.Y; y < m.Bounds().Max.Y; y++ {
			for x := m.Bounds().Min.X; x < m.Bounds().Max.X; x++ {
				n.Set(x, y, m.At(x, y))
			}
		}
		up := Upright(n, OfJPEG(b))
		if got := orientationtest.CheckUpright(up); got != "" {
			t.Errorf("%s: %s", file, got)
		}
	}
}

func FuzzOfJPEG(f *testing.F) {
	for _, file := range []string{"portrait-6.jpg", "portrait-8.jpg", "upright.jpg"} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 400)])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if o := OfJPEG(b); o < Normal || o > Rotate270 {
			t.Fatalf("OfJPEG = %d", o)
		}
	})
}
