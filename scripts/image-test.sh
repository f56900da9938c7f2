#!/usr/bin/env bash
# Tests the container image for real on the local Docker Engine: builds it (scripts/image.sh,
# under a tag of its own), runs it as the compose file does (the Docker socket mounted, a
# named volume for /data) on a random loopback port, waits until Docker itself reports the
# image's health check healthy, signs in and checks that the containers page lists a labelled
# container this test created. Runs twice: once with NETDOCTOR_ADMIN_PASSWORD set, once without
# (the generated password is read from the log). Everything it creates carries the label
# netdoctor.test=<run id> and is removed on exit, pass or fail; nothing else is touched.
#   scripts/image-test.sh            (scripts/test.sh runs it too)
# Prints a `test result:` line like cargo's, so scripts/test.sh's summary counts it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ND_ROOT"

ensure_docker
command -v docker >/dev/null 2>&1 || die "the docker CLI is missing"

run_id="img-$(date +%s)-$$"
label="netdoctor.test=$run_id"
tag="netdoctor:test-$run_id"
socket="/var/run/docker.sock"
case "${DOCKER_HOST:-}" in
  "") ;;
  unix://*) socket="${DOCKER_HOST#unix://}" ;;
  /*) socket="$DOCKER_HOST" ;;
  *) die "the image test mounts the engine's socket; DOCKER_HOST=$DOCKER_HOST is not a local socket" ;;
esac
work="$(mktemp -d "${TMPDIR:-/tmp}/netdoctor-image-test.XXXXXX")"

passed=0
failed=0
built=""
cleanup() {
  local ids
  ids="$(docker ps -aq --filter "label=$label")"
  [ -z "$ids" ] || docker rm -f -v $ids >/dev/null
  ids="$(docker volume ls -q --filter "label=$label")"
  [ -z "$ids" ] || docker volume rm $ids >/dev/null
  [ -z "$built" ] || docker image rm "$tag" >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

summary() {
  echo "test result: $1. $passed passed; $failed failed; 0 ignored; 0 measured; 0 filtered out"
}
ok() { echo "test image::$1 ... ok"; passed=$((passed + 1)); }
fail() {
  echo "test image::$1 ... FAILED"
  echo "  $2"
  failed=$((failed + 1))
  local c
  for c in $(docker ps -aq --filter "label=$label" --filter "label=netdoctor.test.role=server"); do
    echo "---- log of $(docker inspect -f '{{.Name}}' "$c") ----"
    docker logs "$c" 2>&1 | sed -e '/Sign in with:/{n;n;s/.*/    (password hidden)/}' | tail -n 40
  done
  summary FAILED
  exit 1
}

say "image test: building $tag"
start=$SECONDS
scripts/image.sh "$tag"
built=1
echo "built in $((SECONDS - start)) s"
size="$(docker image inspect -f '{{.Size}}' "$tag")"
if [ "$size" -le 20000000 ]; then ok "the_image_is_at_most_20_mb_uncompressed"
else fail "the_image_is_at_most_20_mb_uncompressed" "it is $size bytes"; fi

# A container of this run for netdoctor to list: created, never started (the image has no
# shell, so it gets a harmless command), uniquely named.
listed="nd-listed-$run_id"
docker create --name "$listed" --label "$label" "$tag" health >/dev/null

# Starts netdoctor from the image like the compose file does; prints the container's name.
start_server() {
  local name="nd-$1-$run_id" volume="nd-data-$1-$run_id"
  shift
  docker volume create --label "$label" "$volume" >/dev/null
  docker run --detach --name "$name" --label "$label" --label netdoctor.test.role=server \
    --volume "$socket:/var/run/docker.sock" --volume "$volume:/data" \
    --publish 127.0.0.1::3000 "$@" "$tag" >/dev/null
  echo "$name"
}

