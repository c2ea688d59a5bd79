package service_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	pngenc "image/png"
	"os"
	"path/filepath"
	"testing"

	"worktalk.dev/worktalk/internal/orientation/orientationtest"
	"worktalk.dev/worktalk/protocol"
)

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := pngenc.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// photo is a w×h opaque image with some detail in it.
func photo(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	return img
}

// pngChunk is one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// withChunk inserts a chunk right after the IHDR of a PNG.
func withChunk(png []byte, chunk []byte) []byte {
	at := 8 + 8 + 13 + 4 // signature, IHDR
	return append(append(append([]byte(nil), png[:at]...), chunk...), png[at:]...)
}

// withEXIF inserts an APP1 segment right after the SOI of a JPEG.
func withEXIF(jpg []byte, payload string) []byte {
	seg := []byte{0xff, 0xe1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+6+len(payload)))
	seg = append(append(seg, "Exif\x00\x00"...), payload...)
	return append(append(append([]byte(nil), jpg[:2]...), seg...), jpg[2:]...)
}

// setPicture uploads b as a1's picture.
func setPicture(e *env, w *world, b []byte) (protocol.Profile, error) {
	var p protocol.Profile
	err := e.do(w.a1, protocol.OpProfileUpdate, protocol.ProfileUpdate{Picture: &b}, &p)
	return p, err
}

// TestPicturesRefused: files that are not a whole PNG or JPEG and nothing
// else are refused before anything is stored.
func TestPicturesRefused(t *testing.T) {
	good := encodePNG(t, photo(64, 64))
	goodJPEG := encodeJPEG(t, photo(64, 64))
	deep := deepPNG(t)
	cases := []struct {
		name string
		b    []byte
		code string
	}{
		{"header only", good[:8+8+13+4], protocol.EInvalid},
		{"cut short in the pixels", good[:len(good)-40], protocol.EInvalid},
		{"cut before the end chunk", good[:len(good)-12], protocol.EInvalid},
		{"png+html polyglot", append(append([]byte(nil), good...), "<html><script>alert(document.cookie)</script></html>"...), protocol.EInvalid},
		{"png+zip polyglot", append(append([]byte(nil), good...), "PK\x03\x04 archive follows"...), protocol.EInvalid},
		{"jpeg cut short", goodJPEG[:len(goodJPEG)/2], protocol.EInvalid},
		{"jpeg without its end", goodJPEG[:len(goodJPEG)-2], protocol.EInvalid},
		{"jpeg+html polyglot", append(append([]byte(nil), goodJPEG...), "<html>hi</html>"...), protocol.EInvalid},
		{"16-bit 4096×4096 decodes to 128 MiB", deep, protocol.ETooLarge},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), protocol.EInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, w := newWorld(t)
			if _, err := setPicture(e, w, c.b); code(err) != c.code {
				t.Fatalf("upload = %v, want %s", err, c.code)
			}
			var me protocol.Profile
			e.mustDo(w.a1, protocol.OpMemberGet, protocol.MemberRef{MemberID: w.a1.MemberID}, &me)
			if me.PictureID != "" {
				t.Fatalf("a refused upload set the picture %s", me.PictureID)
			}
		})
	}
}

// TestPicturesReencoded: what is stored is a square of at most 512 pixels
// and a small thumbnail, re-encoded without the file's metadata.
func TestPicturesReencoded(t *testing.T) {
	const secret = "GPS 37.5665N 126.9780E; <script>alert(1)</script>"
	cases := []struct {
		name           string
		file           []byte
		side, thumb    int
		format, marker string
	}{
		{"large photo with EXIF", withEXIF(encodeJPEG(t, photo(2000, 1200)), secret), 512, 96, "jpeg", "\xff\xd8"},
		{"png with a text chunk", withChunk(encodePNG(t, photo(300, 200)), pngChunk("tEXt", []byte("Comment\x00"+secret))), 200, 96, "jpeg", "\xff\xd8"},
		{"small transparent png", encodePNG(t, image.NewNRGBA(image.Rect(0, 0, 40, 30))), 30, 30, "png", "\x89PNG"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, w := newWorld(t)
			p, err := setPicture(e, w, c.file)
			if err != nil {
				t.Fatal(err)
			}
			full, err := e.svc.Picture(e.ctx, w.a2, p.PictureID, false)
			if err != nil {
				t.Fatal(err)
			}
			thumb, err := e.svc.Picture(e.ctx, w.a2, p.PictureID, true)
			if err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(full); hex.EncodeToString(sum[:]) != p.PictureID {
				t.Errorf("picture id is not the hash of the stored picture")
			}
			for _, got := range []struct {
				what string
				b    []byte
				side int
			}{{"picture", full, c.side}, {"thumbnail", thumb, c.thumb}} {
				cfg, format, err := image.DecodeConfig(bytes.NewReader(got.b))
				if err != nil || format != c.format || cfg.Width != got.side || cfg.Height != got.side {
					t.Errorf("%s = %s %dx%d, %v; want %s %dx%d", got.what, format, cfg.Width, cfg.Height, err, c.format, got.side, got.side)
				}
				if bytes.Contains(got.b, []byte("GPS")) || bytes.Contains(got.b, []byte("<script")) || bytes.Contains(got.b, []byte("Exif")) {
					t.Errorf("%s kept the file's metadata", got.what)
				}
			}
		})
	}
}

// A phone's portrait photo, stored sideways with EXIF Orientation 6 or 8,
// is turned upright before its metadata goes: the picture and thumbnail
// every member gets show it the right way up.
func TestPhonePortraitUpright(t *testing.T) {
	for _, o := range []int{6, 8} {
		t.Run(fmt.Sprintf("orientation %d", o), func(t *testing.T) {
			e, w := newWorld(t)
			p, err := setPicture(e, w, orientationtest.Photo(t, o))
			if err != nil {
				t.Fatal(err)
			}
			for what, thumb := range map[string]bool{"picture": false, "thumbnail": true} {
				b, err := e.svc.Picture(e.ctx, w.a2, p.PictureID, thumb)
				if err != nil {
					t.Fatal(err)
				}
				m, _, err := image.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if msg := orientationtest.CheckUpright(m); msg != "" {
					t.Errorf("%s: %s", what, msg)
				}
			}
		})
	}
}

var writeTestdata = flag.Bool("write-testdata", false, "write testdata/deep16.png again")

// deepPNG is the picture of issue 10: a 16-bit RGBA 4096×4096 PNG of 139 KB
// that decodes to 128 MiB. It is kept in testdata because encoding it takes
// a minute under the race detector; -write-testdata makes it again.
func deepPNG(t *testing.T) []byte {
	t.Helper()
	path := filepath.Join("testdata", "deep16.png")
	if *writeTestdata {
		var b bytes.Buffer
		if err := pngenc.Encode(&b, image.NewNRGBA64(image.Rect(0, 0, 4096, 4096))); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
