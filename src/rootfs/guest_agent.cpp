#include "rootfs/guest_agent.hpp"

namespace rk::rootfs {
namespace {

// Type=simple, so that the unit's start job is done as soon as the agent runs: the agent then
// waits for the rest of the boot with `systemctl is-system-running --wait`, which would wait
// for its own job forever if the unit were a oneshot. It only runs when the kernel command
// line asks for it (rk.agent), so the image also boots as an ordinary system.
constexpr const char* kUnit = R"unit([Unit]
Description=runner-kernel workload agent (reports on the console, then ends the VM)
After=multi-user.target
ConditionKernelCommandLine=rk.agent

[Service]
Type=simple
ExecStart=/usr/local/sbin/rk-agent
StandardOutput=journal
StandardError=journal
)unit";

// Speaks the probe protocol (src/probe/PROTOCOL.md) on /dev/console. Each scenario runs with
// its output in a log file and a time limit; a failing scenario's log is copied to the console
// (lines prefixed `rk-log: <scenario>: `) so that the host keeps it.
constexpr const char* kAgent = R"sh(#!/bin/sh
# runner-kernel workload agent. Started by rk-agent.service after multi-user.target; reports
# each scenario as a probe result line on the console, then ends the VM.
set -u
console=/dev/console
logs=/run/rk-agent
mkdir -p "$logs"
# Each line starts with a newline: the console may hold a partial line (the serial getty's
# login prompt, a kernel message) and the host only reads protocol lines at a line start.
say() { printf '\nrk-probe: %s\n' "$*" > "$console"; }
case "$(uname -m)" in
  x86_64) arch=x86_64 ;;
  aarch64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac
passed=0 failed=0 skipped=0

# run_scenario NAME LIMIT_SECONDS FUNCTION: the function's output goes to the log; it writes
# its one-line detail to fd 3.
run_scenario() {
  name=$1 limit=$2 fn=$3
  start=$(cut -d' ' -f1 /proc/uptime)
  if timeout "$limit" sh -c "set -x; . /usr/local/lib/rk-agent/scenarios.sh; $fn" \
      > "$logs/$name.log" 2>&1 3> "$logs/$name.detail"; then
    status=pass
  else
    rc=$?
    status=fail
    [ "$rc" -eq 124 ] && echo "timed out after ${limit} s" >> "$logs/$name.detail"
    [ "$rc" -eq 77 ] && status=skip
  fi
  end=$(cut -d' ' -f1 /proc/uptime)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  detail=$(tail -n 1 "$logs/$name.detail" | tr -d '\r')
  say "result $name $status ${detail:-done} (${secs} s)"
  case $status in
    pass) passed=$((passed + 1)) ;;
    skip) skipped=$((skipped + 1)) ;;
    *)
      failed=$((failed + 1))
      tail -n 150 "$logs/$name.log" | sed "s/^/rk-log: $name: /" > "$console"
      ;;
  esac
}

say "begin workload-1 $arch"
# rk.scenarios=a,b on the kernel command line runs only those (default: all, in this order).
only=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^rk\.scenarios=//p' | tr ',' ' ')
for entry in \
    systemd-boot:900:scenario_systemd_boot \
    docker-run:600:scenario_docker_run \
    docker-iptables-nft:300:scenario_docker_iptables_nft \
    docker-publish:300:scenario_docker_publish \
    docker-bridge-dns:300:scenario_docker_bridge_dns \
    docker-memory-limit:300:scenario_docker_memory_limit \
    docker-cpu-pids-limits:300:scenario_docker_cpu_pids_limits \
    buildx-build:600:scenario_buildx_build \
    compose-healthcheck:600:scenario_compose_healthcheck \
    docker-ipv6:300:scenario_docker_ipv6 \
    iptables-statistic:300:scenario_iptables_statistic \
    ipset:120:scenario_ipset \
    ipvs:120:scenario_ipvs \
    nfs:300:scenario_nfs \
    podman-rootless:600:scenario_podman_rootless \
    binfmt-arm64:300:scenario_binfmt_arm64 \
    armhf:300:scenario_armhf \
    docker-in-docker:600:scenario_docker_in_docker \
    docker-iptables-legacy:300:scenario_docker_iptables_legacy; do
  name=${entry%%:*} rest=${entry#*:}
  if [ -n "$only" ]; then
    case " $only " in *" $name "*) ;; *) continue ;; esac
  fi
  run_scenario "$name" "${rest%%:*}" "${rest#*:}"