# Waits until Docker runs the image's own HEALTHCHECK (`/netdoctor health`) and reports healthy.
wait_healthy() {
  local name="$1" status=""
  for _ in $(seq 1 90); do
    status="$(docker inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$name")"
    case "$status" in
      "running healthy") return 0 ;;
      running*) sleep 1 ;;
      *) break ;;
    esac
  done
  echo "container $name: $status" >&2
  return 1
}

# Signs in with a password and fetches the containers page; prints the page.
sign_in_and_list() {
  local name="$1" password="$2" port base jar
  port="$(docker port "$name" 3000/tcp | head -n 1)"
  port="${port##*:}"
  base="http://127.0.0.1:$port"
  jar="$work/$name.cookies"
  # The login form, as the sign-in page posts it (same-origin, so the Origin check passes).
  local to
  to="$(curl -sS --max-time 10 -o /dev/null -w '%{http_code} %{redirect_url}' -c "$jar" \
    -H "Origin: $base" --data-urlencode "password=$password" --data-urlencode "next=/containers" \
    "$base/auth/login")"
  [ "$to" = "303 $base/containers" ] || { echo "sign-in answered: $to" >&2; return 1; }
  curl -fsS --max-time 20 -b "$jar" "$base/containers"
}

password="img-test-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
with_env="$(start_server env -e "NETDOCTOR_ADMIN_PASSWORD=$password")"
generated="$(start_server generated)"

for name in "$with_env" "$generated"; do
  case_name="${name#nd-}"; case_name="${case_name%%-*}"
  if wait_healthy "$name"; then
    ok "docker_reports_the_image_health_check_healthy_${case_name}_password"
  else
    fail "docker_reports_the_image_health_check_healthy_${case_name}_password" \
      "$(docker inspect -f '{{json .State.Health}}' "$name" 2>&1 | head -c 2000)"
  fi
done

if docker logs "$with_env" 2>/dev/null | grep -q 'netdoctor is serving'; then
  ok "the_server_logs_to_stdout"
else
  fail "the_server_logs_to_stdout" "no 'netdoctor is serving' line in docker logs"
fi

# Without NETDOCTOR_ADMIN_PASSWORD netdoctor generates one, stores its hash in /data (so the
# volume must be writable) and prints it once.
generated_password="$(docker logs "$generated" 2>/dev/null | awk '/Sign in with:/ {getline; getline; print $1; exit}')"
if [ -n "$generated_password" ]; then
  ok "without_a_password_one_is_generated_and_printed_once"
else
  fail "without_a_password_one_is_generated_and_printed_once" "no generated password in the log"
fi

for pair in "$with_env:$password" "$generated:$generated_password"; do
  name="${pair%%:*}"
  case_name="${name#nd-}"; case_name="${case_name%%-*}"
  if page="$(sign_in_and_list "$name" "${pair#*:}")" && grep -q "$listed" <<<"$page"; then
    ok "after_sign_in_the_containers_page_lists_a_labelled_container_${case_name}_password"
  else
    fail "after_sign_in_the_containers_page_lists_a_labelled_container_${case_name}_password" \
      "the page does not name $listed"
  fi
done

# The page's script and wasm come from the site in the image.
port="$(docker port "$with_env" 3000/tcp | head -n 1)"
port="${port##*:}"
wasm_type="$(curl -fsS --max-time 10 -o /dev/null -w '%{content_type}' "http://127.0.0.1:$port/pkg/netdoctor.wasm" || true)"
if [ "$wasm_type" = "application/wasm" ]; then
  ok "the_image_serves_the_built_site"
else
  fail "the_image_serves_the_built_site" "GET /pkg/netdoctor.wasm answered content type '$wasm_type'"
fi

# Without a session, the dashboard stays closed.
status="$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -X POST -H "Origin: http://127.0.0.1:$port" "http://127.0.0.1:$port/api/overview")"
if [ "$status" = 401 ]; then
  ok "without_a_session_the_json_api_is_refused"
else
  fail "without_a_session_the_json_api_is_refused" "POST /api/overview answered $status"
fi

summary ok
