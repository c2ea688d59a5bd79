package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"worktalk.dev/worktalk/client"
	"worktalk.dev/worktalk/cmd/internal/demo"
	"worktalk.dev/worktalk/server"
	"worktalk.dev/worktalk/server/inmem"
	"worktalk.dev/worktalk/server/keyfile"
	"worktalk.dev/worktalk/server/service"
	"worktalk.dev/worktalk/server/sqlite"
)

// demoServer is worktalkd running inside the app with the demo data, or
// (remoteDemo) one running elsewhere that was started with --demo.
type demoServer struct {
	dir       string // the demo folder
	clientDir string // the app's local data for the demo server
	url       string
	email     string // the first demo member
	password  string
	db        *sqlite.DB     // nil for a remote server
	srv       *server.Server // nil for a remote server
}

// remoteDemo is the demo data of `worktalkd serve --demo` at url: the app
// signs in as the first demo member as with its embedded server, and runs
// no server itself (to try a separate server, and to measure the app alone).
func remoteDemo(dir, url string) (*demoServer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create demo folder: %w", err)
	}
	first := demo.Accounts()[0]
	return &demoServer{
		dir:       dir,
		clientDir: filepath.Join(dir, "app"),
		url:       strings.TrimRight(url, "/"),
		email:     first.Email,
		password:  demo.Password,
	}, nil
}

// embedded reports whether the server runs inside this app.
func (d *demoServer) embedded() bool { return d.srv != nil }

// startDemo opens (seeding on first start) the demo database in dir and
// serves it on 127.0.0.1, on the same port as last time when it is free so
// that the signed-in demo account and its local data stay valid.
func startDemo(ctx context.Context, dir string, log *slog.Logger) (*demoServer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create demo folder: %w", err)
	}
	portFile := filepath.Join(dir, "port")
	ln, err := listenDemo(portFile)
	if err != nil {
		return nil, err
	}
	url := "http://" + ln.Addr().String()
	db, err := sqlite.Open(filepath.Join(dir, "server.db"))
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("open demo database: %w", err)
	}
	bus := inmem.New()
	keys, _, err := keyfile.LoadOrInit(ctx, filepath.Join(dir, "server.key"), db)
	if err == nil {
		_, err = service.New(service.Config{Store: db, Keys: keys}).Reseal(ctx)
	}
	if err != nil {
		ln.Close()
		db.Close()
		return nil, fmt.Errorf("demo server key: %w", err)
	}
	svc := service.New(service.Config{Store: db, Bus: bus, PublicURL: url, Logger: log, Keys: keys})
	// Seeding runs to its end even on SIGTERM: a half-seeded demo
	// database would look seeded to the next start.
	info, err := demo.Seed(context.WithoutCancel(ctx), db, svc)
	if err != nil || len(info.Accounts) == 0 {
		ln.Close()
		db.Close()
		return nil, fmt.Errorf("seed demo data: %w", errors.Join(err, errors.New("no demo accounts")))
	}
	srv := server.New(server.Config{Listener: ln, Service: svc, Bus: bus, Logger: log})
	if err := srv.Open(); err != nil {
		ln.Close()
		db.Close()
		return nil, fmt.Errorf("start demo server: %w", err)
	}
	return &demoServer{
		dir:       dir,
		clientDir: filepath.Join(dir, "app"),
		url:       url,
		email:     info.Accounts[0].Email,
		password:  info.Password,
		db:        db,
		srv:       srv,
	}, nil
}

// listenDemo binds the port of the last run, or any free one (remembered).
func listenDemo(portFile string) (net.Listener, error) {
	if b, err := os.ReadFile(portFile); err == nil {
		if port, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && port > 0 {
			if ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
				return ln, nil
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the demo server: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	// Best effort: without the file the next run takes another port and signs
	// in again.
	_ = os.WriteFile(portFile, []byte(strconv.Itoa(port)), 0o600)
	return ln, nil
}

// signIn returns the demo member's account, signing in when this demo
// server has not seen the app yet.
func (d *demoServer) signIn(ctx context.Context, opt client.Options) (client.Account, error) {
	list, err := client.Accounts(opt)
	if err == nil {
		for _, a := range list {
			if a.ServerURL == d.url && strings.EqualFold(a.Email, d.email) {
				return a, nil
			}
		}
	}
	acct, choices, err := client.SignIn(ctx, opt, d.url, d.email, d.password, "")
	if err != nil {
		return client.Account{}, fmt.Errorf("sign in to the demo server: %w", err)
	}
	if len(choices) > 0 {
		acct, _, err = client.SignIn(ctx, opt, d.url, d.email, d.password, choices[0].ID)
		if err != nil {
			return client.Account{}, fmt.Errorf("sign in to the demo server: %w", err)
		}
	}
	return acct, nil
}

func (d *demoServer) close() error {
	if !d.embedded() {
		return nil
	}
	return errors.Join(d.srv.Close(), d.db.Close())
}
