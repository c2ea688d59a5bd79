// Command worktalk-load measures what one worktalkd node holds on this
// machine: it seeds a database, starts a node on it in a child process,
// opens -conns websockets (each signed in and synced) from several loopback
// source addresses, and reports the node's RSS per connection, the fan-out
// latency to group rooms of the given sizes and the rate of acknowledged
// writes. Traffic stays on 127.0.0.0/8.
//
//	worktalk-load [-conns N] [-rooms SIZE,SIZE] [-messages M] [-sources S]
//	              [-writers W -writes T] [-settle D] [-coalesce D] [-node-env K=V]
//	              [-profile DIR] [-v]
//
// The figures in docs/scale-out.md come from it. It needs one open file per
// connection in each process and raises its limit up to the hard limit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"worktalk.dev/worktalk/internal/loadtest"
)

func main() {
	if loadtest.IsNode() {
		os.Exit(loadtest.NodeMain())
	}
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "worktalk-load:", err)
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := loadtest.Run(ctx, cfg)
	rep.Print(os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "worktalk-load:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (loadtest.Config, error) {
	var cfg loadtest.Config
	fs := flag.NewFlagSet("worktalk-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.Conns, "conns", 1000, "synced websockets to hold open, one per member")
	rooms := fs.String("rooms", "", "comma-separated `SIZES` of group rooms to measure fan-out to (default: 1000 and -conns)")
	fs.IntVar(&cfg.Messages, "messages", 50, "messages sent to each room, one at a time")
	fs.IntVar(&cfg.Sources, "sources", 8, "loopback source addresses (127.0.0.2 and up)")
	fs.IntVar(&cfg.Writers, "writers", 16, "connections that write at once in the write phase (0: none)")
	fs.IntVar(&cfg.Writes, "writes", 2000, "messages written in the write phase")
	fs.Func("node-env", "`KEY=VALUE` added to the node's environment (e.g. GOMEMLIMIT=120MiB); repeatable", func(v string) error {
		if !strings.Contains(v, "=") {
			return fmt.Errorf("%q is not KEY=VALUE", v)
		}
		cfg.NodeEnv = append(cfg.NodeEnv, v)
		return nil
	})
	fs.DurationVar(&cfg.Settle, "settle", 0, "how long the synced connections stay idle before the node's memory is read")
	fs.DurationVar(&cfg.Coalesce, "coalesce", 0, "pause of the clients' readers between rounds of reads (deliveries are seen up to this much late; fewer wake-ups)")
	fs.StringVar(&cfg.ProfileDir, "profile", "", "write CPU profiles of the node and the clients during the fan-outs and writes, and a heap profile of the idle node, to `DIR`")
	verbose := fs.Bool("v", false, "log progress and the node's warnings to stderr")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *verbose {
		cfg.Log = stderr
	}
	if *rooms == "" {
		if cfg.Conns > 1000 {
			cfg.Rooms = append(cfg.Rooms, 1000)
		}
		cfg.Rooms = append(cfg.Rooms, cfg.Conns)
		return cfg, nil
	}
	for _, s := range strings.Split(*rooms, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return cfg, fmt.Errorf("-rooms: %q is not a number", s)
		}
		cfg.Rooms = append(cfg.Rooms, n)
	}
	return cfg, nil
}
