#!/usr/bin/env bash
# Smoke test of the desktop app: builds cmd/worktalk, starts `worktalk --demo`
# (embedded server, demo data in a throwaway folder) in a private Xvfb display,
# waits for its window and saves a screenshot.
#
#   scripts/smoke.sh [SCREENSHOT.png]     default: smoke.png
#
# Exits non-zero when no window appears. Needs Debian packages xvfb, xdotool
# and imagemagick (installed when missing, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-smoke.png}")
need=()
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
command -v import >/dev/null || need+=(imagemagick)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
go build -o "$work/worktalk" ./cmd/worktalk

# Find a free display number.
n=99
while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
export DISPLAY=":$n"
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb=$!
app=
cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null
  kill "$xvfb" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done

HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" "$work/worktalk" --demo >"$work/app.log" 2>&1 &
app=$!
if ! win=$(timeout 30 xdotool search --sync --onlyvisible --name 'Worktalk' 2>/dev/null | head -1) || [ -z "$win" ]; then
  echo "smoke: no Worktalk window within 30 s" >&2
  cat "$work/app.log" >&2
  exit 1
fi
# Give the first sync a moment to draw the rooms.
sleep 3
if ! kill -0 "$app" 2>/dev/null; then
  echo "smoke: the app exited" >&2
  cat "$work/app.log" >&2
  exit 1
fi
import -window root "$out"
echo "smoke: window $(xdotool getwindowname "$win"); screenshot $out"
