#!/usr/bin/env bash
# Drain benchmarks, side by side in one run: Graceful's SlowService, a bare ASP.NET Core app with the same routes,
# and the Go net/http + gin peer (gin's graceful-shutdown example).
#   lost: 64 busy keep-alive clients on GET /ping, one SIGTERM per round: requests lost (sent on an open
#         connection, answered by EOF or reset) vs answered vs refused connects.
#   idle: exit time after SIGTERM with 10,000 keep-alive connections idle for longer than the idle grace, beside the
#         SIGKILL floor, and the server's CPU time from the signal to its end.
#   memory: managed heap and working set per idle connection, the bare app with Graceful off and on.
# Usage: bench/drain.sh [rounds]   (default 5; about 10 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
dotnet build -c Release bench/Drain >/dev/null
dotnet build -c Release bench/peers/BareAspNetCore >/dev/null
dotnet build -c Release samples/SlowService >/dev/null
gin=$(bench/peers/gin/build.sh)
bare=bench/peers/BareAspNetCore/bin/Release/net10.0/BareAspNetCore.dll
apps=(
  "bare ASP.NET Core=$bare"
  "bare ASP.NET Core + AddGraceful()=$bare --graceful"
  "Graceful (SlowService)=samples/SlowService/bin/Release/net10.0/SlowService.dll"
  "Go net/http + gin=$gin"
)
dotnet run -c Release --no-build --project bench/Drain -- lost 64 "$rounds" "${apps[@]}"
echo
# 10,000 client sockets plus 10,000 server sockets: each process needs a descriptor limit above 10,000.
ulimit -n 20000 2>/dev/null || true
dotnet run -c Release --no-build --project bench/Drain -- idle 10000 "$rounds" "${apps[@]}"
echo
dotnet run -c Release --no-build --project bench/Drain -- memory 10000 "$rounds" "Graceful off=$bare" "Graceful on=$bare --graceful"
