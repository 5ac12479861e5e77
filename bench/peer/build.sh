#!/usr/bin/env bash
# Builds aihub-peer, the controller-runtime operator of the fleet benchmark (bench/peer, its own
# Go module: controller-runtime and client-go at the control plane's Kubernetes minor version,
# from the Go module proxy), and caches it in ~/.cache/aihub/tools/aihub-peer-<hash>/aihub-peer.
# The hash covers the module's sources, go.mod, go.sum and this script, so a change builds anew;
# a second run with the binary present does nothing. Built with nice -n 10 (the machine is
# shared). Prints the binary.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  exit 0
fi

CACHE="${AIHUB_CACHE:-$HOME/.cache/aihub}"
HERE="$(cd "$(dirname "$0")" && pwd)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
log() { echo "[peer] $*" >&2; }

hash=$(cd "$HERE" && find . -maxdepth 1 -type f \( -name '*.go' ! -name '*_test.go' -o -name 'go.mod' -o -name 'go.sum' -o -name 'build.sh' \) \
  | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)
OUT="$CACHE/tools/aihub-peer-$hash"
BIN="$OUT/aihub-peer"
if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi
mkdir -p "$OUT"
exec 9>"$OUT/.build.lock"
flock 9
if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null || { echo "error: Go is needed to build the benchmark's controller-runtime peer" >&2; exit 1; }

log "building aihub-peer (sources $hash; about 2 minutes on 2 cores when the modules are not downloaded yet)"
started=$(date +%s)
(cd "$HERE" && nice -n 10 go build -trimpath -ldflags '-s -w' -o "$BIN.tmp" . >&2)
mv "$BIN.tmp" "$BIN"
log "built $BIN in $(($(date +%s) - started)) s, $(du -m "$BIN" | cut -f1) MB"
echo "$BIN"
