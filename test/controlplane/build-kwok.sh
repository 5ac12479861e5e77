#!/usr/bin/env bash
# Builds kwok (fake kubelets, so that pods become Running without a container runtime) from its
# Go module, and writes kwok's own default "fast" node and pod stages, taken from the embedded
# YAML of the same module version, into stages.yaml next to it. Cached in
# ~/.cache/aihub/controlplane/kwok-<version>/; a second run with both present does nothing.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  exit 0
fi

KWOK_VERSION="${AIHUB_KWOK_VERSION:-v0.8.0}"
CACHE_ROOT="${AIHUB_CACHE:-$HOME/.cache/aihub}/controlplane"
OUT="$CACHE_ROOT/kwok-$KWOK_VERSION"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

if [ -x "$OUT/kwok" ] && [ -s "$OUT/stages.yaml" ]; then echo "$OUT"; exit 0; fi
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.build.lock"
flock 9
if [ -x "$OUT/kwok" ] && [ -s "$OUT/stages.yaml" ]; then echo "$OUT"; exit 0; fi
command -v go >/dev/null || { echo "error: Go is needed to build kwok" >&2; exit 1; }
mkdir -p "$OUT/src"
echo "[controlplane] building kwok $KWOK_VERSION (about 3 minutes on 2 cores)" >&2
GOBIN="$OUT" go install -trimpath -ldflags '-s -w' "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"

cd "$OUT/src"
cat >main.go <<'GO'
package main

import (
	"fmt"
	"strings"

	nodefast "sigs.k8s.io/kwok/kustomize/stage/node/fast"
	podfast "sigs.k8s.io/kwok/kustomize/stage/pod/fast"
)

// Prints kwok's default fast stages as one multi-document YAML file.
func main() {
	docs := []string{nodefast.DefaultNodeInit, podfast.DefaultPodReady, podfast.DefaultPodComplete, podfast.DefaultPodDelete}
	for i, d := range docs {
		docs[i] = strings.TrimSpace(d)
	}
	fmt.Println(strings.Join(docs, "\n---\n"))
}
GO
rm -f go.mod go.sum
go mod init aihub.local/kwok-stages >/dev/null 2>&1
go get "sigs.k8s.io/kwok@$KWOK_VERSION" >/dev/null 2>&1
go mod tidy >/dev/null 2>&1
go run . >"$OUT/stages.yaml.tmp"
mv "$OUT/stages.yaml.tmp" "$OUT/stages.yaml"
echo "$OUT"
