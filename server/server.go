// Package server is the transport of the reference server: the HTTP API, the
// websocket sync endpoint, the public profile-link page and the hub that fans
// published events out to connected devices. Every rule lives in
// server/service; this package authenticates callers and moves frames.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"sync"
	"time"

	"worktalk.dev/worktalk/server/service"
)

// Config configures a Server.
type Config struct {
	// Addr is the host:port to listen on; port 0 picks a free port.
	Addr string
	// Listener, when set, is served instead of listening on Addr (tests
	// bind first to learn the URL the service puts in profile links).
	Listener net.Listener
	Service  *service.Service
	// Bus is where the service publishes events; the hub subscribes to it.
	Bus    service.Bus
	Logger *slog.Logger // nil: slog.Default()

	// PingPeriod is how often an idle connection is pinged; a connection that
	// sends nothing (not even a pong) for twice as long is closed. 0: 30 s.
	PingPeriod time.Duration
	// SendQueue is how many live frames may wait for a slow connection
	// before it is dropped (it resumes from its cursor). 0: 256.
	SendQueue int
	// PublicPageRate is how many /p/ pages one remote address may open per
	// minute (burst the same). 0: 30.
	PublicPageRate int
	// TrustedProxies are the addresses (a TLS proxy, a load balancer) whose
	// X-Forwarded-For and Forwarded headers name the client; from anyone
	// else those headers are ignored. Empty: the peer is the client.
	TrustedProxies []netip.Prefix
	// PublicPageMinTime pads every /p/ answer to at least this long so that
	// valid and invalid links take the same time. 0: 25 ms; negative: none.
	PublicPageMinTime time.Duration
}

const (
	defaultPingPeriod     = 30 * time.Second
	defaultSendQueue      = 256
	defaultPublicPageRate = 30
	defaultPublicMinTime  = 25 * time.Millisecond
	shutdownGrace         = 5 * time.Second
)

// Server serves the API on one listener. Open starts it and Close stops it
// and waits for every goroutine it started, websocket connections included.
type Server struct {
	cfg     Config
	svc     *service.Service
	log     *slog.Logger
	hub     *hub
	writers writers // write live frames to the websockets; started by Open
	http    *http.Server
	ln      net.Listener
	ws      wsSettings
	pub     *publicPages

	proxies proxies // Config.TrustedProxies

	ctx    context.Context // canceled by Close; parent of every request context
	cancel context.CancelFunc

	unsubscribe func()

	mu      sync.Mutex // guards closing and, with it, wg.Add from handlers
	closing bool
	wg      sync.WaitGroup // the serve loop, handlers, websocket readers and writers
}

// New returns a Server for cfg; Open starts it.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.PingPeriod <= 0 {
		cfg.PingPeriod = defaultPingPeriod
	}
	if cfg.SendQueue <= 0 {
		cfg.SendQueue = defaultSendQueue
	}
	if cfg.PublicPageRate <= 0 {
		cfg.PublicPageRate = defaultPublicPageRate
	}
	switch {
	case cfg.PublicPageMinTime == 0:
		cfg.PublicPageMinTime = defaultPublicMinTime
	case cfg.PublicPageMinTime < 0:
		cfg.PublicPageMinTime = 0
	}
	s := &Server{
		cfg:     cfg,
		svc:     cfg.Service,
		log:     cfg.Logger,
		proxies: proxies(cfg.TrustedProxies),
	}
	s.hub = newHub(s.log, &s.writers)
	s.ws = newWSSettings(cfg)
	s.pub = newPublicPages(cfg.PublicPageRate, cfg.PublicPageMinTime)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	return s
}

// Open binds the listener (so a busy port fails here, not later), starts
// the websocket writers and keepalive, subscribes the hub to the bus and
// starts serving.
func (s *Server) Open() error {
	if s.svc == nil || s.cfg.Bus == nil {
		return errors.New("server: Config.Service and Config.Bus are required")
	}
	ln := s.cfg.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", s.cfg.Addr); err != nil {
			return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
		}
	}
	s.ln = ln
	s.writers.start(runtime.GOMAXPROCS(0), &s.wg)
	s.wg.Add(1)
	go s.keepalive()
	s.unsubscribe = s.cfg.Bus.Subscribe(s.hub.publish)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http serve stopped", "err", err)
		}
	}()
	return nil
}

// Addr is the address the server listens on, e.g. "127.0.0.1:40123".
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// URL is the base URL of the server, e.g. "http://127.0.0.1:40123".
func (s *Server) URL() string { return "http://" + s.Addr() }

// Close stops accepting, closes every websocket connection and waits for
// every goroutine of the server to end. It is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	s.mu.Unlock()

	if s.unsubscribe != nil {
		s.unsubscribe() // no deliveries after this returns
	}
	var err error
	if s.ln != nil {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		if err = s.http.Shutdown(ctx); err != nil {
			err = s.http.Close()
		}
		cancel()
	}
	s.cancel()
	s.hub.closeAll()
	s.writers.close()
	s.wg.Wait()
	return err
}

// keepalive pings every connection once a ping period, one slot of them
// each tick, until Close.
func (s *Server) keepalive() {
	defer s.wg.Done()
	t := time.NewTicker(s.ws.pingPeriod / pingSlots)
	defer t.Stop()
	for slot := 0; ; slot = (slot + 1) % pingSlots {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.hub.ping(slot)
		}
	}
}

// track counts a handler in wg so Close waits for it. It reports false
// when the server is closing; the caller must then not start work.
func (s *Server) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.wg.Add(1)
	return true
}

// ConnCount is the number of open websocket connections (for tests and
// benchmarks).
func (s *Server) ConnCount() int { return s.hub.count() }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("POST /api/signin", s.handleSignIn)
	mux.HandleFunc("POST /api/signout", s.handleSignOut)
	mux.HandleFunc("GET /api/pictures/{id}", s.handlePicture)
	mux.HandleFunc("GET /api/pictures/{id}/thumb", s.handlePictureThumb)
	mux.HandleFunc("GET /api/sync", s.handleSync)
	// {token...}: a path with extra segments is an invalid link too, and
	// must get the same page as any other.
	mux.HandleFunc("GET /p/{token...}", s.handlePublicPage)
	mux.HandleFunc("GET /activate/{token...}", s.handleActivate)
	mux.HandleFunc("POST /activate/{token...}", s.handleActivate)
	return s.tracked(mux)
}

// tracked makes every request count in wg and refuses new ones once Close
// has begun.
func (s *Server) tracked(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.track() {
			w.Header().Set("Connection", "close")
			http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
			return
		}
		defer s.wg.Done()
		h.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok"))
}
