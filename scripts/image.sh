#!/usr/bin/env bash
# Builds netdoctor's container image on the local Docker Engine, no registry needed:
#   scripts/image.sh [TAG]        (default netdoctor:local)
# The site (wasm, js, css) and a static musl server binary come from one release build by
# cargo-leptos; `docker build` then gets a context of only those two (deploy/Dockerfile,
# FROM scratch). Installs what is missing first, like start.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ND_ROOT"

tag="${1:-netdoctor:local}"
command -v docker >/dev/null 2>&1 || die "the docker CLI is missing: install Docker first"

ensure_rust_target
ensure_musl
ensure_cargo_leptos
ensure_wasm_bindgen
ensure_binaryen

say "building the site and the static server binary (release, $ND_MUSL_TARGET)"
# cargo-leptos builds the server with --target from LEPTOS_BIN_TARGET_TRIPLE, with the features
# and environment it always uses for the bin, and the wasm site as usual into target/site.
# The image's binary is optimised for size with whole-program LTO: half the size (17.7 → 8.7 MB
# stripped). The overrides reach only this build: the musl target has its own directory, the
# wasm profile sets these three itself, and build scripts and proc macros keep their own
# settings, so the other release builds are not rebuilt because of this one.
CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  LEPTOS_BIN_TARGET_TRIPLE="$ND_MUSL_TARGET" cargo leptos build --release
bin="target/$ND_MUSL_TARGET/release/netdoctor"
[ -x "$bin" ] || die "no server binary at $bin after the build"
[ -f target/site/pkg/netdoctor.wasm ] || die "no site at target/site after the build"

say "building the image $tag"
context="$(mktemp -d "${TMPDIR:-/tmp}/netdoctor-image.XXXXXX")"
trap 'rm -rf "$context"' EXIT
# Symbols are only for debuggers; the image carries the stripped binary.
strip -o "$context/netdoctor" "$bin"
cp -r target/site "$context/site"
# TypeScript declarations wasm-bindgen writes beside the js: not served to anyone.
find "$context/site" -name '*.d.ts' -delete
mkdir "$context/data"
cp deploy/Dockerfile "$context/Dockerfile"
version="$(awk -F'"' '/^\[workspace.package\]/ {p=1} p && /^version =/ {print $2; exit}' Cargo.toml)"
docker build --quiet --build-arg "VERSION=$version" --tag "$tag" "$context" >/dev/null

size="$(docker image inspect -f '{{.Size}}' "$tag")"
echo "built $tag: $((size / 1000)) kB uncompressed (server binary $(($(stat -c %s "$context/netdoctor") / 1000)) kB, site $(du -sk "$context/site" | cut -f1) KiB)"
