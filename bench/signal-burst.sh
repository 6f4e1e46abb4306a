#!/usr/bin/env bash
# How far apart the signals of one burst reach a .NET signal handler, for the repeated-signal window
# (src/Graceful.AspNetCore/Signals/RepeatedSignals.cs, docs/design.md "Signals"). Two kinds of burst:
#   spaced: `kill` five times from a shell, each followed by an external `sleep 0.0005` (about 1-3 ms apart:
#           a `kill` loop with nothing between is merged by the kernel into one pending signal);
#   group:  a shell wrapper that forwards SIGTERM to the app, both in one process group, which gets one
#           `kill -TERM -PGID` (the app receives the group's signal and the wrapper's).
# "sent over" is the sender's own spread (a loaded machine slows the shell and its `sleep` forks too).
# Each runs ROUNDS times idle and ROUNDS times with two busy processes (`yes`) loading both cores.
# Usage: bench/signal-burst.sh [rounds]   (default 5; under a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
out=$(mktemp -d)
busy=()
cleanup() { for p in "${busy[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$out"; }
trap cleanup EXIT

dotnet build -c Release bench/SignalBurst >/dev/null
app=bench/SignalBurst/bin/Release/net10.0/SignalBurst.dll

wait_ready() { until grep -q '^ready' "$1" 2>/dev/null; do sleep 0.05; done; sleep 0.3; }
spread() { grep -v '^ready' "$1" | tail -n 1 | sed 's/.*+//'; }

spaced() {
  local log="$out/spaced.log"
  dotnet "$app" >"$log" 2>&1 & local pid=$!
  wait_ready "$log"
  local first last
  first=$(date +%s%N)
  for i in 1 2 3 4 5; do
    kill -TERM "$pid"; last=$(date +%s%N)
    [ "$i" -lt 5 ] && sleep 0.0005
  done
  sleep 1; kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
  echo "spaced: $(grep -vc '^ready' "$log") of 5 arrived, last +$(spread "$log") (sent over $(( (last - first) / 1000 ))us)"
}

group() {
  local log="$out/group.log"
  setsid bash -c "dotnet '$app' >'$log' 2>&1 & child=\$!; trap 'kill -TERM \$child' TERM; wait \$child; wait \$child" &
  local wrapper=$!
  wait_ready "$log"
  local pid pgid
  pid=$(awk '/^ready/ {print $2}' "$log")
  pgid=$(ps -o pgid= -p "$pid" | tr -d ' ')
  kill -TERM -- "-$pgid"
  sleep 1; kill -KILL "$pid" 2>/dev/null || true; wait "$wrapper" 2>/dev/null || true
  echo "group:  $(grep -vc '^ready' "$log") of 2 arrived, last +$(spread "$log")"
}

for load in idle busy; do
  if [ "$load" = busy ]; then
    yes >/dev/null & busy+=($!)
    yes >/dev/null & busy+=($!)
  fi
  echo "== $load"
  for _ in $(seq "$rounds"); do spaced; group; done
done
