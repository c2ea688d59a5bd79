package assets

import (
	"bytes"
	"encoding/json"
	"image/png"
	"testing"
)

func TestLoadFonts(t *testing.T) {
	f, err := LoadFonts()
	if err != nil {
		t.Fatalf("LoadFonts: %v", err)
	}
	for name, r := range map[string][]byte{"regular": f.Regular.Content(), "bold": f.Bold.Content()} {
		// OpenType files with CFF outlines start with "OTTO".
		if !bytes.HasPrefix(r, []byte("OTTO")) {
			t.Errorf("%s font starts with % x, want an OpenType (CFF) header", name, r[:4])
		}
	}
}

func TestIcon(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(Icon.Content()))
	if err != nil {
		t.Fatalf("decode icon: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 512 {
		t.Errorf("icon size = %v, want 512x512", b.Size())
	}
}

// Every English string must have a Korean translation and the other way round.
func TestTranslationsMatch(t *testing.T) {
	load := func(name string) map[string]string {
		t.Helper()
		b, err := Translations.ReadFile("translations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	en, ko := load("en.json"), load("ko.json")
	for k := range en {
		if ko[k] == "" {
			t.Errorf("ko.json misses %q", k)
		}
	}
	for k := range ko {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json misses %q", k)
		}
	}
}