done
say "end $passed $failed $skipped"
sync
# An x86 microvm without ACPI cannot power off; there the host runs QEMU with -no-reboot and
# a reboot ends the VM.
if [ "$arch" = x86_64 ] && [ ! -d /sys/firmware/acpi ]; then
  systemctl reboot --force --force
else
  systemctl poweroff --force --force
fi
)sh";

// The scenarios, sourced by the agent in a child shell per scenario. Each exits 0 on pass, 77
// on skip, anything else on failure, and writes its one-line detail to fd 3.
constexpr const char* kScenarios = R"sh(# runner-kernel workload scenarios (sourced by rk-agent)

scenario_systemd_boot() {
  state=$(systemctl is-system-running --wait)
  failed_units=$(systemctl list-units --failed --plain --no-legend --no-pager |
    awk '{ printf "%s%s", sep, $1; sep = "," }')
  if [ "$state" = running ] && systemctl is-active --quiet multi-user.target; then
    echo "multi-user.target active, no failed unit" >&3
    return 0
  fi
  systemctl list-units --failed --no-pager
  for u in $(echo "$failed_units" | tr ',' ' '); do
    journalctl -b --no-pager -n 20 -u "$u"
  done
  echo "system state $state, failed units: ${failed_units:-none}" >&3
  return 1
}

# Each scenario declares what it needs: a kernel setting built in (no modules in the image),
# a command, an arch. When one is missing it reports skip with the reason (exit 77).
need_config() {
  for c in "$@"; do
    v=$(zcat /proc/config.gz 2> /dev/null | sed -n "s/^$c=//p")
    [ "$v" = y ] && continue
    echo "needs $c=y (kernel has ${v:-not set})" >&3
    exit 77
  done
}
need_cmd() {
  for c in "$@"; do
    command -v "$c" > /dev/null 2>&1 || { echo "needs $c in the image" >&3; exit 77; }
  done
}
need_arch() {
  [ "$(uname -m)" = "$1" ] || { echo "only on $1" >&3; exit 77; }
}
fail() {
  echo "$*" >&3
  exit 1
}

# A busybox root: every applet linked, /www/index.html for the httpd scenarios.
busybox_rootfs() {
  mkdir -p "$1/bin" "$1/tmp" "$1/etc" "$1/www" "$1/proc" "$1/sys" "$1/dev"
  cp /bin/busybox "$1/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$1/bin/$applet"
  done
  echo 'root:x:0:0:root:/:/bin/sh' > "$1/etc/passwd"
  echo 'root:x:0:' > "$1/etc/group"
  echo rk-www > "$1/www/index.html"
}

# The test image is made here from busybox-static: no registry is ever contacted.
make_busybox_image() {
  docker image inspect rk/busybox:local > /dev/null 2>&1 && return 0
  dir=$(mktemp -d)
  busybox_rootfs "$dir" || return 1
  tar -C "$dir" -c . | docker import -c 'CMD ["/bin/sh"]' - rk/busybox:local
  rc=$?
  rm -rf "$dir"
  return $rc
}

# dockerd up with the current iptables alternative, the busybox image imported.
docker_up() {
  need_config CONFIG_BRIDGE CONFIG_VETH CONFIG_OVERLAY_FS
  systemctl is-active --quiet docker || systemctl start docker || {
    journalctl -b --no-pager -n 60 -u docker -u containerd
    fail "dockerd did not start"
  }
  make_busybox_image || fail "docker import of busybox failed"
}
docker_down() {
  docker ps -aq | xargs -r docker rm -f
  systemctl stop docker.socket docker containerd
}

# curl_until URL EXPECTED: the server may take a moment to listen.
curl_until() {
  i=0
  while [ $i -lt 30 ]; do
    got=$(curl -fsS --max-time 5 "$1") && [ "$got" = "$2" ] && return 0
    i=$((i + 1))
    sleep 1
  done
  echo "curl $1 gave '$got', expected '$2'"
  return 1
}

