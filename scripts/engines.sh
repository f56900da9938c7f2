#!/usr/bin/env bash
# The test servers for several-engines tests, all on this machine and on loopback only:
#
#   scripts/engines.sh start    start them (stopping any left from an earlier run first) and
#                               write their addresses to target/tmp/engines/env
#   scripts/engines.sh stop     stop everything `start` started
#   scripts/engines.sh env      print the env file (source it to run the tests by hand)
#
# What `start` brings up:
# - a second Docker Engine (dockerd) with its own data-root, exec-root, pidfile, socket and
#   bridge (nd2-N on 10.213.N.1/24, its networks from 10.M.0.0/16, N and M from the
#   directory so that two checkouts never share them), no iptables rules (it
#   never touches the shared engine's), and no registry (the tests build their busybox image
#   into it through bollard, as the testkit does on the shared engine);
# - the same engine on a TLS TCP socket on 127.0.0.1 (dockerd --tlsverify), with a CA, a server
#   certificate for 127.0.0.1 only and a client certificate made here with openssl, plus a
#   second CA and a client certificate from it for the "untrusted" tests;
# - an OpenSSH server on 127.0.0.1 with a throw-away host key, letting root in with a
#   throw-away client key only; its sessions reach the second engine (SetEnv DOCKER_HOST), so
#   ssh://root@127.0.0.1:PORT runs `docker system dial-stdio` against it.
# Nothing listens beyond loopback. `docker swarm init` is only ever run on this second engine
# (by app/tests/swarm_live.rs, with --listen-addr and --data-path-addr on 127.0.0.1, and left
# again with `swarm leave --force`; the kernel's VXLAN socket of the overlays is UDP 4789 on
# every address, but nothing is sent to it).
set -euo pipefail
declare -F say >/dev/null || source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

ND_ENGINES_DIR="${ND_ENGINES_DIR:-$ND_ROOT/target/tmp/engines}"
# Several checkouts may run their tests at once on one machine: the bridge and the address
# ranges follow from the directory, so two second engines never share them.
ND_ENGINES_HASH="$(printf '%s' "$ND_ENGINES_DIR" | cksum | cut -d' ' -f1)"
ND_ENGINES_BRIDGE="nd2-$((ND_ENGINES_HASH % 65536))"
ND_ENGINES_BRIDGE_CIDR="10.213.$((ND_ENGINES_HASH % 250 + 1)).1/24"
ND_ENGINES_POOL="10.$((ND_ENGINES_HASH % 90 + 120)).0.0/16"

engines_free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    if [ -z "$(ss -Htln "sport = :$port" 2>/dev/null)" ]; then echo "$port"; return 0; fi
  done
  die "no free loopback port found"
}

engines_pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stops a process from its pidfile: TERM, then KILL after $2 seconds.
engines_stop_pidfile() {
  local pidfile="$1" wait="${2:-20}" pid
  engines_pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((wait * 5))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
  rm -f "$pidfile"
}

