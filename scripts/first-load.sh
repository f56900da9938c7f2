#!/usr/bin/env bash
# The first-load benchmark: what each page costs a browser on its first visit.
#   scripts/first-load.sh
# Builds the one release build (as start.sh and the tests use it; skipped with
# NETDOCTOR_PREBUILT=1), then end2end/examples/first_load.rs starts that server on a free
# loopback port against the local engine, with one busybox container of its own (labelled
# netdoctor.test=<run id>, removed at the end), and drives headless Chromium with the cache off
# over /, /containers, /containers/<name>, /connect and /diagnose: every response of each first
# load (bytes transferred, compressed and raw), then the time to hydrated over loopback and over
# a link throttled to 10 Mbit/s and 50 ms RTT (the DevTools protocol). Figures go to
# BENCHMARKS.md. Traffic stays on loopback.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ND_ROOT"

[ "${NETDOCTOR_PREBUILT:-}" = 1 ] || release_build
ensure_docker
ensure_busybox
ensure_chromium
mkdir -p target/tmp
export TMPDIR="$ND_ROOT/target/tmp"
say "first load of each page (release build, headless chromium)"
NETDOCTOR_BIN="$ND_ROOT/$ND_RELEASE_BIN" cargo run --quiet -p end2end --example first_load