scenario_docker_run() {
  docker_up
  docker version
  out=$(docker run --rm --network none rk/busybox:local /bin/sh -c 'echo rk-$((6 * 7))')
  [ "$out" = rk-42 ] || fail "docker run printed '$out', expected 'rk-42'"
  echo "docker $(docker version --format '{{.Server.Version}}') ran the imported busybox image" >&3
}

# Both iptables commands to one backend; the other backend's rules are flushed first so that
# two rule sets never filter the same packets.
use_iptables() {
  [ "$(readlink -f /etc/alternatives/iptables)" = "/usr/sbin/xtables-$1-multi" ] && return 0
  docker_down 2> /dev/null
  if [ "$1" = legacy ]; then
    nft flush ruleset 2> /dev/null
  else
    for t in filter nat mangle raw; do
      iptables-legacy -t $t -F 2> /dev/null
      iptables-legacy -t $t -X 2> /dev/null
      ip6tables-legacy -t $t -F 2> /dev/null
      ip6tables-legacy -t $t -X 2> /dev/null
    done
  fi
  update-alternatives --set iptables "/usr/sbin/iptables-$1" &&
    update-alternatives --set ip6tables "/usr/sbin/ip6tables-$1" ||
    fail "update-alternatives to iptables-$1 failed"
}

# dockerd's rules landed in the backend in use: DOCKER chains, and the raw table, where
# Docker 28 drops direct access to published ports.
check_docker_rules() {
  iptables -V
  iptables -t nat -S DOCKER || fail "no DOCKER chain in the nat table ($(iptables -V))"
  iptables -t filter -S DOCKER-USER > /dev/null || fail "no DOCKER-USER chain ($(iptables -V))"
  iptables -t raw -S || fail "no raw table ($(iptables -V))"
}

# A published port reached from the guest: on 127.0.0.1 (docker-proxy) and on the bridge's
# gateway address (DNAT).
publish_check() {
  docker rm -f rk-web > /dev/null 2>&1
  docker run -d --name rk-web -p 8080:80 rk/busybox:local httpd -f -p 80 -h /www ||
    fail "docker run -p 8080:80 failed"
  curl_until http://127.0.0.1:8080/ rk-www || fail "published port 8080 not reached on 127.0.0.1"
  gw=$(docker network inspect bridge --format '{{(index .IPAM.Config 0).Gateway}}')
  curl_until "http://$gw:8080/" rk-www || fail "published port 8080 not reached on $gw"
  iptables -t raw -S
  docker rm -f rk-web
}

scenario_docker_iptables_nft() {
  need_config CONFIG_NF_TABLES CONFIG_NFT_COMPAT CONFIG_NFT_NAT
  use_iptables nft
  docker_up
  check_docker_rules
  iptables -V | grep -q nf_tables || fail "iptables is not the nf_tables one: $(iptables -V)"
  echo "dockerd on $(iptables -V): DOCKER chains and the raw table in nftables" >&3
}

# The kernel's own iptables tables (ip_tables, iptable_nat, iptable_raw, ...): Docker 28 puts
# its published-port protection into the raw table, so a kernel without CONFIG_IP_NF_RAW fails
# here the way a job's `docker run -p` fails (not as a configuration check: the publish runs).
scenario_docker_iptables_legacy() {
  need_config CONFIG_IP_NF_IPTABLES CONFIG_IP_NF_NAT CONFIG_IP6_NF_IPTABLES
  use_iptables legacy
  docker_up
  publish_check
  check_docker_rules
  iptables-legacy -t nat -S DOCKER > /dev/null || fail "iptables-legacy shows no DOCKER chain"
  echo "dockerd on $(iptables -V): its chains, and -p 8080:80 reached with curl" >&3
  use_iptables nft
}

scenario_docker_publish() {
  docker_up
  publish_check
  echo "busybox httpd behind -p 8080:80 answered curl on 127.0.0.1 and the bridge gateway" >&3
}

scenario_docker_bridge_dns() {
  docker_up
  docker network rm rk-net > /dev/null 2>&1
  docker network create rk-net || fail "docker network create failed"
  docker run -d --name rk-srv --network rk-net rk/busybox:local httpd -f -p 80 -h /www ||
    fail "server container did not start"
  out=$(docker run --rm --network rk-net rk/busybox:local sh -c \
    'for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -T 5 -O - http://rk-srv/ && exit 0; sleep 1; done; exit 1')
  docker rm -f rk-srv
  docker network rm rk-net
  [ "$out" = rk-www ] || fail "client to rk-srv by name on a user-defined bridge got '$out'"
  echo "user-defined bridge: a container reached another by name (embedded DNS)" >&3
}

