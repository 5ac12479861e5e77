// The logging sidecar's image that the operator runs when --log-sidecar-image does not name one:
// the image `make sidecar-image` builds from this repository, by the digest that build gives
// (the build does not depend on the checkout's path, sidecar/build.sh). `make sidecar-digest`
// writes the digest here and into the chart; `make check-sidecar-digest` (in `make test`) fails
// when they drift from what the sources build.
export const SIDECAR_IMAGE_REPOSITORY = "registry.gemeenten.nl/aihub/aihub-otelcol";
export const SIDECAR_IMAGE_DIGEST = "sha256:2fdcd4523762290f3df14cbd203700efd45d8327540f72c160f98a6764d03e4d";
export const DEFAULT_SIDECAR_IMAGE = `${SIDECAR_IMAGE_REPOSITORY}@${SIDECAR_IMAGE_DIGEST}`;
