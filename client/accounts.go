package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/protocol"
)

// accountRecord is one entry of accounts.json. No secrets in it.
type accountRecord struct {
	Account
	FileSecrets bool `json:",omitempty"` // the token is in the 0600 secrets file, not the keyring
}

type accountsFile struct {
	Accounts []accountRecord `json:"accounts"`
	// PendingSignOuts are sessions logged out while their server was
	// unreachable (see LogOut).
	PendingSignOuts []pendingSignOut `json:"pending_sign_outs,omitempty"`
}

// ErrAccountsDamaged is returned, wrapped, when accounts.json (the list of
// workspaces signed in on this device) is not valid JSON.
var ErrAccountsDamaged = errors.New("the list of signed-in workspaces (accounts.json) is damaged")

// accountsMu serializes read-modify-write of accounts.json in this process.
var accountsMu sync.Mutex

func accountsPath(opt Options) (string, error) {
	dir, err := opt.dataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "accounts.json"), nil
}

func readAccounts(opt Options) (accountsFile, error) {
	var f accountsFile
	p, err := accountsPath(opt)
	if err != nil {
		return f, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("read accounts: %w", err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("%w: %s: %v", ErrAccountsDamaged, p, err)
	}
	return f, nil
}

func updateAccounts(opt Options, fn func(f *accountsFile)) error {
	accountsMu.Lock()
	defer accountsMu.Unlock()
	f, err := readAccounts(opt)
	if err != nil {
		return err
	}
	fn(&f)
	p, err := accountsPath(opt)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("write accounts: %w", err)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(p, b, 0o600); err != nil {
		return fmt.Errorf("write accounts: %w", err)
	}
	return nil
}

func sameAccount(a, b Account) bool { return a.ServerURL == b.ServerURL && a.MemberID == b.MemberID }

func saveAccount(opt Options, rec accountRecord) error {
	return updateAccounts(opt, func(f *accountsFile) {
		i := slices.IndexFunc(f.Accounts, func(r accountRecord) bool { return sameAccount(r.Account, rec.Account) })
		if i >= 0 {
			f.Accounts[i] = rec
		} else {
			f.Accounts = append(f.Accounts, rec)
		}
	})
}

func findAccount(opt Options, acct Account) (accountRecord, error) {
	f, err := readAccounts(opt)
	if err != nil {
		return accountRecord{}, err
	}
	for _, r := range f.Accounts {
		if sameAccount(r.Account, acct) {
			return r, nil
		}
	}
	return accountRecord{Account: acct}, nil
}

// Accounts lists the accounts signed in on this device, for the workspace switcher.
func Accounts(opt Options) ([]Account, error) {
	f, err := readAccounts(opt)
	if err != nil {
		return nil, err
	}
	out := make([]Account, len(f.Accounts))
	for i, r := range f.Accounts {
		out[i] = r.Account
	}
	return out, nil
}

// accountDir is the directory of an account's local database.
func accountDir(opt Options, acct Account) (string, error) {
	dir, err := opt.dataDir()
	if err != nil {
		return "", err
	}
	h := sha256.Sum256([]byte(secretUser(acct.ServerURL, acct.MemberID)))
	return filepath.Join(dir, "accounts", hex.EncodeToString(h[:16])), nil
}

// ServerAddress returns the server address a person typed in the form the
// accounts keep: https:// when no scheme is given, no trailing slash. An
// address that is not an http(s) URL of a host is an EInvalid error with
// reason RServerURL.
func ServerAddress(typed string) (string, error) {
	s := strings.TrimSpace(typed)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", protocol.Errorf(protocol.EInvalid, "the server address is not valid").Because(protocol.RServerURL)
	}
	return strings.TrimRight(s, "/"), nil
}

