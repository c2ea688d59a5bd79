package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"path/filepath"

	"worktalk.dev/worktalk/server/keyfile"
	"worktalk.dev/worktalk/server/service"
)

// keyFileName is the key file a single node keeps in --data.
const keyFileName = "server.key"

// keyFlags choose where the server keys are: --secret-key-file, the
// environment variable keyfile.EnvVar, or (with --data) DATA/server.key.
type keyFlags struct {
	file string
}

func (k *keyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&k.file, "secret-key-file", "", "`FILE` holding the server keys (default with --data: DATA/"+keyFileName+
		"; with --db it, or $"+keyfile.EnvVar+", is required and must be the same on every node)")
}

// keyPath is the key file to use, "" when the keys come from the environment.
func (m *Main) keyPath(d dbFlags, k keyFlags) (string, error) {
	env := m.getenv(keyfile.EnvVar)
	switch {
	case env != "" && k.file != "":
		return "", fmt.Errorf("give --secret-key-file or $%s, not both", keyfile.EnvVar)
	case env != "":
		return "", nil
	case k.file != "":
		return k.file, nil
	case d.data != "":
		return filepath.Join(d.data, keyFileName), nil
	default:
		return "", fmt.Errorf("nodes sharing PostgreSQL need the same server key: give --secret-key-file FILE "+
			"or $%s (make it once with: worktalkd key init --db URL --secret-key-file FILE)", keyfile.EnvVar)
	}
}

// loadKeys returns the server keys for a serve. A single node (--data)
// makes its key file on first start, adopting the key older versions kept in
// the database; nodes sharing PostgreSQL must be given the keys, since a key
// one node made alone would not open what the others seal.
func (m *Main) loadKeys(ctx context.Context, d dbFlags, k keyFlags) (service.Keys, error) {
	path, err := m.keyPath(d, k)
	if err != nil {
		return service.Keys{}, err
	}
	if path == "" {
		keys, err := keyfile.Parse(m.getenv(keyfile.EnvVar))
		if err != nil {
			return keys, fmt.Errorf("$%s: %w", keyfile.EnvVar, err)
		}
		return keys, nil
	}
	if d.data != "" {
		keys, created, err := keyfile.LoadOrInit(ctx, path, m.DB)
		if created {
			m.logger().Info("made the server key file", "path", path)
		}
		return keys, err
	}
	keys, err := keyfile.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return keys, fmt.Errorf("no key file %s: make it once with: worktalkd key init --db URL --secret-key-file %s, "+
			"then give every node the same file", path, path)
	}
	return keys, err
}

// reseal moves whatever an older key sealed (a rotated key, or the key older
// versions kept in the database) to the current key, then scrubs the
// database files of the old bytes.
func (m *Main) reseal(ctx context.Context) error {
	rep, err := m.Service.Reseal(ctx)
	if err != nil {
		return fmt.Errorf("reseal: %w", err)
	}
	if rep.Lost > 0 {
		m.logger().Warn("sealed values no server key opens: their QR links were reset", "count", rep.Lost)
	}
	if rep.Resealed == 0 && rep.Lost == 0 && !rep.LegacyRemoved {
		return nil
	}
	m.logger().Info("moved sealed values to the current server key", "resealed", rep.Resealed,
		"removed key from database", rep.LegacyRemoved)
	if s, ok := m.DB.(interface{ Scrub(context.Context) error }); ok {
		if err := s.Scrub(ctx); err != nil {
			return err
		}
	}
	return nil
}

// parseKey parses "key init|rotate|prune|new".
func (m *Main) parseKey(cmd string, args []string) error {
	fs := m.newFlagSet(cmd)
	var db dbFlags
	var kf keyFlags
	if cmd != "key new" {
		db.register(fs)
		kf.register(fs)
	}
	switch cmd {
	case "key new", "key init", "key rotate", "key prune":
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
	if err := m.parse(fs, cmd, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected arguments %q", cmd, fs.Args())
	}
	if cmd == "key new" {
		m.run = func(context.Context) error {
			fmt.Fprintln(m.Stdout, base64.StdEncoding.EncodeToString(service.NewKey()))
			return nil
		}
		return nil
	}
	if err := db.check(); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	var run func(ctx context.Context, path string) error
	switch cmd {
	case "key init":
		run = m.keyInit
	case "key rotate":
		run = m.keyRotate
	case "key prune":
		run = m.keyPrune
	}
	m.run = func(ctx context.Context) error {
		path, err := m.keyPath(db, kf)
		if err != nil {
			return err
		}
		if err := m.openStore(ctx, db); err != nil {
			return err
		}
		return run(ctx, path)
	}
	return nil
}

// keyInit makes the key file, with the key older versions kept in the
// database when there is one, and moves that key out of the database.
func (m *Main) keyInit(ctx context.Context, path string) error {
	if path == "" {
		return fmt.Errorf("key init writes a file: give --secret-key-file, not $%s", keyfile.EnvVar)
	}
	k, err := keyfile.InitialKey(ctx, m.DB)
	if err != nil {
		return err
	}
	if err := keyfile.Create(path, service.Keys{Current: k}); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s exists already; key rotate makes a new key", path)
		}
		return err
	}
	keys, err := keyfile.Load(path)
	if err != nil {
		return err
	}
	m.openService("", nil, keys, 0)
	if err := m.reseal(ctx); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "worktalkd: made %s (mode 0600); give every node sharing this database the same file\n", path)
	return nil
}

// keyRotate puts a new current key in front of the key file; the old keys
// stay to open what they sealed until key prune.
func (m *Main) keyRotate(ctx context.Context, path string) error {
	if path == "" {
		return fmt.Errorf("with $%s, put a key from \"worktalkd key new\" in front of the old ones yourself "+
			"(NEW,OLD), restart every node, then run key prune", keyfile.EnvVar)
	}
	keys, err := keyfile.Load(path)
	if err != nil {
		return err
	}
	keys = service.Keys{Current: service.NewKey(), Old: append([][]byte{keys.Current}, keys.Old...)}
	if err := keyfile.Replace(path, keys); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "worktalkd: %s has a new current key and keeps %d old one(s) to open what they sealed.\n"+
		"Copy it to every node and restart them (each moves sealed values to the new key at start), then run key prune.\n",
		path, len(keys.Old))
	return nil
}

// keyPrune moves every sealed value to the current key and then drops the
// old keys from the key file.
func (m *Main) keyPrune(ctx context.Context, path string) error {
	var keys service.Keys
	var err error
	if path == "" {
		keys, err = keyfile.Parse(m.getenv(keyfile.EnvVar))
	} else {
		keys, err = keyfile.Load(path)
	}
	if err != nil {
		return err
	}
	m.openService("", nil, keys, 0)
	if err := m.reseal(ctx); err != nil {
		return err
	}
	if n, err := m.Service.NeedsOldKeys(ctx); err != nil {
		return err
	} else if n > 0 {
		return fmt.Errorf("%d sealed values still need an old key (a node still seals with one?); restart every node with the new keys and try again", n)
	}
	if len(keys.Old) == 0 {
		fmt.Fprintln(m.Stdout, "worktalkd: no old keys to drop")
		return nil
	}
	if path == "" {
		fmt.Fprintf(m.Stdout, "worktalkd: everything is sealed with the current key; keep only the first key in $%s\n", keyfile.EnvVar)
		return nil
	}
	if err := keyfile.Replace(path, service.Keys{Current: keys.Current}); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "worktalkd: dropped %d old key(s) from %s; copy it to every node\n", len(keys.Old), path)
	return nil
}
