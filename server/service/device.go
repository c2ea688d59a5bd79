package service

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// Device tokens are OWASP's "device cookies": a sign-in with the right
// password answers one, the client keeps it with its session token and
// sends it with later sign-ins of the same e-mail, and a sign-in that
// presents a valid one is exempt from the per-account and per-address
// limits (it has a bucket of its own). Wrong passwords from elsewhere then
// lock out only devices that never signed in, not the account's owner.
//
// A token is nothing stored: 1 version byte, the issue time (8 bytes, unix
// seconds) and 16 random bytes, followed by an HMAC-SHA256 over them and the
// e-mail, keyed by a key derived from the server key. It stays valid for
// deviceTokenTTL and across key rotations while the old key is kept.

const (
	deviceTokenVersion = 1
	deviceTokenTTL     = 365 * 24 * time.Hour
	deviceBodyLen      = 1 + 8 + 16
)

// deviceMAC is the HMAC of a token body for email under server key k.
func deviceMAC(k []byte, body []byte, email string) []byte {
	dk, err := hkdf.Key(sha256.New, k, nil, "worktalk device token", 32)
	if err != nil {
		panic("hkdf: " + err.Error()) // only for lengths sha256 cannot give
	}
	m := hmac.New(sha256.New, dk)
	m.Write(body)
	m.Write([]byte{0})
	m.Write([]byte(email))
	return m.Sum(nil)
}

// deviceToken returns a new device token for email, "" without a key.
func (s *Service) deviceToken(email string, now time.Time) string {
	if len(s.keys.Current) == 0 {
		return ""
	}
	body := make([]byte, deviceBodyLen)
	body[0] = deviceTokenVersion
	binary.BigEndian.PutUint64(body[1:9], uint64(now.Unix()))
	if _, err := rand.Read(body[9:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(append(body, deviceMAC(s.keys.Current, body, email)...))
}

// validDeviceToken reports whether tok is a device token this server made
// for email, not older than deviceTokenTTL.
func (s *Service) validDeviceToken(tok, email string, now time.Time) bool {
	if len(tok) > 128 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != deviceBodyLen+sha256.Size || b[0] != deviceTokenVersion {
		return false
	}
	body, mac := b[:deviceBodyLen], b[deviceBodyLen:]
	issued := time.Unix(int64(binary.BigEndian.Uint64(body[1:9])), 0)
	if now.Sub(issued) > deviceTokenTTL || issued.After(now.Add(time.Hour)) {
		return false
	}
	for _, k := range append([][]byte{s.keys.Current}, s.keys.Old...) {
		if len(k) > 0 && hmac.Equal(mac, deviceMAC(k, body, email)) {
			return true
		}
	}
	return false
}
