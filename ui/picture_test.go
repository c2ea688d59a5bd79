package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"

	"fyne.io/fyne/v2/test"

	"worktalk.dev/worktalk/internal/orientation/orientationtest"
	"worktalk.dev/worktalk/protocol"
)

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// noisy is an image that compresses badly, so its PNG is large.
func noisy(w, h int, alpha bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.IntN(256))
		if i%4 == 3 && !alpha {
			img.Pix[i] = 0xff
		}
	}
	return img
}

func TestPreparePicture(t *testing.T) {
	big := encodePNG(t, noisy(800, 600, false))
	if len(big) <= protocol.MaxPictureBytes {
		t.Fatalf("test picture is %d bytes, want one over the limit", len(big))
	}
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, noisy(300, 900, false), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		in         []byte
		wantW      int
		wantH      int
		wantFormat string
		wantErr    string // error code
	}{
		{"large PNG is scaled and re-encoded", big, 512, 384, "jpeg", ""},
		{"tall JPEG keeps its shape", jpg.Bytes(), 170, 512, "jpeg", ""},
		{"transparent PNG stays PNG", encodePNG(t, noisy(64, 64, true)), 64, 64, "png", ""},
		{"small picture keeps its size", encodePNG(t, noisy(40, 30, false)), 40, 30, "jpeg", ""},
		{"not an image", []byte("hello"), 0, 0, "", protocol.EInvalid},
		{"GIF is refused", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), 0, 0, "", protocol.EInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := preparePicture(tc.in)
			if got := protocol.ErrorCode(err); got != tc.wantErr {
				t.Fatalf("error = %v, want code %q", err, tc.wantErr)
			}
			if tc.wantErr != "" {
				return
			}
			if err := protocol.ValidatePicture(out); err != nil {
				t.Errorf("result fails ValidatePicture: %v", err)
			}
			cfg, format, err := image.DecodeConfig(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Width != tc.wantW || cfg.Height != tc.wantH || format != tc.wantFormat {
				t.Errorf("result = %dx%d %s, want %dx%d %s", cfg.Width, cfg.Height, format, tc.wantW, tc.wantH, tc.wantFormat)
			}
		})
	}
}

// A portrait photo from a phone (stored sideways, EXIF Orientation 6 or 8)
// shows upright in the edit form's preview and, once saved, as the picture
// the server keeps and the engine fetches.
func TestPortraitPhotoUpright(t *testing.T) {
	for _, o := range []int{6, 8} {
		t.Run(fmt.Sprintf("orientation %d", o), func(t *testing.T) {
			w := newWorld(t)
			u := w.env.CreateMember(w.ws.ID, "Alice Kim", nil)
			h := w.signedIn(t, u)
			test.Tap(h.app.main.profile.edit)
			e := h.app.main.profile.editor
			e.usePictureFile(orientationtest.Photo(t, o))
			h.until("the new picture", func() bool { return e.picture != nil && !e.picBusy.Visible() })
			if msg := orientationtest.CheckUpright(decodeImage(t, e.pic.pic.Content())); msg != "" {
				t.Errorf("preview: %s", msg)
			}
			test.Tap(e.save)
			h.until("the acknowledged picture", func() bool {
				st := h.app.state()
				return st.Me.PictureID != "" && !st.ProfilePending && st.Pending == 0
			})
			b, err := h.app.engine().Picture(context.Background(), h.app.state().Me.PictureID)
			if err != nil {
				t.Fatal(err)
			}
			if msg := orientationtest.CheckUpright(decodeImage(t, b)); msg != "" {
				t.Errorf("the stored picture: %s", msg)
			}
		})
	}
}

func decodeImage(t *testing.T, b []byte) image.Image {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
