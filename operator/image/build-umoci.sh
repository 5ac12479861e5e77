#!/usr/bin/env bash
# Builds umoci (github.com/opencontainers/umoci, the OCI image tool) from its Go module and caches
# it in ~/.cache/aihub/tools/umoci-<version>/. `make image` assembles the operator's image with it
# and the image test unpacks the image with it. A second run with umoci present does nothing.
# Prints the path of the umoci binary.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  exit 0
fi

UMOCI_VERSION="${AIHUB_UMOCI_VERSION:-v0.6.0}"
CACHE="${AIHUB_CACHE:-$HOME/.cache/aihub}"
OUT="$CACHE/tools/umoci-$UMOCI_VERSION"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

if [ -x "$OUT/umoci" ]; then
  echo "$OUT/umoci"
  exit 0
fi
mkdir -p "$OUT"
exec 9>"$OUT/.build.lock"
flock 9
if [ ! -x "$OUT/umoci" ]; then
  command -v go >/dev/null || { echo "error: Go is needed to build umoci" >&2; exit 1; }
  echo "[tools] building umoci $UMOCI_VERSION" >&2
  # `go install module@version` refuses umoci: its go.mod has a replace directive (for go-mtree).
  # Built as the main module from the module cache, the replace applies; the go.sum in the module
  # pins every dependency.
  dir=$(cd "$OUT" && go mod download -json "github.com/opencontainers/umoci@$UMOCI_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { echo "error: go mod download gave no directory for umoci $UMOCI_VERSION" >&2; exit 1; }
  (cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$OUT/umoci.tmp" ./cmd/umoci)
  mv "$OUT/umoci.tmp" "$OUT/umoci"
fi
echo "$OUT/umoci"
