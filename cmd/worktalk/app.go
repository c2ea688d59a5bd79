package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"worktalk.dev/worktalk/assets"
	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/client/instance"
	"worktalk.dev/worktalk/client/lock"
	"worktalk.dev/worktalk/client/ossession"
	"worktalk.dev/worktalk/cmd/internal/cli"
	"worktalk.dev/worktalk/ui"
)

var _ ui.Engine = (*client.Engine)(nil)

// version is set by scripts/release.sh from FyneApp.toml.
var version = "dev"

// synopsis heads the usage -h prints.
const synopsis = `usage: worktalk [flags] [PROFILE-LINK]

Worktalk, the workplace messenger. PROFILE-LINK (https://HOST/p/TOKEN or
worktalk://p/TOKEN) opens "Add external member" with that link.`

// Main is the program: flags in, the app run, everything closed.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer

	demo        bool
	dataDir     string
	serverURL   string
	fileSecrets bool
	verbose     bool
	report      bool   // --startup-report
	events      bool   // --event-report
	demoNotes   int    // --demo-notes
	link        string // a profile link given as the argument

	log        *slog.Logger
	demoServer *demoServer        // nil unless --demo
	instance   *instance.Primary  // this copy's hold on the data folder
	watch      *ossession.Watcher // OS session lock and sleep; nil when not offered
	idle       ossession.Idle     // the OS's idle time; nil when not offered
}

// NewMain returns a Main writing to the standard streams.
func NewMain() *Main { return &Main{Stdout: os.Stdout, Stderr: os.Stderr} }

// ParseFlags reads the command line. -h prints usage to Stdout and returns
// flag.ErrHelp; --version prints the version and returns cli.ErrVersion.
// Both mean: exit 0.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("worktalk", flag.ContinueOnError)
	fs.BoolVar(&m.demo, "demo", false, "start an embedded server with demo data and sign in as its first member")
	fs.StringVar(&m.dataDir, "data", "", "data `DIR` for local databases (default: the user config folder)")
	fs.StringVar(&m.serverURL, "server", "", "server `URL` shown on the sign-in screen; with --demo, a running 'worktalkd serve --demo' to use instead of an embedded server")
	fs.BoolVar(&m.fileSecrets, "insecure-file-secrets", false, "keep session tokens in a file readable only by you when the OS has no keyring")
	fs.BoolVar(&m.verbose, "v", false, "log more")
	fs.BoolVar(&m.report, "startup-report", false, "open my own room, print start-up time and memory, then quit")
	fs.BoolVar(&m.events, "event-report", false, "print a timed line for what tests wait for: later starts reach this copy, a hand-off raised the window or showed its card, the lock came or went, a notification went out")
	fs.IntVar(&m.demoNotes, "demo-notes", 0, "with --demo: first write `N` notes to my own room (to try long histories)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := cli.Parse(fs, args, m.Stdout, synopsis); err != nil {
		return err
	}
	if *showVersion {
		fmt.Fprintln(m.Stdout, cli.Version("worktalk", version))
		return cli.ErrVersion
	}
	if m.demoNotes > 0 && !m.demo {
		return fmt.Errorf("--demo-notes needs --demo")
	}
	switch {
	case fs.NArg() == 1:
		link, ok := ui.ProfileLink(fs.Arg(0))
		if !ok {
			return fmt.Errorf("%q is not a profile link (https://HOST/p/TOKEN or worktalk://p/TOKEN)", fs.Arg(0))
		}
		m.link = link
	case fs.NArg() > 1:
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return nil
}

