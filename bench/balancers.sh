#!/usr/bin/env bash
# Rolling restarts of two instances behind real balancers, side by side (bench/Balancers drives them):
#   1. PreStopCloseConnections None / AfterDelay / FromStart for the adaptive pre-stop behind HAProxy told through its
#      runtime API, http-reuse safe, always and never (5 restarts each);
#   2. the matrix: for each balancer setup x load shape, bare ASP.NET Core, Graceful with a fixed pre-stop delay of
#      the balancer's lag + 1 s, Graceful adaptive, and the smallest fixed delay that lost nothing, found by trying.
#   3. varying lag: balancers told from outside 0.5-2.5 s after each signal (a different lag per stop, as endpoint
#      propagation varies): the fixed delay of the longest lag + 1 s, adaptive with quiet periods of 500 and 200 ms,
#      and the smallest fixed delay that lost nothing.
# Every component runs on loopback and stops by itself. Tables on stdout, per-restart detail on stderr.
# Usage: bench/balancers.sh [restarts] [part]   (default 10 restarts per app and cell; part: close, matrix, varying or all)
# On the 2-core machine of docs/benchmarks.md: the matrix about 30 minutes, the close comparison about 7, varying lag about 25.
set -euo pipefail
cd "$(dirname "$0")/.."
restarts="${1:-10}"
part="${2:-all}"
source bench/debian-packages.sh
need_debian_packages haproxy caddy
for p in bench/Balancers bench/peers/BareAspNetCore samples/SlowService tools/YarpBalancer; do
  dotnet build -c Release "$p" >/dev/null
done
run() { dotnet bench/Balancers/bin/Release/net10.0/Balancers.dll "$@"; }
slow=samples/SlowService/bin/Release/net10.0/SlowService.dll
bare=bench/peers/BareAspNetCore/bin/Release/net10.0/BareAspNetCore.dll
adaptive="--pre-stop-delay 1s --pre-stop-quiet 500ms --pre-stop-max 15s --report {report}"

if [ "$part" = close ] || [ "$part" = all ]; then
  echo "## PreStopCloseConnections, adaptive pre-stop ($adaptive), lag 1 s"
  for balancer in haproxy-safe haproxy-always haproxy-never; do
    for load in short back-to-back; do
      echo
      run cell "$balancer" "$load" 5 1000 \
        "None=$slow $adaptive --pre-stop-close None" \
        "AfterDelay=$slow $adaptive --pre-stop-close AfterDelay" \
        "FromStart=$slow $adaptive --pre-stop-close FromStart"
    done
  done
  echo
fi

if [ "$part" = matrix ] || [ "$part" = all ]; then
  echo "## Balancer matrix"
  echo
  run matrix "$restarts" 1000 500 "$bare" "$slow" haproxy-safe,haproxy-check,caddy,yarp,yarp-check back-to-back,short,paced
fi

if [ "$part" = varying ] || [ "$part" = all ]; then
  echo "## Varying lag"
  echo
  run varying "$restarts" 500 2500 500,200 "$slow" haproxy-safe,yarp back-to-back,short,paced
fi
