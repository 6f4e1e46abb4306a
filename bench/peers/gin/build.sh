#!/usr/bin/env bash
# Builds the Go peer into $1 (default bench/peers/gin/out) from Debian's packages, with no module downloads.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-$PWD/out}"
source ../../debian-packages.sh
need_debian_packages golang-go golang-github-gin-gonic-gin-dev
mkdir -p "$out"
GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$out/.gocache" go build -o "$out/gin-peer" main.go
echo "$out/gin-peer"
