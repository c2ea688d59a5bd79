//go:build !linux && !windows && !(darwin && cgo)

package ossession

import "log/slog"

// Watch answers ErrUnsupported: this build has no way to hear the session
// (macOS builds without cgo, other systems).
func Watch(Handler, *slog.Logger) (*Watcher, error) { return nil, ErrUnsupported }

// OpenIdle answers ErrUnsupported: the app counts input in its windows.
func OpenIdle() (Idle, error) { return nil, ErrUnsupported }
