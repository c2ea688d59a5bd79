#!/usr/bin/env bash
# Builds the release packages of the desktop app into dist/:
#   dist/Worktalk.tar.xz   Linux bundle made by `fyne package` (binary, icon, .desktop file)
#   dist/Worktalk.exe      Windows, cross-compiled with MinGW-w64, with icon and version
#                          info (go-winres), read back by TestWindowsExeResources
# Name, app id, version and icon come from FyneApp.toml.
#
#   scripts/release.sh [linux|windows|all]     default: all
#
# Installs what it needs when missing: the fyne tool (go install) and, for
# Windows, the Debian package gcc-mingw-w64-x86-64 (root or sudo). A cold
# Windows build compiles Fyne's C parts with MinGW and takes minutes.
# macOS builds need a Mac (Fyne uses cgo and the system frameworks):
#   go install fyne.io/tools/cmd/fyne@v1.7.4 && fyne package --os darwin --exe worktalk --release
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
dist=dist
mkdir -p "$dist"
fyne_version=v1.7.4

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

toml() { sed -n "s/^ *$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p" FyneApp.toml | head -1; }
name=$(toml Name)
version=$(toml Version)
build=$(toml Build)
ldflags="-s -w -X main.version=$version"

linux() {
  local fyne
  fyne=$(command -v fyne || true)
  if [ -z "$fyne" ]; then
    GOBIN="$(go env GOPATH)/bin" go install "fyne.io/tools/cmd/fyne@$fyne_version"
    fyne="$(go env GOPATH)/bin/fyne"
  fi
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  go build -trimpath -ldflags "$ldflags" -o "$tmp/worktalk" ./cmd/worktalk
  # fyne package reads FyneApp.toml (name, id, version, icon) from here;
  # in release mode it also bumps Build in the file: keep the committed one.
  cp FyneApp.toml "$tmp/FyneApp.toml"
  "$fyne" package --os linux --exe "$tmp/worktalk" --release
  cp "$tmp/FyneApp.toml" FyneApp.toml
  mv -f "$name.tar.xz" "$dist/"
  echo "release: $dist/$name.tar.xz ($name $version build $build)"
}

windows() {
  command -v x86_64-w64-mingw32-gcc >/dev/null || apt_install gcc-mingw-w64-x86-64
  # Icon, version info and manifest: go build links the .syso files it
  # finds in the package (go-winres is pinned by the tool directive in go.mod).
  # Removed on failure too (set -e leaves the function without a RETURN).
  trap 'rm -f cmd/worktalk/rsrc_windows_amd64.syso' RETURN EXIT
  go tool go-winres simply --arch amd64 --out cmd/worktalk/rsrc --icon assets/icon.png --manifest gui \
    --product-name "$name" --file-description "$name workplace messenger" --original-filename "$name.exe" \
    --product-version "$version.0" --file-version "$version.$build"
  CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
    go build -trimpath -ldflags "$ldflags -H windowsgui" -o "$dist/$name.exe" ./cmd/worktalk
  # Read the resources back from the .exe (Debian's Wine cannot run it).
  WORKTALK_EXE="$PWD/$dist/$name.exe" WORKTALK_VERSION="$version" \
    go test -count=1 -run '^TestWindowsExeResources$' ./cmd/worktalk/
  # A second reader: MinGW's objdump sees a GUI program with a resource directory.
  x86_64-w64-mingw32-objdump -p "$dist/$name.exe" | grep -q 'Subsystem.*Windows GUI'
  x86_64-w64-mingw32-objdump -p "$dist/$name.exe" | grep -q 'Resource Directory \[\.rsrc\]'
  echo "release: $dist/$name.exe ($name $version build $build; icon and version info checked)"
}

case $what in
  linux) linux ;;
  windows) windows ;;
  all) linux; windows ;;
  *) echo "usage: scripts/release.sh [linux|windows|all]" >&2; exit 2 ;;
esac
