// Command worktalkd is the Worktalk reference server: the HTTP API, the
// websocket sync endpoint and the public profile-link page. By default it
// keeps an SQLite database in --data (one node); with --db postgres://...
// and --nats nats://... several nodes share PostgreSQL and relay events over
// NATS (docs/scale-out.md). Admin subcommands manage workspaces and members
// in the same database (safe while the server runs: SQLite in WAL mode, or
// PostgreSQL).
//
//	worktalkd serve --addr HOST:PORT (--data DIR | --db URL [--nats URLS] [--nats-subject S])
//	          [--secret-key-file FILE] [--public-url URL] [--trusted-proxy CIDRS] [--retention D] [--demo]
//	worktalkd workspace create (--data DIR | --db URL) --name NAME [--external-chat on|off]
//	worktalkd workspace list (--data DIR | --db URL)
//	worktalkd workspace set (--data DIR | --db URL) --id ID [--external-chat on|off]
//	          [--name-editable on|off] [--picture-editable on|off] [--field KEY:FLAGS ...]
//	worktalkd member create (--data DIR | --db URL) --workspace ID --email E --name N
//	          [--password P | password on stdin] [--admin] [--set KEY=VALUE ...]
//	worktalkd member list (--data DIR | --db URL) --workspace ID
//	worktalkd key init|rotate|prune (--data DIR | --db URL) [--secret-key-file FILE]
//	worktalkd key new
//	worktalkd --version
//
// -h after any of these prints its flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"worktalk.dev/worktalk/cmd/internal/cli"
	"worktalk.dev/worktalk/server"
)

func main() {
	server.UseGCPercent()
	m := NewMain()
	if err := m.ParseFlags(os.Args[1:]); err != nil {
		switch {
		case errors.Is(err, flag.ErrHelp), errors.Is(err, cli.ErrVersion):
			os.Exit(0)
		case !errors.Is(err, errUsage):
			fmt.Fprintf(os.Stderr, "worktalkd: %v\nRun 'worktalkd -h' for usage.\n", err)
		}
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
