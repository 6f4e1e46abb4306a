#!/usr/bin/env bash
# Bytes allocated per GET /ping by the same ASP.NET Core app (bench/peers/BareAspNetCore) with Graceful off and on,
# over real requests: the process's own count (GC.GetTotalAllocatedBytes, precise, every thread) read through the
# app's /allocated endpoint before and after COUNT requests on 8 keep-alive connections, after a warm-up of the same
# size. Kestrel itself allocates a little per request; only the on/off difference is Graceful's.
# Usage: bench/allocations.sh [count] [runs]   (default 10000 requests, 3 runs each; about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-10000}"
runs="${2:-3}"
dotnet build -c Release bench/peers/BareAspNetCore >/dev/null
dotnet build -c Release bench/Drain >/dev/null
app=bench/peers/BareAspNetCore/bin/Release/net10.0/BareAspNetCore.dll

per_request() { # port app-arguments...: prints bytes allocated per request
  local port=$1 pid before after
  shift
  dotnet "$app" "$@" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 300); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  dotnet bench/Drain/bin/Release/net10.0/Drain.dll requests "$count" 8 "http://127.0.0.1:$port" >/dev/null
  curl -sf "http://127.0.0.1:$port/allocated" >/dev/null
  before=$(curl -sf "http://127.0.0.1:$port/allocated")
  dotnet bench/Drain/bin/Release/net10.0/Drain.dll requests "$count" 8 "http://127.0.0.1:$port" >/dev/null
  after=$(curl -sf "http://127.0.0.1:$port/allocated")
  [[ "$before" =~ ^[0-9]+$ && "$after" =~ ^[0-9]+$ ]] || { echo "no byte count from /allocated: '$before' '$after'" >&2; exit 1; }
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  awk -v a="$before" -v b="$after" -v n="$count" 'BEGIN { printf "%.1f\n", (b - a) / n }'
}

declare -a off on
for run in $(seq "$runs"); do
  off+=("$(per_request $((18500 + run * 2)))")
  on+=("$(per_request $((18501 + run * 2)) --graceful)")
  echo "run $run: off ${off[-1]}, on ${on[-1]} bytes per request" >&2
done
mean() { tr ' ' '\n' <<<"$*" | awk 'NF { s += $1; n++ } END { printf "%.1f", s / n }'; }
echo "GET /ping, $count requests on 8 keep-alive connections after as many of warm-up; bytes allocated by the server process"
echo
echo "| app | bytes per request (mean) | runs |"
echo "|---|---|---|"
echo "| ASP.NET Core app, Graceful off | $(mean "${off[@]}") | ${off[*]} |"
echo "| same app, Graceful on | $(mean "${on[@]}") | ${on[*]} |"
