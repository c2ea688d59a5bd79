package protocol

import (
	"bytes"
	"encoding/binary"
	"go/build"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func TestValidateFieldValue(t *testing.T) {
	phone := FieldDef{Key: "phone", Label: "Phone", Kind: FieldPhone}
	email := FieldDef{Key: "email", Label: "E-mail", Kind: FieldEmail}
	title := FieldDef{Key: "title", Label: "Title", Kind: FieldText, MaxLen: 5}
	text := FieldDef{Key: "dept", Label: "Department", Kind: FieldText}
	cases := []struct {
		name string
		def  FieldDef
		v    string
		code string
	}{
		{"empty clears", phone, "", ""},
		{"korean mobile", phone, "+82 10-1234-5678", ""},
		{"plain digits", phone, "0212345678", ""},
		{"phone with letters", phone, "010-CALL-ME", EInvalid},
		{"phone too short", phone, "123", EInvalid},
		{"email", email, "bora@hanbit.example", ""},
		{"email without domain dot", email, "bora@hanbit", EInvalid},
		{"email with space", email, "bo ra@hanbit.example", EInvalid},
		{"title at its limit in hangul", title, "디자인팀장", ""},
		{"title over its limit", title, "디자인팀장님", ETooLarge},
		{"default limit", text, strings.Repeat("a", MaxFieldLen), ""},
		{"over default limit", text, strings.Repeat("a", MaxFieldLen+1), ETooLarge},
		{"control character", text, "Sales\x07", EInvalid},
		{"invalid utf-8", text, "\xff\xfe", EInvalid},
		{"nul", text, "Sales\x00", EInvalid},
		{"override", text, "Sales\u202e", EInvalid},
		{"invisible only", text, "\u200b", EInvalid},
		{"email with nul", email, "bora\x00@hanbit.example", EInvalid},
		{"email with override", email, "bora\u202e@hanbit.example", EInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateFieldValue(c.def, c.v)
			if got := ErrorCode(errOrNil(err)); got != c.code {
				t.Fatalf("ValidateFieldValue(%q) code = %q, want %q (%v)", c.v, got, c.code, err)
			}
			if err != nil && err.Field != c.def.Key {
				t.Fatalf("Field = %q, want %q", err.Field, c.def.Key)
			}
		})
	}
}

// errOrNil keeps a nil *Error from becoming a non-nil error interface.
func errOrNil(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

func TestValidateName(t *testing.T) {
	cases := []struct {
		name, v, code string
	}{
		{"english", "Emma Wilson", ""},
		{"hangul", "김민준", ""},
		{"blank", "   ", EInvalid},
		{"too long", strings.Repeat("가", MaxNameLen+1), ETooLarge},
		{"newline", "Emma\nWilson", EInvalid},
		{"arabic", "محمد", ""},
		{"vietnamese, decomposed", "Nguye\u0302\u0303n", ""},
		{"devanagari", "क्षितिज", ""},
		{"emoji", "Emma 🚀", ""},
		{"right-to-left override", "\u202eammE", EInvalid},
		{"left-to-right mark", "Emma\u200e", EInvalid},
		{"isolate", "\u2066Emma\u2069", EInvalid},
		{"arabic letter mark", "\u061cمحمد", EInvalid},
		{"zero-width only", "\u200b\u200c\u200d", EInvalid},
		{"hangul filler only", "\u3164", EInvalid},
		{"braille blank only", "\u2800\u2800", EInvalid},
		{"byte order mark only", "\ufeff", EInvalid},
		{"combining marks only", "\u0301\u0302", EInvalid},
		{"30 combining marks", "E" + strings.Repeat("\u0301", 30), EInvalid},
		{"marks at the bound", "E" + strings.Repeat("\u0301", MaxCombiningMarks), ""},
		{"line separator", "Emma\u2028Wilson", EInvalid},
		{"paragraph separator", "Emma\u2029Wilson", EInvalid},
		{"nul", "Emma\x00", EInvalid},
		{"invalid utf-8", "Emma\xff", EInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ErrorCode(errOrNil(ValidateName(c.v))); got != c.code {
				t.Fatalf("ValidateName(%q) code = %q, want %q", c.v, got, c.code)
			}
		})
	}
}

