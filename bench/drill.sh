#!/usr/bin/env bash
# graceful-drill side by side (docs/drill.md): Graceful's SlowService, a bare ASP.NET Core app with the same routes,
# and the Go net/http + gin peer, each with one SIGTERM under two loads: "paced" (500 requests/s, 90 % GET /ping and
# 10 % GET /slow of 1 s, 64 keep-alive connections) and "busy" (64 keep-alive connections sending GET /ping back to
# back), then five in-place upgrades of SlowService under the paced load. Prints each drill's summary, keeps the reports under the output folder and copies the timelines to
# docs/images/drill/.
# Usage: bench/drill.sh [output-folder]   (about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d)}"
dotnet build -c Release tools/graceful-drill >/dev/null
dotnet build -c Release samples/SlowService >/dev/null
dotnet build -c Release bench/peers/BareAspNetCore >/dev/null
gin=$(bench/peers/gin/build.sh)
mkdir -p docs/images/drill

paced=(signal --signal TERM@3s --rate 500 --concurrency 64 --request "90 GET /ping" --request "10 GET /slow" --tail 1s)
busy=(signal --signal TERM@2s --rate 0 --concurrency 64 --request "100 GET /ping" --tail 500ms)
drill() { # profile folder title command...
  local -n profile=$1
  local folder=$2 title=$3
  shift 3
  # A drill that finds lost requests exits 1: that is a result here, not a failure of the script.
  dotnet tools/graceful-drill/bin/Release/net10.0/graceful-drill.dll "${profile[@]}" --title "$title" --out "$out/$folder" -- "$@" || true
  cp "$out/$folder/timeline.png" "docs/images/drill/$folder.png"
}

for load in paced busy; do
  drill $load "slowservice-$load" "Graceful (SlowService), $load" dotnet samples/SlowService/bin/Release/net10.0/SlowService.dll --urls http://127.0.0.1:0 --slow 1s
  drill $load "bare-aspnetcore-$load" "bare ASP.NET Core, $load" dotnet bench/peers/BareAspNetCore/bin/Release/net10.0/BareAspNetCore.dll --urls http://127.0.0.1:0 --slow 1s
  drill $load "gin-$load" "Go net/http + gin, $load" "$gin" --urls http://127.0.0.1:0 --slow 1s
done
# In-place upgrades of Graceful's sample under the paced load: five SIGHUPs, two seconds apart.
pid_file="$out/slowservice.pid"
dotnet tools/graceful-drill/bin/Release/net10.0/graceful-drill.dll upgrade --pid-file "$pid_file" --count 5 --at 2s --every 2s \
  --rate 500 --concurrency 64 --request "90 GET /ping" --request "10 GET /slow" --title "Graceful (SlowService), 5 in-place upgrades" \
  --out "$out/slowservice-upgrade" -- dotnet samples/SlowService/bin/Release/net10.0/SlowService.dll --urls http://127.0.0.1:0 --slow 1s --pid-file "$pid_file" || true
cp "$out/slowservice-upgrade/timeline.png" docs/images/drill/slowservice-upgrade.png
echo "Reports: $out/*/drill.html"
