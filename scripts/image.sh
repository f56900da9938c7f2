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

# The site and the static musl binary come from the one release build (setup.sh's
# release_build), which scripts/test.sh also runs for the browser tests; with
# NETDOCTOR_IMAGE_PREBUILT=1 this script uses what that build left instead of asking cargo-leptos
# again (which would rerun wasm-bindgen and wasm-opt).
if [ "${NETDOCTOR_IMAGE_PREBUILT:-}" = 1 ]; then
  [ -x "$ND_RELEASE_BIN" ] || die "NETDOCTOR_IMAGE_PREBUILT=1 but there is no $ND_RELEASE_BIN: run without it"
  [ -f "$(dirname "$ND_RELEASE_BIN")/hash.txt" ] || die "NETDOCTOR_IMAGE_PREBUILT=1 but there is no site (no hash.txt beside $ND_RELEASE_BIN)"
else
  release_build
fi
bin="$ND_RELEASE_BIN"

say "building the image $tag"
context="$(mktemp -d "${TMPDIR:-/tmp}/netdoctor-image.XXXXXX")"
trap 'rm -rf "$context"' EXIT
# Symbols are only for debuggers; the image carries the stripped binary.
strip -o "$context/netdoctor" "$bin"
cp -r target/site "$context/site"
# The site's content hashes, read by the server beside its binary (/hash.txt beside /netdoctor).
cp "$(dirname "$bin")/hash.txt" "$context/hash.txt"
# TypeScript declarations wasm-bindgen writes beside the js (and their compressed twins): not
# served to anyone.
find "$context/site" \( -name '*.d.ts' -o -name '*.d.ts.*' -o -name '*.d.*.ts' -o -name '*.d.*.ts.*' \) -delete
# Every site file with a brotli twin ships as that twin only, within the image's 20 MB budget
# (the raw wasm alone is over 3 MB, its gzip twin over 1 MB): browsers take brotli, and for a
# client that does not the server unpacks the twin and gzips it on the way out
# (statics::unpacked_twin).
find "$context/site" -name '*.br' | while read -r twin; do
  raw="${twin%.br}"
  rm -f "$raw" "$raw.gz"
done
mkdir "$context/data"
cp deploy/Dockerfile "$context/Dockerfile"
version="$(awk -F'"' '/^\[workspace.package\]/ {p=1} p && /^version =/ {print $2; exit}' Cargo.toml)"
docker build --quiet --build-arg "VERSION=$version" --tag "$tag" "$context" >/dev/null

size="$(docker image inspect -f '{{.Size}}' "$tag")"
echo "built $tag: $((size / 1000)) kB uncompressed (server binary $(($(stat -c %s "$context/netdoctor") / 1000)) kB, site $(du -sk "$context/site" | cut -f1) KiB)"