func TestValidateMessageText(t *testing.T) {
	cases := []struct {
		name, v, code string
	}{
		{"text", "안녕하세요, Emma", ""},
		{"lines and tabs", "one\n\ttwo\r\nthree", ""},
		{"right-to-left text with marks", "שלום \u200fEmma", ""},
		{"nul", "hi\x00there", EInvalid},
		{"only nul", "\x00", EInvalid},
		{"invalid utf-8", "\xff", EInvalid},
		{"blank", " \n ", EInvalid},
		{"too long", strings.Repeat("a", MaxMessageLen+1), ETooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ErrorCode(errOrNil(ValidateMessageText(c.v))); got != c.code {
				t.Fatalf("ValidateMessageText(%q) code = %q, want %q", c.v, got, c.code)
			}
		})
	}
}

func TestValidateRoomTitle(t *testing.T) {
	cases := []struct {
		name, v, code string
	}{
		{"none", "", ""},
		{"title", "디자인 🚀 Launch", ""},
		{"too long", strings.Repeat("t", MaxTitleLen+1), ETooLarge},
		{"override", "Launch\u202e", EInvalid},
		{"nul", "La\x00unch", EInvalid},
		{"invisible only", "\u200b", EInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ErrorCode(errOrNil(ValidateRoomTitle(c.v))); got != c.code {
				t.Fatalf("ValidateRoomTitle(%q) code = %q, want %q", c.v, got, c.code)
			}
		})
	}
}

func TestValidatePicture(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		code string
	}{
		{"none removes", nil, ""},
		{"png", encodePNG(t, 64, 64), ""},
		{"jpeg", encodeJPEG(t, 64, 48), ""},
		{"largest side", encodePNG(t, MaxPictureSide, 1), ""},
		{"png header claiming a huge image", pngHeader(20000, 20000), ETooLarge},
		{"png signature with no image", []byte("\x89PNG\r\n\x1a\n fake"), EInvalid},
		{"gif is not allowed", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), EInvalid},
		{"text", []byte("hello"), EInvalid},
		{"too many bytes", append(pngHeader(10, 10), bytes.Repeat([]byte{0}, MaxPictureBytes)...), ETooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ErrorCode(errOrNil(ValidatePicture(c.b))); got != c.code {
				t.Fatalf("ValidatePicture code = %q, want %q", got, c.code)
			}
		})
	}
}

func encodePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngHeader is the start of a PNG file whose IHDR claims w×h pixels; the
// pixel data never follows.
func pngHeader(w, h uint32) []byte {
	ihdr := []byte{0, 0, 0, 13, 'I', 'H', 'D', 'R'}
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 0, 0, 0, 0)
	crc := crc32.ChecksumIEEE(ihdr[4:])
	return binary.BigEndian.AppendUint32(append([]byte("\x89PNG\r\n\x1a\n"), ihdr...), crc)
}

func TestValidateProfileUpdate(t *testing.T) {
	s := WorkspaceSettings{
		NameEditable:    true,
		PictureEditable: false,
		Fields: []FieldDef{
			{Key: "title", Label: "Title", Kind: FieldText, Visible: true, Editable: true},
			{Key: "email", Label: "E-mail", Kind: FieldEmail, Visible: true, Editable: false},
			{Key: "employee_no", Label: "Employee no.", Kind: FieldText, Visible: false, Editable: true},
		},
	}
	name := "보라"
	pic := encodePNG(t, 8, 8)
	cases := []struct {
		name  string
		u     ProfileUpdate
		code  string
		field string
	}{
		{"nothing", ProfileUpdate{}, EInvalid, ""},
		{"name", ProfileUpdate{Name: &name}, "", ""},
		{"editable field", ProfileUpdate{Fields: map[string]string{"title": "Designer"}}, "", ""},
		{"read-only field", ProfileUpdate{Fields: map[string]string{"email": "x@y.example"}}, ENotEditable, "email"},
		{"hidden field", ProfileUpdate{Fields: map[string]string{"employee_no": "42"}}, EInvalid, "employee_no"},
		{"unknown field", ProfileUpdate{Fields: map[string]string{"salary": "lots"}}, EInvalid, "salary"},
		{"picture not editable", ProfileUpdate{Picture: &pic}, ENotEditable, "picture"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.ValidateProfileUpdate(c.u)
			if got := ErrorCode(errOrNil(err)); got != c.code {
				t.Fatalf("code = %q, want %q (%v)", got, c.code, err)
			}
			if err != nil && err.Field != c.field {
				t.Fatalf("Field = %q, want %q", err.Field, c.field)
			}
		})
	}
	s.NameEditable = false
	if got := ErrorCode(errOrNil(s.ValidateProfileUpdate(ProfileUpdate{Name: &name}))); got != ENotEditable {
		t.Fatalf("name when not editable: code = %q, want %q", got, ENotEditable)
	}
}

