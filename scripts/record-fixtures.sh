#!/usr/bin/env bash
# Records Engine JSON for the domain's unit tests from a small Coolify-like destination built
# on the local engine with Coolify's real names (network `coolify`, `coolify-proxy`, uuid-named
# apps, a service stack, databases). Developer tool, not run by tests: it refuses to run where a
# `coolify` network already exists (a real Coolify host), and removes what it created.
#
# Nothing can be pulled here, so every container runs the busybox test image; the recorded
# `Config.Image` values are rewritten afterwards to the images Coolify uses (traefik:v3.6,
# postgres:16-alpine, …) because netdoctor decides the proxy type from the image name.
#
#   scripts/record-fixtures.sh           record, then remove the destination
#   scripts/record-fixtures.sh --demo    build the destination and leave it running (to try
#                                        the dashboard by hand); nothing is recorded
#   scripts/record-fixtures.sh --remove  remove a destination left by --demo
set -euo pipefail
mode="${1:-record}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="app/src/domain/fixtures/destination-api-1.41.json"
D="docker"
label="netdoctor.fixture=1"

if $D network inspect coolify >/dev/null 2>&1 &&
  [ "$($D network inspect coolify --format '{{index .Labels "netdoctor.fixture"}}')" != "1" ]; then
  echo "a network named coolify exists: this looks like a real Coolify host; not touching it" >&2
  exit 1
fi

ctx="$(mktemp -d)"; trap 'rm -rf "$ctx"' EXIT
cp /bin/busybox "$ctx/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\nCMD ["/bin/sh"]\n' > "$ctx/Dockerfile"
$D build -q -t netdoctor-fixture-busybox "$ctx" >/dev/null
IMG=netdoctor-fixture-busybox
# The proxy's type is read from its image name: give the busybox image a traefik name.
$D tag $IMG netdoctor-fixture/traefik:v3.6

cleanup() {
  $D ps -aq --filter "label=$label" | xargs -r $D rm -f >/dev/null
  $D network ls -q --filter "label=$label" | xargs -r $D network rm >/dev/null
}
cleanup
if [ "$mode" = "--remove" ]; then
  $D rmi netdoctor-fixture/traefik:v3.6 netdoctor-fixture-busybox >/dev/null 2>&1 || true
  exit 0
fi
if [ "$mode" != "--demo" ]; then trap 'cleanup; rm -rf "$ctx"' EXIT; fi

APP=jk8c0wc4ok80s0gkcgwgo4s8
SVC=qg8s4kc0w4wsgk0k8c0ww8o4
DB=ro8kcog4kso4ck0ows4k4wkw
CMP=b4k8w0gcc8sk4oowc84wg0o8

$D network create --label "$label" --attachable coolify >/dev/null
$D network create --label "$label" --attachable $SVC >/dev/null
$D network create --label "$label" --attachable $CMP >/dev/null
$D network create --label "$label" --internal backend-only >/dev/null

run() { $D run -d --label "$label" "$@" >/dev/null; }

# The proxy: on coolify and the service stack's network, not on the compose app's network.
run --name coolify-proxy --network coolify -p 80:80 -p 443:443 -p 8080:8080 \
  --label coolify.managed=true --label coolify.proxy=true --label traefik.enable=true \
  --label com.docker.compose.project=coolify-proxy --label com.docker.compose.service=traefik \
  netdoctor-fixture/traefik:v3.6 httpd -f -p 80
$D network connect $SVC coolify-proxy

# Coolify core.
run --name coolify --network coolify -p 8000:8080 --label com.docker.compose.project=source \
  --label com.docker.compose.service=coolify $IMG httpd -f -p 8080
run --name coolify-db --network coolify --network-alias postgres --expose 5432 \
  --label com.docker.compose.project=source --label com.docker.compose.service=postgres $IMG sleep 100000
run --name coolify-redis --network coolify --network-alias redis --expose 6379 \
  --label com.docker.compose.project=source --label com.docker.compose.service=redis $IMG sleep 100000
run --name coolify-sentinel --label coolify.managed=true $IMG sleep 100000

