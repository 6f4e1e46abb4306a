#!/usr/bin/env bash
# Instructions per GET /ping request of the same ASP.NET Core app (bench/peers/BareAspNetCore) with Graceful off and
# on, counted by valgrind's callgrind: a count of instructions, not a time, so it does not move with this machine's
# speed (which drifts by up to 2x over minutes and makes wall-clock ratios good to a few percent at best).
# Each app runs under callgrind, published ReadyToRun (bench/callgrind-requests.sh says how and why; JIT=1 for the app
# JIT-compiled): after a warm-up, 3 windows of COUNT
# GET /ping one after another on one held keep-alive connection are counted, each app's run is the median of its
# windows, and the same app's instructions while idle for as long are subtracted.
# It leaves out what instructions do not show (cache misses, memory bandwidth, the kernel's share), so it complements
# bench/throughput.sh rather than replacing it.
# Usage: [PORT=18400] bench/instructions.sh [count] [runs]   (default 2000 requests a window, 2 runs each; about 4 minutes a run
# and app on an idle machine)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-2000}"
runs="${2:-2}"
source bench/debian-packages.sh
need_debian_packages valgrind
dotnet build -c Release bench/Drain >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

source bench/callgrind-requests.sh
app=$(ready_to_run_app "$PWD")

# PORT lets two copies run side by side (the counts do not depend on the load; the time does).
port="${PORT:-18400}"
declare -a off on
for run in $(seq "$runs"); do
  off+=("$(per_request "$app" $((port + run * 2)) "$count")")
  on+=("$(per_request "$app" $((port + 1 + run * 2)) "$count" --graceful)")
  echo "run $run: off ${off[-1]}, on ${on[-1]} instructions per request" >&2
done

moff=$(mean "${off[@]}"); mon=$(mean "${on[@]}")
echo "GET /ping, median of $windows windows of $count requests one after another on one keep-alive connection, Kestrel inline scheduling, callgrind, tiered compilation off, app $([ "${JIT:-0}" = 1 ] && echo JIT-compiled || echo ReadyToRun); $runs runs each"
echo
echo "| app | instructions per request (mean) | runs |"
echo "|---|---|---|"
echo "| ASP.NET Core app, Graceful off | $moff | ${off[*]} |"
echo "| same app, Graceful on | $mon | ${on[*]} |"
echo
awk -v a="$moff" -v b="$mon" 'BEGIN { printf "Graceful on / off by instructions (the throughput ratio if time followed instructions): %.3f; Graceful adds %.0f instructions per request\n", a / b, b - a }'
