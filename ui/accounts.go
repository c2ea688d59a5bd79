package ui

import (
	"context"

	"worktalk.dev/worktalk/client"
)

// refreshAccounts re-reads the workspaces signed in on this device (for
// the switcher) and then calls done.
func (a *App) refreshAccounts(done func()) {
	fetch(a.run, func(context.Context) ([]client.Account, error) {
		return a.cfg.Accounts.List()
	}, func(list []client.Account, err error) {
		if err != nil {
			a.log.Warn("list accounts", "err", err)
		} else {
			a.accounts = list
		}
		if done != nil {
			done()
		}
	})
}

// otherAccounts are the signed-in workspaces besides the open one.
func (a *App) otherAccounts() []client.Account {
	var out []client.Account
	for _, acct := range a.accounts {
		if a.sess != nil && sameAccount(acct, a.sess.acct) {
			continue
		}
		out = append(out, acct)
	}
	return out
}

func sameAccount(x, y client.Account) bool {
	return x.ServerURL == y.ServerURL && x.MemberID == y.MemberID
}

// switchTo closes the open workspace and opens acct.
func (a *App) switchTo(acct client.Account) {
	a.closeSession(false, func(err error) {
		if err != nil {
			a.log.Warn("close engine", "err", err)
		}
		a.openAccount(acct)
	})
}

// logOut signs out of the open workspace only, wipes its local data, and
// opens the next signed-in workspace or the sign-in screen.
func (a *App) logOut() {
	a.closeSession(true, func(err error) {
		if err != nil {
			// The engine wiped what it could; the server session ends
			// when it next sees the token anyway.
			a.log.Warn("log out", "err", err)
		}
		a.refreshAccounts(func() {
			if len(a.accounts) > 0 {
				a.openAccount(a.accounts[0])
				return
			}
			a.showSignIn(false)
		})
	})
}

// addWorkspace shows the sign-in screen with a way back to the open
// workspace.
func (a *App) addWorkspace() {
	acct := a.sess.acct
	a.closeSession(false, func(error) {
		s := a.showSignIn(true)
		s.onCancel = func() { a.openAccount(acct) }
	})
}