scenario_docker_memory_limit() {
  need_config CONFIG_MEMCG
  docker_up
  max=$(docker run --rm --memory 64m rk/busybox:local cat /sys/fs/cgroup/memory.max)
  [ "$max" = 67108864 ] || fail "memory.max in the container is '$max', expected 67108864"
  # dd allocates its 128 MiB block and fills it: past the limit the kernel OOM-kills it.
  docker rm -f rk-oom > /dev/null 2>&1
  docker run --name rk-oom --memory 64m --memory-swap 64m rk/busybox:local \
    dd if=/dev/zero of=/dev/null bs=128M count=1
  rc=$?
  oom=$(docker inspect rk-oom --format '{{.State.OOMKilled}}')
  docker rm -f rk-oom
  [ "$rc" = 137 ] && [ "$oom" = true ] ||
    fail "a 128 MiB allocation under --memory 64m exited $rc, OOMKilled=$oom"
  echo "memory.max=67108864; a 128 MiB allocation was OOM-killed (exit 137)" >&3
}

scenario_docker_cpu_pids_limits() {
  need_config CONFIG_CGROUP_PIDS CONFIG_CFS_BANDWIDTH
  docker_up
  cpu=$(docker run --rm --cpus 0.5 rk/busybox:local cat /sys/fs/cgroup/cpu.max)
  [ "$cpu" = "50000 100000" ] || fail "cpu.max under --cpus 0.5 is '$cpu'"
  pids=$(docker run --rm --pids-limit 16 rk/busybox:local cat /sys/fs/cgroup/pids.max)
  [ "$pids" = 16 ] || fail "pids.max under --pids-limit 16 is '$pids'"
  # 40 background sleeps in a cgroup of 16 pids: the forks past the limit fail (and end the
  # subshell that tried them: ash gives up on a failed fork).
  alive=$(docker run --rm --pids-limit 16 rk/busybox:local sh -c \
    '(for i in $(seq 40); do sleep 30 & done) 2> /dev/null; read n < /sys/fs/cgroup/pids.current; echo $n')
  [ -n "$alive" ] && [ "$alive" -le 16 ] ||
    fail "pids.max 16: pids.current '$alive' after 40 forks"
  echo "cpu.max '$cpu', pids.max $pids (pids.current $alive after 40 forks)" >&3
}

scenario_buildx_build() {
  docker_up
  docker buildx version || fail "docker buildx missing"
  dir=$(mktemp -d)
  cat > "$dir/Dockerfile" << 'DOCKERFILE'
FROM rk/busybox:local AS build
ARG RK_BUILD
RUN --mount=type=cache,target=/cache echo run $RK_BUILD >> /cache/runs && echo rk-$((6 * 7)) > /out.txt && wc -l < /cache/runs > /runs.txt
FROM rk/busybox:local
COPY --from=build /out.txt /runs.txt /
CMD ["cat", "/out.txt"]
DOCKERFILE
  docker buildx build --builder default --pull=false --progress plain --load -t rk/built:1 \
    --build-arg RK_BUILD=1 "$dir" ||
    fail "docker buildx build failed"
  out=$(docker run --rm rk/built:1)
  [ "$out" = rk-42 ] || fail "the built image printed '$out'"
  # Again with another build argument, so that the RUN step runs again: the cache mount keeps
  # what the first one wrote.
  docker buildx build --builder default --pull=false --progress plain --load \
    -t rk/built:2 --build-arg RK_BUILD=2 "$dir" || fail "second docker buildx build failed"
  runs=$(docker run --rm rk/built:2 cat /runs.txt | tr -d ' ')
  rm -rf "$dir"
  [ "$runs" = 2 ] || fail "cache mount not kept between builds: runs=$runs"
  echo "BuildKit: multi-stage build FROM the local image, RUN cache mount kept across builds" >&3
}

