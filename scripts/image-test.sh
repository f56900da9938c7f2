#!/usr/bin/env bash
# Tests the container image for real on the local Docker Engine: builds it (scripts/image.sh,
# under a tag of its own), runs it as the compose file does (the Docker socket mounted, a
# named volume for /data) on a random loopback port, waits until Docker itself reports the
# image's health check healthy, signs in and checks that the containers page lists a labelled
# container this test created. Runs twice: once with NETDOCTOR_ADMIN_PASSWORD set, once without
# (the generated password is read from the log); then runs deploy/docker-compose.yml itself with
# Docker Compose, as Coolify would, and signs in over plain http and through an "https" proxy.
# Everything it creates carries the label
# netdoctor.test=<run id> and is removed on exit, pass or fail; nothing else is touched.
#   scripts/image-test.sh            (scripts/test.sh runs it too)
# Prints a `test result:` line like cargo's, so scripts/test.sh's summary counts it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ND_ROOT"

ensure_docker
ensure_compose
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
  ids="$(docker network ls -q --filter "label=$label")"
  [ -z "$ids" ] || docker network rm $ids >/dev/null
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
    docker logs "$c" 2>&1 | sed -e 's/^\(netdoctor admin password:\).*/\1 (hidden)/' | tail -n 40
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

# deploy/docker-compose.yml exactly as a user pastes it into Coolify, run by Docker Compose.
# The override adds only what this test needs and Coolify does differently: this run's image
# tag and label, and a loopback port instead of Coolify's proxy. Coolify's magic variable
# SERVICE_PASSWORD_NETDOCTOR comes from the environment, as Coolify provides it. The socket
# path is the compose file's own (/var/run/docker.sock).
start_compose() {
  local project="nd-compose-$run_id" override="$work/compose-override.yml"
  cat >"$override" <<YAML
services:
  netdoctor:
    image: $tag
    labels:
      netdoctor.test: "$run_id"
      netdoctor.test.role: server
    ports:
      - "127.0.0.1::3000"
volumes:
  netdoctor-data:
    labels:
      netdoctor.test: "$run_id"
networks:
  default:
    labels:
      netdoctor.test: "$run_id"
YAML
  SERVICE_PASSWORD_NETDOCTOR="$1" $ND_COMPOSE --project-name "$project" \
    --file deploy/docker-compose.yml --file "$override" up --detach >&2
  docker ps -aq --filter "label=com.docker.compose.project=$project" --filter "label=$label" | head -n 1
}

password="img-test-$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
with_env="$(start_server env -e "NETDOCTOR_ADMIN_PASSWORD=$password")"
generated="$(start_server generated)"
if [ "$socket" = /var/run/docker.sock ]; then
  composed="$(start_compose "$password")"
  [ -n "$composed" ] || fail "the_compose_file_starts_the_image" "$ND_COMPOSE started no container"
  ok "the_compose_file_starts_the_image"
else
  composed=""
  echo "the compose file mounts /var/run/docker.sock; the engine is at $socket: compose case skipped"
fi

# Each server under the name its cases carry.
declare -A case_of=(["$with_env"]=docker_run_with_a_password ["$generated"]=docker_run_without_a_password)
[ -z "$composed" ] || case_of["$composed"]=the_compose_file

for name in "$with_env" "$generated" ${composed:+"$composed"}; do
  case_name="${case_of[$name]}"
  if wait_healthy "$name"; then
    ok "docker_reports_the_health_check_healthy_${case_name}"
  else
    fail "docker_reports_the_health_check_healthy_${case_name}" \
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
generated_password="$(docker logs "$generated" 2>&1 | awk '/^netdoctor admin password: / {print $4; exit}')"
if [ -n "$generated_password" ]; then
  ok "without_a_password_one_is_generated_and_printed_once"
else
  fail "without_a_password_one_is_generated_and_printed_once" "no generated password in the log"
fi

