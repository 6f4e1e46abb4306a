#!/usr/bin/env bash
# Before/after one change, side by side in one run: this tree against another checkout of the repository (e.g.
# `git archive <base> | tar -x -C /tmp/before`). Measures, interleaved run by run:
#   - instructions per GET /ping with Graceful on (bench/peers/BareAspNetCore --graceful under callgrind, as
#     bench/instructions.sh does), RUNS runs each, mean;
#   - exit latency of SlowService (JIT, and NativeAOT unless NO_AOT=1) with the SIGKILL floor of each app in the same
#     run (bench/ExitLatency, as bench/exit-latency.sh does), ITERATIONS iterations each.
#   - lost requests: 64 busy keep-alive clients, one SIGTERM per round (bench/Drain lost, as bench/drain.sh does).
# Usage: bench/side-by-side.sh BEFORE_DIR [runs] [iterations] [rounds]   (default 5, 20, 5; about 30 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(cd "$1" && pwd)
runs="${2:-5}"
iterations="${3:-20}"
rounds="${4:-5}"
source bench/debian-packages.sh
need_debian_packages valgrind
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# BareAspNetCore is built (published ReadyToRun) by ready_to_run_app, below.
for tree in "$before" "$PWD"; do
  dotnet build -c Release "$tree/samples/SlowService" >/dev/null
done
dotnet build -c Release bench/Drain >/dev/null
dotnet build -c Release bench/ExitLatency >/dev/null

slow_before=$before/samples/SlowService/bin/Release/net10.0/SlowService.dll
slow_after=$PWD/samples/SlowService/bin/Release/net10.0/SlowService.dll
dotnet run -c Release --no-build --project bench/Drain -- lost 64 "$rounds" "SlowService before=$slow_before" "SlowService after=$slow_after"
echo

source bench/callgrind-requests.sh
bare_before=$(ready_to_run_app "$before")
bare_after=$(ready_to_run_app "$PWD")

declare -a was now
for run in $(seq "$runs"); do
  was+=("$(per_request "$bare_before" $((18500 + run * 2)) 2000 --graceful)")
  now+=("$(per_request "$bare_after" $((18501 + run * 2)) 2000 --graceful)")
  echo "run $run: before ${was[-1]}, after ${now[-1]} instructions per request" >&2
done
mbefore=$(mean "${was[@]}"); mafter=$(mean "${now[@]}")
echo "GET /ping with Graceful on, median of 3 windows of 2000 requests on one keep-alive connection (bench/callgrind-requests.sh), callgrind, app $([ "${JIT:-0}" = 1 ] && echo JIT-compiled || echo ReadyToRun); $runs runs each, interleaved (a tree older than BareAspNetCore --inline is counted through the thread pool)"
echo
echo "| tree | instructions per request (mean) | runs |"
echo "|---|---|---|"
echo "| before ($before) | $mbefore | ${was[*]} |"
echo "| after (this tree) | $mafter | ${now[*]} |"
awk -v a="$mbefore" -v b="$mafter" 'BEGIN { printf "\nafter / before: %.4f\n\n", b / a }'

apps=("SlowService before (JIT)=$slow_before" "SlowService after (JIT)=$slow_after")
if [ "${NO_AOT:-0}" != 1 ]; then
  need_debian_packages clang zlib1g-dev
  dotnet publish -c Release -r linux-x64 -p:PublishAot=true "$before/samples/SlowService" -o "$work/before-aot" >/dev/null
  dotnet publish -c Release -r linux-x64 -p:PublishAot=true samples/SlowService -o "$work/after-aot" >/dev/null
  apps+=("SlowService before (NativeAOT)=$work/before-aot/SlowService" "SlowService after (NativeAOT)=$work/after-aot/SlowService")
fi
dotnet run -c Release --no-build --project bench/ExitLatency -- "$iterations" "${apps[@]}"