scenario_compose_healthcheck() {
  docker_up
  docker compose version || fail "docker compose missing"
  dir=$(mktemp -d)
  cat > "$dir/compose.yaml" << 'COMPOSE'
services:
  web:
    image: rk/busybox:local
    pull_policy: never
    command: httpd -f -p 80 -h /www
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
      interval: 2s
      timeout: 10s
      retries: 60
  client:
    image: rk/busybox:local
    pull_policy: never
    command: wget -q -O - http://web/
    depends_on:
      web:
        condition: service_healthy
COMPOSE
  out=$(cd "$dir" && docker compose -p rk up --no-color --exit-code-from client 2>&1)
  rc=$?
  echo "$out"
  (cd "$dir" && docker compose -p rk down -t 1)
  rm -rf "$dir"
  [ $rc = 0 ] && echo "$out" | grep -q rk-www || fail "compose up: client exited $rc"
  echo "compose: the client started once web was healthy and fetched its page" >&3
}

scenario_docker_ipv6() {
  need_config CONFIG_IPV6 CONFIG_IP6_NF_IPTABLES CONFIG_IP6_NF_NAT
  docker_up
  docker network rm rk-v6 > /dev/null 2>&1
  docker network create --ipv6 --subnet fd00:72:6b::/64 rk-v6 || fail "IPv6 network create failed"
  docker run -d --name rk-srv6 --network rk-v6 rk/busybox:local httpd -f -p 80 -h /www ||
    fail "server container did not start"
  addr=$(docker inspect rk-srv6 \
    --format '{{(index .NetworkSettings.Networks "rk-v6").GlobalIPv6Address}}')
  out=$(docker run --rm --network rk-v6 rk/busybox:local sh -c \
    "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -T 5 -O - 'http://[$addr]/' && exit 0; sleep 1; done; exit 1")
  docker rm -f rk-srv6
  docker network rm rk-v6
  [ -n "$addr" ] && [ "$out" = rk-www ] || fail "over IPv6 to [$addr]: got '$out'"
  echo "IPv6 network: a container reached another at [$addr]" >&3
}

# Two busybox httpd backends on loopback addresses, each serving its own name.
start_backends() {
  for b in 11 12; do
    ip addr add 10.96.0.$b/32 dev lo 2> /dev/null
    mkdir -p /run/rk-www-$b
    echo backend-$b > /run/rk-www-$b/index.html
    busybox httpd -p 10.96.0.$b:80 -h /run/rk-www-$b
  done
}
stop_backends() {
  pkill -f 'busybox httpd -p 10.96.0.1' 2> /dev/null
}
# count_backends N URL: N connections; a and b are how many each backend answered.
count_backends() {
  a=0 b=0
  for i in $(seq "$1"); do
    case $(curl -fsS --max-time 5 "$2") in
      backend-11) a=$((a + 1)) ;;
      backend-12) b=$((b + 1)) ;;
    esac
  done
}

scenario_iptables_statistic() {
  need_config CONFIG_NETFILTER_XT_MATCH_STATISTIC CONFIG_NF_NAT
  start_backends
  ip addr add 10.96.0.10/32 dev lo 2> /dev/null
  iptables -t nat -N RK-SVC || fail "iptables -t nat -N failed"
  iptables -t nat -A RK-SVC -p tcp -m statistic --mode random --probability 0.5 \
    -j DNAT --to-destination 10.96.0.11:80 || fail "statistic --mode random rule refused"
  iptables -t nat -A RK-SVC -p tcp -j DNAT --to-destination 10.96.0.12:80
  iptables -t nat -I OUTPUT -d 10.96.0.10/32 -p tcp --dport 80 -j RK-SVC
  count_backends 40 http://10.96.0.10/
  iptables -t nat -D OUTPUT -d 10.96.0.10/32 -p tcp --dport 80 -j RK-SVC
  iptables -t nat -F RK-SVC
  iptables -t nat -X RK-SVC
  stop_backends
  [ $a -ge 5 ] && [ $b -ge 5 ] && [ $((a + b)) = 40 ] ||
    fail "40 connections to the service address went $a/$b to the two backends"
  echo "statistic --mode random: 40 connections spread $a/$b over two backends" >&3
}

