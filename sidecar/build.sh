#!/usr/bin/env bash
# Builds the logging sidecar, aihub-otelcol, with the OpenTelemetry Collector Builder from the
# manifest sidecar/builder.yaml (the collector's Go modules and aihub's logboekrules connector)
# and caches it in ~/.cache/aihub/tools/aihub-otelcol-<version>/aihub-otelcol. The version is
# the collector's and a hash of the sidecar's sources, so a change to the manifest or the
# connector builds anew; a second run with the binary present does nothing. Prints the binary.
#
# The binary depends on the sources and the Go toolchain only, not on where the checkout or the
# cache are: -trimpath drops file system paths from it, and the build runs in a fixed directory
# (BUILD_ROOT, with a copy of the connector), because the binary's build information records the
# connector's replace path. So the same sources and Go give the same image digest on any
# machine, which `make check-sidecar-digest` holds the operator's default to.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  exit 0
fi

OCB_VERSION="${AIHUB_OCB_VERSION:-v0.165.0}"
CACHE="${AIHUB_CACHE:-$HOME/.cache/aihub}"
HERE="$(cd "$(dirname "$0")" && pwd)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false -trimpath"
BUILD_ROOT=/tmp/aihub-otelcol-build
log() { echo "[sidecar] $*" >&2; }

# What goes into the binary: the manifest, the connector's sources and module files, this script.
hash=$(cd "$HERE" && find builder.yaml build.sh logboekrules -type f \( -name '*.go' ! -name '*_test.go' -o -name 'go.mod' -o -name 'go.sum' -o -name '*.yaml' -o -name '*.sh' \) \
  | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)
OUT="$CACHE/tools/aihub-otelcol-$OCB_VERSION-$hash"
BIN="$OUT/aihub-otelcol"
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
command -v go >/dev/null || { echo "error: Go is needed to build the sidecar" >&2; exit 1; }

OCB="$CACHE/tools/ocb-$OCB_VERSION/builder"
if [ ! -x "$OCB" ]; then
  log "installing the OpenTelemetry Collector Builder $OCB_VERSION"
  GOBIN="$(dirname "$OCB")" go install -trimpath "go.opentelemetry.io/collector/cmd/builder@$OCB_VERSION" >&2
fi

log "building aihub-otelcol ($OCB_VERSION, sources $hash; about a minute on 2 cores once the modules are downloaded)"
started=$(date +%s)
# One build at a time in BUILD_ROOT, from any checkout.
exec 8>"$BUILD_ROOT.lock"
flock 8
rm -rf "$BUILD_ROOT"
mkdir -p "$BUILD_ROOT"
cp -r "$HERE/logboekrules" "$BUILD_ROOT/logboekrules"
sed "s|^  output_path: .*|  output_path: $BUILD_ROOT/src|" "$HERE/builder.yaml" >"$BUILD_ROOT/builder.yaml"
# The builder resolves the connector's path (./logboekrules) against the working directory.
(cd "$BUILD_ROOT" && "$OCB" --config="$BUILD_ROOT/builder.yaml" --ldflags="-s -w" >&2)
mv "$BUILD_ROOT/src/aihub-otelcol" "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
rm -rf "$BUILD_ROOT"
log "built $BIN in $(($(date +%s) - started)) s, $(du -m "$BIN" | cut -f1) MB"
echo "$BIN"
