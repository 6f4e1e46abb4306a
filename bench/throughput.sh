#!/usr/bin/env bash
# Hot-path throughput on GET /ping: the same ASP.NET Core app (bench/peers/BareAspNetCore) with Graceful off and on
# (--graceful adds AddGraceful and changes nothing else), the Graceful sample, and the Go net/http + gin peer.
# Server pinned to core 0, wrk to core 1; rounds interleaved so the servers share the machine's noise.
# Usage: bench/throughput.sh [rounds] [seconds]   (default 5 rounds of 10 s, about 3 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
seconds="${2:-10}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
dotnet build -c Release samples/SlowService >/dev/null
dotnet build -c Release bench/peers/BareAspNetCore >/dev/null
gin=$(bench/peers/gin/build.sh)

bare="dotnet bench/peers/BareAspNetCore/bin/Release/net10.0/BareAspNetCore.dll"
declare -A programs=(
  [bare]="$bare"
  [graceful]="$bare --graceful"
  [sample]="dotnet samples/SlowService/bin/Release/net10.0/SlowService.dll"
  [gin]="$gin"
)
order=(bare graceful sample gin)
declare -A results

run_round() { # name port
  local name=$1 port=$2 pid rps
  # shellcheck disable=SC2086 # the program is a command line
  taskset -c 0 ${programs[$name]} --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  taskset -c 1 wrk -t1 -c64 -d3s "http://127.0.0.1:$port/ping" >/dev/null   # warm-up: JIT, tiering, pools
  rps=$(taskset -c 1 wrk -t1 -c64 -d"${seconds}s" "http://127.0.0.1:$port/ping" | awk '/Requests\/sec/ {print $2}')
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  results[$name]="${results[$name]:-} $rps"
}

for round in $(seq "$rounds"); do
  port=$((18300 + round * 10))
  for name in "${order[@]}"; do run_round "$name" "$((port++))"; done
  echo "round $round: bare${results[bare]##* } graceful${results[graceful]##* } sample${results[sample]##* } gin${results[gin]##* }" >&2
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bare=$(median "${results[bare]}"); graceful=$(median "${results[graceful]}"); sample=$(median "${results[sample]}"); ginr=$(median "${results[gin]}")
echo "GET /ping, wrk -t1 -c64 -d${seconds}s, $rounds rounds; requests/s, median (all rounds)"
echo
echo "| server | requests/s | rounds |"
echo "|---|---|---|"
echo "| ASP.NET Core app, Graceful off |$bare |${results[bare]} |"
echo "| same app, Graceful on |$graceful |${results[graceful]} |"
echo "| Graceful's SlowService sample (adds WebSockets, SSE routes) |$sample |${results[sample]} |"
echo "| Go net/http + gin |$ginr |${results[gin]} |"
echo
awk -v g="$graceful" -v b="$bare" -v n="$ginr" 'BEGIN { printf "Ratios: Graceful on / off %.3f; Graceful on / gin %.3f\n", g / b, g / n }'