scenario_ipset() {
  need_config CONFIG_IP_SET CONFIG_IP_SET_HASH_IP CONFIG_NETFILTER_XT_SET
  need_cmd ipset
  start_backends
  ipset create rk-deny hash:ip || fail "ipset create failed"
  ipset add rk-deny 10.96.0.12
  iptables -I OUTPUT -p tcp -m set --match-set rk-deny dst -j REJECT --reject-with tcp-reset ||
    fail "iptables -m set refused"
  ok=$(curl -fsS --max-time 5 http://10.96.0.11/)
  curl -fsS --max-time 5 http://10.96.0.12/ && denied=no || denied=yes
  iptables -D OUTPUT -p tcp -m set --match-set rk-deny dst -j REJECT --reject-with tcp-reset
  ipset destroy rk-deny
  stop_backends
  [ "$ok" = backend-11 ] && [ $denied = yes ] ||
    fail "ipset match: outside the set got '$ok', inside the set rejected: $denied"
  echo "ipset hash:ip in iptables -m set: the member rejected, the other served" >&3
}

scenario_ipvs() {
  need_config CONFIG_IP_VS CONFIG_IP_VS_RR CONFIG_IP_VS_NFCT
  need_cmd ipvsadm
  start_backends
  ip addr add 10.96.0.20/32 dev lo 2> /dev/null
  ipvsadm -A -t 10.96.0.20:80 -s rr || fail "ipvsadm -A failed"
  ipvsadm -a -t 10.96.0.20:80 -r 10.96.0.11:80 -m
  ipvsadm -a -t 10.96.0.20:80 -r 10.96.0.12:80 -m
  ipvsadm -Ln
  count_backends 10 http://10.96.0.20/
  ipvsadm -Ln --stats
  ipvsadm -C
  stop_backends
  [ $a -ge 1 ] && [ $b -ge 1 ] && [ $((a + b)) = 10 ] ||
    fail "IPVS round robin over two real servers: $a/$b of 10 connections"
  echo "IPVS rr virtual service: 10 connections spread $a/$b" >&3
}

scenario_nfs() {
  need_config CONFIG_NFSD CONFIG_NFSD_V4 CONFIG_NFS_FS CONFIG_NFS_V3 CONFIG_NFS_V4
  mkdir -p /srv/rk-nfs /mnt/rk-v3 /mnt/rk-v4
  echo rk-nfs > /srv/rk-nfs/file
  echo '/srv/rk-nfs 127.0.0.1(rw,sync,no_subtree_check,no_root_squash)' > /etc/exports
  systemctl start nfs-server || {
    journalctl -b --no-pager -n 40 -u nfs-server -u rpcbind
    fail "nfs-server did not start"
  }
  exportfs -v
  # vers=4: the newest minor version both sides have (4.0 without CONFIG_NFS_V4_1).
  mount -t nfs -o vers=4 127.0.0.1:/srv/rk-nfs /mnt/rk-v4 || fail "NFSv4 mount over loopback failed"
  mount -t nfs -o vers=3 127.0.0.1:/srv/rk-nfs /mnt/rk-v3 || fail "NFSv3 mount over loopback failed"
  echo written-v4 > /mnt/rk-v4/new
  v3=$(cat /mnt/rk-v3/file)
  v4=$(cat /srv/rk-nfs/new)
  v4vers=$(grep ' /mnt/rk-v4 ' /proc/mounts | sed -n 's/.*vers=\([0-9.]*\).*/\1/p')
  grep rk-v /proc/mounts
  umount /mnt/rk-v3 /mnt/rk-v4
  systemctl stop nfs-server
  [ "$v3" = rk-nfs ] && [ "$v4" = written-v4 ] || fail "over NFS read '$v3', wrote '$v4'"
  echo "NFSv$v4vers and NFSv3 mounts of a loopback export read and write" >&3
}

scenario_podman_rootless() {
  need_config CONFIG_USER_NS CONFIG_OVERLAY_FS
  need_cmd podman newuidmap
  id rk-user > /dev/null 2>&1 || useradd -m -s /bin/sh rk-user || fail "useradd failed"
  grep -q '^rk-user:' /etc/subuid || echo 'rk-user:200000:65536' >> /etc/subuid
  grep -q '^rk-user:' /etc/subgid || echo 'rk-user:200000:65536' >> /etc/subgid
  uid=$(id -u rk-user)
  # Lingering starts the user's systemd: /run/user/UID, a session bus, a delegated cgroup.
  loginctl enable-linger rk-user
  i=0
  while [ ! -S "/run/user/$uid/bus" ] && [ $i -lt 120 ]; do
    sleep 1
    i=$((i + 1))
  done
  dir=$(mktemp -d)
  busybox_rootfs "$dir"
  tar -C "$dir" -cf /tmp/rk-busybox.tar .
  chmod 644 /tmp/rk-busybox.tar
  rm -rf "$dir"
  cd /home/rk-user || fail "no home for rk-user"
  as_user="runuser -u rk-user -- env XDG_RUNTIME_DIR=/run/user/$uid HOME=/home/rk-user"
  as_user="$as_user DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$uid/bus"
  $as_user podman import --change 'CMD ["/bin/sh"]' /tmp/rk-busybox.tar rk/busybox:local ||
    fail "rootless podman import failed"
  out=$($as_user podman run --rm --network none rk/busybox:local \
    sh -c 'echo rk-$((6 * 7)) $(head -n 1 /proc/self/uid_map)')
  $as_user podman info --format '{{.Store.GraphDriverName}} cgroups {{.Host.CgroupsVersion}}'
  loginctl disable-linger rk-user
  case $out in rk-42*) ;; *) fail "rootless podman run printed '$out'" ;; esac
  echo "rootless podman as uid $uid ran the image (uid_map ${out#rk-42 })" >&3
}

