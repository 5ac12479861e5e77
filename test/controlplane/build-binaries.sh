#!/usr/bin/env bash
# Builds the control-plane binaries (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler) from their Go modules through the Go module proxy and caches them in
# ~/.cache/aihub/controlplane/<versions>/bin. A second run with the binaries present does nothing.
#
# k8s.io/kubernetes cannot be `go install`ed: its go.mod requires its staging modules
# (k8s.io/api, k8s.io/apiserver, ...) at v0.0.0 and replaces them with local folders. We build
# it through a wrapper module that replaces every staging module with the published v0.Y.Z.
# etcd is built in its own module so that its grpc/otel versions do not move Kubernetes'.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  exit 0
fi

K8S_VERSION="${AIHUB_K8S_VERSION:-v1.35.4}"
ETCD_VERSION="${AIHUB_ETCD_VERSION:-v3.6.16}"
CACHE_ROOT="${AIHUB_CACHE:-$HOME/.cache/aihub}/controlplane"
OUT="$CACHE_ROOT/k8s-$K8S_VERSION-etcd-$ETCD_VERSION"
BIN="$OUT/bin"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

components=(kube-apiserver kube-controller-manager kube-scheduler)
missing=()
[ -x "$BIN/etcd" ] || missing+=(etcd)
for c in "${components[@]}"; do [ -x "$BIN/$c" ] || missing+=("$c"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "$BIN"
  exit 0
fi

# One build at a time (vitest, make and a person may all ask at once): wait for the lock,
# then look again.
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.build.lock"
flock 9
missing=()
[ -x "$BIN/etcd" ] || missing+=(etcd)
for c in "${components[@]}"; do [ -x "$BIN/$c" ] || missing+=("$c"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "$BIN"
  exit 0
fi

command -v go >/dev/null || { echo "error: Go is needed to build the control plane (missing: ${missing[*]})" >&2; exit 1; }
mkdir -p "$BIN"
work="$OUT/src"
mkdir -p "$work"
log() { echo "[controlplane] $*" >&2; }

minor="${K8S_VERSION#v1.}"          # 35.4
staging="v0.${minor}"               # v0.35.4
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor%%.*}"

if [[ " ${missing[*]} " == *" etcd "* ]]; then
  log "building etcd $ETCD_VERSION"
  d="$work/etcd"; mkdir -p "$d"
  cat >"$d/main.go" <<GO
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$d" && rm -f go.mod go.sum && go mod init aihub.local/etcd >/dev/null 2>&1 \
    && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null \
    && go mod tidy >/dev/null \
    && go build -trimpath -ldflags '-s -w' -o "$BIN/etcd.tmp" . && mv "$BIN/etcd.tmp" "$BIN/etcd")
fi

k8s_missing=()
for c in "${components[@]}"; do [[ " ${missing[*]} " == *" $c "* ]] && k8s_missing+=("$c"); done
if [ ${#k8s_missing[@]} -gt 0 ]; then
  d="$work/kubernetes"; mkdir -p "$d"
  if [ ! -f "$d/go.sum" ]; then
    log "resolving k8s.io/kubernetes $K8S_VERSION (staging modules at $staging)"
    gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    {
      echo "module aihub.local/kubernetes"
      echo
      echo "go 1.25.0"
      echo
      echo "require k8s.io/kubernetes $K8S_VERSION"
      echo
      grep -E '^\s+k8s\.io/[a-z0-9-]+ v0\.0\.0 *$' "$gomod" | awk -v v="$staging" '{print "replace " $1 " => " $1 " " v}'
    } >"$d/go.mod"
    for c in "${components[@]}"; do
      case "$c" in
        kube-apiserver) ctor=NewAPIServerCommand ;;
        kube-controller-manager) ctor=NewControllerManagerCommand ;;
        kube-scheduler) ctor=NewSchedulerCommand ;;
      esac
      mkdir -p "$d/cmd/$c"
      cat >"$d/cmd/$c/main.go" <<GO
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/$c/app"
)

func main() { os.Exit(cli.Run(app.$ctor())) }
GO
    done
    (cd "$d" && go mod tidy >&2)
  fi
  for c in "${k8s_missing[@]}"; do
    log "building $c $K8S_VERSION (about 5-10 minutes on 2 cores)"
    (cd "$d" && go build -p 2 -trimpath -ldflags "$ldflags" -o "$BIN/$c.tmp" "./cmd/$c" && mv "$BIN/$c.tmp" "$BIN/$c")
  done
fi
echo "$BIN"