// Run shows the app and returns when it quits (or ctx ends).
func (m *Main) Run(ctx context.Context) error {
	level := slog.LevelWarn
	if m.verbose {
		level = slog.LevelDebug
	}
	m.log = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level}))

	base := m.dataDir
	if base == "" {
		d, err := os.UserConfigDir()
		if err != nil {
			return fmt.Errorf("find config folder: %w", err)
		}
		base = filepath.Join(d, "worktalk")
	}
	// One copy per data folder: a later start hands its link (or nothing)
	// to the copy that runs and ends here, before any window shows.
	var args []string
	if m.link != "" {
		args = []string{m.link}
	}
	inst, err := instance.Start(ctx, base, args)
	if errors.Is(err, instance.ErrHandedOff) {
		m.log.Debug("handed over to the running copy", "data", base)
		return nil
	}
	if err != nil {
		return err
	}
	m.instance = inst
	opt := client.Options{DataDir: base, AllowFileSecrets: m.fileSecrets, Logger: m.log}
	cfg := ui.Config{ServerURL: m.serverURL, Logger: m.log, OpenLink: m.link}

	if m.demo {
		var ds *demoServer
		if m.serverURL != "" {
			ds, err = remoteDemo(filepath.Join(base, "demo-remote"), m.serverURL)
		} else {
			ds, err = startDemo(ctx, filepath.Join(base, "demo"), m.log)
		}
		if err != nil {
			return err
		}
		m.demoServer = ds
		// A fresh machine may have no Secret Service: demo tokens (for a
		// server on this computer only) live in a 0600 file of the demo folder.
		opt.DataDir = ds.clientDir
		opt.Secrets = &client.FileSecrets{Path: filepath.Join(ds.clientDir, "secrets.json")}
		acct, err := ds.signIn(ctx, opt)
		if err != nil {
			return err
		}
		if m.demoNotes > 0 {
			if err := writeNotes(ctx, opt, acct, m.demoNotes); err != nil {
				return err
			}
		}
		cfg.Open = &acct
		cfg.ServerURL = ds.url
	}
	cfg.Accounts = ui.ClientAccounts{Options: opt}
	cfg.Lock, cfg.LockError = openLock(opt)
	if cfg.LockError != nil {
		m.log.Warn("lock mode is off", "err", cfg.LockError)
	}

	fa := app.NewWithID("dev.worktalk.app")
	fa.SetIcon(assets.Icon)
	th, err := ui.NewTheme()
	if err != nil {
		return err
	}
	fa.Settings().SetTheme(th)
	if err := ui.LoadTranslations(); err != nil {
		m.log.Warn("translations", "err", err)
	}
	switch {
	case m.demoServer != nil && m.demoServer.embedded():
		cfg.Warnings = append(cfg.Warnings, lang.L("Demo mode: the server runs inside this app, and its sign-in tokens are kept in a file of the demo folder ({{.Dir}}) instead of the OS keyring.", map[string]any{"Dir": m.demoServer.dir}))
	case m.demoServer != nil:
		cfg.Warnings = append(cfg.Warnings, lang.L("Demo mode: signed in to the demo data of {{.URL}}; the sign-in tokens are kept in a file of the demo folder ({{.Dir}}) instead of the OS keyring.", map[string]any{"URL": m.demoServer.url, "Dir": m.demoServer.dir}))
	}
	var w *ui.App
	if m.report {
		cfg.OpenSelfRoom = true
		cfg.StartupProbe = newStartupReport(m.Stderr, func() { w.Quit() }).probe
	}
	if m.events {
		cfg.EventProbe = func(event string) {
			fmt.Fprintf(m.Stderr, "event: %s %d\n", event, time.Now().UnixNano())
		}
	}
	if idle, err := ossession.OpenIdle(); err == nil {
		m.idle = idle
		cfg.OSIdle = idle.IdleTime
	} else {
		m.log.Info("auto-lock counts input in Worktalk only", "err", err)
	}
	cfg.TrayAvailable = ossession.TrayAvailable
	cfg.NoTray = !ossession.TrayPossible()
	w = ui.New(fa, cfg)
	// The OS session locking or the computer going to sleep locks the app;
	// the watcher waits until the locked state is written down (the OS
	// gives a few seconds at most).
	watch, err := ossession.Watch(func(ev ossession.Event) {
		m.log.Debug("os session", "event", ev)
		done := make(chan struct{})
		w.Do(func() { w.LockForOS(func() { close(done) }) })
		select {
		case <-done:
		case <-time.After(3 * time.Second):
		}
	}, m.log)
	if err != nil {
		m.log.Info("the OS session is not watched", "err", err)
	}
	m.watch = watch
	inst.SetHandler(func(args []string) error {
		link, err := handedLink(args)
		if err != nil {
			return err
		}
		w.Do(func() { w.Activate(link) })
		return nil
	})
	if cfg.EventProbe != nil {
		cfg.EventProbe("ready") // later starts reach this copy from now on
	}
	go func() {
		<-ctx.Done()
		w.Interrupt()
	}()
	w.Start()
	fa.Run()
	w.Close()
	return nil
}

// Close stops the embedded demo server, if any, and lets the next start
// run.
func (m *Main) Close() error {
	var err error
	if m.demoServer != nil {
		err = m.demoServer.close()
	}
	if m.watch != nil {
		err = errors.Join(err, m.watch.Close())
	}
	if m.idle != nil {
		err = errors.Join(err, m.idle.Close())
	}
	if m.instance != nil {
		err = errors.Join(err, m.instance.Close())
	}
	return err
}

// handedLink checks what a later start handed over: nothing, or one
// profile link (it checked that itself; this copy does not trust it).
func handedLink(args []string) (string, error) {
	switch len(args) {
	case 0:
		return "", nil
	case 1:
		if link, ok := ui.ProfileLink(args[0]); ok {
			return link, nil
		}
	}
	return "", fmt.Errorf("not a profile link: %q", args)
}

// openLock opens the lock password record: in the OS keyring, or with the
// session tokens when they are kept elsewhere (the demo's file), so that a
// machine without a Secret Service can still try lock mode in the demo.
func openLock(opt client.Options) (*lock.Lock, error) {
	return lock.Open(lock.Options{Store: opt.Secrets})
}