# Plain http, as a generated http://…sslip.io domain: the session cookie must work there too.
for pair in "$with_env:$password" "$generated:$generated_password" ${composed:+"$composed:$password"}; do
  name="${pair%%:*}"
  case_name="${case_of[$name]}"
  if page="$(sign_in_and_list "$name" "${pair#*:}")" && grep -q "$listed" <<<"$page"; then
    ok "after_sign_in_the_containers_page_lists_a_labelled_container_${case_name}"
  else
    fail "after_sign_in_the_containers_page_lists_a_labelled_container_${case_name}" \
      "the page does not name $listed"
  fi
done

# Behind Coolify's proxy the proxy says how the browser came (X-Forwarded-Proto): over an
# https:// domain the compose deployment's session cookie must be Secure; over a plain http://
# one (Coolify's generated sslip.io domain) it must not be, or the browser drops it and signing
# in loops back to the login page. (curl itself sends Secure cookies to 127.0.0.1, so the
# sign-ins above cannot tell.)
proxied_sign_in_cookie() {
  curl -sS --max-time 10 -o /dev/null -D - -H "Host: netdoctor.example.com" \
    -H "Origin: $1://netdoctor.example.com" -H "X-Forwarded-Proto: $1" \
    --data-urlencode "password=$password" "http://127.0.0.1:$2/auth/login" |
    grep -i '^set-cookie:' | sed -e 's/=[^;]*;/=(value hidden);/' || true
}
if [ -n "$composed" ]; then
  port="$(docker port "$composed" 3000/tcp | head -n 1)"
  port="${port##*:}"
  set_cookie="$(proxied_sign_in_cookie https "$port")"
  if grep -q '; Secure' <<<"$set_cookie"; then
    ok "behind_an_https_proxy_the_compose_deployments_session_cookie_is_secure"
  else
    fail "behind_an_https_proxy_the_compose_deployments_session_cookie_is_secure" \
      "sign-in answered: ${set_cookie:-no Set-Cookie}"
  fi
  set_cookie="$(proxied_sign_in_cookie http "$port")"
  if grep -qi '^set-cookie: netdoctor_session=' <<<"$set_cookie" && ! grep -q 'Secure' <<<"$set_cookie"; then
    ok "behind_a_plain_http_proxy_the_compose_deployments_session_cookie_is_not_secure"
  else
    fail "behind_a_plain_http_proxy_the_compose_deployments_session_cookie_is_not_secure" \
      "sign-in answered: ${set_cookie:-no Set-Cookie}"
  fi
fi

# The page's script and wasm come from the site in the image: the (public) sign-in page links
# them by their content-hashed names, and they arrive brotli-compressed, kept for a year.
port="$(docker port "$with_env" 3000/tcp | head -n 1)"
port="${port##*:}"
wasm_path="$(curl -fsS --max-time 10 "http://127.0.0.1:$port/login" | grep -o '/pkg/netdoctor\.[A-Za-z0-9_-]*\.wasm' | head -n 1 || true)"
wasm_headers="$(curl -fsS --max-time 10 -o /dev/null -D - -H 'Accept-Encoding: br, gzip' "http://127.0.0.1:$port${wasm_path:-/pkg/none.wasm}" | tr -d '\r' || true)"
if grep -qix 'content-type: application/wasm' <<<"$wasm_headers" &&
  grep -qix 'content-encoding: br' <<<"$wasm_headers" &&
  grep -qix 'cache-control: public, max-age=31536000, immutable' <<<"$wasm_headers"; then
  ok "the_image_serves_the_built_site_compressed_and_content_named"
else
  fail "the_image_serves_the_built_site_compressed_and_content_named" \
    "the sign-in page links '${wasm_path:-no wasm}', which answered: ${wasm_headers:-nothing}"
fi

# The image ships the wasm only as its brotli twin: a client that takes gzip alone (a browser
# over plain HTTP) gets it unpacked and gzipped on the way out, a real wasm module.
gz_headers="$(curl -fsS --max-time 20 -o "$work/wasm.gz" -D - -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port${wasm_path:-/pkg/none.wasm}" | tr -d '\r' || true)"
wasm_magic="$(gzip -dc "$work/wasm.gz" 2>/dev/null | head -c 4 | od -An -tx1 | tr -d ' \n' || true)"
if grep -qix 'content-encoding: gzip' <<<"$gz_headers" && [ "$wasm_magic" = 0061736d ]; then
  ok "a_client_that_takes_only_gzip_gets_the_wasm_gzipped_from_its_brotli_twin"
else
  fail "a_client_that_takes_only_gzip_gets_the_wasm_gzipped_from_its_brotli_twin" \
    "answered: ${gz_headers:-nothing}; the body starts ${wasm_magic:-with nothing}"
fi

# Without a session, the dashboard stays closed.
status="$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -X POST -H "Origin: http://127.0.0.1:$port" "http://127.0.0.1:$port/api/overview")"
if [ "$status" = 401 ]; then
  ok "without_a_session_the_json_api_is_refused"
else
  fail "without_a_session_the_json_api_is_refused" "POST /api/overview answered $status"
fi

summary ok
