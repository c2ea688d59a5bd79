// Command worktalkd is the Worktalk reference server: the HTTP API, the
// websocket sync endpoint and the public profile-link page, with SQLite
// embedded. Admin subcommands manage workspaces and members in the same
// database file (safe while the server runs: SQLite in WAL mode).
//
//	worktalkd serve --addr HOST:PORT --data DIR [--public-url URL] [--demo]
//	worktalkd workspace create --data DIR --name NAME [--external-chat on|off]
//	worktalkd workspace list --data DIR
//	worktalkd workspace set --data DIR --id ID [--external-chat on|off]
//	          [--name-editable on|off] [--picture-editable on|off] [--field KEY:FLAGS ...]
//	worktalkd member create --data DIR --workspace ID --email E --name N
//	          [--password P | password on stdin] [--admin] [--set KEY=VALUE ...]
//	worktalkd member list --data DIR --workspace ID
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	m := NewMain()
	if err := m.ParseFlags(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "worktalkd:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	err := m.Run(ctx)
	if err == nil && m.Serving() {
		<-ctx.Done() // serve until a signal
		fmt.Fprintln(m.Stderr, "worktalkd: shutting down")
	}
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "worktalkd:", err)
		os.Exit(1)
	}
}
