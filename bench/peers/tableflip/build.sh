#!/usr/bin/env bash
# Builds the tableflip peer into $1 (default bench/peers/tableflip/out) from Debian's packages, with no module downloads.
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-$PWD/out}"
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/github.com/cloudflare/tableflip ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq golang-go golang-github-cloudflare-tableflip-dev >/dev/null
fi
mkdir -p "$out"
GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$out/.gocache" go build -o "$out/tableflip-peer" main.go
echo "$out/tableflip-peer"
