package instance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"strings"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"
)

// channelAddr is a named pipe named after the user and the data folder:
// pipe names are global to the machine, so both are part of it.
func channelAddr(dir string) (string, error) {
	sid, err := userSID()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(sid + "\x00" + strings.ToLower(dir)))
	return `\\.\pipe\worktalk-` + hex.EncodeToString(sum[:12]), nil
}

func userSID() (string, error) {
	tok := windows.GetCurrentProcessToken()
	u, err := tok.GetTokenUser()
	if err != nil {
		return "", fmt.Errorf("find the current user: %w", err)
	}
	return u.User.Sid.String(), nil
}

// listenChannel listens on the pipe with an ACL that grants access to the
// current user only (protected: nothing inherited, no Everyone, no
// Administrators).
func listenChannel(addr string) (net.Listener, error) {
	sid, err := userSID()
	if err != nil {
		return nil, err
	}
	ln, err := winio.ListenPipe(addr, &winio.PipeConfig{
		SecurityDescriptor: "D:P(A;;GA;;;" + sid + ")",
		InputBufferSize:    maxRequest,
		OutputBufferSize:   4096,
	})
	if err != nil {
		return nil, fmt.Errorf("listen for later starts: %w", err)
	}
	return ln, nil
}

func dialChannel(ctx context.Context, addr string) (net.Conn, error) {
	return winio.DialPipeContext(ctx, addr)
}

// removeChannel has nothing to do: a pipe goes with its last handle.
func removeChannel(string) {}
