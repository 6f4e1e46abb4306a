#!/usr/bin/env bash
# Builds the Go peer into $1 (default bench/peers/gin/out) from Debian's packages, with no module downloads.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-$PWD/out}"
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/github.com/gin-gonic/gin ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-github-gin-gonic-gin-dev >/dev/null
fi
mkdir -p "$out"
GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$out/.gocache" go build -o "$out/gin-peer" main.go
echo "$out/gin-peer"
