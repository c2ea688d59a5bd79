#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, when missing.
# Fyne needs cgo and the X11/GL headers; the tests need a Secret Service
# (gnome-keyring in a private D-Bus session), Xvfb for the smoke test and
# zbarimg to scan QR codes with a real scanner.
set -euo pipefail
pkgs=(gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
  libxinerama-dev libxi-dev libxxf86vm-dev dbus gnome-keyring xvfb xauth xdotool imagemagick zbar-tools)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v go >/dev/null || { echo "setup: Go 1.26 or newer is needed (https://go.dev/dl)" >&2; exit 1; }
