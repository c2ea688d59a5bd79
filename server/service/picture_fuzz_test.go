package service

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"worktalk.dev/worktalk/protocol"
)

// FuzzPictureUpload checks processPicture on any file: it never panics,
// refuses with EInvalid or ETooLarge, and what it accepts comes out as
// square PNG or JPEG pictures within their sides that it accepts again.
//
//	go test -run '^$' -fuzz FuzzPictureUpload -fuzztime 60s ./server/service/
func FuzzPictureUpload(f *testing.F) {
	img := image.NewNRGBA(image.Rect(0, 0, 24, 16))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var p, j bytes.Buffer
	png.Encode(&p, img)
	jpeg.Encode(&j, img, nil)
	g := image.NewGray16(image.Rect(0, 0, 3, 5))
	g.Set(1, 1, color.Gray16{Y: 0xffff})
	var p16 bytes.Buffer
	png.Encode(&p16, g)
	for _, b := range [][]byte{p.Bytes(), j.Bytes(), p16.Bytes(), p.Bytes()[:40], append(p.Bytes(), "<html>"...), []byte("\xff\xd8\xff\xd9")} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pic, err := processPicture(b)
		if err != nil {
			if c := protocol.ErrorCode(err); c != protocol.EInvalid && c != protocol.ETooLarge {
				t.Fatalf("processPicture error %v, want %s or %s", err, protocol.EInvalid, protocol.ETooLarge)
			}
			return
		}
		for _, out := range []struct {
			b    []byte
			side int
		}{{pic.Full, PictureSide}, {pic.Thumb, ThumbSide}} {
			cfg, format, err := image.DecodeConfig(bytes.NewReader(out.b))
			if err != nil || (format != "png" && format != "jpeg") || cfg.Width != cfg.Height || cfg.Width > out.side || cfg.Width < 1 {
				t.Fatalf("output %s %dx%d, %v; want a square PNG or JPEG of at most %d", format, cfg.Width, cfg.Height, err, out.side)
			}
		}
		if _, err := processPicture(pic.Full); err != nil {
			t.Fatalf("the stored picture is refused when uploaded again: %v", err)
		}
	})
}
