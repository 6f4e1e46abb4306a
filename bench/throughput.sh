#!/usr/bin/env bash
# Hot-path throughput on GET /ping: the same ASP.NET Core app (bench/peers/BareAspNetCore) with Graceful off and on
# (--graceful adds AddGraceful and changes nothing else), the Graceful sample, and the Go net/http + gin peer.
# Server pinned to core 0, wrk to core 1; rounds interleaved so the servers share the machine's noise.
# Besides requests/s, the server's own CPU time per request (utime+stime from /proc over the measured run) is
# reported: on a saturated core it is the inverse of throughput, without wrk's share of the noise.
# Usage: bench/throughput.sh [rounds] [seconds] [warm-up seconds]   (default 5 rounds of 10 s after 10 s of warm-up,
#        about 7 minutes; a shorter warm-up ends before tiering has optimised every hot method)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
seconds="${2:-10}"
warmup="${3:-10}"
source bench/debian-packages.sh
need_debian_packages wrk
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
declare -A results cpu

cpu_ticks() { # pid: utime + stime of the process, all threads
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

run_round() { # name port
  local name=$1 port=$2 pid rps report requests before after
  # shellcheck disable=SC2086 # the program is a command line
  taskset -c 0 ${programs[$name]} --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  taskset -c 1 wrk -t1 -c64 -d"${warmup}s" "http://127.0.0.1:$port/ping" >/dev/null   # warm-up: JIT, tiering, pools
  before=$(cpu_ticks "$pid")
  report=$(taskset -c 1 wrk -t1 -c64 -d"${seconds}s" "http://127.0.0.1:$port/ping")
  after=$(cpu_ticks "$pid")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$report")
  requests=$(awk '/requests in/ {print $1}' <<<"$report")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  results[$name]="${results[$name]:-} $rps"
  # microseconds of server CPU per request; /proc counts in clock ticks
  cpu[$name]="${cpu[$name]:-} $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')"
}

for round in $(seq "$rounds"); do
  port=$((18300 + round * 10))
  for name in "${order[@]}"; do run_round "$name" "$((port++))"; done
  echo "round $round: bare${results[bare]##* } graceful${results[graceful]##* } sample${results[sample]##* } gin${results[gin]##* }" >&2
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bare=$(median "${results[bare]}"); graceful=$(median "${results[graceful]}"); sample=$(median "${results[sample]}"); ginr=$(median "${results[gin]}")
cbare=$(median "${cpu[bare]}"); cgraceful=$(median "${cpu[graceful]}"); csample=$(median "${cpu[sample]}"); cgin=$(median "${cpu[gin]}")
echo "GET /ping, wrk -t1 -c64 -d${seconds}s, $rounds rounds; medians (all rounds)"
echo
echo "| server | requests/s | server CPU µs/request | requests/s, all rounds | CPU µs/request, all rounds |"
echo "|---|---|---|---|---|"
echo "| ASP.NET Core app, Graceful off |$bare |$cbare |${results[bare]} |${cpu[bare]} |"
echo "| same app, Graceful on |$graceful |$cgraceful |${results[graceful]} |${cpu[graceful]} |"
echo "| Graceful's SlowService sample (adds WebSockets, SSE routes) |$sample |$csample |${results[sample]} |${cpu[sample]} |"
echo "| Go net/http + gin |$ginr |$cgin |${results[gin]} |${cpu[gin]} |"
echo
awk -v g="$graceful" -v b="$bare" -v n="$ginr" 'BEGIN { printf "Throughput ratios: Graceful on / off %.3f; Graceful on / gin %.3f\n", g / b, g / n }'
awk -v g="$cgraceful" -v b="$cbare" 'BEGIN { printf "CPU per request, off / on (the same ratio, from the server side): %.3f\n", b / g }'
