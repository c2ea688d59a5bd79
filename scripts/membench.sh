#!/usr/bin/env bash
# Memory of the app against a bare Fyne window with one label, built from
# the same go.mod, under Xvfb: alternates RUNS runs of each and prints the
# medians and the RSS ratio. The app runs with a room of NOTES messages open,
# twice per round: with its embedded demo server (--demo: the server, its
# SQLite database and its goroutines are in the measured process) and
# against a separate worktalkd (--demo --server URL: the app alone).
#
#   scripts/membench.sh [RUNS] [NOTES]      defaults: 5 10000
#
# Targets (issue 11): RSS at most 1.15x the bare window's in the same run,
# Go heap at most 25 MB. Needs Xvfb. Figures taken while the machine is busy
# are noisy: say so, with `uptime`, when you report them.
set -euo pipefail
# A desktop session has a session bus (the app's tray and lock use it).
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || exec dbus-run-session -- "$0" "$@"
cd "$(dirname "$0")/.."
runs=${1:-5}
notes=${2:-10000}
tmp=$(mktemp -d)
xpid= spid=
trap 'kill $xpid $spid 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/worktalk" ./cmd/worktalk
go build -o "$tmp/worktalkd" ./cmd/worktalkd
go build -o "$tmp/bare" ./cmd/internal/barewindow
disp=:$((100 + RANDOM % 800))
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & xpid=$!
sleep 0.5
port=$((20000 + RANDOM % 20000))
"$tmp/worktalkd" serve --demo --data "$tmp/server" --addr "127.0.0.1:$port" >/dev/null 2>&1 & spid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
export DISPLAY=$disp LANG=en_US.UTF-8
# The demo data (and its notes) is made once for each kind, before the runs.
"$tmp/worktalk" --demo --demo-notes "$notes" --data "$tmp/data" --startup-report >/dev/null 2>&1
"$tmp/worktalk" --demo --server "http://127.0.0.1:$port" --demo-notes "$notes" --data "$tmp/data" --startup-report >/dev/null 2>&1
field() { sed -n "s/.*memory: rss \([0-9.]*\) MB, go heap in use \([0-9.]*\) MB.*/\\$1/p"; }
measure() { # name command...: one run, its figures appended to $tmp/name_{rss,heap}
  local name=$1 out
  shift
  out=$("$@" 2>&1 | grep '^memory:')
  echo "$out" | field 1 >>"$tmp/${name}_rss"
  echo "$out" | field 2 >>"$tmp/${name}_heap"
  printf '%s %s MB rss, %s MB heap; ' "$name" "$(echo "$out" | field 1)" "$(echo "$out" | field 2)"
}
for i in $(seq "$runs"); do
  printf 'run %s: ' "$i"
  measure app "$tmp/worktalk" --demo --data "$tmp/data" --startup-report
  measure remote "$tmp/worktalk" --demo --server "http://127.0.0.1:$port" --data "$tmp/data" --startup-report
  measure bare "$tmp/bare"
  echo
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
br=$(median "$tmp/bare_rss"); bh=$(median "$tmp/bare_heap")
echo "median: bare window $br MB rss, $bh MB go heap"
for name in app remote; do
  r=$(median "$tmp/${name}_rss"); h=$(median "$tmp/${name}_heap")
  label=$([ "$name" = app ] && echo "app, embedded server" || echo "app, separate worktalkd")
  awk -v n="$label" -v a="$r" -v b="$br" -v h="$h" 'BEGIN {printf "%s: %s MB rss = %.2fx the bare window (target <= 1.15x); go heap %s MB (target <= 25 MB)\n", n, a, a/b, h}'
done
echo "worktalkd (separate process) after the runs: $(awk '/VmRSS/ {printf "%.1f MB rss", $2/1000}' "/proc/$spid/status")"
echo "load: $(uptime)"