// SignIn signs in to a workspace on a server. With workspaceID "" and an
// e-mail that opens several workspaces it returns no account and the
// workspaces to choose from; call again with one. The session token goes to
// the OS keyring (or opt.Secrets); without a usable keyring SignIn fails with
// ErrNoKeyring unless opt.AllowFileSecrets.
func SignIn(ctx context.Context, opt Options, serverURL, email, password, workspaceID string) (Account, []protocol.WorkspaceChoice, error) {
	serverURL, err := ServerAddress(serverURL)
	if err != nil {
		return Account{}, nil, err
	}
	device, _ := os.Hostname()
	var res protocol.SignInResponse
	req := protocol.SignInRequest{Email: email, Password: password, WorkspaceID: workspaceID, Device: device,
		DeviceToken: loadDeviceToken(opt, serverURL, email)}
	if err := postSignIn(ctx, opt, serverURL, req, &res); err != nil {
		return Account{}, nil, err
	}
	saveDeviceToken(opt, serverURL, email, res.DeviceToken)
	// The server is reachable: revoke what was logged out while it was not.
	if _, err := retrySignOuts(ctx, opt, serverURL); err != nil {
		opt.logger().Info("retry sign-outs", "err", err)
	}
	if res.Session == nil {
		if len(res.Workspaces) > 0 {
			return Account{}, res.Workspaces, nil
		}
		return Account{}, nil, fmt.Errorf("sign in: the server answered with neither a session nor workspaces")
	}
	s := res.Session
	acct := Account{
		ServerURL:     serverURL,
		MemberID:      s.MemberID,
		WorkspaceID:   s.Workspace.ID,
		WorkspaceName: s.Workspace.Name,
		Email:         email,
	}
	rec := accountRecord{Account: acct}
	user := secretUser(serverURL, s.MemberID)
	if opt.Secrets != nil {
		if err := opt.Secrets.Set(SecretService, user, s.Token); err != nil {
			return Account{}, nil, fmt.Errorf("store session token: %w", err)
		}
	} else if err := (secret.Keyring{}).Set(SecretService, user, s.Token); err != nil {
		if !opt.AllowFileSecrets {
			opt.logger().Warn("OS keyring unusable", "err", err)
			revoke(context.Background(), opt, serverURL, s.Token)
			return Account{}, nil, ErrNoKeyring
		}
		fs, ferr := fileSecrets(opt)
		if ferr == nil {
			ferr = fs.Set(SecretService, user, s.Token)
		}
		if ferr != nil {
			return Account{}, nil, fmt.Errorf("store session token: %w", ferr)
		}
		rec.FileSecrets = true
	}
	if err := saveAccount(opt, rec); err != nil {
		return Account{}, nil, err
	}
	secrets, _, err := secretStoreFor(opt, rec.FileSecrets)
	if err == nil {
		err = setAsideUnreadable(opt, secrets, acct)
	}
	if err != nil {
		return Account{}, nil, err
	}
	return acct, nil, nil
}

// signInTries is how many times a sign-in is sent while the server
// answers that it is too busy to check passwords (503, Retry-After: 1).
const signInTries = 3

// postSignIn posts a sign-in, sending it again after a second when the
// server is too busy (a flood of sign-ins elsewhere fills its queue).
func postSignIn(ctx context.Context, opt Options, serverURL string, req protocol.SignInRequest, res *protocol.SignInResponse) error {
	for try := 1; ; try++ {
		err := postJSON(ctx, opt, serverURL+"/api/signin", "", req, res)
		if protocol.ErrorCode(err) != protocol.EUnavailable || try == signInTries {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-opt.after(time.Second):
		}
	}
}

// postJSON posts v and decodes a 2xx answer into out (when non-nil). An
// error answer comes back as the server's *protocol.Error; an unreachable
// server as EOffline.
func postJSON(ctx context.Context, opt Options, url, token string, v, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return protocol.Errorf(protocol.EInvalid, "the server address is not valid").Because(protocol.RServerURL)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := opt.httpClient().Do(req)
	if err != nil {
		opt.logger().Info("request failed", "url", url, "err", err)
		return protocol.Errorf(protocol.EOffline, "cannot reach the server")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxFrameBytes))
	if err != nil {
		return protocol.Errorf(protocol.EOffline, "the connection to the server broke")
	}
	if resp.StatusCode/100 != 2 {
		return httpError(resp.StatusCode, body)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("decode answer of %s: %w", url, err)
	}
	return nil
}

func httpError(status int, body []byte) error {
	var pe protocol.Error
	if json.Unmarshal(body, &pe) == nil && pe.Code != "" {
		return &pe
	}
	if status == http.StatusUnauthorized {
		return protocol.Errorf(protocol.EUnauthorized, "sign in again").Because(protocol.RSignedOut)
	}
	return protocol.Errorf(protocol.EInternal, "the server answered %d", status)
}

// noteName keeps the account's display name in accounts.json current.
// e.applyMu must be held.
func (e *Engine) noteName() {
	name := e.replica.Me.Name
	if name == "" || name == e.rec.Name {
		return
	}
	e.rec.Name = name
	rec := e.rec
	if err := updateAccounts(e.opt, func(f *accountsFile) {
		if i := slices.IndexFunc(f.Accounts, func(r accountRecord) bool { return sameAccount(r.Account, rec.Account) }); i >= 0 {
			f.Accounts[i].Name = name
		}
	}); err != nil {
		e.log.Warn("update account name", "err", err)
	}
}
