package main

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"

	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/server/keyfile"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/sqlite"
)

// liveSecrets makes every kind of live secret on a running server and
// returns the tokens: sessions, a QR link (reset once), one-time links, one
// of them also kept as a stored answer.
func liveSecrets(t *testing.T, svc *service.Service) []string {
	t.Helper()
	ctx := t.Context()
	var toks []string
	ws, err := svc.CreateWorkspace(ctx, "Acme", service.DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateMember(ctx, service.NewMember{WorkspaceID: ws.ID, Email: "kim@acme.test", Password: "a long enough password", Name: "Kim"}); err != nil {
		t.Fatal(err)
	}
	var c service.Caller
	for range 2 {
		res, err := svc.SignIn(ctx, protocol.SignInRequest{Email: "kim@acme.test", Password: "a long enough password"}, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, res.Session.Token)
		if c, err = svc.Authenticate(ctx, res.Session.Token); err != nil {
			t.Fatal(err)
		}
	}
	do := func(op string) string {
		res, err := svc.Do(ctx, c, protocol.NewID(), op, []byte("{}"))
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		var l protocol.ProfileLink
		if err := json.Unmarshal(res, &l); err != nil {
			t.Fatal(err)
		}
		tok, err := protocol.LinkToken(l.URL)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	do(protocol.OpLinkQR)
	toks = append(toks, do(protocol.OpLinkResetQR), do(protocol.OpLinkCreateOnce), do(protocol.OpLinkCreateOnce))
	return toks
}

// copyDatabase copies the database files, and only them, out of a data
// folder, as a backup or a leaked disk image would hold them.
func copyDatabase(t *testing.T, dataDir string) string {
	t.Helper()
	dst := t.TempDir()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(filepath.Join(dataDir, dbFile+suffix))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, dbFile+suffix), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// encodings are the forms a token could take in a file: as sent, its raw
// bytes, hex, base64 with and without padding, URL-safe padded, UTF-16.
func encodings(tok string) map[string][]byte {
	out := map[string][]byte{"as sent": []byte(tok)}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return out
	}
	out["raw bytes"] = raw
	out["hex"] = []byte(hex.EncodeToString(raw))
	out["HEX"] = []byte(strings.ToUpper(hex.EncodeToString(raw)))
	out["base64"] = []byte(base64.StdEncoding.EncodeToString(raw))
	out["base64 unpadded"] = []byte(base64.RawStdEncoding.EncodeToString(raw))
	out["base64url padded"] = []byte(base64.URLEncoding.EncodeToString(raw))
	var u16 []byte
	for _, r := range utf16.Encode([]rune(tok)) {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	out["utf-16"] = u16
	return out
}

// scanCopy looks at a copied database the way someone holding only it
// would: it greps every file for the tokens in every encoding, and tries
// every 32 bytes it can find (in a cell, decoded from a cell, or anywhere
// in the raw files) as an AES-256-GCM key on every sealed-looking value.
// It returns what it found.
func scanCopy(t *testing.T, dir string, tokens []string) []string {
	t.Helper()
	var found []string
	var raw [][]byte
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(filepath.Join(dir, dbFile+suffix)); err == nil {
			raw = append(raw, b)
		}
	}
	for i, tok := range tokens {
		for name, enc := range encodings(tok) {
			for _, b := range raw {
				if bytes.Contains(b, enc) {
					found = append(found, fmt.Sprintf("token %d (%s)", i, name))
				}
			}
		}
	}

	cells := databaseCells(t, filepath.Join(dir, dbFile))
	keys := map[[32]byte]bool{}
	addKey := func(b []byte) {
		if len(b) == 32 {
			keys[[32]byte(b)] = true
		}
	}
	var sealed [][]byte
	for _, c := range cells {
		addKey(c)
		for _, dec := range []func(string) ([]byte, error){hex.DecodeString, base64.StdEncoding.DecodeString,
			base64.RawStdEncoding.DecodeString, base64.URLEncoding.DecodeString, base64.RawURLEncoding.DecodeString} {
			if b, err := dec(string(c)); err == nil {
				addKey(b)
			}
		}
		if len(c) >= 12+16 {
			sealed = append(sealed, c)
		}
	}
	for _, b := range raw {
		for i := 0; i+32 <= len(b); i++ {
			if w := b[i : i+32]; distinct(w) >= 20 { // skip text and zeros: a random key has ~30
				addKey(w)
			}
		}
	}
	if len(sealed) == 0 {
		t.Fatal("the copy holds nothing sealed: the scan would prove nothing")
	}
	for k := range keys {
		block, _ := aes.NewCipher(k[:])
		aead, _ := cipher.NewGCM(block)
		for _, s := range sealed {
			if plain, err := aead.Open(nil, s[:12], s[12:], nil); err == nil {
				found = append(found, fmt.Sprintf("key %x opens a sealed value: %q", k[:4], plain))
			}
		}
	}
	t.Logf("scanned %d bytes: %d candidate keys on %d sealed-looking values", len(bytes.Join(raw, nil)), len(keys), len(sealed))
	return found
}

func distinct(b []byte) int {
	var seen [256]bool
	n := 0
	for _, c := range b {
		if !seen[c] {
			seen[c] = true
			n++
		}
	}
	return n
}

// databaseCells returns every text and blob value of every table.
func databaseCells(t *testing.T, path string) [][]byte {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var out [][]byte
	for _, tbl := range tables {
		rows, err := db.Query(`SELECT * FROM "` + tbl + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				switch v := v.(type) {
				case []byte:
					out = append(out, v)
				case string:
					out = append(out, []byte(v))
				}
			}
		}
		rows.Close()
	}
	return out
}

