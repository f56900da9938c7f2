#!/usr/bin/env bash
# Runs every test: formatting and lints, domain unit tests, live-engine tests, server tests and
# browser tests in headless chromium, against the debug build and the release build, and the
# container image (scripts/image-test.sh). Installs what is missing first (see setup.sh), including
# a Docker Engine when none answers. This is the README's test command; .ci/run calls it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ND_ROOT"

ensure_rust_target
ensure_cargo_leptos
ensure_wasm_bindgen
ensure_docker
ensure_busybox
ensure_chromium
ensure_binaryen
ensure_musl

mkdir -p target/tmp
export TMPDIR="$ND_ROOT/target/tmp"
log="$(mktemp "$TMPDIR/test-log.XXXXXX")"
run() { "$@" 2>&1 | tee -a "$log"; }

say "formatting (cargo fmt --check)"
cargo fmt --all -- --check

say "lints (cargo clippy --all-targets)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

say "domain unit tests and live-engine tests (app)"
run cargo test -p app --features testkit

say "server tests (configuration, router, server functions)"
# One test at a time: Leptos 0.8's streaming SSR can stall a response forever when several pages
# render at once (leptos-rs/leptos#4851), and parallel router tests render pages at once.
# server/tests/ssr_concurrency.rs reproduces it (ignored); see DEVELOPERS.md.
run cargo test -p server -- --test-threads=1

say "browser tests (cargo leptos end-to-end)"
# cargo-leptos also starts a server of its own; a free port keeps it clear of a running dashboard.
# The browser tests start the debug server explicitly: left to choose, they take the newer of
# the debug and release binaries, which after an earlier run may be a release binary that does
# not match the debug site just built (the page then never hydrates).
NETDOCTOR_BIN="$ND_ROOT/target/debug/netdoctor" NETDOCTOR_LISTEN=127.0.0.1:0 \
  NETDOCTOR_DATA_DIR="$TMPDIR/leptos-serve-data" run cargo leptos end-to-end

say "release build, as scripts/start.sh serves it, and the browser tests against it"
# Release-only failures (type-depth limits, wasm-opt) would otherwise reach users first.
cargo leptos build --release
NETDOCTOR_BIN="$ND_ROOT/target/release/netdoctor" run cargo test -p end2end -- --include-ignored --test-threads=1

say "container image: build it, run it with the socket mounted, check health and the page"
run scripts/image-test.sh

say "summary"
# Each runner's own closing line (suites that ran tests), then their sum.
grep -E '^test result:' "$log" | grep -v ' 0 passed; 0 failed' || true
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "total: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