func TestLinkToken(t *testing.T) {
	const tok = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd"
	cases := []struct {
		name, link, want string
	}{
		{"https", "https://talk.example.com/p/" + tok, tok},
		{"http with port and slash", "http://127.0.0.1:8630/p/" + tok + "/", tok},
		{"app scheme", "worktalk://p/" + tok, tok},
		{"bare token with spaces", "  " + tok + "\n", tok},
		{"other path", "https://talk.example.com/x/" + tok, ""},
		{"too short", "https://talk.example.com/p/abc", ""},
		{"bad characters", "https://talk.example.com/p/" + strings.Repeat("한", 30), ""},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := LinkToken(c.link)
			if c.want == "" {
				if ErrorCode(err) != ELinkInvalid {
					t.Fatalf("LinkToken(%q) = %q, %v, want link_invalid", c.link, got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("LinkToken(%q) = %q, %v, want %q", c.link, got, err, c.want)
			}
		})
	}
}

func TestDecodeFrame(t *testing.T) {
	cases := []struct {
		name string
		in   string
		code string
	}{
		{"request", `{"t":"req","id":"1","op":"sync","d":{"cursor":0}}`, ""},
		{"event", `{"t":"event","seq":4,"op":"message.new","d":{}}`, ""},
		{"not json", `{"t":`, EInvalid},
		{"unknown type", `{"t":"hello"}`, EInvalid},
		{"request without id", `{"t":"req","op":"sync"}`, EInvalid},
		{"request without op", `{"t":"req","id":"1"}`, EInvalid},
		{"id too long", `{"t":"req","id":"` + strings.Repeat("x", MaxIDLen+1) + `","op":"sync"}`, EInvalid},
		{"too large", `{"t":"req","id":"1","op":"x","d":"` + strings.Repeat("x", MaxFrameBytes) + `"}`, ETooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeFrame([]byte(c.in))
			if got := ErrorCode(err); got != c.code {
				t.Fatalf("DecodeFrame code = %q, want %q (%v)", got, c.code, err)
			}
		})
	}
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if len(id) != 26 || seen[id] {
			t.Fatalf("NewID() = %q: want 26 characters, unique", id)
		}
		seen[id] = true
	}
	if DirectRoomID("b", "a") != DirectRoomID("a", "b") {
		t.Fatalf("DirectRoomID depends on the order of its members")
	}
	if SelfRoomID("a") == DirectRoomID("a", "a") {
		t.Fatalf("self room and direct room ids collide")
	}
}

func TestErrorHelpers(t *testing.T) {
	if ErrorCode(nil) != "" || ErrorMessage(nil) != "" {
		t.Fatalf("nil error has a code or message")
	}
	if got := ErrorMessage(bytes.ErrTooLarge); got != "internal error" {
		t.Fatalf("ErrorMessage(other) = %q, want internal error", got)
	}
	e := Errorf(EBlocked, "you blocked %s", "Ben")
	if ErrorCode(e) != EBlocked || ErrorMessage(e) != "you blocked Ben" {
		t.Fatalf("code, message = %q, %q", ErrorCode(e), ErrorMessage(e))
	}
}

// protocol is the shared vocabulary of client and server: it must stay on
// the standard library so that either side can use it alone.
func TestImportsStandardLibraryOnly(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
			t.Errorf("protocol imports %s; it may import only the standard library", imp)
		}
	}
}
