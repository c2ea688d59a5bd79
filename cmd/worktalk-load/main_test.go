package main

import (
	"io"
	"slices"
	"testing"
)

func TestParseFlags(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		rooms []int
	}{
		{nil, []int{1000}},
		{[]string{"-conns", "500"}, []int{500}},
		{[]string{"-conns", "10000"}, []int{1000, 10000}},
		{[]string{"-conns", "10000", "-rooms", "10, 2000"}, []int{10, 2000}},
	} {
		cfg, err := parseFlags(tt.args, io.Discard)
		if err != nil {
			t.Errorf("parseFlags(%q): %v", tt.args, err)
			continue
		}
		if !slices.Equal(cfg.Rooms, tt.rooms) {
			t.Errorf("parseFlags(%q) rooms = %v, want %v", tt.args, cfg.Rooms, tt.rooms)
		}
	}
	for _, args := range [][]string{{"-rooms", "ten"}, {"extra"}, {"-conns", "x"}} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) = nil error, want one", args)
		}
	}
}
