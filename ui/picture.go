package ui

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"strings"

	"fyne.io/fyne/v2"
	"golang.org/x/image/draw"

	"worktalk.dev/worktalk/internal/orientation"
	"worktalk.dev/worktalk/protocol"
)

// maxPictureSide is the longest side of a picture we upload, in pixels:
// the server keeps a square of at most 512 and a thumbnail of 96.
const maxPictureSide = 512

// thumbSide is the largest avatar, in Fyne units, that shows the thumbnail
// (96 pixels) rather than the picture.
const thumbSide = 64

// maxSourcePixels bounds the image a picked file may decode to (a large
// phone photo fits), so that decoding cannot exhaust memory.
const maxSourcePixels = 50_000_000

// pictureCache holds decoded profile pictures by id for the open
// workspace. Fyne thread only.
type pictureCache struct {
	a       *App
	got     map[string]fyne.Resource
	waiting map[string][]func(fyne.Resource)
}

func newPictureCache(a *App) *pictureCache {
	return &pictureCache{a: a, got: map[string]fyne.Resource{}, waiting: map[string][]func(fyne.Resource){}}
}

// get calls use with the picture id (thumb: its thumbnail), now if it is
// cached, else once it has been fetched through the engine. Failures leave
// the initials in place.
func (c *pictureCache) get(id string, thumb bool, use func(fyne.Resource)) {
	if id == "" {
		return
	}
	key := id
	if thumb {
		key += "/thumb"
	}
	if r, ok := c.got[key]; ok {
		use(r)
		return
	}
	first := len(c.waiting[key]) == 0
	c.waiting[key] = append(c.waiting[key], use)
	if !first {
		return
	}
	eng := c.a.engine()
	if eng == nil {
		return // signed out meanwhile
	}
	get := eng.Picture
	if thumb {
		get = eng.Thumbnail
	}
	fetch(c.a.run, func(ctx context.Context) ([]byte, error) {
		b, err := get(ctx, id)
		if err == nil {
			err = checkPictureSize(b) // the screens decode it in full
		}
		return b, err
	}, func(b []byte, err error) {
		waiting := c.waiting[key]
		delete(c.waiting, key)
		if err != nil {
			c.a.log.Info("picture", "id", key, "err", err)
			return
		}
		r := fyne.NewStaticResource("picture-"+strings.ReplaceAll(key, "/", "-"), b)
		c.got[key] = r
		for _, use := range waiting {
			use(r)
		}
	})
}

func (c *pictureCache) clear() {
	c.got = map[string]fyne.Resource{}
	c.waiting = map[string][]func(fyne.Resource){}
}

// preparePicture turns an image file into an upload: decoded as PNG or
// JPEG, scaled down to maxPictureSide, turned upright as a JPEG's EXIF
// orientation says, re-encoded (JPEG unless it has
// transparency) under protocol.MaxPictureBytes.
func preparePicture(file []byte) ([]byte, error) {
	if err := checkPictureSize(file); err != nil {
		return nil, err
	}
	src, format, err := image.Decode(bytes.NewReader(file))
	if err != nil || (format != "png" && format != "jpeg") {
		return nil, protocol.FieldError(protocol.EInvalid, "picture", "picture must be a PNG or JPEG image").Because(protocol.RNotImage)
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return nil, protocol.FieldError(protocol.EInvalid, "picture", "picture is empty").Because(protocol.RNotImage)
	}
	if w > maxPictureSide || h > maxPictureSide {
		if w >= h {
			w, h = maxPictureSide, max(1, h*maxPictureSide/w)
		} else {
			w, h = max(1, w*maxPictureSide/h), maxPictureSide
		}
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	if format == "jpeg" {
		// A phone's portrait photo is stored sideways with an EXIF tag
		// saying so; what is encoded below carries no tag.
		dst = orientation.Upright(dst, orientation.OfJPEG(file))
	}
	var out bytes.Buffer
	if opaque(dst) {
		for q := 90; q >= 40; q -= 10 {
			out.Reset()
			if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: q}); err != nil {
				return nil, fmt.Errorf("encode picture: %w", err)
			}
			if out.Len() <= protocol.MaxPictureBytes {
				return out.Bytes(), nil
			}
		}
	} else {
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&out, dst); err != nil {
			return nil, fmt.Errorf("encode picture: %w", err)
		}
	}
	if err := protocol.ValidatePicture(out.Bytes()); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// checkPictureSize reads only the header: a small file may claim an image
// too big to decode.
func checkPictureSize(b []byte) error {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err == nil && cfg.Width*cfg.Height > maxSourcePixels {
		return protocol.FieldError(protocol.ETooLarge, "picture", "picture is larger than %d megapixels", maxSourcePixels/1_000_000).Because(protocol.RImageSide)
	}
	return nil
}

func opaque(img *image.NRGBA) bool {
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] != 0xff {
			return false
		}
	}
	return true
}
