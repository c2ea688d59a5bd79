package ui

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"runtime"
	"testing"

	"worktalk.dev/worktalk/protocol"
)

// pngClaiming is a small PNG file whose header claims w x h 8-bit gray
// pixels, with one row of data: decoding it in full would allocate w*h bytes.
func pngClaiming(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		body := append([]byte(kind), data...)
		out.Write(body)
		binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // bit depth 8, gray
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1+w)) // filter byte and one row
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// TestPreparePictureRefusesHugeDimensions: a small file that claims an
// enormous image is refused from its header, before any pixel memory is
// taken (otherwise a crafted file can exhaust memory and crash the app).
func TestPreparePictureRefusesHugeDimensions(t *testing.T) {
	file := pngClaiming(t, 20000, 20000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := preparePicture(file)
	runtime.ReadMemStats(&after)
	if code := protocol.ErrorCode(err); code != protocol.ETooLarge {
		t.Errorf("preparePicture(20000x20000 claim) error %v (code %q), want code %q", err, code, protocol.ETooLarge)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("preparePicture allocated %d MB for a %d-byte file, want under 16 MB", got>>20, len(file))
	}
}
