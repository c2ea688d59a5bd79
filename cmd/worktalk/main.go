// Command worktalk is the Worktalk desktop app.
//
//	worktalk                      opens the sign-in screen (or the last workspace)
//	worktalk --demo               starts an embedded server with demo data and signs in as its first member
//	worktalk --server URL         fills the sign-in screen's server field
//	worktalk --demo --server URL  signs in to the demo data of a running `worktalkd serve --demo` instead
//	worktalk --version            prints the version; -h prints every flag
//	worktalk --insecure-file-secrets
//	                              keeps session tokens in a 0600 file when the OS has no keyring
//	worktalk worktalk://p/TOKEN   (or https://HOST/p/TOKEN) opens "Add external member" with
//	                              that profile link once a workspace shows (see docs/url-scheme.md)
package main

import (
	// First of all packages (see its doc): LANG=C.UTF-8 reads as English
	// before Fyne's lang package parses it.
	_ "0.worktalk.dev/localeenv"

	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"worktalk.dev/worktalk/cmd/internal/cli"
)

func main() {
	// A messenger is open and mostly idle all day. A heap goal of 1.5x the
	// live heap instead of Go's 2x keeps about 10 MB less resident for a
	// few more collections while syncing (docs/memory.md). GOGC in the
	// environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	m := NewMain()
	if err := m.ParseFlags(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) || errors.Is(err, cli.ErrVersion) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "worktalk: %v\nRun 'worktalk -h' for usage.\n", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := m.Run(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if ctx.Err() != nil {
		// SIGTERM or SIGINT: quitting is what was asked, even when it cut
		// the start short.
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "worktalk:", err)
		os.Exit(1)
	}
}
