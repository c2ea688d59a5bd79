package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"unicode/utf16"
)

// Windows resource types (winuser.h).
const (
	rtIcon      = 3
	rtGroupIcon = 14
	rtVersion   = 16
	rtManifest  = 24
)

// peResources reads the resource tree of a PE file: the data of the first
// resource of each type, by type id.
func peResources(path string) (map[uint32][]byte, error) {
	f, err := pe.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sec := f.Section(".rsrc")
	if sec == nil {
		return nil, fmt.Errorf("%s has no .rsrc section", path)
	}
	data, err := sec.Data()
	if err != nil {
		return nil, err
	}
	type entry struct{ id, off uint32 }
	dir := func(off uint32) ([]entry, error) {
		if int(off)+16 > len(data) {
			return nil, fmt.Errorf("resource directory at %d out of range", off)
		}
		n := int(binary.LittleEndian.Uint16(data[off+12:])) + int(binary.LittleEndian.Uint16(data[off+14:]))
		var out []entry
		for i := 0; i < n; i++ {
			at := int(off) + 16 + 8*i
			if at+8 > len(data) {
				return nil, fmt.Errorf("resource entry out of range")
			}
			out = append(out, entry{binary.LittleEndian.Uint32(data[at:]), binary.LittleEndian.Uint32(data[at+4:])})
		}
		return out, nil
	}
	types, err := dir(0)
	if err != nil {
		return nil, err
	}
	out := map[uint32][]byte{}
	for _, t := range types {
		// type -> name -> language -> data entry
		off := t.off
		for depth := 0; depth < 2 && off&0x80000000 != 0; depth++ {
			es, err := dir(off & 0x7fffffff)
			if err != nil || len(es) == 0 {
				return nil, fmt.Errorf("resource type %d: %v", t.id, err)
			}
			off = es[0].off
		}
		if off&0x80000000 != 0 || int(off)+8 > len(data) {
			return nil, fmt.Errorf("resource type %d: no data entry", t.id)
		}
		rva, size := binary.LittleEndian.Uint32(data[off:]), binary.LittleEndian.Uint32(data[off+4:])
		start := int(rva) - int(sec.VirtualAddress)
		if start < 0 || start+int(size) > len(data) {
			return nil, fmt.Errorf("resource type %d: data out of range", t.id)
		}
		out[t.id] = data[start : start+int(size)]
	}
	return out, nil
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// checkExeResources fails unless the .exe at path has an icon, a manifest
// and version info naming version.
func checkExeResources(t *testing.T, path, version string) {
	t.Helper()
	res, err := peResources(path)
	if err != nil {
		t.Fatal(err)
	}
	for id, what := range map[uint32]string{rtIcon: "icon", rtGroupIcon: "icon group", rtVersion: "version info", rtManifest: "manifest"} {
		if len(res[id]) == 0 {
			t.Errorf("%s has no %s resource", path, what)
		}
	}
	v := res[rtVersion]
	if !bytes.Contains(v, []byte{0xbd, 0x04, 0xef, 0xfe}) || !bytes.Contains(v, utf16le("Worktalk")) || !bytes.Contains(v, utf16le(version)) {
		t.Errorf("version info of %s lacks VS_FIXEDFILEINFO, the product name or %q", path, version)
	}
}

// TestWindowsExeResources checks a Windows build of the app (made by
// scripts/release.sh windows, which runs this test on it):
//
//	WORKTALK_EXE=dist/Worktalk.exe WORKTALK_VERSION=0.1.0 go test -run TestWindowsExeResources ./cmd/worktalk/
func TestWindowsExeResources(t *testing.T) {
	exe := os.Getenv("WORKTALK_EXE")
	if exe == "" {
		t.Skip("WORKTALK_EXE is not set: the Windows cross-compile takes minutes, scripts/release.sh windows runs this check")
	}
	checkExeResources(t, exe, os.Getenv("WORKTALK_VERSION"))
}

// The resources release.sh makes with go-winres link into a Windows
// program and read back: checked on a small program without cgo, which
// builds in seconds.
func TestWindowsResourcesLink(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Windows program")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module winrestest\n\ngo 1.26\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	icon, _ := filepath.Abs("../../assets/icon.png")
	gen := exec.Command("go", "tool", "go-winres", "simply", "--arch", "amd64", "--out", filepath.Join(dir, "rsrc"),
		"--icon", icon, "--manifest", "gui", "--product-name", "Worktalk", "--product-version", "9.8.7.0", "--file-version", "9.8.7.6")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("go-winres: %v\n%s", err, out)
	}
	build := exec.Command("go", "build", "-o", "w.exe", ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	checkExeResources(t, filepath.Join(dir, "w.exe"), "9.8.7")
}