# A standard application (name changes on each deploy), routed by Traefik and Caddy labels.
R="https-0-$APP"; H="http-0-$APP"
run --name $APP-142311873944 --network coolify --network-alias $APP-142311873944 --expose 3001 \
  --label coolify.managed=true --label coolify.version=4.3.11 --label coolify.applicationId=12 \
  --label coolify.type=application --label coolify.name=$APP --label coolify.resourceName=my-express-api \
  --label coolify.projectName=my-project --label coolify.serviceName=my-express-api \
  --label coolify.environmentName=production --label coolify.pullRequestId=0 \
  --label com.docker.compose.project=$APP --label com.docker.compose.service=$APP-142311873944 \
  --label traefik.enable=true \
  --label traefik.http.middlewares.gzip.compress=true \
  --label traefik.http.middlewares.redirect-to-https.redirectscheme.scheme=https \
  --label "traefik.http.routers.$H.entryPoints=http" \
  --label "traefik.http.routers.$H.middlewares=redirect-to-https" \
  --label "traefik.http.routers.$H.rule=Host(\`api.example.com\`) && PathPrefix(\`/\`)" \
  --label "traefik.http.routers.$H.service=$H" \
  --label "traefik.http.routers.$R.entryPoints=https" \
  --label "traefik.http.routers.$R.middlewares=gzip" \
  --label "traefik.http.routers.$R.rule=Host(\`api.example.com\`) && PathPrefix(\`/\`)" \
  --label "traefik.http.routers.$R.service=$R" \
  --label "traefik.http.routers.$R.tls.certresolver=letsencrypt" \
  --label "traefik.http.routers.$R.tls=true" \
  --label "traefik.http.services.$H.loadbalancer.server.port=3001" \
  --label "traefik.http.services.$R.loadbalancer.server.port=3001" \
  --label "caddy_0.encode=zstd gzip" \
  --label "caddy_0.handle_path.0_reverse_proxy={{upstreams 3001}}" \
  --label "caddy_0.handle_path=/*" \
  --label "caddy_0.header=-Server" \
  --label "caddy_0=https://api.example.com" \
  --label caddy_ingress_network=coolify \
  --env "DATABASE_URL=postgres://app:s3cret-password@$DB:5432/app" \
  $IMG httpd -f -p 3001

# A service stack on its own network (Connect To Predefined Networks off).
S="https-0-$SVC-n8n-5877"
run --name n8n-$SVC --network $SVC --network-alias n8n --expose 5678 \
  --label coolify.managed=true --label coolify.version=4.3.11 --label coolify.serviceId=7 \
  --label coolify.type=service --label coolify.name=n8n-$SVC --label coolify.resourceName=n8n-with-postgresql \
  --label coolify.projectName=my-project --label coolify.serviceName=n8n --label coolify.environmentName=production \
  --label coolify.pullRequestId=0 --label coolify.service.subId=15 --label coolify.service.subType=application \
  --label coolify.service.subName=n8n --label com.docker.compose.project=$SVC --label com.docker.compose.service=n8n \
  --label traefik.docker.network=$SVC --label traefik.enable=true \
  --label "traefik.http.routers.$S.entryPoints=https" \
  --label "traefik.http.routers.$S.rule=Host(\`n8n.example.com\`) && PathPrefix(\`/\`)" \
  --label "traefik.http.routers.$S.service=$S" \
  --label "traefik.http.routers.$S.tls=true" \
  --label "traefik.http.routers.$S.tls.certresolver=letsencrypt" \
  --label "traefik.http.services.$S.loadbalancer.server.port=5678" \
  --label "caddy_0=https://n8n.example.com" \
  --label "caddy_0.handle_path.0_reverse_proxy={{upstreams 5678}}" \
  --label caddy_ingress_network=$SVC \
  $IMG httpd -f -p 5678
run --name postgresql-$SVC --network $SVC --network-alias postgresql --expose 5432 \
  --label coolify.managed=true --label coolify.version=4.3.11 --label coolify.serviceId=7 \
  --label coolify.type=service --label coolify.name=postgresql-$SVC --label coolify.resourceName=n8n-with-postgresql \
  --label coolify.projectName=my-project --label coolify.serviceName=postgresql --label coolify.environmentName=production \
  --label coolify.pullRequestId=0 --label coolify.service.subId=16 --label coolify.service.subType=database \
  --label coolify.service.subName=postgresql --label com.docker.compose.project=$SVC \
  --label com.docker.compose.service=postgresql --env POSTGRES_PASSWORD=very-secret $IMG sleep 100000

