//go:build tools

// Package deps pins the project's direct dependencies while the packages
// that use them are written.
package deps

import (
	_ "fyne.io/fyne/v2"
	_ "github.com/gorilla/websocket"
	_ "github.com/makiuchi-d/gozxing"
	_ "github.com/skip2/go-qrcode"
	_ "github.com/zalando/go-keyring"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/time/rate"
	_ "modernc.org/sqlite"
)
