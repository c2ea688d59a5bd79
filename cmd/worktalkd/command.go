package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"worktalk.dev/worktalk/cmd/internal/cli"
	"worktalk.dev/worktalk/internal/argon2id"
	"worktalk.dev/worktalk/server"
	"worktalk.dev/worktalk/server/inmem"
	"worktalk.dev/worktalk/server/service"
)

// version is set by scripts/release.sh.
var version = "dev"

// dbFile is the SQLite file inside --data.
const dbFile = "worktalk.db"

// Main is one run of worktalkd: ParseFlags picks the subcommand, Run does it
// (for serve: starts the server and returns), Close releases everything.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Actor names who runs admin commands in the audit log; "": the OS
	// account and host.
	Actor string
	// Argon overrides the password hashing cost (tests); zero: production.
	Argon argon2id.Params
	// Getenv reads the environment (the server keys may be there); nil: os.Getenv.
	Getenv func(string) string
	// PruneTicks paces the pruning of old events (tests); nil: a ticker.
	// OnPrune, when set, hears the outcome of every prune.
	PruneTicks <-chan time.Time
	OnPrune    func(error)

	run     func(ctx context.Context) error
	serving bool

	// Set while running.
	DB      Store       // *sqlite.DB or *postgres.DB
	Bus     service.Bus // *inmem.Bus or *natsbus.Bus
	Service *service.Service
	Server  *server.Server

	closeBus func() error // nil when the bus needs no closing
	pruner   *pruner      // with --retention
}

// NewMain returns a Main on the process's standard streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
}

// commands are the synopses of the subcommands, in the order usage lists
// them; name is what follows "worktalkd", with alternatives after a "|".
var commands = []struct{ name, synopsis string }{
	{"serve", `serve --addr HOST:PORT (--data DIR | --db URL [--nats URLS]) [--secret-key-file FILE]
            [--public-url URL] [--trusted-proxy CIDRS] [--retention D] [--demo] [--poll D]`},
	{"workspace create", `workspace create (--data DIR | --db URL) --name NAME [--external-chat on|off]`},
	{"workspace list", `workspace list (--data DIR | --db URL)`},
	{"workspace set", `workspace set (--data DIR | --db URL) --id ID [--external-chat on|off]
            [--name-editable on|off] [--picture-editable on|off] [--field KEY:FLAGS ...]`},
	{"member create", `member create (--data DIR | --db URL) --workspace ID --email EMAIL --name NAME
            [--password PASSWORD | password on stdin] [--admin] [--set KEY=VALUE ...]`},
	{"member list", `member list (--data DIR | --db URL) --workspace ID`},
	{"member import", `member import (--data DIR | --db URL) --workspace ID --public-url URL [--out FILE]
            [--link-ttl D] FILE.csv`},
	{"member update", `member update (--data DIR | --db URL) --workspace ID FILE.csv`},
	{"member disable|enable", `member disable|enable (--data DIR | --db URL) --workspace ID --member EMAIL|ID`},
	{"audit list", `audit list (--data DIR | --db URL) [--workspace ID] [--limit N]`},
	{"key init|rotate|prune", `key init|rotate|prune (--data DIR | --db URL) [--secret-key-file FILE]`},
	{"key new", `key new`},
}

const usageNotes = `--data DIR keeps an SQLite database in DIR (one node); --db postgres://... uses
PostgreSQL, and --nats nats://... relays events between the nodes sharing it.
Admin subcommands may run while the server does: it reads their changes back
from the database (every --poll, 0.5s by default; with --db only when --nats
is given). member disable signs the member out everywhere within about a
second. Admin changes are logged with the account and host that made them
(audit list).
member import and update read CSV (UTF-8, with or without a BOM): a header line
with email, name and profile fields by key or label, then one member a line;
every line is checked first and a bad one stops the whole file. Imported
members get one-time activation links (written as CSV) that set their first
password; update sets the columns given, an empty cell clears a field.
The server key that seals QR links lives outside the database: DATA/server.key
(made at first start), or --secret-key-file / $WORKTALKD_SECRET_KEY, the same on
every node sharing PostgreSQL. key rotate adds a new key, key prune drops old ones
(docs/operations.md).
Run a subcommand with -h for its flags; worktalkd --version prints the version.`

