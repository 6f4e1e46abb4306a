#!/usr/bin/env bash
# Rolling restart behind HAProxy, side by side: two instances of a bare ASP.NET Core app, then two of Graceful's
# SlowService with a pre-stop delay (2 s) longer than the balancer's lag (1 s). HAProxy has no health checks,
# retries 0 and backend keep-alive reuse; it is never reloaded: servers leave and rejoin rotation through its
# runtime API. Counts failed requests (non-2xx, lost, refused) under paced keep-alive load.
# Usage: bench/rolling-restart.sh [restarts]   (default 10; about 1 minute per app)
set -euo pipefail
cd "$(dirname "$0")/.."
restarts="${1:-10}"
source bench/debian-packages.sh
need_debian_packages haproxy
dotnet build -c Release bench/Drain >/dev/null
dotnet build -c Release bench/peers/BareAspNetCore >/dev/null
dotnet build -c Release samples/SlowService >/dev/null
dotnet run -c Release --no-build --project bench/Drain -- rolling "$restarts" 1000 \
  "bare ASP.NET Core=bench/peers/BareAspNetCore/bin/Release/net10.0/BareAspNetCore.dll" \
  "Graceful (SlowService --pre-stop-delay 2s)=samples/SlowService/bin/Release/net10.0/SlowService.dll --pre-stop-delay 2s"
