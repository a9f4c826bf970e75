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
  if timeout "$limit" sh -c ". /usr/local/lib/rk-agent/scenarios.sh; $fn" \
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
      tail -n 60 "$logs/$name.log" | sed "s/^/rk-log: $name: /" > "$console"
      ;;
  esac
}

say "begin workload-1 $arch"
run_scenario systemd-boot 600 scenario_systemd_boot
run_scenario docker-run 600 scenario_docker_run
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

# The test image is made here from busybox-static: no registry is ever contacted.
make_busybox_image() {
  docker image inspect rk/busybox:local > /dev/null 2>&1 && return 0
  dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc"
  cp /bin/busybox "$dir/bin/busybox"
  for applet in sh echo cat ls sleep wget nc httpd ip ping; do
    ln -s busybox "$dir/bin/$applet"
  done
  echo 'root:x:0:0:root:/:/bin/sh' > "$dir/etc/passwd"
  tar -C "$dir" -c . | docker import - rk/busybox:local
  rc=$?
  rm -rf "$dir"
  return $rc
}

scenario_docker_run() {
  systemctl is-active --quiet docker || systemctl start docker || {
    journalctl -b --no-pager -n 40 -u docker -u containerd
    echo "dockerd did not start" >&3
    return 1
  }
  docker version
  make_busybox_image || { echo "docker import failed" >&3; return 1; }
  out=$(docker run --rm --network none rk/busybox:local /bin/sh -c 'echo rk-$((6 * 7))')
  if [ "$out" = rk-42 ]; then
    echo "docker $(docker version --format '{{.Server.Version}}') ran the imported busybox image" >&3
    return 0
  fi
  echo "docker run printed '$out', expected 'rk-42'" >&3
  return 1
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
