package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"

	"worktalk.dev/worktalk/internal/orientation"
	"worktalk.dev/worktalk/protocol"
)

// Profile pictures are never stored as uploaded. The server checks the
// file's structure, decodes it within a memory budget, and stores what it
// re-encodes itself: a centred square of at most PictureSide pixels and a
// thumbnail of at most ThumbSide, both without metadata (a JPEG's EXIF
// orientation is applied to the pixels first). So a picture can
// carry nothing but pixels to the clients that show it (no EXIF location,
// no HTML for a browser to sniff), and no client decodes more than 512×512.
const (
	PictureSide = 512
	ThumbSide   = 96
	// maxDecodeBytes bounds the memory one decode may take: a 16-bit
	// 4096×4096 PNG (128 MiB) is refused before it is decoded.
	maxDecodeBytes = 96 << 20
)

// picture is an upload made ready to store.
type picture struct {
	ID    string // hex SHA-256 of Full
	Full  []byte
	Thumb []byte
}

var (
	errNotPicture = protocol.FieldError(protocol.EInvalid, "picture", "picture must be a PNG or JPEG image").Because(protocol.RNotImage)
	errDamaged    = protocol.FieldError(protocol.EInvalid, "picture", "picture is damaged or incomplete").Because(protocol.RNotImage)
	errTrailing   = protocol.FieldError(protocol.EInvalid, "picture", "picture file holds more than the image").Because(protocol.RNotImage)
)

// processPicture checks an uploaded picture and re-encodes it. Errors:
// ETooLarge (bytes, sides or decoded size), EInvalid (not PNG or JPEG; a
// header only or cut short; data after the image, as a PNG+HTML polyglot
// has).
func processPicture(b []byte) (picture, error) {
	if e := protocol.ValidatePicture(b); e != nil {
		return picture{}, e
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return picture{}, errNotPicture
	}
	if int64(cfg.Width)*int64(cfg.Height)*decodeBytesPerPixel(format, cfg.ColorModel) > maxDecodeBytes {
		return picture{}, protocol.FieldError(protocol.ETooLarge, "picture", "picture has too many pixels; use one of at most %d×%d", PictureSide*4, PictureSide*4).Because(protocol.RImageSide)
	}
	var end int
	switch format {
	case "png":
		end, err = pngEnd(b)
	case "jpeg":
		end, err = jpegEnd(b)
	default:
		return picture{}, errNotPicture
	}
	if err != nil {
		return picture{}, err
	}
	if end != len(b) {
		return picture{}, errTrailing
	}
	src, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return picture{}, errDamaged
	}
	// The thumbnail is scaled from the picture: scaling the source twice
	// cost most of the time of a 4096×4096 upload.
	pix := scale(src, squareCrop(src.Bounds()), PictureSide)
	if format == "jpeg" {
		// A phone's portrait photo is stored sideways with an EXIF tag
		// that says so, and what is stored here carries no tag. The
		// centred square of the turned image is the turned square, so the
		// turn costs a 512×512 copy, not one of the whole photo.
		pix = orientation.Upright(pix, orientation.OfJPEG(b))
	}
	full, err := encode(pix)
	if err != nil {
		return picture{}, err
	}
	thumb, err := encode(scale(pix, pix.Bounds(), ThumbSide))
	if err != nil {
		return picture{}, err
	}
	sum := sha256.Sum256(full)
	return picture{ID: hex.EncodeToString(sum[:]), Full: full, Thumb: thumb}, nil
}

// decodeBytesPerPixel is what decoding costs per pixel, at most: JPEG
// keeps 2-byte coefficients of every component for progressive files.
func decodeBytesPerPixel(format string, m color.Model) int64 {
	if format == "jpeg" {
		switch m {
		case color.GrayModel:
			return 2
		case color.CMYKModel:
			return 8
		default:
			return 6
		}
	}
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBAModel, color.NRGBAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// squareCrop is the centred square of r.
func squareCrop(r image.Rectangle) image.Rectangle {
	side := min(r.Dx(), r.Dy())
	x := r.Min.X + (r.Dx()-side)/2
	y := r.Min.Y + (r.Dy()-side)/2
	return image.Rect(x, y, x+side, y+side)
}

// scale returns the part sq of src scaled to at most side pixels a side.
// A large source goes down to twice the side with a cheap bilinear pass
// first: Catmull-Rom over all of a 4096×4096 image took seconds.
func scale(src image.Image, sq image.Rectangle, side int) *image.NRGBA {
	side = min(side, sq.Dx())
	if sq.Dx() > 4*side {
		mid := image.NewNRGBA(image.Rect(0, 0, 2*side, 2*side))
		draw.ApproxBiLinear.Scale(mid, mid.Bounds(), src, sq, draw.Src, nil)
		src, sq = mid, mid.Bounds()
	}
	dst := image.NewNRGBA(image.Rect(0, 0, side, side))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, sq, draw.Src, nil)
	return dst
}

