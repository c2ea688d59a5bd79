package ui

import (
	"context"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/protocol"
)

// Engine is the part of *client.Engine the screens use. Every method may
// block (local database, network), so screens call them only through
// App.run, never on the Fyne thread.
type Engine interface {
	Account() client.Account
	State() client.State
	Watch(ctx context.Context) <-chan client.State
	Messages(roomID string, beforeKey int64, limit int) ([]client.Message, error)
	LoadOlder(ctx context.Context, roomID string, limit int) (int, error)
	Picture(ctx context.Context, id string) ([]byte, error)
	Thumbnail(ctx context.Context, id string) ([]byte, error)

	UpdateProfile(ctx context.Context, u protocol.ProfileUpdate) error
	SendMessage(ctx context.Context, roomID, text string) (client.Message, error)
	OpenSelfRoom(ctx context.Context) (string, error)
	OpenDirectRoom(ctx context.Context, memberID string) (string, error)
	CreateGroupRoom(ctx context.Context, title string, memberIDs []string) (string, error)
	DismissNotice(id string)
	MarkRead(ctx context.Context, roomID string) error

	Member(ctx context.Context, id string) (protocol.Profile, error)
	RoomsInCommon(ctx context.Context, memberID string) ([]protocol.Room, error)

	OneTimeLink(ctx context.Context) (protocol.ProfileLink, error)
	QRLink(ctx context.Context) (protocol.ProfileLink, error)
	ResetQRLink(ctx context.Context) (protocol.ProfileLink, error)
	LiveLinks(ctx context.Context) ([]protocol.LiveLink, error)
	RevokeLink(ctx context.Context, id string) error
	RevokeAllLinks(ctx context.Context) (protocol.ProfileLink, error)
	ViewLink(ctx context.Context, link string) (protocol.LinkPreview, error)
	AddExternalByLink(ctx context.Context, link string) (protocol.Profile, error)
	AddExternalBack(ctx context.Context, memberID string) error
	Block(ctx context.Context, memberID string) error
	Unblock(ctx context.Context, memberID string) error

	LogOut(ctx context.Context) error
	Close() error
}

// Accounts signs in and opens the workspaces signed in on this device.
type Accounts interface {
	SignIn(ctx context.Context, serverURL, email, password, workspaceID string) (client.Account, []protocol.WorkspaceChoice, error)
	List() ([]client.Account, error)
	Open(ctx context.Context, acct client.Account) (Engine, error)
	// RetrySignOuts revokes sessions logged out while their server was
	// unreachable; it returns how many still wait.
	RetrySignOuts(ctx context.Context) (int, error)
}

// Some screens declare only the part of the engine they use.
var (
	_ shareEngine    = Engine(nil)
	_ externalEngine = Engine(nil)
	_ blockEngine    = Engine(nil)
	_ blockedEngine  = Engine(nil)
)

// ClientAccounts implements Accounts with package client.
type ClientAccounts struct {
	Options client.Options
}

var _ Accounts = ClientAccounts{}

func (c ClientAccounts) SignIn(ctx context.Context, serverURL, email, password, workspaceID string) (client.Account, []protocol.WorkspaceChoice, error) {
	return client.SignIn(ctx, c.Options, serverURL, email, password, workspaceID)
}

func (c ClientAccounts) List() ([]client.Account, error) { return client.Accounts(c.Options) }

func (c ClientAccounts) RetrySignOuts(ctx context.Context) (int, error) {
	return client.RetrySignOuts(ctx, c.Options)
}

func (c ClientAccounts) Open(ctx context.Context, acct client.Account) (Engine, error) {
	e, err := client.Open(ctx, c.Options, acct)
	if err != nil {
		return nil, err
	}
	return e, nil
}
