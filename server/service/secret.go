package service

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// newToken returns 32 random bytes, base64url without padding (43 characters).
func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenHash is how session and link tokens are stored and looked up.
func tokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// KeyLen is the length of a server key: AES-256.
const KeyLen = 32

// Keys are the server's secret keys. They live outside the database (a key
// file or the environment, see cmd/worktalkd), so a copy of the database
// alone opens nothing sealed in it.
type Keys struct {
	Current []byte   // seals everything new
	Old     [][]byte // open what was sealed before a rotation
}

// Check reports a key of the wrong length, or no current key.
func (k Keys) Check() error {
	if len(k.Current) == 0 {
		return errors.New("no current server key")
	}
	for _, key := range append([][]byte{k.Current}, k.Old...) {
		if len(key) != KeyLen {
			return fmt.Errorf("a server key has %d bytes, want %d", len(key), KeyLen)
		}
	}
	return nil
}

// NewKey returns a fresh random server key.
func NewKey() []byte {
	k := make([]byte, KeyLen)
	if _, err := rand.Read(k); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return k
}

var errNoKey = errors.New("no server key configured (service.Config.Keys)")

// seal encrypts b with AES-256-GCM under the current key; the nonce leads.
func (s *Service) seal(b []byte) ([]byte, error) {
	if len(s.keys.Current) == 0 {
		return nil, errNoKey
	}
	return sealWith(s.keys.Current, b)
}

func sealWith(key, b []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(b)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, b, nil), nil
}

// unseal opens b with the current key or, failing that, an old one.
func (s *Service) unseal(b []byte) ([]byte, error) {
	out, _, err := openWith(append([][]byte{s.keys.Current}, s.keys.Old...), b)
	return out, err
}

// openWith opens b with the first of keys that can, and says which.
func openWith(keys [][]byte, b []byte) ([]byte, []byte, error) {
	for _, k := range keys {
		if len(k) == 0 {
			continue
		}
		aead, err := newAEAD(k)
		if err != nil {
			return nil, nil, err
		}
		if len(b) < aead.NonceSize() {
			return nil, nil, errors.New("sealed data is too short")
		}
		if out, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], nil); err == nil {
			return out, k, nil
		}
	}
	return nil, nil, errors.New("unseal: no server key opens this value")
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// legacyKeyName is the row where versions before the key file kept the
// server key, in the database itself.
const legacyKeyName = "seal"

// LegacyKey returns the server key an older version kept in the database,
// nil when there is none. A node with no key file yet adopts it as its
// key, so links made before the upgrade keep working.
func LegacyKey(ctx context.Context, store Store) ([]byte, error) {
	var k []byte
	err := store.Read(ctx, func(tx Tx) error {
		var err error
		k, err = tx.ServerKey(ctx, legacyKeyName)
		if errors.Is(err, ErrNoRow) {
			return nil
		}
		return err
	})
	return k, err
}

// ResealReport says what Reseal did.
type ResealReport struct {
	Resealed      int  // values moved to the current key
	Lost          int  // values no key opened: their QR links were reset
	LegacyRemoved bool // the in-database key of older versions was deleted
}

// Reseal moves every sealed value in the store to the current key, opening
// it with an old key or the in-database key of older versions, and then
// deletes that in-database key. Values no key opens (a lost key) cannot be
// recovered: their QR links are revoked, so their owners get a new one on
// next use, and their stored answers are dropped. After Reseal the old keys
// are no longer needed. It is safe to run on every start and on several
// nodes at once.
func (s *Service) Reseal(ctx context.Context) (ResealReport, error) {
	var rep ResealReport
	if err := s.keys.Check(); err != nil {
		return rep, err
	}
	err := s.write(ctx, func(w *wtx) error {
		rep = ResealReport{}
		keys := append([][]byte{s.keys.Current}, s.keys.Old...)
		legacy, err := w.ServerKey(ctx, legacyKeyName)
		switch {
		case err == nil:
			keys = append(keys, legacy)
		case !errors.Is(err, ErrNoRow):
			return err
		}
		vals, err := w.SealedValues(ctx)
		if err != nil {
			return err
		}
		for _, v := range vals {
			plain, key, err := openWith(keys, v.Data)
			if err != nil {
				rep.Lost++
				v.Data = nil // the store revokes the link or drops the answer
			} else if bytes.Equal(key, s.keys.Current) {
				continue
			} else if v.Data, err = sealWith(s.keys.Current, plain); err != nil {
				return err
			} else {
				rep.Resealed++
			}
			if err := w.UpdateSealedValue(ctx, v, w.now); err != nil {
				return err
			}
		}
		if legacy != nil {
			if err := w.DeleteServerKey(ctx, legacyKeyName); err != nil {
				return err
			}
			rep.LegacyRemoved = true
		}
		return nil
	})
	return rep, s.clientError("reseal", err)
}

// NeedsOldKeys counts the sealed values that the current key alone does
// not open: zero means the old keys can be thrown away.
func (s *Service) NeedsOldKeys(ctx context.Context) (int, error) {
	n := 0
	err := s.read(ctx, func(tx Tx) error {
		vals, err := tx.SealedValues(ctx)
		for _, v := range vals {
			if _, _, err := openWith([][]byte{s.keys.Current}, v.Data); err != nil {
				n++
			}
		}
		return err
	})
	return n, err
}
