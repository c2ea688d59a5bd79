#!/usr/bin/env bash
# Memory of the app against a bare Fyne window with one label, built from
# the same go.mod, under Xvfb: alternates RUNS runs of each (the app with a
# room of NOTES messages open) and prints the medians and the RSS ratio.
#
#   scripts/membench.sh [RUNS] [NOTES]      defaults: 5 10000
#
# Targets (issue 11): RSS at most 1.15x the bare window's in the same run,
# Go heap at most 25 MB. Needs Xvfb. Figures taken while the machine is busy
# are noisy: say so, with `uptime`, when you report them.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
notes=${2:-10000}
tmp=$(mktemp -d)
trap 'kill $xpid 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/worktalk" ./cmd/worktalk
go build -o "$tmp/bare" ./cmd/internal/barewindow
disp=:$((100 + RANDOM % 800))
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & xpid=$!
sleep 0.5
export DISPLAY=$disp LANG=en_US.UTF-8
# The demo data (and its 10,000 notes) is made once, before the runs.
"$tmp/worktalk" --demo --demo-notes "$notes" --data "$tmp/data" --startup-report >/dev/null 2>&1
field() { sed -n "s/.*memory: rss \([0-9.]*\) MB, go heap in use \([0-9.]*\) MB.*/\\$1/p"; }
for i in $(seq "$runs"); do
  app=$("$tmp/worktalk" --demo --data "$tmp/data" --startup-report 2>&1 | grep '^memory:')
  bare=$("$tmp/bare" 2>&1 | grep '^memory:')
  echo "run $i: app $(echo "$app" | field 1) MB rss, $(echo "$app" | field 2) MB heap; bare $(echo "$bare" | field 1) MB rss, $(echo "$bare" | field 2) MB heap"
  echo "$app" | field 1 >>"$tmp/app_rss"; echo "$app" | field 2 >>"$tmp/app_heap"
  echo "$bare" | field 1 >>"$tmp/bare_rss"; echo "$bare" | field 2 >>"$tmp/bare_heap"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ar=$(median "$tmp/app_rss"); ah=$(median "$tmp/app_heap"); br=$(median "$tmp/bare_rss"); bh=$(median "$tmp/bare_heap")
echo "median: app $ar MB rss, $ah MB go heap; bare window $br MB rss, $bh MB go heap"
awk -v a="$ar" -v b="$br" -v h="$ah" 'BEGIN {printf "ratio: %.2fx the bare window (target <= 1.15x); go heap %.1f MB (target <= 25 MB)\n", a/b, h}'
echo "load: $(uptime)"
