package client

import (
	"errors"
	"strings"

	"worktalk.dev/worktalk/client/secret"
)

// The server answers every right password with a device token; presenting
// it with later sign-ins of the same e-mail exempts this device from the
// limits that wrong passwords from elsewhere put on the account. It is a
// secret like the session token and lives in the same store, per server and
// e-mail; logging out keeps it (it names the device, not a session).

// deviceTokenUser is the secret-store user name of the device token the
// server at serverURL gave for email.
func deviceTokenUser(serverURL, email string) string {
	return "device|" + serverURL + "|" + strings.ToLower(strings.TrimSpace(email))
}

// deviceTokenStores are the stores a device token may be in, in the order
// they are tried: the one given in Options, else the OS keyring and, when
// file secrets are allowed, the file.
func deviceTokenStores(opt Options) []secret.Store {
	if opt.Secrets != nil {
		return []secret.Store{opt.Secrets}
	}
	stores := []secret.Store{secret.Keyring{}}
	if opt.AllowFileSecrets {
		if fs, err := fileSecrets(opt); err == nil {
			stores = append(stores, fs)
		}
	}
	return stores
}

// loadDeviceToken returns the device token kept for email at serverURL, ""
// when there is none.
func loadDeviceToken(opt Options, serverURL, email string) string {
	user := deviceTokenUser(serverURL, email)
	for _, s := range deviceTokenStores(opt) {
		tok, err := s.Get(SecretService, user)
		if err == nil {
			return tok
		}
		if !errors.Is(err, secret.ErrNotFound) {
			opt.logger().Info("read device token", "err", err)
		}
	}
	return ""
}

// saveDeviceToken keeps tok for email at serverURL in the first store that
// takes it. Failing that only costs the exemption, so it is logged.
func saveDeviceToken(opt Options, serverURL, email, tok string) {
	if tok == "" {
		return
	}
	user := deviceTokenUser(serverURL, email)
	for _, s := range deviceTokenStores(opt) {
		err := s.Set(SecretService, user, tok)
		if err == nil {
			return
		}
		opt.logger().Info("keep device token", "err", err)
	}
}
