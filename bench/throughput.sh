#!/usr/bin/env bash
# Hot-path throughput on GET /ping: the same ASP.NET Core app (bench/peers/BareAspNetCore) with Graceful off and on
# (--graceful adds AddGraceful and changes nothing else), the Graceful sample, and the Go net/http + gin peer.
#
# Paired windows: all four servers run for the whole benchmark, pinned to core 0 (each idle while another is
# loaded); wrk, pinned to core 1, loads them in turn, one short window each, round after round. This machine's speed
# drifts by up to 2x over minutes (other tenants of the host), so servers measured minutes apart are not comparable;
# servers measured seconds apart, in the same round, are. The order rotates from round to round, so no server always
# takes the same place in a round (one run with a fixed order put the first server 10-25 % ahead of the others, gin
# included). Each server's ratio to "Graceful off" is taken per round and the median over rounds reported, by
# requests/s and by the server's own CPU time per request (utime+stime from /proc over the window; on a saturated core
# the inverse of throughput, without wrk's share of the noise).
# Usage: bench/throughput.sh [rounds] [seconds per window] [warm-up seconds per server]
#        (default 30 rounds of 3 s after 15 s of warm-up each: about 8 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-30}"
seconds="${2:-3}"
warmup="${3:-15}"
source bench/debian-packages.sh
need_debian_packages wrk
dotnet build -c Release samples/SlowService >/dev/null
dotnet build -c Release bench/peers/BareAspNetCore >/dev/null
gin=$(bench/peers/gin/build.sh)

bare="dotnet bench/peers/BareAspNetCore/bin/Release/net10.0/BareAspNetCore.dll"
order=(off on sample gin)
declare -A programs=(
  [off]="$bare"
  [on]="$bare --graceful"
  [sample]="dotnet samples/SlowService/bin/Release/net10.0/SlowService.dll"
  [gin]="$gin"
)
declare -A titles=(
  [off]="ASP.NET Core app, Graceful off"
  [on]="same app, Graceful on"
  [sample]="Graceful's SlowService sample (adds WebSockets, SSE routes)"
  [gin]="Go net/http + gin"
)
declare -A pids ports rps cpu

cleanup() { for name in "${!pids[@]}"; do kill -TERM "${pids[$name]}" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

cpu_ticks() { # pid: utime + stime of the process, all threads, in clock ticks
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

port=18300
for name in "${order[@]}"; do
  ports[$name]=$((port++))
  # shellcheck disable=SC2086 # the program is a command line
  taskset -c 0 ${programs[$name]} --urls "http://127.0.0.1:${ports[$name]}" >/dev/null 2>&1 &
  pids[$name]=$!
done
for name in "${order[@]}"; do
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/${ports[$name]}") 2>/dev/null && break; sleep 0.1; done
  taskset -c 1 wrk -t1 -c64 -d"${warmup}s" "http://127.0.0.1:${ports[$name]}/ping" >/dev/null   # JIT, tiering, pools
done

hz=$(getconf CLK_TCK)
for round in $(seq "$rounds"); do
  line="round $round:"
  shift_by=$(((round - 1) % ${#order[@]}))
  for name in "${order[@]:shift_by}" "${order[@]:0:shift_by}"; do
    before=$(cpu_ticks "${pids[$name]}")
    report=$(taskset -c 1 wrk -t1 -c64 -d"${seconds}s" "http://127.0.0.1:${ports[$name]}/ping")
    after=$(cpu_ticks "${pids[$name]}")
    r=$(awk '/Requests\/sec/ {print $2}' <<<"$report")
    requests=$(awk '/requests in/ {print $1}' <<<"$report")
    c=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.3f", t * 1e6 / hz / n }')
    rps[$name]="${rps[$name]:-} $r"
    cpu[$name]="${cpu[$name]:-} $c"
    line="$line $name $r/s ${c}µs"
  done
  echo "$line" >&2
done

values() { tr ' ' '\n' <<<"$1" | grep -v '^$'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# median over rounds of (numerator / denominator), the two lists paired by round
paired() { paste -d' ' <(values "$1") <(values "$2") | awk '{ printf "%.4f\n", $1 / $2 }' | median; }

echo "GET /ping, wrk -t1 -c64, $rounds rounds of ${seconds} s per server (paired), ${warmup} s warm-up each"
echo
echo "| server | requests/s (median) | server CPU µs/request (median) | throughput ratio to Graceful off (median of per-round ratios) | same, by CPU per request |"
echo "|---|---|---|---|---|"
for name in "${order[@]}"; do
  echo "| ${titles[$name]} | $(values "${rps[$name]}" | median) | $(values "${cpu[$name]}" | median) | $(paired "${rps[$name]}" "${rps[off]}") | $(paired "${cpu[off]}" "${cpu[$name]}") |"
done
echo
echo "Graceful on / off: $(paired "${rps[on]}" "${rps[off]}") by throughput, $(paired "${cpu[off]}" "${cpu[on]}") by CPU per request (target 0.98); Graceful on / gin: $(paired "${rps[on]}" "${rps[gin]}")"
