#!/usr/bin/env bash
# Runs test classes RUNS times in a row while two busy loops keep both cores busy; stops at the first failure.
# Build first (dotnet build). Each run is bounded to 10 minutes; logs go to a temporary folder, printed at the end.
# Example (the classes issue 12 asked about):
#   tests/run-under-load.sh 50 Graceful.Tests.Shutdown.SoftDeadlineTests Graceful.Tests.Drill.DrillClassificationTests \
#     Graceful.Tests.Shutdown.ProgrammaticShutdownTests Graceful.Tests.Metrics.GracefulMetricsTests \
#     Graceful.Tests.Reporting.ShutdownReportTests Graceful.Tests.Shutdown.HostShutdownTimeoutTests
set -euo pipefail
cd "$(dirname "$0")/.."
runs=$1
shift
filters=()
for class in "$@"; do filters+=(--filter-class "$class"); done
logs=$(mktemp -d)

busy=()
for _ in 1 2; do
  (while :; do :; done) &
  busy+=($!)
done
trap 'kill "${busy[@]}"; echo "logs: $logs"' EXIT

for i in $(seq 1 "$runs"); do
  started=$SECONDS
  if ! timeout 600 dotnet test --no-build --project tests/Graceful.Tests/Graceful.Tests.csproj "${filters[@]}" >"$logs/run-$i.log" 2>&1; then
    echo "run $i/$runs FAILED after $((SECONDS - started)) s: $logs/run-$i.log"
    exit 1
  fi
  echo "run $i/$runs passed in $((SECONDS - started)) s ($(grep -m1 -o 'succeeded: *[0-9]*' "$logs/run-$i.log"))"
done
echo "$runs of $runs runs passed"
