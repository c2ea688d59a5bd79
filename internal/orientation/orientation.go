// Package orientation reads the EXIF Orientation of a JPEG and turns its
// pixels the way it says. A phone stores a portrait photo as the sensor
// saw it, sideways, and tags how to show it; Go's image/jpeg ignores the
// tag, and a re-encoded picture carries no metadata, so the turn has to be
// applied to the pixels.
//
// Only the one tag is read, from IFD0 of the first Exif APP1 segment,
// every offset checked against the segment: uploads come from anyone.
package orientation

import (
	"bytes"
	"encoding/binary"
	"image"
)

// The EXIF Orientation values: how to turn the stored pixels for display.
const (
	Normal     = 1
	FlipH      = 2
	Rotate180  = 3
	FlipV      = 4
	Transpose  = 5 // mirrored across the top-left to bottom-right diagonal
	Rotate90   = 6 // a quarter turn clockwise
	Transverse = 7 // mirrored across the other diagonal
	Rotate270  = 8 // a quarter turn counter-clockwise
)

const orientationTag = 0x0112

// OfJPEG returns the EXIF Orientation of the JPEG file b: 1 to 8, Normal
// when b has none, or is not a JPEG, or the tag is damaged.
func OfJPEG(b []byte) int {
	if len(b) < 4 || b[0] != 0xff || b[1] != 0xd8 {
		return Normal
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xff {
			return Normal
		}
		marker := b[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0xd9 || marker == 0xda: // EOI, or the image data: no more metadata
			return Normal
		case marker == 0x01 || marker >= 0xd0 && marker <= 0xd7: // no length
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return Normal
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return ofTIFF(seg[6:])
		}
		i += 2 + n
	}
	return Normal
}

// ofTIFF finds the tag in IFD0 of the TIFF structure t.
func ofTIFF(t []byte) int {
	if len(t) < 8 {
		return Normal
	}
	var order binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return Normal
	}
	if order.Uint16(t[2:]) != 42 {
		return Normal
	}
	ifd := order.Uint32(t[4:])
	if ifd < 8 || uint64(ifd)+2 > uint64(len(t)) {
		return Normal
	}
	count := int(order.Uint16(t[ifd:]))
	entries := t[ifd+2:]
	for k := 0; k < count && 12*k+12 <= len(entries); k++ {
		e := entries[12*k:]
		if order.Uint16(e) != orientationTag {
			continue
		}
		// SHORT (3), one value, kept in the first two bytes of the field.
		if order.Uint16(e[2:]) != 3 || order.Uint32(e[4:]) != 1 {
			return Normal
		}
		if v := int(order.Uint16(e[8:])); v >= Normal && v <= Rotate270 {
			return v
		}
		return Normal
	}
	return Normal
}

// Upright returns img turned as orientation o says: img itself for Normal
// or an unknown value, else a new image (with its sides swapped for 5 to 8).
func Upright(img *image.NRGBA, o int) *image.NRGBA {
	if o <= Normal || o > Rotate270 {
		return img
	}
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	dw, dh := w, h
	if o >= Transpose {
		dw, dh = h, w
	}
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	for dy := range dh {
		for dx := range dw {
			var sx, sy int
			switch o {
			case FlipH:
				sx, sy = w-1-dx, dy
			case Rotate180:
				sx, sy = w-1-dx, h-1-dy
			case FlipV:
				sx, sy = dx, h-1-dy
			case Transpose:
				sx, sy = dy, dx
			case Rotate90:
				sx, sy = dy, h-1-dx
			case Transverse:
				sx, sy = w-1-dy, h-1-dx
			case Rotate270:
				sx, sy = w-1-dy, dx
			}
			s := img.PixOffset(r.Min.X+sx, r.Min.Y+sy)
			d := dst.PixOffset(dx, dy)
			copy(dst.Pix[d:d+4], img.Pix[s:s+4])
		}
	}
	return dst
}
