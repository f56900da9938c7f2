#!/usr/bin/env bash
# Builds netdoctor (release) and starts it on http://127.0.0.1:3000 against the local Docker
# Engine (DOCKER_HOST if set). Extra arguments go to the server, e.g. --listen 127.0.0.1:4000.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ND_ROOT"

ensure_rust_target
ensure_cargo_leptos
ensure_wasm_bindgen
ensure_binaryen
command -v curl >/dev/null 2>&1 && ! engine_answers &&
  echo "note: no Docker Engine answers yet; the dashboard explains how to start one and recovers by itself."

say "building and starting netdoctor"
exec cargo leptos serve --release -- "$@"