scenario_binfmt_arm64() {
  need_arch x86_64
  need_config CONFIG_BINFMT_MISC
  arm=/usr/local/lib/rk-agent/busybox-arm64
  [ -x $arm ] || { echo "no arm64 busybox in the image yet" >&3; exit 77; }
  # systemd mounts binfmt_misc through an automount point, which needs CONFIG_AUTOFS_FS.
  how=""
  if [ ! -f /proc/sys/fs/binfmt_misc/status ]; then
    systemctl status --no-pager proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || fail "binfmt_misc does not mount"
    how=" (binfmt_misc mounted by hand: systemd's automount did not mount it)"
  fi
  [ -f /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || systemctl restart systemd-binfmt
  ls /proc/sys/fs/binfmt_misc /usr/lib/binfmt.d
  cat /proc/sys/fs/binfmt_misc/qemu-aarch64 || fail "no qemu-aarch64 binfmt_misc handler$how"
  out=$($arm sh -c 'echo rk-$((6 * 7)) $(uname -m)')
  [ "$out" = "rk-42 aarch64" ] || fail "arm64 busybox through binfmt_misc printed '$out'"
  docker_up
  dir=$(mktemp -d)
  mkdir -p "$dir/bin"
  cp $arm "$dir/bin/busybox"
  ln -s busybox "$dir/bin/sh"
  ln -s busybox "$dir/bin/uname"
  tar -C "$dir" -c . | docker import --platform linux/arm64 - rk/busybox-arm64:local
  rm -rf "$dir"
  dout=$(docker run --rm --platform linux/arm64 rk/busybox-arm64:local sh -c 'uname -m')
  [ "$dout" = aarch64 ] || fail "docker run --platform linux/arm64 printed '$dout'"
  echo "arm64 busybox ran through qemu-aarch64 (binfmt_misc), and in docker --platform linux/arm64$how" >&3
}

# arm64: the 32-bit (armhf) busybox runs natively through the kernel's compat layer, and as a
# linux/arm/v7 container.
scenario_armhf() {
  need_arch aarch64
  need_config CONFIG_COMPAT
  arm32=/usr/local/lib/rk-agent/busybox-armhf
  [ -x $arm32 ] || fail "no armhf busybox in the image ($arm32)"
  out=$($arm32 sh -c 'echo rk-$((6 * 7)) $(uname -m)')
  case $out in "rk-42 "*) ;; *) fail "armhf busybox printed '$out'" ;; esac
  machine=${out#rk-42 }
  file=$(od -An -tx1 -j4 -N1 $arm32 | tr -d ' ')
  [ "$file" = 01 ] || fail "$arm32 is not a 32-bit ELF (EI_CLASS $file)"
  docker_up
  dir=$(mktemp -d)
  mkdir -p "$dir/bin"
  cp $arm32 "$dir/bin/busybox"
  ln -s busybox "$dir/bin/sh"
  ln -s busybox "$dir/bin/uname"
  tar -C "$dir" -c . | docker import --platform linux/arm/v7 - rk/busybox-armhf:local
  rm -rf "$dir"
  dout=$(docker run --rm --network none --platform linux/arm/v7 rk/busybox-armhf:local \
    sh -c 'echo rk-$((6 * 7)) $(uname -m)')
  [ "$dout" = "$out" ] || fail "docker run --platform linux/arm/v7 printed '$dout'"
  echo "32-bit busybox ran natively (uname -m $machine) and as a linux/arm/v7 container" >&3
}