# A compose build-pack app with predefined networks on: its `postgres` service alias lands on
# coolify too and collides with coolify-db. Its web service is on two networks with no
# traefik.docker.network label, and the proxy is not on the compose network.
run --name postgres-$CMP-095730391184 --network $CMP --network-alias postgres --expose 5432 \
  --label coolify.managed=true --label coolify.applicationId=21 --label coolify.type=application \
  --label coolify.projectName=shop --label coolify.serviceName=postgres --label coolify.environmentName=production \
  --label com.docker.compose.project=$CMP --label com.docker.compose.service=postgres $IMG sleep 100000
$D network connect --alias postgres coolify postgres-$CMP-095730391184
W="https-0-$CMP-web"
run --name web-$CMP-095730391184 --network $CMP --network-alias web --expose 3000 \
  --label coolify.managed=true --label coolify.applicationId=21 --label coolify.type=application \
  --label coolify.projectName=shop --label coolify.serviceName=web --label coolify.environmentName=production \
  --label com.docker.compose.project=$CMP --label com.docker.compose.service=web \
  --label traefik.enable=true \
  --label "traefik.http.routers.$W.entryPoints=https" \
  --label "traefik.http.routers.$W.rule=Host(\`shop.example.com\`)" \
  --label "traefik.http.routers.$W.tls=true" \
  --label "traefik.http.services.$W.loadbalancer.server.port=8080" \
  $IMG httpd -f -p 3000
$D network connect --alias web backend-only web-$CMP-095730391184

# A standalone database, and its public TCP proxy published on all interfaces.
run --name $DB --network coolify --expose 5432 \
  --label coolify.managed=true --label coolify.type=database --label coolify.databaseId=3 \
  --label coolify.resourceName=postgresql-database --label coolify.serviceName=postgresql-database \
  --label coolify.projectName=my-project --label coolify.environmentName=production \
  --label coolify.database.subType=standalone-postgresql --env POSTGRES_PASSWORD=hunter2 $IMG sleep 100000
run --name $DB-proxy --network coolify -p 5433:5433 $IMG sleep 100000

# A stopped app, a container on network none, one on the internal network only.
$D create --label "$label" --name stopped-worker --network coolify --label coolify.managed=true \
  --label coolify.type=application --label coolify.name=stopped-worker $IMG sleep 1 >/dev/null
run --name isolated --network none $IMG sleep 100000
run --name internal-only --network backend-only $IMG sleep 100000

sleep 1
if [ "$mode" = "--demo" ]; then echo "demo destination running; remove it with $0 --remove"; exit 0; fi
ids="$($D ps -aq --filter "label=$label")"
nets="$($D network ls -q --filter "label=$label") $($D network ls -q --filter name='^bridge$') $($D network ls -q --filter name='^none$')"
api() { curl -fsS --unix-socket /var/run/docker.sock "http://localhost/v1.41$1"; }
{
  echo '{"containers": ['
  first=1; for id in $ids; do [ $first = 1 ] || echo ','; first=0; api "/containers/$id/json"; done
  echo '], "networks": ['
  first=1; for id in $nets; do [ $first = 1 ] || echo ','; first=0; api "/networks/$id"; done
  echo ']}'
} > "$out.raw"
python3 - "$out.raw" "$out" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
images = {"coolify-proxy": "traefik:v3.6", "coolify": "ghcr.io/coollabsio/coolify:4.3.11",
          "coolify-db": "postgres:15-alpine", "coolify-redis": "redis:7-alpine",
          "coolify-sentinel": "ghcr.io/coollabsio/sentinel:0.0.16"}
for c in data["containers"]:
    name = c["Name"].lstrip("/")
    image = images.get(name)
    if image is None and (name.startswith("postgres") or name == "ro8kcog4kso4ck0ows4k4wkw"):
        image = "postgres:16-alpine"
    if image is None and name.endswith("-proxy"):
        image = "nginx:stable-alpine"
    if image is None and name.startswith("n8n-"):
        image = "docker.n8n.io/n8nio/n8n:1.80.0"
    c["Config"]["Image"] = image or "ghcr.io/example/app:latest"
    c["Config"]["Labels"].pop("netdoctor.fixture", None)
for n in data["networks"]:
    (n.get("Labels") or {}).pop("netdoctor.fixture", None)
json.dump(data, open(sys.argv[2], "w"), indent=1, sort_keys=True)
PY
rm -f "$out.raw"
echo "recorded $(echo $ids | wc -w) containers and $(echo $nets | wc -w) networks into $out"
