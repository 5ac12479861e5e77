#!/usr/bin/env bash
# Builds kubectl (from the same k8s.io/kubernetes module as the control plane, through the
# wrapper module of build-binaries.sh) and helm (helm.sh/helm/v4) from their Go modules and
# caches them in ~/.cache/aihub/tools/<versions>/. A second run with both present does nothing.
# Prints the directory that holds them.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  exit 0
fi

K8S_VERSION="${AIHUB_K8S_VERSION:-v1.35.4}"
HELM_VERSION="${AIHUB_HELM_VERSION:-v4.3.1}"
CACHE="${AIHUB_CACHE:-$HOME/.cache/aihub}"
OUT="$CACHE/tools/kubectl-$K8S_VERSION-helm-$HELM_VERSION"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
log() { echo "[tools] $*" >&2; }

if [ -x "$OUT/kubectl" ] && [ -x "$OUT/helm" ]; then
  echo "$OUT"
  exit 0
fi
mkdir -p "$OUT"
exec 9>"$OUT/.build.lock"
flock 9
command -v go >/dev/null || { echo "error: Go is needed to build kubectl and helm" >&2; exit 1; }

if [ ! -x "$OUT/kubectl" ]; then
  # The control plane's wrapper module: k8s.io/kubernetes with its staging modules (k8s.io/kubectl
  # among them) at their published versions. Built first, so that it exists.
  bash "$(dirname "$0")/build-binaries.sh" >/dev/null
  d="$CACHE/controlplane/k8s-$K8S_VERSION-etcd-${AIHUB_ETCD_VERSION:-v3.6.16}/src/kubernetes"
  mkdir -p "$d/cmd/kubectl"
  cat >"$d/cmd/kubectl/main.go" <<'GO'
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
	}
}
GO
  minor="${K8S_VERSION#v1.}"
  ldflags="-s -w -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor%%.*}"
  log "building kubectl $K8S_VERSION (a few minutes on 2 cores)"
  (cd "$d" && go mod tidy >&2 && go build -p 2 -trimpath -ldflags "$ldflags" -o "$OUT/kubectl.tmp" ./cmd/kubectl \
    && mv "$OUT/kubectl.tmp" "$OUT/kubectl")
fi

if [ ! -x "$OUT/helm" ]; then
  log "building helm $HELM_VERSION (a few minutes on 2 cores)"
  d="$OUT/src/helm"
  mkdir -p "$d"
  (cd "$d" && GOBIN="$d/bin" go install -trimpath -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" && mv "$d/bin/helm" "$OUT/helm")
fi
echo "$OUT"