# Docker-in-Docker the way CI jobs run it: a --privileged container starts its own dockerd on
# overlayfs (its /var/lib/docker a volume, so overlay is not stacked on overlay) and runs a
# container. No registry: the inner daemon is the guest's own docker, containerd and runc
# (/usr bind-mounted read-only into a root of merged-/usr links), the image is loaded from the
# outer daemon.
scenario_docker_in_docker() {
  need_config CONFIG_OVERLAY_FS CONFIG_BRIDGE CONFIG_VETH
  docker_up
  docker rm -f rk-dind > /dev/null 2>&1
  docker volume rm rk-dind-lib > /dev/null 2>&1
  if ! docker image inspect rk/dind:local > /dev/null 2>&1; then
    dir=$(mktemp -d)
    mkdir -p "$dir/etc" "$dir/usr" "$dir/run" "$dir/tmp" "$dir/var/lib/docker" "$dir/proc" \
      "$dir/sys" "$dir/dev" "$dir/root"
    for l in bin sbin lib lib64; do
      [ -L "/$l" ] && ln -s "usr/$l" "$dir/$l"
    done
    ln -s ../run "$dir/var/run"
    cp -a /etc/alternatives /etc/passwd /etc/group "$dir/etc/"
    tar -C "$dir" -c . | docker import - rk/dind:local || fail "docker import of the dind root failed"
    rm -rf "$dir"
  fi
  docker save -o /tmp/rk-busybox-image.tar rk/busybox:local || fail "docker save failed"
  # With cgroup v2 the inner dockerd must not run in the root of its cgroup namespace: the
  # processes move to a leaf so that the controllers can be delegated to its containers.
  docker run -d --privileged --name rk-dind -v /usr:/usr:ro -v rk-dind-lib:/var/lib/docker \
    -v /tmp/rk-busybox-image.tar:/image.tar:ro rk/dind:local /bin/sh -c '
      if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        mkdir -p /sys/fs/cgroup/outer
        for p in $(cat /sys/fs/cgroup/cgroup.procs); do
          echo "$p" > /sys/fs/cgroup/outer/cgroup.procs 2> /dev/null
        done
        for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
          echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control
        done
      fi
      exec dockerd --host unix:///run/docker.sock' || fail "the privileged container did not start"
  i=0
  until docker exec rk-dind docker info > /dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 120 ] || [ "$(docker inspect -f '{{.State.Running}}' rk-dind)" != true ]; then
      docker logs --tail 60 rk-dind
      fail "the inner dockerd did not come up"
    fi
    sleep 1
  done
  driver=$(docker exec rk-dind docker info --format '{{.Driver}}')
  docker exec rk-dind docker load -i /image.tar || fail "the inner docker load failed"
  out=$(docker exec rk-dind docker run --rm --network none rk/busybox:local \
    sh -c 'echo rk-$((6 * 7))')
  [ "$out" = rk-42 ] || { docker logs --tail 60 rk-dind; fail "the inner docker run printed '$out'"; }
  docker rm -f rk-dind > /dev/null
  docker volume rm rk-dind-lib > /dev/null
  rm -f /tmp/rk-busybox-image.tar
  [ "$driver" = overlay2 ] || fail "the inner dockerd uses storage driver '$driver', not overlay2"
  echo "a --privileged container ran its own dockerd (overlay2) and a container in it" >&3
}
)sh";

}  // namespace

const std::vector<GuestFile>& guest_agent_files() {
  static const std::vector<GuestFile> files = {
      {"/usr/local/sbin/rk-agent", 0755, kAgent, ""},
      {"/usr/local/lib/rk-agent/scenarios.sh", 0644, kScenarios, ""},
      {"/etc/systemd/system/rk-agent.service", 0644, kUnit, ""},
      {"/etc/systemd/system/multi-user.target.wants/rk-agent.service", 0777, "",
       "/etc/systemd/system/rk-agent.service"},
  };
  return files;
}

}  // namespace rk::rootfs
