#!/usr/bin/env bash
# Spreading the closes (Graceful:CloseSpread), measured where the clients' reconnects land: two instances of Graceful's
# SlowService (pre-stop 1 s) behind HAProxy in mode tcp, where each client connection is one instance connection, so a
# client that reconnects reaches an instance (in HTTP mode HAProxy's own pool would absorb it). 2,000 keep-alive
# clients, each pausing 200-600 ms between requests (well within the 1 s IdleGrace: active clients, the ones a close sends
# elsewhere at once); one instance is restarted (SIGTERM, out of rotation at once through the runtime API). Each round
# restarts it without the spread and with Graceful:CloseSpread=10s, interleaved. Prints the new connections HAProxy
# opened to the instance left serving (its connect counter, sampled every 100 ms): in all, the most in any 1 s and in
# the busiest 100 ms; and every request that failed (lost, refused, non-2xx) during the restart.
# Usage: bench/close-spread.sh [rounds] [clients] [spread]   (default 3 rounds, 2000 clients, 10s; about 45 s a run)
# graceful-drill shows the same with its own paced load: graceful-drill rolling --balancer haproxy-tcp ... (docs/drill.md).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
clients="${2:-2000}"
spread="${3:-10s}"
# The load holds a socket per client, HAProxy two, the instances one each: the soft limit must hold them all.
need=$((clients * 4 + 1024))
if (($(ulimit -n) < need)); then
  ulimit -n "$need" 2>/dev/null || { echo "close-spread.sh: needs ulimit -n >= $need, is $(ulimit -n) (hard $(ulimit -Hn))" >&2; exit 2; }
fi
source bench/debian-packages.sh
need_debian_packages haproxy
dotnet build -c Release bench/Balancers >/dev/null
dotnet build -c Release samples/SlowService >/dev/null
echo "load average before: $(cat /proc/loadavg)"
dotnet run -c Release --no-build --project bench/Balancers -- spread "$rounds" "$clients" "$spread" "$PWD/samples/SlowService/bin/Release/net10.0/SlowService.dll"
echo "load average after: $(cat /proc/loadavg)"
