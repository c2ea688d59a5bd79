// Package keyfile keeps worktalkd's server keys (service.Keys) outside the
// database: in a file only its owner can read, or in an environment
// variable. A key file holds one key per line, base64 (standard, with
// padding); the first is the current key, the others are older keys kept
// only to open what was sealed before a rotation. Lines starting with '#'
// and blank lines are ignored.
package keyfile

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"worktalk.dev/worktalk/server/service"
)

// EnvVar is the environment variable that may hold the keys instead of a
// file, in the same format (newlines or commas between keys).
const EnvVar = "WORKTALKD_SECRET_KEY"

// Parse reads keys in the key file format; commas separate keys too.
func Parse(text string) (service.Keys, error) {
	var keys [][]byte
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, field := range strings.Split(line, ",") {
			if field = strings.TrimSpace(field); field == "" {
				continue
			}
			k, err := base64.StdEncoding.DecodeString(field)
			if err != nil || len(k) != service.KeyLen {
				return service.Keys{}, fmt.Errorf("key %d is not %d bytes of base64", len(keys)+1, service.KeyLen)
			}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return service.Keys{}, errors.New("no key in it")
	}
	return service.Keys{Current: keys[0], Old: keys[1:]}, nil
}

// Format writes keys in the key file format, the current one first.
func Format(k service.Keys) []byte {
	var b bytes.Buffer
	b.WriteString("# worktalkd server keys: the first seals, the others only open (docs/operations.md)\n")
	for _, key := range append([][]byte{k.Current}, k.Old...) {
		b.WriteString(base64.StdEncoding.EncodeToString(key))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Load reads the key file at path. A file others may read or write is
// refused: the keys open every sealed value in the database.
func Load(path string) (service.Keys, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return service.Keys{}, err
	}
	if fi.Mode().Perm()&0o077 != 0 && !ignoresModes() {
		return service.Keys{}, fmt.Errorf("key file %s can be read by others (mode %v); run chmod 600 on it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return service.Keys{}, err
	}
	k, err := Parse(string(b))
	if err != nil {
		return service.Keys{}, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// Create writes a new key file holding k, readable by its owner only. It
// fails with fs.ErrExist when the file is already there, so two processes
// starting at once do not each make a key. The file appears complete or not
// at all: it is written aside and linked into place.
func Create(path string, k service.Keys) error {
	tmp, err := writeTemp(path, k)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fs.ErrExist
		}
		return err
	}
	return nil
}

// writeTemp writes k to a new 0600 file beside path and returns its name.
func writeTemp(path string, k service.Keys) (string, error) {
	if err := k.Check(); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-key-*") // 0600
	if err != nil {
		return "", err
	}
	if _, err := tmp.Write(Format(k)); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// Replace writes k over the key file at path through a temporary file and a
// rename, so a crash leaves the old keys or the new ones, never neither.
func Replace(path string, k service.Keys) error {
	tmp, err := writeTemp(path, k)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Rename(tmp, path)
}

// LoadOrCreate loads the key file at path, making it first when it does not
// exist with the key first returns (e.g. a key older versions kept in the
// database, or a new one). created says whether this call made it.
func LoadOrCreate(path string, first func() ([]byte, error)) (k service.Keys, created bool, err error) {
	k, err = Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	key, err := first()
	if err != nil {
		return service.Keys{}, false, err
	}
	err = Create(path, service.Keys{Current: key})
	if errors.Is(err, fs.ErrExist) { // another process won the race
		k, err = Load(path)
		return k, false, err
	}
	if err != nil {
		return service.Keys{}, false, fmt.Errorf("create key file: %w", err)
	}
	k, err = Load(path)
	return k, err == nil, err
}

// LoadOrInit loads the key file at path, making it first when it does not
// exist: with the key older versions kept in store's database, so links made
// before keep working, or else a new key. Call service.Reseal after, which
// moves what that key sealed to the file's key and deletes it from the
// database.
func LoadOrInit(ctx context.Context, path string, store service.Store) (k service.Keys, created bool, err error) {
	return LoadOrCreate(path, func() ([]byte, error) {
		return InitialKey(ctx, store)
	})
}

// InitialKey is the key a new key file starts with: the in-database key of
// older versions when store has one, else a new key.
func InitialKey(ctx context.Context, store service.Store) ([]byte, error) {
	k, err := service.LegacyKey(ctx, store)
	if err != nil {
		return nil, fmt.Errorf("read the key older versions kept: %w", err)
	}
	if k == nil {
		k = service.NewKey()
	}
	return k, nil
}
