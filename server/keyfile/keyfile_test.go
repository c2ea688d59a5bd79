package keyfile_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"worktalk.dev/worktalk/server/keyfile"
	"worktalk.dev/worktalk/server/service"
)

func TestFormatParse(t *testing.T) {
	k := service.Keys{Current: service.NewKey(), Old: [][]byte{service.NewKey(), service.NewKey()}}
	got, err := keyfile.Parse(string(keyfile.Format(k)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Current, k.Current) || len(got.Old) != 2 || !bytes.Equal(got.Old[1], k.Old[1]) {
		t.Fatalf("Parse(Format(k)) = %x, want %x", got, k)
	}
	for _, bad := range []string{"", "# only a comment\n", "not base64!", "c2hvcnQ="} {
		if _, err := keyfile.Parse(bad); err == nil {
			t.Errorf("Parse(%q) = nil error, want one", bad)
		}
	}
}

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.key")
	legacy := service.NewKey()
	k, created, err := keyfile.LoadOrCreate(path, func() ([]byte, error) { return legacy, nil })
	if err != nil || !created || !bytes.Equal(k.Current, legacy) {
		t.Fatalf("LoadOrCreate = %x, %v, %v; want the given key, created", k.Current, created, err)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("key file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
		}
	}
	again, created, err := keyfile.LoadOrCreate(path, func() ([]byte, error) { return service.NewKey(), nil })
	if err != nil || created || !bytes.Equal(again.Current, legacy) {
		t.Fatalf("second LoadOrCreate = %x, %v, %v; want the stored key", again.Current, created, err)
	}
}

// TestCreateRace: of processes starting at once on an empty folder, all
// end up with the one key that was written.
func TestCreateRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.key")
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, _, err := keyfile.LoadOrCreate(path, func() ([]byte, error) { return service.NewKey(), nil })
			if err != nil {
				t.Error(err)
			}
			keys[i] = k.Current
		}()
	}
	wg.Wait()
	for i := range keys {
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("process %d has key %x, process 0 %x", i, keys[i], keys[0])
		}
	}
	if err := keyfile.Create(path, service.Keys{Current: service.NewKey()}); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over an existing file = %v, want ErrExist", err)
	}
}

func TestLoadRefusesReadableFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows guards files with ACLs, not mode bits")
	}
	path := filepath.Join(t.TempDir(), "server.key")
	if err := os.WriteFile(path, keyfile.Format(service.Keys{Current: service.NewKey()}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := keyfile.Load(path); err == nil {
		t.Fatal("Load of a 0644 key file = nil error, want a refusal")
	}
}

func TestReplace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.key")
	old := service.Keys{Current: service.NewKey()}
	if err := keyfile.Create(path, old); err != nil {
		t.Fatal(err)
	}
	rotated := service.Keys{Current: service.NewKey(), Old: [][]byte{old.Current}}
	if err := keyfile.Replace(path, rotated); err != nil {
		t.Fatal(err)
	}
	got, err := keyfile.Load(path)
	if err != nil || !bytes.Equal(got.Current, rotated.Current) || len(got.Old) != 1 {
		t.Fatalf("Load after Replace = %x, %v; want the rotated keys", got, err)
	}
}