// synopsis is the usage of the subcommands whose name starts with prefix
// ("" for all of them).
func synopsis(prefix string) string {
	var b strings.Builder
	b.WriteString("usage:\n")
	for _, c := range commands {
		if covers(c.name, prefix) {
			b.WriteString("  worktalkd " + c.synopsis + "\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// covers reports whether the synopsis named name documents command (a
// group such as "member" covers its subcommands).
func covers(name, command string) bool {
	if command == "" {
		return true
	}
	group, subs, _ := strings.Cut(name, " ")
	if command == group {
		return true
	}
	for _, sub := range strings.Split(subs, "|") {
		if command == group+" "+sub {
			return true
		}
	}
	return false
}

// errUsage is a command line that names no command: usage went to stderr.
var errUsage = errors.New("no command given")

// ParseFlags reads the subcommand and its flags from args (without the
// program name). Asking for help (-h, or a group such as "workspace -h")
// prints usage to Stdout and returns flag.ErrHelp; --version prints the
// version and returns cli.ErrVersion. Both mean: exit 0.
func (m *Main) ParseFlags(args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(m.Stderr, synopsis("")+"\n"+usageNotes)
		return errUsage
	}
	name, rest := args[0], args[1:]
	switch {
	case cli.IsHelp(name):
		fmt.Fprintln(m.Stdout, synopsis("")+"\n"+usageNotes)
		return flag.ErrHelp
	case cli.IsVersion(name):
		fmt.Fprintln(m.Stdout, cli.Version("worktalkd", version))
		return cli.ErrVersion
	}
	switch name {
	case "serve":
		return m.parseServe(rest)
	case "workspace", "member", "audit", "key":
		if len(rest) == 0 {
			return fmt.Errorf("%s needs a subcommand:\n%s", name, synopsis(name))
		}
		if cli.IsHelp(rest[0]) {
			fmt.Fprintln(m.Stdout, synopsis(name))
			return flag.ErrHelp
		}
		if name == "key" {
			return m.parseKey(name+" "+rest[0], rest[1:])
		}
		return m.parseAdmin(name+" "+rest[0], rest[1:])
	default:
		return fmt.Errorf("unknown command %q", name)
	}
}

// Run runs the parsed subcommand. For serve it returns once the server
// listens; the caller waits for a signal and then calls Close.
func (m *Main) Run(ctx context.Context) error {
	if m.run == nil {
		return errors.New("no command: call ParseFlags first")
	}
	return m.run(ctx)
}

// Serving reports whether Run started a server that runs until Close.
func (m *Main) Serving() bool { return m.serving }

// Close stops the server (if any), then the bus, then closes the database:
// each still has what it needs while the one before it stops.
func (m *Main) Close() error {
	var errs []error
	if m.pruner != nil {
		m.pruner.stop()
		m.pruner = nil
	}
	if m.Server != nil {
		if err := m.Server.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close server: %w", err))
		}
	}
	if m.closeBus != nil {
		if err := m.closeBus(); err != nil {
			errs = append(errs, fmt.Errorf("close bus: %w", err))
		}
		m.closeBus = nil
	}
	if m.DB != nil {
		if err := m.DB.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database: %w", err))
		}
		m.DB = nil
	}
	return errors.Join(errs...)
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func (m *Main) newFlagSet(name string) *flag.FlagSet {
	return flag.NewFlagSet("worktalkd "+name, flag.ContinueOnError)
}

// parse parses the flags of subcommand cmd; -h prints its usage to Stdout.
func (m *Main) parse(fs *flag.FlagSet, cmd string, args []string) error {
	return cli.Parse(fs, args, m.Stdout, synopsis(cmd))
}

func (m *Main) getenv(name string) string {
	if m.Getenv != nil {
		return m.Getenv(name)
	}
	return os.Getenv(name)
}

// openService makes the service over m.DB and bus (nil: an in-process
// bus, which has no subscribers unless a server runs). Admin commands give
// no keys: they seal nothing.
func (m *Main) openService(publicURL string, bus service.Bus, keys service.Keys, retention time.Duration) {
	if bus == nil {
		bus = inmem.New()
	}
	m.Bus = bus
	m.Service = service.New(service.Config{
		Store:     m.DB,
		Bus:       bus,
		PublicURL: publicURL,
		Logger:    m.logger(),
		Argon:     m.Argon,
		Keys:      keys,
		Retention: retention,
	})
}

func (m *Main) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// onOff parses an on|off flag value; "" means unset.
func onOff(name, v string) (*bool, error) {
	switch strings.ToLower(v) {
	case "":
		return nil, nil
	case "on", "true", "yes":
		t := true
		return &t, nil
	case "off", "false", "no":
		f := false
		return &f, nil
	}
	return nil, fmt.Errorf("--%s must be on or off, not %q", name, v)
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
