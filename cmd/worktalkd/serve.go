package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"worktalk.dev/worktalk/cmd/internal/demo"
	"worktalk.dev/worktalk/server"
	"worktalk.dev/worktalk/server/inmem"
	"worktalk.dev/worktalk/server/natsbus"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/sqlite"
)

type serveFlags struct {
	addr        string
	db          dbFlags
	keys        keyFlags
	nats        string
	natsSubject string
	publicURL   string
	demo        bool
	proxies     []netip.Prefix // --trusted-proxy
	poll        time.Duration  // how often to look for events other processes wrote
	retention   time.Duration  // 0: keep events for ever
}

func (m *Main) parseServe(args []string) error {
	var f serveFlags
	fs := m.newFlagSet("serve")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8630", "`HOST:PORT` to listen on (port 0: any free port)")
	f.db.register(fs)
	f.keys.register(fs)
	fs.StringVar(&f.nats, "nats", "", "NATS server `URLS` (nats://a:4222,nats://b:4222) relaying events between nodes; needs --db")
	fs.StringVar(&f.natsSubject, "nats-subject", natsbus.DefaultSubject, "NATS `SUBJECT` the nodes of one deployment share")
	fs.StringVar(&f.publicURL, "public-url", "", "base `URL` of profile links (default: http://ADDR)")
	fs.BoolVar(&f.demo, "demo", false, "seed demo workspaces and members on first start")
	fs.Func("trusted-proxy", "`CIDRS` (comma-separated, or bare addresses) of the TLS proxies or load balancers "+
		"whose X-Forwarded-For and Forwarded headers name the client; from anyone else they are ignored", func(v string) error {
		p, err := parsePrefixes(v)
		f.proxies = append(f.proxies, p...)
		return err
	})
	fs.DurationVar(&f.retention, "retention", 0, "keep events this `DURATION` (e.g. 720h), dropping older ones every so often; "+
		"a client away longer gets a snapshot instead of the events it missed (default: keep all)")
	fs.DurationVar(&f.poll, "poll", 500*time.Millisecond, "how often to look for changes other processes (admin commands) or nodes wrote")
	if err := m.parse(fs, "serve", args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected arguments %q", fs.Args())
	}
	if err := f.db.check(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if f.nats != "" && f.db.db == "" {
		return fmt.Errorf("serve: --nats needs a PostgreSQL --db: nodes relay events that one database orders")
	}
	if f.retention < 0 {
		return fmt.Errorf("serve: --retention cannot be negative, not %v", f.retention)
	}
	if f.poll <= 0 {
		return fmt.Errorf("serve: --poll must be positive, not %v", f.poll)
	}
	if f.natsSubject == "" {
		return fmt.Errorf("serve: --nats-subject must not be empty")
	}
	if f.publicURL != "" {
		u, err := url.Parse(f.publicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("serve: --public-url must be like https://talk.example.com, not %q", f.publicURL)
		}
	}
	m.run = func(ctx context.Context) error { return m.serve(ctx, f) }
	return nil
}

func (m *Main) serve(ctx context.Context, f serveFlags) error {
	// Bind first: the public URL may need the port the system picked.
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	publicURL := f.publicURL
	if publicURL == "" {
		publicURL = defaultPublicURL(ln.Addr())
	}
	if err := m.openStore(ctx, f.db); err != nil {
		ln.Close()
		return err
	}
	var bus service.Bus = inmem.New()
	if db, ok := m.DB.(*sqlite.DB); ok {
		// Admin commands write into the same database from another
		// process; the bus reads their events back.
		ib, err := inmem.Open(ctx, inmem.Config{Source: db, Poll: f.poll, Logger: m.logger()})
		if err != nil {
			ln.Close()
			return err
		}
		bus, m.closeBus = ib, ib.Close
	}
	if f.nats != "" {
		nb, err := m.openNATS(ctx, f.nats, f.natsSubject, f.poll)
		if err != nil {
			ln.Close()
			return err
		}
		bus, m.closeBus = nb, nb.Close
	}
	if f.db.db != "" && f.nats == "" {
		m.logger().Warn("PostgreSQL without --nats: this node pushes only its own changes live; " +
			"run one node, or give every node the same --nats")
	}
	keys, err := m.loadKeys(ctx, f.db, f.keys)
	if err != nil {
		ln.Close()
		return fmt.Errorf("server key: %w", err)
	}
	m.openService(publicURL, bus, keys, f.retention)
	if err := m.reseal(ctx); err != nil {
		ln.Close()
		return err
	}
	if f.retention > 0 {
		m.pruner = startPruner(m.Service, pruneInterval(f.retention), m.PruneTicks, m.logger(), m.OnPrune)
	}
	if f.demo {
		info, err := demo.Seed(ctx, m.DB, m.Service)
		if err != nil {
			ln.Close()
			return fmt.Errorf("seed demo data: %w", err)
		}
		printDemo(m, info)
	}
	m.Server = server.New(server.Config{
		Listener: ln,
		Service:  m.Service,
		Bus:      m.Bus,
		Logger:   m.logger(),

		TrustedProxies: f.proxies,
	})
	if err := m.Server.Open(); err != nil {
		ln.Close()
		m.Server = nil
		return err
	}
	m.serving = true
	fmt.Fprintf(m.Stdout, "worktalkd: listening on %s (profile links: %s/p/...)\n", m.Server.URL(), publicURL)
	return nil
}

// defaultPublicURL is http://HOST:PORT of the listener, with a wildcard
// host replaced by localhost.
func defaultPublicURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// printDemo says how to sign in to the demo data.
func printDemo(m *Main, info demo.Info) {
	if !info.Created {
		fmt.Fprintln(m.Stdout, "worktalkd: demo data already present; not seeded again")
	} else {
		fmt.Fprintln(m.Stdout, "worktalkd: demo data created")
	}
	if len(info.Accounts) == 0 {
		return
	}
	fmt.Fprintf(m.Stdout, "Sign in with any of these e-mails and the password %q:\n", info.Password)
	for _, a := range info.Accounts {
		admin := ""
		if a.Admin {
			admin = " (admin)"
		}
		fmt.Fprintf(m.Stdout, "  %-28s %s, %s%s\n", a.Email, a.Name, a.Workspace, admin)
	}
}

// parsePrefixes reads a comma-separated list of CIDR prefixes; a bare
// address stands for itself alone.
func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if a, err := netip.ParseAddr(part); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR prefix such as 10.0.0.0/8", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
