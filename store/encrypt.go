package store

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ncruces/go-sqlite3"
	_ "github.com/ncruces/go-sqlite3/vfs/adiantum" // registers the "adiantum" VFS
)

// Encryption at rest. The database runs on SQLite compiled to Go
// (github.com/ncruces/go-sqlite3) with its "adiantum" VFS: every 4 KiB
// block of the file, of its WAL and of temporary files is encrypted with
// Adiantum (XChaCha12, AES and NH/Poly1305) under a 256-bit key, tweaked by
// the block's offset. SQL, indexes and ordering work as on a plain file.
// docs/architecture.md says why this and not SQLCipher.

// vfsName is the SQLite VFS that encrypts.
const vfsName = "adiantum"

// KeySize is the length of a database key in bytes.
const KeySize = 32

// encryptingSuffix names the encrypted copy that encryptInPlace writes
// before it replaces the plain file.
const encryptingSuffix = ".encrypting"

var (
	// ErrWrongKey is what Open answers when the file cannot be read with
	// the key it was given. The file is left as it was.
	ErrWrongKey = errors.New("the local database cannot be read with this key")
	// ErrNotEncrypted is what Open answers for an encrypted file and no key.
	ErrNotEncrypted = errors.New("the local database is encrypted and no key was given")
)

// NewKey returns a new random database key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k) // never fails (crypto/rand)
	return k
}

// FileKind is what Inspect finds at a database path.
type FileKind int

const (
	FileMissing   FileKind = iota // no file, or an empty one: a new database
	FilePlain                     // an unencrypted SQLite database
	FileEncrypted                 // anything else: encrypted (or not a database at all)
)

// sqliteMagic starts every plain SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// Inspect tells whether the database at path is missing, plain or
// encrypted, by its first bytes.
func Inspect(path string) (FileKind, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return FileMissing, nil
	}
	if err != nil {
		return 0, fmt.Errorf("inspect store: %w", err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	n, err := io.ReadFull(f, head)
	switch {
	case n == 0 && (err == io.EOF):
		return FileMissing, nil
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return 0, fmt.Errorf("inspect store: %w", err)
	case bytes.Equal(head[:n], sqliteMagic):
		return FilePlain, nil
	}
	return FileEncrypted, nil
}

// fileURI is path as an SQLite URI with params, which are not escaped.
func fileURI(path, params string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	u := "file:" + r.Replace(filepath.ToSlash(path))
	if params != "" {
		u += "?" + params
	}
	return u
}

// CheckKey tells whether key reads the encrypted database at path: nil,
// ErrWrongKey, or another error when it cannot tell. It changes nothing
// and may run while the database is open.
//
// It reads the schema with the file opened immutable, so that SQLite reads
// only the main file: a wrong key must not make SQLite take the WAL for
// garbage and delete it on close, with the last commits in it.
func CheckKey(path string, key []byte) error {
	c, err := sqlite3.OpenFlags(fileURI(path, "vfs="+vfsName+"&immutable=1&hexkey="+hex.EncodeToString(key)),
		sqlite3.OPEN_READONLY|sqlite3.OPEN_URI)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer c.Close()
	err = c.Exec("SELECT count(*) FROM sqlite_schema")
	if errors.Is(err, sqlite3.NOTADB) {
		return ErrWrongKey
	}
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	return nil
}

// encryptInPlace replaces the plain database at path with an encrypted
// copy. The copy is written next to it, synced, and renamed over it, so a
// crash at any point leaves either the plain or the encrypted database, and
// the next Open finishes the work.
func encryptInPlace(path string, key []byte) error {
	tmp := path + encryptingSuffix
	for _, p := range sideFiles(tmp) { // what an interrupted try left
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("encrypt store: %w", err)
		}
	}
	src, err := sqlite3.OpenFlags(fileURI(path, ""), sqlite3.OPEN_READWRITE|sqlite3.OPEN_URI)
	if err != nil {
		return fmt.Errorf("encrypt store: %w", err)
	}
	if err := src.BusyTimeout(10e9); err != nil {
		src.Close()
		return fmt.Errorf("encrypt store: %w", err)
	}
	// VACUUM INTO writes one consistent copy, commits still in the WAL
	// included.
	into := fileURI(tmp, "vfs="+vfsName+"&hexkey="+hex.EncodeToString(key))
	err = src.Exec("VACUUM INTO '" + strings.ReplaceAll(into, "'", "''") + "'")
	// Closing the last connection checkpoints the WAL into the plain file
	// and deletes it; a WAL still there belongs to another program that
	// has the file open.
	if cerr := src.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("encrypt store: %w", err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		return fmt.Errorf("encrypt store: the local database is in use by another program")
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("encrypt store: %w", err)
	}
	if err := os.Remove(path + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("encrypt store: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("encrypt store: %w", err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename in dir durable where the OS allows it (not on
// Windows, where directories cannot be opened for syncing).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
