#!/usr/bin/env bash
# Drain benchmarks, side by side in one run: Graceful's SlowService, a bare ASP.NET Core app with the same routes,
# and the Go net/http + gin peer (gin's graceful-shutdown example).
#   lost: 64 busy keep-alive clients on GET /ping, one SIGTERM per round: requests lost (sent on an open
#         connection, answered by EOF or reset) vs answered vs refused connects.
#   idle: exit time after SIGTERM with 10,000 keep-alive connections idle for longer than the idle grace, beside the
#         SIGKILL floor (each app's own, and pooled over the apps), and the server's CPU time from the signal to its end.
#   memory: managed heap and working set per idle connection, the bare app with Graceful off and on.
#   websockets, sse: exit time after SIGTERM with 10,000 open WebSockets (clients answer the close at once) or
#         server-sent-event streams, for the bare app and the same app with --graceful (GracefulWebSocket,
#         UntilDraining); the bare app cuts them at its host's 30 s stop timeout.
#         "warm" runs the --graceful app after 1,000 clients have opened and left such streams, as in a server that
#         has served a while (their code paths compiled).
#   DRAIN_LOG=1 prints each idle stop's log (its phase timings) to stderr.
# Usage: bench/drain.sh [rounds] [stream-rounds]   (defaults 5 and 3; about 10 + 11 minutes; 0 skips either part)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
stream_rounds="${2:-3}"
dotnet build -c Release bench/Drain >/dev/null
dotnet build -c Release bench/peers/BareAspNetCore >/dev/null
# 10,000 client sockets plus 10,000 server sockets: each process needs a descriptor limit above 10,000.
ulimit -n 20000 2>/dev/null || true
bare=bench/peers/BareAspNetCore/bin/Release/net10.0/BareAspNetCore.dll
if [ "$rounds" -gt 0 ]; then
  dotnet build -c Release samples/SlowService >/dev/null
  gin=$(bench/peers/gin/build.sh)
  apps=(
    "bare ASP.NET Core=$bare"
    "bare ASP.NET Core + AddGraceful()=$bare --graceful"
    "Graceful (SlowService)=samples/SlowService/bin/Release/net10.0/SlowService.dll"
    "Go net/http + gin=$gin"
  )
  dotnet run -c Release --no-build --project bench/Drain -- lost 64 "$rounds" "${apps[@]}"
  echo
  dotnet run -c Release --no-build --project bench/Drain -- idle 10000 "$rounds" "${apps[@]}"
  echo
  dotnet run -c Release --no-build --project bench/Drain -- memory 10000 "$rounds" "Graceful off=$bare" "Graceful on=$bare --graceful"
  echo
fi

[ "$stream_rounds" -gt 0 ] || exit 0
streams=("bare ASP.NET Core=$bare --streams" "Graceful (same app, --graceful)=$bare --streams --graceful" "Graceful, warm=warm:$bare --streams --graceful")
dotnet run -c Release --no-build --project bench/Drain -- websockets 10000 "$stream_rounds" "${streams[@]}"
echo
dotnet run -c Release --no-build --project bench/Drain -- sse 10000 "$stream_rounds" "${streams[@]}"
