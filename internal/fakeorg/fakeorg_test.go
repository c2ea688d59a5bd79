package fakeorg

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode"
)

func TestGenerate(t *testing.T) {
	ms := Generate(10_000, "acme.example", 7)
	if again := Generate(10_000, "acme.example", 7); again[9_999] != ms[9_999] {
		t.Errorf("the same seed made %+v, then %+v", ms[9_999], again[9_999])
	}
	emails := map[string]bool{}
	korean := 0
	for _, m := range ms {
		if emails[m.Email] {
			t.Fatalf("e-mail %s made twice", m.Email)
		}
		emails[m.Email] = true
		if unicode.Is(unicode.Hangul, []rune(m.Name)[0]) {
			korean++
		}
		if strings.Count(m.Department, "/") < 1 {
			t.Fatalf("department %q is not a path", m.Department)
		}
	}
	if korean < 6_500 || korean > 8_500 {
		t.Errorf("%d Korean names of 10,000, want about three in four", korean)
	}
	var buf bytes.Buffer
	if err := Write(&buf, ms[:3], true); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "\ufeffemail,name,") {
		t.Errorf("file starts %q, want a BOM and the header", buf.String()[:20])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 4 || recs[1][0] != ms[0].Email {
		t.Errorf("read back %d records, %v", len(recs), err)
	}
}
