package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"worktalk.dev/worktalk/client/secret"
	"worktalk.dev/worktalk/protocol"
	"worktalk.dev/worktalk/store"
)

// pendingSignOut is a session logged out on this device whose revocation
// the server has not confirmed yet (it was unreachable): its token stays in
// the secret store until it has, and accounts.json lists it (no secret in
// it) so that the next connection to that server revokes it.
type pendingSignOut struct {
	ServerURL string
	MemberID  string
	// Key is the secret-store user name the token waits under: not the
	// account's own, which a new sign-in to the same account takes.
	Key         string
	FileSecrets bool `json:",omitempty"` // the token is in the 0600 secrets file
}

// revoke asks the server to revoke the session of token and reports whether
// it is gone there: revoked now, or already unknown (401).
func revoke(ctx context.Context, opt Options, serverURL, token string) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := postJSON(ctx, opt, serverURL+"/api/signout", token, protocol.Empty{}, nil)
	if err != nil && protocol.ErrorCode(err) != protocol.EUnauthorized {
		opt.logger().Info("sign out on the server", "err", err)
		return false
	}
	return true
}

// LogOut ends the session: the workspace's local database files, the key
// they were encrypted with and its accounts.json entry are deleted at once,
// and the session is revoked on
// the server. Its token leaves the secret store only once the server has
// confirmed the revocation; while it is unreachable the token stays and the
// revocation is retried at the next connection to that server (see
// RetrySignOuts). The engine is closed after.
func (e *Engine) LogOut(ctx context.Context) error {
	user := secretUser(e.acct.ServerURL, e.acct.MemberID)
	tok, err := e.secrets.Get(SecretService, user)
	revoked := err != nil || revoke(ctx, e.opt, e.acct.ServerURL, tok)
	e.Close()
	var errs []error
	var pending *pendingSignOut
	if !revoked {
		p := pendingSignOut{ServerURL: e.acct.ServerURL, MemberID: e.acct.MemberID, FileSecrets: e.rec.FileSecrets,
			Key: "signout|" + user + "|" + protocol.NewID()}
		if err := e.secrets.Set(SecretService, p.Key, tok); err != nil {
			errs = append(errs, fmt.Errorf("keep session token to sign out later: %w", err))
		} else {
			pending = &p
		}
	}
	if revoked || pending != nil {
		if err := e.secrets.Delete(SecretService, user); err != nil {
			errs = append(errs, fmt.Errorf("delete session token: %w", err))
		}
	}
	if err := store.Remove(e.db.Path()); err != nil {
		errs = append(errs, err)
	}
	if err := e.secrets.Delete(SecretService, storeKeyUser(e.acct.ServerURL, e.acct.MemberID)); err != nil {
		errs = append(errs, fmt.Errorf("delete local data key: %w", err))
	}
	if err := os.RemoveAll(e.dir); err != nil {
		errs = append(errs, fmt.Errorf("remove account directory: %w", err))
	}
	if err := updateAccounts(e.opt, func(f *accountsFile) {
		f.Accounts = slices.DeleteFunc(f.Accounts, func(r accountRecord) bool { return sameAccount(r.Account, e.acct) })
		if pending != nil {
			f.PendingSignOuts = append(f.PendingSignOuts, *pending)
		}
	}); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// RetrySignOuts revokes the sessions logged out while their server was
// unreachable, and forgets each token once its server confirms. It returns
// how many are still waiting.
func RetrySignOuts(ctx context.Context, opt Options) (int, error) {
	return retrySignOuts(ctx, opt, "")
}

// retrySignOuts is RetrySignOuts for the server at serverURL only ("" for
// all).
func retrySignOuts(ctx context.Context, opt Options, serverURL string) (int, error) {
	f, err := readAccounts(opt)
	if err != nil {
		return 0, err
	}
	var done []pendingSignOut
	for _, p := range f.PendingSignOuts {
		if serverURL != "" && p.ServerURL != serverURL {
			continue
		}
		secrets, _, err := secretStoreFor(opt, p.FileSecrets)
		if err != nil {
			return 0, err
		}
		tok, err := secrets.Get(SecretService, p.Key)
		if err != nil && !errors.Is(err, secret.ErrNotFound) {
			opt.logger().Info("read token to sign out", "err", err)
			continue
		}
		if err == nil && !revoke(ctx, opt, p.ServerURL, tok) {
			continue
		}
		if err := secrets.Delete(SecretService, p.Key); err != nil {
			opt.logger().Info("delete signed-out token", "err", err)
			continue
		}
		done = append(done, p)
	}
	left := 0
	err = updateAccounts(opt, func(f *accountsFile) {
		f.PendingSignOuts = slices.DeleteFunc(f.PendingSignOuts, func(p pendingSignOut) bool { return slices.Contains(done, p) })
		left = len(f.PendingSignOuts)
	})
	return left, err
}
