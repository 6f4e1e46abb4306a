#!/usr/bin/env bash
# In-place upgrades under load, side by side in one run: the Go peer (net/http with cloudflare/tableflip, its
# documented pattern) and Graceful's SlowService, JIT and NativeAOT. Each gets 32 busy keep-alive clients on GET /ping
# and N upgrades (SIGHUP to the pid in its pid file) one after another; prints lost, refused and non-2xx requests and
# per-upgrade switchover and old-process exit times (bench/Upgrade).
# Usage: bench/upgrade.sh [upgrades]   (default 50; a few minutes; installs Debian's golang-go,
#        golang-github-cloudflare-tableflip-dev, clang and zlib1g-dev if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
upgrades="${1:-50}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# NativeAOT's link step needs clang and zlib from Debian.
source bench/debian-packages.sh
need_debian_packages clang zlib1g-dev

dotnet build -c Release bench/Upgrade >/dev/null
dotnet build -c Release samples/SlowService >/dev/null
dotnet publish -c Release -r linux-x64 -p:PublishAot=true samples/SlowService -o "$out/graceful-aot" >/dev/null
tableflip=$(bench/peers/tableflip/build.sh)

# {port} and {pidfile} are filled in by the benchmark for each run.
dotnet run -c Release --no-build --project bench/Upgrade -- --upgrades "$upgrades" \
  "Go tableflip=$tableflip -addr 127.0.0.1:{port} -pid-file {pidfile}" \
  "Graceful (SlowService, JIT)=samples/SlowService/bin/Release/net10.0/SlowService.dll --urls http://127.0.0.1:{port} --pid-file {pidfile}" \
  "Graceful (SlowService, NativeAOT)=$out/graceful-aot/SlowService --urls http://127.0.0.1:{port} --pid-file {pidfile}"