// TestDatabaseCopyOpensNothing: a copy of the database alone holds no live
// token in any encoding and no key that opens what is sealed in it. The
// same scan on a database as older versions left it (the key in a table)
// finds the key, so the scan can fail; after one start of this version it
// finds nothing, and the old QR link still works.
func TestDatabaseCopyOpensNothing(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()

	// A data folder as older versions left it.
	db, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	legacy := service.NewKey()
	old := service.New(service.Config{Store: db, Argon: argon2id.TestParams, Keys: service.Keys{Current: legacy}, PublicURL: "https://talk.test"})
	tokens := liveSecrets(t, old)
	if err := db.Write(ctx, func(tx service.Tx) error { return tx.InsertServerKey(ctx, "seal", legacy) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if found := scanCopy(t, copyDatabase(t, dir), tokens); len(found) == 0 {
		t.Fatal("the scan found nothing in a database that holds its own key")
	}

	m, _ := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", dir, "--public-url", "https://talk.test")
	tokens = append(tokens, liveSecrets2(t, m)...)
	if found := scanCopy(t, copyDatabase(t, dir), tokens); len(found) > 0 {
		t.Errorf("a copy of the database alone reveals: %s", strings.Join(found, "; "))
	}
	// The QR link made before the upgrade still opens its card.
	card, err := m.Service.PublicCard(ctx, tokens[2])
	if err != nil || card.Name != "Kim" {
		t.Errorf("the QR link from before the upgrade: %+v, %v; want Kim's card", card, err)
	}
	keys, err := keyfile.Load(filepath.Join(dir, keyFileName))
	if err != nil || !bytes.Equal(keys.Current, legacy) {
		t.Errorf("key file holds %x, %v; want the key the database held", keys.Current, err)
	}
}

// liveSecrets2 adds secrets after the upgrade: a session and a one-time link
// of a second member.
func liveSecrets2(t *testing.T, m *Main) []string {
	t.Helper()
	ctx := t.Context()
	svc := m.Service
	var wss []service.WorkspaceRow
	err := m.DB.Read(ctx, func(tx service.Tx) error {
		var err error
		wss, err = tx.Workspaces(ctx)
		return err
	})
	if err != nil || len(wss) == 0 {
		t.Fatalf("workspaces: %v", err)
	}
	if _, err := svc.CreateMember(ctx, service.NewMember{WorkspaceID: wss[0].ID, Email: "lee@acme.test", Password: "a long enough password", Name: "Lee"}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.SignIn(ctx, protocol.SignInRequest{Email: "lee@acme.test", Password: "a long enough password"}, "192.0.2.2")
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.Authenticate(ctx, res.Session.Token)
	if err != nil {
		t.Fatal(err)
	}
	out, err := svc.Do(ctx, c, protocol.NewID(), protocol.OpLinkCreateOnce, []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	var l protocol.ProfileLink
	json.Unmarshal(out, &l)
	tok, err := protocol.LinkToken(l.URL)
	if err != nil {
		t.Fatal(err)
	}
	// An imported member's activation link is live until used.
	acts, err := svc.ImportMembers(ctx, wss[0].ID, []service.ImportRow{{Line: 2, Email: "park@acme.test", Name: "Park"}}, 0, "test")
	if err != nil || len(acts) != 1 {
		t.Fatalf("ImportMembers = %v, %v", acts, err)
	}
	act := acts[0].URL[strings.LastIndex(acts[0].URL, "/")+1:]
	return []string{res.Session.Token, tok, act}
}

// TestDataFilesOwnerOnly: everything worktalkd makes in --data is readable
// by its owner only, with a permissive umask too.
func TestDataFilesOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows guards files with ACLs, not mode bits")
	}
	dir := filepath.Join(t.TempDir(), "data")
	m, _ := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", dir, "--demo")
	liveSecrets(t, m.Service)
	check := func(when string) {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			want := fs.FileMode(0o600)
			if d.IsDir() {
				want = 0o700
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s: %s has mode %v, want %v", when, p, got, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check("while serving")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	check("after closing")
}

// TestOldDatabaseMadePrivate: a database file an older version left
// world-readable is narrowed at the next start.
func TestOldDatabaseMadePrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows guards files with ACLs, not mode bits")
	}
	dir := t.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(filepath.Join(dir, dbFile), 0o644); err != nil {
		t.Fatal(err)
	}
	runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", dir)
	fi, err := os.Stat(filepath.Join(dir, dbFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database mode after a start = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
}

// TestKeyRotation: rotate, restart, prune; the QR link stays the same
// throughout and the key file ends with the new key alone.
func TestKeyRotation(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, keyFileName)
	m, _ := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", dir, "--public-url", "https://talk.test")
	qr := liveSecrets(t, m.Service)[2]
	m.Close()
	first, err := keyfile.Load(keyPath)
	if err != nil {
		t.Fatal(err)
	}

	runMain(t, "", "key", "rotate", "--data", dir)
	rotated, err := keyfile.Load(keyPath)
	if err != nil || bytes.Equal(rotated.Current, first.Current) || len(rotated.Old) != 1 || !bytes.Equal(rotated.Old[0], first.Current) {
		t.Fatalf("after key rotate: %d old keys, %v; want a new current key and the first one kept", len(rotated.Old), err)
	}
	checkQR := func(when string) {
		t.Helper()
		m, _ := runMain(t, "", "serve", "--addr", "127.0.0.1:0", "--data", dir, "--public-url", "https://talk.test")
		if card, err := m.Service.PublicCard(t.Context(), qr); err != nil || card.Name != "Kim" {
			t.Errorf("%s: QR link = %+v, %v; want Kim's card", when, card, err)
		}
		if n, err := m.Service.NeedsOldKeys(context.Background()); err != nil || n != 0 {
			t.Errorf("%s: %d values need an old key (%v), want 0 after the start resealed them", when, n, err)
		}
		m.Close()
	}
	checkQR("restart after rotate")

	_, out := runMain(t, "", "key", "prune", "--data", dir)
	pruned, err := keyfile.Load(keyPath)
	if err != nil || !bytes.Equal(pruned.Current, rotated.Current) || len(pruned.Old) != 0 {
		t.Fatalf("after key prune (%q): %d old keys, %v; want the new key alone", out, len(pruned.Old), err)
	}
	checkQR("restart after prune")
}
