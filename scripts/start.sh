#!/usr/bin/env bash
# Builds netdoctor (the one release build: the site and the static server binary, as the tests
# and the container image use it) and starts it on http://127.0.0.1:3000 against the local
# Docker Engine (DOCKER_HOST if set). Extra arguments go to the server, e.g.
# --listen 127.0.0.1:4000.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ND_ROOT"

release_build
command -v curl >/dev/null 2>&1 && ! engine_answers &&
  echo "note: no Docker Engine answers yet; the dashboard explains how to start one and recovers by itself."

say "starting netdoctor"
LEPTOS_ENV=PROD LEPTOS_OUTPUT_NAME=netdoctor LEPTOS_SITE_PKG_DIR=pkg \
  exec "$ND_RELEASE_BIN" --site-root target/site "$@"
