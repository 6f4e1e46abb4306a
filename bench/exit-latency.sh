#!/usr/bin/env bash
# Exit latency, side by side in one run: a bare ASP.NET Core app (bench/peers/BareAspNetCore), the same app with
# AddGraceful (--graceful, nothing else changed) and Graceful's SlowService, each as a JIT build and as a NativeAOT
# publish; the SIGKILL floor of every app is measured in the same run, and so are the CPU time from SIGTERM to exit
# and the methods compiled after SIGTERM under JIT. Prints Markdown tables (see docs/benchmarks.md).
# Usage: bench/exit-latency.sh [iterations]   (default 20; about 8 minutes on 2 cores, plus the builds)
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-20}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# NativeAOT's link step needs clang and zlib from Debian.
source bench/debian-packages.sh
need_debian_packages clang zlib1g-dev

dotnet build -c Release bench/ExitLatency >/dev/null
dotnet build -c Release bench/peers/BareAspNetCore >/dev/null
dotnet build -c Release samples/SlowService >/dev/null
dotnet publish -c Release -r linux-x64 -p:PublishAot=true bench/peers/BareAspNetCore -o "$out/bare-aot" >/dev/null
dotnet publish -c Release -r linux-x64 -p:PublishAot=true samples/SlowService -o "$out/graceful-aot" >/dev/null

bare=bench/peers/BareAspNetCore/bin/Release/net10.0/BareAspNetCore.dll
dotnet run -c Release --no-build --project bench/ExitLatency -- "$iterations" \
  "bare ASP.NET Core (JIT)=$bare" \
  "bare + AddGraceful (JIT)=$bare --graceful" \
  "Graceful SlowService (JIT)=samples/SlowService/bin/Release/net10.0/SlowService.dll" \
  "bare ASP.NET Core (NativeAOT)=$out/bare-aot/BareAspNetCore" \
  "bare + AddGraceful (NativeAOT)=$out/bare-aot/BareAspNetCore --graceful" \
  "Graceful SlowService (NativeAOT)=$out/graceful-aot/SlowService"
