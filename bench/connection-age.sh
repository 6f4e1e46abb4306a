#!/usr/bin/env bash
# Graceful:MaxConnectionAge at work: 64 raw HTTP/1.1 keep-alive clients (tools/Graceful.Harness KeepAliveLoad: each
# request classified ok, lost, non-2xx; reconnecting on Connection: close) against an in-process Kestrel for 8 s per
# setting, the age unset and 2s, 1s, 500ms, 250ms, one after the other in one run. Prints a markdown table: requests,
# lost, connections the server saw (distinct connection ids), connections retired for their age, and the load average.
# Counts, not times: the age re-opens about duration/age connections per client on any machine; a slow one serves
# fewer requests. Then clients pausing across the idle grace (Measure_ClientsPausingAcrossTheGrace): the residual race of
# any server-side idle close. Usage: bench/connection-age.sh   (about a minute and a half; runs the two explicit tests)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/Graceful.Tests >/dev/null
dotnet tests/Graceful.Tests/bin/Debug/net10.0/Graceful.Tests.dll -explicit only \
  -method "Graceful.Tests.Connections.MaxConnectionAgeTests.Measure_KeepAliveClients_OverSeveralAges" \
  -method "Graceful.Tests.Connections.MaxConnectionAgeTests.Measure_ClientsPausingAcrossTheGrace" -showLiveOutput \
  | sed -n 's/.*\[OUTPUT\] //p'
