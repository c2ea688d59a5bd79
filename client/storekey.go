package client

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/store"
)

// The local database of each workspace is encrypted at rest with a random
// key kept in the same secret store as the session token (the OS keyring),
// under its own user name. A copy of the data folder without the keyring
// reads as random bytes.

// ErrLocalDataKey is returned, wrapped, by Open when the workspace's local
// data cannot be read: its key is missing from the keyring or is not the
// one it was written with. The file is left as it was; signing in to the
// workspace again sets it aside and starts over.
var ErrLocalDataKey = errors.New("this workspace's data on this computer cannot be read with the key in the keyring")

// storeFile is the name of an account's database in its directory.
const storeFile = "local.db"

// storeKeyUser is the secret store user name of an account's database key.
func storeKeyUser(serverURL, memberID string) string {
	return secretUser(serverURL, memberID) + "|store-key"
}

// storeKey returns the key of the account's database at path, making and
// saving one when the database is new or still plain (an older version
// wrote it; store.Open encrypts it). The key is saved before anything is
// encrypted with it.
func storeKey(secrets secret.Store, acct Account, path string) ([]byte, error) {
	user := storeKeyUser(acct.ServerURL, acct.MemberID)
	s, err := secrets.Get(SecretService, user)
	if err == nil {
		k, err := hex.DecodeString(s)
		if err != nil || len(k) != store.KeySize {
			return nil, fmt.Errorf("%w (the stored key is damaged)", ErrLocalDataKey)
		}
		return k, nil
	}
	if !errors.Is(err, secret.ErrNotFound) {
		return nil, fmt.Errorf("read the local data key: %w", err)
	}
	kind, err := store.Inspect(path)
	if err != nil {
		return nil, err
	}
	if kind == store.FileEncrypted {
		return nil, fmt.Errorf("%w (no key for it)", ErrLocalDataKey)
	}
	k := store.NewKey()
	if err := secrets.Set(SecretService, user, hex.EncodeToString(k)); err != nil {
		return nil, fmt.Errorf("save the local data key: %w", err)
	}
	return k, nil
}

// openStore opens the account's database with its key.
func openStore(secrets secret.Store, acct Account, dir string, plain bool) (*store.DB, error) {
	path := filepath.Join(dir, storeFile)
	var key []byte
	if !plain {
		var err error
		if key, err = storeKey(secrets, acct, path); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(path, key)
	if errors.Is(err, store.ErrWrongKey) {
		return nil, fmt.Errorf("%w (a different key)", ErrLocalDataKey)
	}
	return db, err
}

// setAsideUnreadable renames the account's database out of the way when
// it cannot be read with the key in the secret store (gone with a reset
// keyring, or another one), so that a new sign-in starts over with a new
// key. The old files are kept, not deleted.
func setAsideUnreadable(opt Options, secrets secret.Store, acct Account) error {
	dir, err := accountDir(opt, acct)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, storeFile)
	kind, err := store.Inspect(path)
	if err != nil || kind != store.FileEncrypted {
		return err
	}
	user := storeKeyUser(acct.ServerURL, acct.MemberID)
	s, err := secrets.Get(SecretService, user)
	switch {
	case errors.Is(err, secret.ErrNotFound):
	case err != nil:
		return err // the keyring cannot say: change nothing
	default:
		k, derr := hex.DecodeString(s)
		if derr == nil {
			if err := store.CheckKey(path, k); !errors.Is(err, store.ErrWrongKey) {
				return err // readable (nil), or not known to be unreadable
			}
		}
	}
	aside := path + ".unreadable-" + strconv.FormatInt(opt.now().Unix(), 10)
	for _, suffix := range []string{"", "-wal"} {
		if err := os.Rename(path+suffix, aside+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("set aside unreadable local data: %w", err)
		}
	}
	opt.logger().Warn("local data that its key cannot read was set aside", "file", aside)
	if err := store.Remove(path); err != nil {
		return err
	}
	return secrets.Delete(SecretService, user)
}