// encode encodes img as JPEG when it is opaque, PNG otherwise.
func encode(img *image.NRGBA) ([]byte, error) {
	var out bytes.Buffer
	if opaque(img) {
		if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 85}); err != nil {
			return nil, fmt.Errorf("encode picture: %w", err)
		}
		return out.Bytes(), nil
	}
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img); err != nil {
		return nil, fmt.Errorf("encode picture: %w", err)
	}
	return out.Bytes(), nil
}

func opaque(img *image.NRGBA) bool {
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i] != 0xff {
			return false
		}
	}
	return true
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngEnd walks the chunks of a PNG and returns where its IEND chunk ends.
func pngEnd(b []byte) (int, error) {
	if !bytes.HasPrefix(b, pngSignature) {
		return 0, errNotPicture
	}
	i := len(pngSignature)
	for {
		if i+8 > len(b) {
			return 0, errDamaged
		}
		n := int64(binary.BigEndian.Uint32(b[i:]))
		end := int64(i) + 12 + n // length, type, data, CRC
		if end > int64(len(b)) {
			return 0, errDamaged
		}
		if string(b[i+4:i+8]) == "IEND" {
			return int(end), nil
		}
		i = int(end)
	}
}

// jpegEnd walks the segments of a JPEG, and the entropy-coded data after
// each start of scan, and returns where its end-of-image marker ends.
func jpegEnd(b []byte) (int, error) {
	if len(b) < 2 || b[0] != 0xff || b[1] != 0xd8 {
		return 0, errNotPicture
	}
	i := 2
	for {
		if i+2 > len(b) || b[i] != 0xff {
			return 0, errDamaged
		}
		for i+2 < len(b) && b[i+1] == 0xff { // fill bytes before a marker
			i++
		}
		m := b[i+1]
		i += 2
		switch {
		case m == 0xd9: // end of image
			return i, nil
		case m == 0x01 || m >= 0xd0 && m <= 0xd7: // markers without a segment
			continue
		}
		if i+2 > len(b) {
			return 0, errDamaged
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return 0, errDamaged
		}
		i += n
		if m != 0xda { // not a start of scan
			continue
		}
		// Entropy-coded data runs to the next marker that is not a
		// stuffed 0xff00 or a restart marker.
		for {
			if i+1 >= len(b) {
				return 0, errDamaged
			}
			if b[i] == 0xff {
				if c := b[i+1]; c != 0 && c != 0xff && (c < 0xd0 || c > 0xd7) {
					break
				}
			}
			i++
		}
	}
}

// prepareProfileUpdate decodes a profile.update and, when it carries a
// picture, processes the picture outside the write lock (decoding may take
// a while), at most a few at once.
func (s *Service) prepareProfileUpdate(ctx context.Context, data []byte) (profileUpdate, error) {
	var u profileUpdate
	if err := decode(data, &u.ProfileUpdate); err != nil {
		return u, err
	}
	if u.Picture == nil || len(*u.Picture) == 0 {
		return u, nil
	}
	select {
	case s.pictureSlots <- struct{}{}:
	case <-ctx.Done():
		return u, ctx.Err()
	}
	defer func() { <-s.pictureSlots }()
	pic, err := processPicture(*u.Picture)
	if err != nil {
		return u, err
	}
	u.picture = &pic
	return u, nil
}

// profileUpdate is a profile.update with its picture processed.
type profileUpdate struct {
	protocol.ProfileUpdate
	picture *picture // nil: none given, or removed
}

var errNoSuchPicture = protocol.Errorf(protocol.ENotFound, "no such picture").Because(protocol.RNoPicture)

// Picture returns a picture (thumb: its thumbnail) to a caller who may see
// the profile of a member whose picture it is: a coworker, or an external
// contact either way with no block between them. Errors: ENotFound, for a
// picture that does not exist and one the caller may not see alike.
func (s *Service) Picture(ctx context.Context, c Caller, id string, thumb bool) ([]byte, error) {
	if len(id) != 64 || !isLowerHex(id) {
		return nil, errNoSuchPicture
	}
	var b []byte
	err := s.read(ctx, func(tx Tx) error {
		owners, err := tx.PictureOwners(ctx, id)
		if err != nil {
			return err
		}
		v := newView(tx)
		visible := false
		for _, o := range owners {
			_, err := v.visibleMember(ctx, c, o)
			if err == nil {
				visible = true
				break
			}
			if protocol.ErrorCode(err) != protocol.ENotFound {
				return err
			}
		}
		if !visible {
			return errNoSuchPicture
		}
		b, err = tx.Picture(ctx, id, thumb)
		if errors.Is(err, ErrNoRow) {
			return errNoSuchPicture
		}
		return err
	})
	return b, s.clientError("picture", err)
}

func isLowerHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