engines_make_certs() {
  local tls="$ND_ENGINES_DIR/tls"
  [ -f "$tls/done" ] && return 0
  rm -rf "$tls" && mkdir -p "$tls" && chmod 700 "$tls"
  (
    cd "$tls"
    local subj="/O=netdoctor tests"
    for ca in ca other-ca; do
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
        -subj "$subj/CN=netdoctor test $ca" -keyout "$ca-key.pem" -out "$ca.pem" 2>/dev/null
    done
    # name issuer ext: server (127.0.0.1 only, so https://localhost:PORT is "another name"),
    # client, and a client certificate from the other CA.
    sign() {
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$subj/CN=$1" \
        -keyout "$4-key.pem" -out "$4.csr" 2>/dev/null
      printf '%s\n' "$3" >"$4.ext"
      openssl x509 -req -in "$4.csr" -CA "$2.pem" -CAkey "$2-key.pem" -CAcreateserial -days 3650 \
        -extfile "$4.ext" -out "$4.pem" 2>/dev/null
      rm -f "$4.csr" "$4.ext"
    }
    sign "127.0.0.1" ca "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth" server
    sign "netdoctor" ca "extendedKeyUsage=clientAuth" client
    sign "netdoctor" other-ca "extendedKeyUsage=clientAuth" other-client
    chmod 600 ./*.pem
    touch done
  )
}

engines_make_ssh_keys() {
  local ssh="$ND_ENGINES_DIR/ssh"
  mkdir -p "$ssh" && chmod 700 "$ssh"
  [ -f "$ssh/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "netdoctor test host" -f "$ssh/host_ed25519"
  [ -f "$ssh/client_key" ] || ssh-keygen -q -t ed25519 -N '' -C "netdoctor test client" -f "$ssh/client_key"
  [ -f "$ssh/wrong_key" ] || ssh-keygen -q -t ed25519 -N '' -C "a key sshd does not know" -f "$ssh/wrong_key"
  cp "$ssh/client_key.pub" "$ssh/authorized_keys"
  chmod 600 "$ssh/authorized_keys"
}

engines_start_dockerd() {
  local dir="$ND_ENGINES_DIR" tls_port="$1"
  command -v dockerd >/dev/null 2>&1 || apt_install docker.io
  if ! ip link show "$ND_ENGINES_BRIDGE" >/dev/null 2>&1; then
    ip link add "$ND_ENGINES_BRIDGE" type bridge
    ip addr add "$ND_ENGINES_BRIDGE_CIDR" dev "$ND_ENGINES_BRIDGE"
  fi
  ip link set "$ND_ENGINES_BRIDGE" up
  # Always a fresh data-root. A dockerd that finds a default "bridge" network from an earlier
  # run in its store, and has --default-address-pool, deletes the interface named docker0 —
  # by that fixed name, whatever --bridge says — which is the shared engine's bridge
  # (moby's removeDefaultBridgeInterface). An empty store has nothing stale to clear.
  engines_unmount "$dir"
  rm -rf "$dir/data" "$dir/exec"
  mkdir -p "$dir/data" "$dir/exec"
  nohup dockerd \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    --host "unix://$dir/docker.sock" \
    --host "tcp://127.0.0.1:$tls_port" --tlsverify \
    --tlscacert "$dir/tls/ca.pem" --tlscert "$dir/tls/server.pem" --tlskey "$dir/tls/server-key.pem" \
    --bridge "$ND_ENGINES_BRIDGE" --iptables=false --ip-masq=false \
    --default-address-pool "base=$ND_ENGINES_POOL,size=24" \
    --log-level warn >"$dir/dockerd.log" 2>&1 &
  for _ in $(seq 1 120); do
    curl -fsS --max-time 2 --unix-socket "$dir/docker.sock" http://localhost/_ping >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "the second dockerd did not answer within 60 s; see $dir/dockerd.log"
}

engines_start_sshd() {
  local dir="$ND_ENGINES_DIR" port="$1"
  mkdir -p /run/sshd
  cat >"$dir/ssh/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/ssh/host_ed25519
PidFile $dir/ssh/sshd.pid
AuthorizedKeysFile $dir/ssh/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding no
X11Forwarding no
MaxStartups 30:30:100
SetEnv DOCKER_HOST=unix://$dir/docker.sock
EOF
  /usr/sbin/sshd -t -f "$dir/ssh/sshd_config"
  /usr/sbin/sshd -f "$dir/ssh/sshd_config" -E "$dir/ssh/sshd.log"
  for _ in $(seq 1 50); do
    [ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ] && return 0
    sleep 0.1
  done
  die "sshd did not listen on 127.0.0.1:$port; see $dir/ssh/sshd.log"
}

# Unmounts whatever a killed dockerd left mounted under the directory (overlay layers, netns).
engines_unmount() {
  local mounts
  mounts="$(awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)"
  [ -z "$mounts" ] || printf '%s\n' "$mounts" | xargs -r -n1 umount -l 2>/dev/null || true
}

engines_stop() {
  local dir="$ND_ENGINES_DIR"
  [ -d "$dir" ] || return 0
  engines_stop_pidfile "$dir/ssh/sshd.pid" 5
  engines_stop_pidfile "$dir/dockerd.pid" 30
  engines_unmount "$dir"
  if ip link show "$ND_ENGINES_BRIDGE" >/dev/null 2>&1; then
    ip link delete "$ND_ENGINES_BRIDGE" 2>/dev/null || true
  fi
  # `docker swarm init` on the second engine (the swarm tests) makes the bridge docker_gwbridge,
  # by that fixed name, addressed from the second engine's pool; a dockerd that stops while in
  # a swarm leaves the interface behind. Delete it only when its address is from that pool, so a
  # docker_gwbridge of the shared engine is never touched.
  if ip -4 -br addr show docker_gwbridge 2>/dev/null | grep -q " ${ND_ENGINES_POOL%.0.0/16}\."; then
    ip link delete docker_gwbridge 2>/dev/null || true
  fi
  rm -f "$dir/env"
}

engines_start() {
  [ "$(id -u)" = 0 ] || die "the test servers need root (a second dockerd, a bridge, sshd)"
  ensure_test_servers
  command -v curl >/dev/null 2>&1 || apt_install curl ca-certificates
  engines_stop
  mkdir -p "$ND_ENGINES_DIR" && chmod 700 "$ND_ENGINES_DIR"
  engines_make_certs
  engines_make_ssh_keys
  local tls_port ssh_port
  tls_port="$(engines_free_port)"
  ssh_port="$(engines_free_port)"
  say "starting a second Docker Engine and sshd on loopback ($ND_ENGINES_DIR)"
  engines_start_dockerd "$tls_port"
  engines_start_sshd "$ssh_port"
  cat >"$ND_ENGINES_DIR/env" <<EOF
export NETDOCTOR_TEST_ENGINE2=unix://$ND_ENGINES_DIR/docker.sock
export NETDOCTOR_TEST_TLS=https://127.0.0.1:$tls_port
export NETDOCTOR_TEST_TLS_DIR=$ND_ENGINES_DIR/tls
export NETDOCTOR_TEST_SSH=ssh://root@127.0.0.1:$ssh_port
export NETDOCTOR_TEST_SSH_DIR=$ND_ENGINES_DIR/ssh
EOF
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    start) engines_start; cat "$ND_ENGINES_DIR/env" ;;
    stop) engines_stop ;;
    env) cat "$ND_ENGINES_DIR/env" ;;
    *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
fi
