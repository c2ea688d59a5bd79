package service

import (
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

const sealKeyName = "seal"

// key returns the server key, creating and storing it on first use. tx, when
// not nil, is the write transaction to create it in.
func (s *Service) key(ctx context.Context, tx Tx) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.serverKey != nil {
		return s.serverKey, nil
	}
	k, err := tx.ServerKey(ctx, sealKeyName)
	if errors.Is(err, ErrNoRow) {
		k = make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		err = tx.InsertServerKey(ctx, sealKeyName, k)
	}
	if err != nil {
		return nil, fmt.Errorf("server key: %w", err)
	}
	if len(k) != 32 {
		return nil, fmt.Errorf("server key has %d bytes, want 32", len(k))
	}
	// Cached by keySettled once tx commits: a key made in a transaction
	// that rolls back must not seal anything later.
	s.pendingKey = k
	return k, nil
}

// keySettled caches the key the last transaction read or made if it
// committed, and forgets it otherwise.
func (s *Service) keySettled(committed bool) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if committed && s.pendingKey != nil {
		s.serverKey = s.pendingKey
	}
	s.pendingKey = nil
}

// seal encrypts b with AES-256-GCM under the server key; the nonce leads.
func (s *Service) seal(ctx context.Context, tx Tx, b []byte) ([]byte, error) {
	aead, err := s.aead(ctx, tx)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(b)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, b, nil), nil
}

func (s *Service) unseal(ctx context.Context, tx Tx, b []byte) ([]byte, error) {
	aead, err := s.aead(ctx, tx)
	if err != nil {
		return nil, err
	}
	if len(b) < aead.NonceSize() {
		return nil, errors.New("sealed data is too short")
	}
	out, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], nil)
	if err != nil {
		return nil, fmt.Errorf("unseal: %w", err)
	}
	return out, nil
}

func (s *Service) aead(ctx context.Context, tx Tx) (cipher.AEAD, error) {
	k, err := s.key(ctx, tx)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
