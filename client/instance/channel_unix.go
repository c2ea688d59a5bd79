//go:build !windows

package instance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// maxSocketPath is what every Unix accepts in sockaddr_un (macOS: 104 with
// the terminating NUL).
const maxSocketPath = 103

// channelAddr is the socket in the data folder, or, when that path is too
// long for a socket address, one in a private folder of the temp dir named
// after the data folder.
func channelAddr(dir string) (string, error) {
	p := filepath.Join(dir, SocketFile)
	// +8: the socket is made under a temporary name a little longer.
	if len(p)+8 <= maxSocketPath {
		return p, nil
	}
	sum := sha256.Sum256([]byte(dir))
	private := filepath.Join(os.TempDir(), "worktalk-"+strconv.Itoa(os.Getuid()))
	if err := privateDir(private); err != nil {
		return "", err
	}
	return filepath.Join(private, hex.EncodeToString(sum[:8])+".sock"), nil
}

// privateDir makes sure dir exists, is a real folder of this user and is
// closed to everyone else.
func privateDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create socket folder: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("socket folder: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Getuid() || fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("socket folder %s is not a private folder of this user", dir)
	}
	return nil
}

// listenChannel listens on the socket. The caller holds the lock, so a file
// already there is left over from a copy that stopped without cleaning up.
// The socket is made in a fresh 0700 folder, narrowed to 0600 and then moved
// into place, so no other user can reach it even for a moment, whatever the
// umask and the data folder's mode.
func listenChannel(addr string) (net.Listener, error) {
	if err := os.Remove(addr); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(addr), ".sock-")
	if err != nil {
		return nil, fmt.Errorf("listen for later starts: %w", err)
	}
	defer os.RemoveAll(tmp)
	made := filepath.Join(tmp, "s")
	ln, err := net.Listen("unix", made)
	if err != nil {
		return nil, fmt.Errorf("listen for later starts: %w", err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false) // Close removes it under the lock
	err = os.Chmod(made, 0o600)
	if err == nil {
		err = os.Rename(made, addr)
	}
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("listen for later starts: %w", err)
	}
	return ln, nil
}

func dialChannel(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", addr)
}

func removeChannel(addr string) { os.Remove(addr) }
