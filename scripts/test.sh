#!/usr/bin/env bash
# Runs netdoctor's tests, by stage or all of them (the README's test command; .ci/run calls it):
#
#   scripts/test.sh [lint|unit|live|server|browser|image|all]     (default: all)
#
#   lint     cargo fmt --check, clippy (native, all targets; and the wasm frontend)
#   unit     the pure domain's unit tests, and the server crate's own (no engine, no browser)
#   live     app's tests against the live Docker Engine (engine layer, checks, logs, …)
#   server   the router, server functions, login, CLI and health tests (live engine)
#   browser  one release build (the site and the static musl server), then the browser
#            tests in headless chromium against it
#   image    the container image from that same release build, run and checked
#            (scripts/image-test.sh)
#
# Each stage installs what it needs first (scripts/setup.sh; `scripts/setup.sh` alone installs
# everything and runs nothing), including a Docker Engine when none answers. Stages can be
# given together: `scripts/test.sh unit server`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ND_ROOT"

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(all)
for s in "${stages[@]}"; do
  case "$s" in
    lint | unit | live | server | browser | image) ;;
    all) stages=(lint unit live server browser image) ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown stage '$s': use lint, unit, live, server, browser, image or all" ;;
  esac
done

mkdir -p target/tmp
export TMPDIR="$ND_ROOT/target/tmp"
log="$(mktemp "$TMPDIR/test-log.XXXXXX")"
run() { "$@" 2>&1 | tee -a "$log"; }
declare -A took=()
timed() {
  local name="$1" start=$SECONDS
  shift
  "$@"
  took[$name]=$((SECONDS - start))
}

stage_lint() {
  ensure_rust_target
  say "formatting (cargo fmt --check)"
  cargo fmt --all -- --check
  say "lints (cargo clippy --all-targets)"
  cargo clippy --workspace --all-targets --features app/testkit -- -D warnings
  cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
}

stage_unit() {
  ensure_c_toolchain
  say "unit tests: the pure domain and the server's own modules"
  run cargo test --no-fail-fast -p app --features testkit --lib
  run cargo test --no-fail-fast -p server --lib --bins
}

# The second engine, its TLS socket and sshd (scripts/engines.sh), once per run, stopped when
# this script exits however it exits.
ND_TEST_SERVERS=""
start_test_servers() {
  [ -z "$ND_TEST_SERVERS" ] || return 0
  source "$ND_ROOT/scripts/engines.sh"
  trap engines_stop EXIT
  engines_start
  # shellcheck disable=SC1091
  source "$ND_ENGINES_DIR/env"
  ND_TEST_SERVERS=1
}

stage_live() {
  ensure_c_toolchain
  ensure_docker
  ensure_busybox
  start_test_servers
  ensure_caddy
  say "live-engine tests (app)"
  run cargo test --no-fail-fast -p app --features testkit --test "*"
}

stage_server() {
  ensure_c_toolchain
  ensure_docker
  ensure_busybox
  start_test_servers
  say "server tests (router, server functions, login, CLI, health)"
  run cargo test --no-fail-fast -p server --test "*"
}

stage_browser() {
  release_build
  ensure_docker
  ensure_busybox
  ensure_chromium
  start_test_servers
  say "browser tests (headless chromium) against the release build"
  NETDOCTOR_BIN="$ND_ROOT/$ND_RELEASE_BIN" run cargo test --no-fail-fast -p end2end -- --include-ignored --test-threads=1
}

stage_image() {
  release_build
  say "container image: from the same build, run it with the socket mounted, check it"
  NETDOCTOR_IMAGE_PREBUILT=1 run scripts/image-test.sh
}

for s in "${stages[@]}"; do
  timed "$s" "stage_$s"
done

say "summary"
for s in "${stages[@]}"; do
  printf '  %-8s %4d s\n' "$s" "${took[$s]}"
done
# Each runner's own closing line (suites that ran tests), then their sum.
grep -E '^test result:' "$log" | grep -v ' 0 passed; 0 failed' || true
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "total: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
