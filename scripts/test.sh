#!/usr/bin/env bash
# Runs every check and test: gofmt, go mod tidy, go vet, staticcheck, then
# go test -race over all packages. Fyne uses its software driver (-tags ci),
# so no display is needed.
# The OS keyring is a real gnome-keyring Secret Service in a private D-Bus
# session with a throwaway HOME, so the tests never touch the user's keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt needed:" >&2; echo "$unformatted" >&2; exit 1
fi
# go.mod and go.sum list exactly what the code needs.
go mod tidy -diff
go vet -tags ci ./...
# Without the tag too: a plain `go vet ./...` or `go test ./ui/` must build, so
# untagged tests may not use helpers from files tagged ci.
go vet ./...
# staticcheck at the version the tool directive in go.mod pins.
go tool staticcheck -tags ci ./...
# PostgreSQL and NATS back the scale-out tests; start them when installed but stopped.
if [ -x scripts/services.sh ]; then scripts/services.sh; fi
# Keep the Go caches of the real user: a cold Fyne build takes minutes.
export GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" GOPATH="$(go env GOPATH)"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" XDG_CACHE_HOME="$home/.cache"
export WORKTALK_TEST_KEYRING=1
# The module of its own that must initialise first (see its doc).
(cd internal/localeenv && go vet ./... && go test -count=1 ./...)
export LANG=en_US.UTF-8
dbus-run-session -- sh -c '
  printf worktalk-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  go test -race -tags ci -count=1 -timeout 20m "$@" ./...
' sh "$@"
