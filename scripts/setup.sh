#!/usr/bin/env bash
# netdoctor's set-up: `scripts/setup.sh` installs everything and runs nothing else; start.sh,
# test.sh and image.sh source it and install only what they need. Every step checks first
# and does nothing when what it installs is already there, so a set-up machine pays seconds.
# On a fresh Debian machine as root (like CI's) it installs everything; on a laptop it uses
# sudo for the few system packages, or says exactly what to install.

ND_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ND_TOOLS="${NETDOCTOR_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/netdoctor-tools}"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\nnetdoctor set-up: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root for: $* (run as root, or install sudo)"; fi
}

ND_APT_UPDATED=""
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "please install: ${missing[*]} (no apt-get here)"
  say "installing ${missing[*]}"
  if [ -z "$ND_APT_UPDATED" ]; then as_root apt-get update -qq; ND_APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_rust_target() {
  command -v cargo >/dev/null 2>&1 || die "Rust is missing: install it with rustup (https://rustup.rs), then run this again"
  ensure_c_toolchain
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# Linking (cargo install, the server) needs a C compiler and linker; the image build strips the
# binary (binutils). A minimal server image may have neither.
ensure_c_toolchain() {
  command -v cc >/dev/null 2>&1 || apt_install build-essential
  command -v strip >/dev/null 2>&1 || apt_install binutils
}

# The two build tools cargo-leptos needs, compiled from crates.io (nothing else is reachable):
# both at once when both are missing. They are compiled without optimisation: they run for
# seconds per build, and an optimised compile of cargo-leptos (swc, lightningcss, cargo-generate)
# took about 22 minutes on 2 cores against about 9 unoptimised; brotli, which compresses the
# site in release builds, keeps its optimisation (unoptimised it takes minutes on the wasm).
ND_TOOL_PROFILE=(
  --config 'profile.release.opt-level=0' --config 'profile.release.debug=false'
  --config 'profile.release.codegen-units=256' --config 'profile.release.lto=false'
  --config 'profile.release.incremental=false'
  --config 'profile.release.package.brotli.opt-level=3'
  --config 'profile.release.package.brotli-decompressor.opt-level=3'
  --config 'profile.release.package.alloc-no-stdlib.opt-level=3'
)
ND_LEPTOS_VERSION=0.3.11
wanted_wasm_bindgen() {
  awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ND_ROOT/Cargo.lock"
}
need_cargo_leptos() {
  [ "$(cargo-leptos --version 2>/dev/null | awk '{print $2}')" != "$ND_LEPTOS_VERSION" ]
}
# cargo-leptos downloads wasm-bindgen from GitHub unless the right one is on PATH. Its version
# must equal the wasm-bindgen crate in Cargo.lock (pinned with "=" in Cargo.toml).
need_wasm_bindgen() {
  [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$(wanted_wasm_bindgen)" ]
}
install_cargo_leptos() {
  cargo install cargo-leptos --version "$ND_LEPTOS_VERSION" --locked --ignore-rust-version "${ND_TOOL_PROFILE[@]}"
}
# Without default features: no TLS stack (rustls, ring) for a download the set-up never needs.
install_wasm_bindgen() {
  cargo install wasm-bindgen-cli --version "$(wanted_wasm_bindgen)" --no-default-features --force "${ND_TOOL_PROFILE[@]}"
}
ensure_build_tools() {
  [ -n "$(wanted_wasm_bindgen)" ] || die "no wasm-bindgen in Cargo.lock"
  local pids=() what=()
  if need_cargo_leptos; then
    say "installing cargo-leptos $ND_LEPTOS_VERSION (about 9 minutes on 2 cores, once)"
    install_cargo_leptos & pids+=($!); what+=(cargo-leptos)
  fi
  if need_wasm_bindgen; then
    say "installing wasm-bindgen-cli $(wanted_wasm_bindgen) (about 3 minutes, once)"
    install_wasm_bindgen & pids+=($!); what+=(wasm-bindgen-cli)
  fi
  local i
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || die "installing ${what[$i]} failed (see above)"
  done
}
ensure_cargo_leptos() { ensure_build_tools; }
ensure_wasm_bindgen() { ensure_build_tools; }

# Release builds run wasm-opt. Debian's binaryen 108 produces a wasm that never hydrates;
# binaryen 132 from npm works.
ensure_binaryen() {
  local bin="$ND_TOOLS/binaryen/node_modules/.bin"
  if ! "$bin/wasm-opt" --version 2>/dev/null | grep -q 'version 132'; then
    command -v npm >/dev/null 2>&1 || apt_install nodejs npm
    say "installing wasm-opt (binaryen 132) from npm"
    mkdir -p "$ND_TOOLS/binaryen"
    npm install --silent --no-audit --no-fund --prefix "$ND_TOOLS/binaryen" binaryen@132.0.0 >/dev/null
  fi
  export PATH="$bin:$PATH"
}

# Answers when the Docker Engine at DOCKER_HOST (or the local socket) responds to /_ping.
engine_answers() {
  local host="${DOCKER_HOST:-unix:///var/run/docker.sock}"
  case "$host" in
    unix://*) curl -fsS --max-time 5 --unix-socket "${host#unix://}" http://localhost/_ping >/dev/null 2>&1 ;;
    /*) curl -fsS --max-time 5 --unix-socket "$host" http://localhost/_ping >/dev/null 2>&1 ;;
    tcp://*|http://*) curl -fsS --max-time 5 "http://${host#*://}/_ping" >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

# Tests need a Docker Engine. Use the one that answers; otherwise install Debian's docker.io
# (Engine 20.10, API 1.41) and start dockerd in the background.
ensure_docker() {
  command -v curl >/dev/null 2>&1 || apt_install curl ca-certificates
  if engine_answers; then return 0; fi
  [ -z "${DOCKER_HOST:-}" ] || die "no Docker Engine answers at DOCKER_HOST=$DOCKER_HOST"
  command -v dockerd >/dev/null 2>&1 || apt_install docker.io
  say "starting dockerd in the background (log: /var/log/netdoctor-dockerd.log)"
  as_root sh -c 'nohup dockerd >/var/log/netdoctor-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do engine_answers && return 0; sleep 1; done
  die "dockerd did not answer within 60 s; see /var/log/netdoctor-dockerd.log"
}

# The test image is built FROM scratch with a static busybox: no registry needed.
ensure_busybox() {
  if [ -n "${NETDOCTOR_TEST_BUSYBOX:-}" ]; then return 0; fi
  dpkg -s busybox-static >/dev/null 2>&1 || apt_install busybox-static
}

# The several-engines tests (scripts/engines.sh): OpenSSH's server (started on loopback by that
# script, never as a system service: policy-rc.d keeps the package from starting one) and
# client, openssl for the test certificates, iproute2 for the second engine's bridge.
ensure_test_servers() {
  local missing=()
  for pkg in openssh-server openssh-client openssl iproute2; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=1
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
  fi
  apt_install "${missing[@]}"
  [ -z "$guard" ] || as_root rm -f /usr/sbin/policy-rc.d
}

# A real Caddy for the route-reading tests: Debian's package unpacked under the tools directory
# (not installed: that would set up a service), built into a FROM scratch image by the testkit.
ensure_caddy() {
  if [ -n "${NETDOCTOR_TEST_CADDY:-}" ]; then return 0; fi
  local dir="$ND_TOOLS/caddy"
  [ -x "$dir/usr/bin/caddy" ] && return 0
  say "unpacking Debian's caddy package for the Caddy test image"
  mkdir -p "$dir"
  ( cd "$dir" && { apt-get download caddy >/dev/null 2>&1 || { as_root apt-get update -qq && apt-get download caddy >/dev/null 2>&1; }; } \
      && dpkg-deb -x caddy_*.deb . && rm -f caddy_*.deb ) \
    || die "could not fetch Debian's caddy package (apt-get download caddy)"
}

ensure_chromium() {
  if ! command -v chromedriver >/dev/null 2>&1 || ! [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    apt_install chromium chromium-driver
  fi
}

# The container image holds a static server binary built for musl. The share store's SQLite
# (rusqlite's `bundled` feature) is C, compiled for musl by musl-gcc from Debian's musl-tools;
# everything else is Rust, and rustup's self-contained musl target links it.
# The image is built for the machine that builds it (build it on the server, or one like it).
case "$(uname -m)" in
  x86_64 | amd64) ND_MUSL_TARGET=x86_64-unknown-linux-musl ;;
  aarch64 | arm64) ND_MUSL_TARGET=aarch64-unknown-linux-musl ;;
  *) ND_MUSL_TARGET="" ;;
esac
ensure_musl() {
  [ -n "$ND_MUSL_TARGET" ] || die "the container image is built for x86_64 or aarch64; this machine is $(uname -m)"
  command -v rustup >/dev/null 2>&1 || die "rustup is missing: install Rust with rustup (https://rustup.rs)"
  if ! rustup target list --installed 2>/dev/null | grep -qx "$ND_MUSL_TARGET"; then
    say "adding the $ND_MUSL_TARGET target (for the static binary in the container image)"
    rustup target add "$ND_MUSL_TARGET"
  fi
  command -v musl-gcc >/dev/null 2>&1 || apt_install musl-tools
}

# Docker Compose, for the image test to run deploy/docker-compose.yml as written: the v2 plugin
# when present, else Debian's docker-compose. Sets ND_COMPOSE to the command.
ensure_compose() {
  if docker compose version >/dev/null 2>&1; then ND_COMPOSE="docker compose"; return 0; fi
  command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose
  ND_COMPOSE="docker-compose"
}

# The one release build everything else uses — the browser tests, the container image and
# scripts/start.sh: the wasm site into target/site (every file named by its content, with
# .br/.gz beside each, and the hashes in hash.txt beside the server binary) and the
# static musl server binary, size-optimised with whole-program LTO (half the size: 17.7 → 8.7 MB
# stripped at the time). opt-level "z" rather than "s" since the remote-engine transports
# (rustls on ring, issue 20): 19,133 → 18,179 kB, keeping the image under its 20 MB budget; the
# server's heavy work (topology, findings, the matrix) stays in milliseconds, and the benches
# (cargo bench) keep the release profile's opt-level 3. The overrides reach only this build: the musl target has its own directory, the
# wasm profile sets these three itself, and build scripts and proc macros keep their own
# settings. cargo-leptos builds the server with --target from LEPTOS_BIN_TARGET_TRIPLE and the
# features and environment it always gives the bin.
ND_RELEASE_BIN="target/$ND_MUSL_TARGET/release/netdoctor"
ND_RELEASE_BUILT=""
release_build() {
  [ -z "$ND_RELEASE_BUILT" ] || return 0
  ensure_rust_target
  ensure_musl
  ensure_build_tools
  ensure_binaryen
  say "release build: the site and the static server binary ($ND_MUSL_TARGET)"
  # A static executable without PIE (-C relocation-model=static, for the musl target only): no
  # table of 580 kB of start-up relocations. The binary's own addresses are fixed, as every Rust
  # musl binary was before static-pie became the default; the stack, heap and mappings are still
  # randomised. Chosen over panic=abort (about twice the saving), which would take the whole
  # dashboard down on a panic in one request.
  local rustflags_var="CARGO_TARGET_$(printf '%s' "$ND_MUSL_TARGET" | tr '[:lower:]-' '[:upper:]_')_RUSTFLAGS"
  (cd "$ND_ROOT" && export "$rustflags_var=-C relocation-model=static" &&
    CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_STRIP=symbols \
    LEPTOS_BIN_TARGET_TRIPLE="$ND_MUSL_TARGET" cargo leptos build --release --precompress)
  [ -x "$ND_ROOT/$ND_RELEASE_BIN" ] || die "no server binary at $ND_RELEASE_BIN after the build"
  [ -f "$ND_ROOT/$(dirname "$ND_RELEASE_BIN")/hash.txt" ] || die "no hash.txt beside $ND_RELEASE_BIN after the build"
  compgen -G "$ND_ROOT/target/site/pkg/netdoctor.*.wasm" >/dev/null || die "no site at target/site after the build"
  ND_RELEASE_BUILT=1
}

ensure_everything() {
  ensure_rust_target
  ensure_musl
  ensure_build_tools
  ensure_binaryen
  ensure_docker
  ensure_busybox
  ensure_caddy
  ensure_chromium
  ensure_compose
  ensure_test_servers
}

# Run as a command (`scripts/setup.sh`), it installs everything the tests and builds need and
# runs nothing else; sourced by the other scripts, it only defines these steps.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ensure_everything
  say "set up: everything scripts/test.sh, start.sh and image.sh need is here"
fi
