#!/usr/bin/env bash
# Instructions per GET /ping request of the same ASP.NET Core app (bench/peers/BareAspNetCore) with Graceful off and
# on, counted by valgrind's callgrind: a count of instructions, not a time, so it does not move with this machine's
# speed (which drifts by up to 2x over minutes and makes wall-clock ratios good to a few percent at best).
# Each app runs under callgrind with tiered compilation off (one fully optimised compilation per method: no
# background recompilation under valgrind), serves 2x the measured count as warm-up, then exactly COUNT requests on 8
# keep-alive connections are counted; the same app's instructions while idle for as long are subtracted.
# It leaves out what instructions do not show (cache misses, memory bandwidth, the kernel's share), so it complements
# bench/throughput.sh rather than replacing it.
# Usage: bench/instructions.sh [count] [runs]   (default 5000 requests, 2 runs each; about 5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-5000}"
runs="${2:-2}"
source bench/debian-packages.sh
need_debian_packages valgrind
dotnet build -c Release bench/peers/BareAspNetCore >/dev/null
dotnet build -c Release bench/Drain >/dev/null
app=bench/peers/BareAspNetCore/bin/Release/net10.0/BareAspNetCore.dll
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

total_of_last_dump() { # the "totals:" line of the newest callgrind dump
  grep -h '^totals:' "$(ls -t "$work"/cg.out.* | head -n 1)" | awk '{ print $2 }'
}

send_requests() { # port count: exactly count GET /ping on 8 keep-alive connections
  dotnet bench/Drain/bin/Release/net10.0/Drain.dll requests "$2" 8 "http://127.0.0.1:$1"
}

per_request() { # port app-arguments...: prints instructions per request
  local port=$1 pid t0 t1 busy idle
  shift
  rm -f "$work"/cg.out*
  DOTNET_TieredCompilation=0 DOTNET_EnableWriteXorExecute=0 DOTNET_GCHeapHardLimit=0x40000000 DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 \
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" --smc-check=stack \
    dotnet "$app" "$@" --urls "http://127.0.0.1:$port" >"$work/app.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.5; done
  send_requests "$port" $((count * 2))
  sleep 2
  callgrind_control -z "$pid" >/dev/null
  t0=$(date +%s.%N); send_requests "$port" "$count"; t1=$(date +%s.%N)
  callgrind_control -d "$pid" >/dev/null; sleep 1
  busy=$(total_of_last_dump)
  callgrind_control -z "$pid" >/dev/null
  sleep "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
  callgrind_control -d "$pid" >/dev/null; sleep 1
  idle=$(total_of_last_dump)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  awk -v b="$busy" -v i="$idle" -v n="$count" 'BEGIN { printf "%.0f\n", (b - i) / n }'
}

declare -a off on
for run in $(seq "$runs"); do
  off+=("$(per_request $((18400 + run * 2)))")
  on+=("$(per_request $((18401 + run * 2)) --graceful)")
  echo "run $run: off ${off[-1]}, on ${on[-1]} instructions per request" >&2
done

mean() { tr ' ' '\n' <<<"$*" | awk 'NF { s += $1; n++ } END { printf "%.0f", s / n }'; }
moff=$(mean "${off[@]}"); mon=$(mean "${on[@]}")
echo "GET /ping, $count requests on 8 keep-alive connections, callgrind, tiered compilation off; $runs runs each"
echo
echo "| app | instructions per request (mean) | runs |"
echo "|---|---|---|"
echo "| ASP.NET Core app, Graceful off | $moff | ${off[*]} |"
echo "| same app, Graceful on | $mon | ${on[*]} |"
echo
awk -v a="$moff" -v b="$mon" 'BEGIN { printf "Graceful on / off by instructions (the throughput ratio if time followed instructions): %.3f; Graceful adds %.0f instructions per request\n", a / b, b - a }'
