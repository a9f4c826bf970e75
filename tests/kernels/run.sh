#!/usr/bin/env bash
# The kernel tests of `make test`, run after the unit tests and conformance, one step after the
# other (each needs both cores):
#   reproducible    the 6.1-x86_64 runner variant built twice in two object directories gives a
#                   bit-identical vmlinux, and Kbuild kept the resolved .config (a gtest:
#                   KbuildIntegration.Variant61x86_64BuildsAndIsReproducible); its artifacts
#                   land in out/6.1/x86_64/
#   boot-x86_64     that kernel boots in the microVM and passes every probe variants.toml
#                   declares for it
#   workload-x86_64 the same kernel boots the Debian root filesystem (runner-kernel rootfs,
#                   built once per lock; scripts/workload-test.sh, as `make` runs it) with
#                   systemd as PID 1 and runs the CI workload:
#                   dockerd (nft and legacy), published ports, bridge DNS, IPv6, limits,
#                   BuildKit, Compose, rootless Podman, binfmt, kube-proxy's iptables, ipset,
#                   IPVS, NFS, Docker-in-Docker (src/rootfs/README.md); every scenario the
#                   variant's fragments declare must pass, the others pass or report a skip
#   control         the same variant with tests/kernels/no-overlayfs.config appended fails
#                   exactly the overlayfs probe, and `runner-kernel image` refuses to package it
#                   (built incrementally over the second object directory of `reproducible`)
#   control-workload the same variant with tests/kernels/no-ip-nf-raw.config appended (no
#                   iptables raw table): its workload fails exactly the scenario that publishes
#                   a port through iptables-legacy, every probe and other scenario passes, and
#                   `runner-kernel image` refuses it (built incrementally like `control`)
#   boot-arm64      a small arm64 kernel (tests/kernels/arm64-small.config) boots on QEMU's virt
#                   board and passes the probes listed below
# Prints a table, writes out/kernel-tests/junit.xml and results.json, exits 1 when a step fails.
#
# Usage: tests/kernels/run.sh [STEP...]   (default: every step, in the order above)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BUILD_DIR=${BUILD_DIR:-build/tool}
RK=${RK:-$ROOT/$BUILD_DIR/runner-kernel}
RESULTS=${RESULTS:-$ROOT/out/kernel-tests}
ARM64_SMALL_PROBES=mounts,getrandom,virtio-blk,ext4,squashfs,overlayfs,loop,fuse,binfmt-misc,\
config-gz,cgroup2,cgroup1,ns-user,ns-pid,ns-net,ns-mnt,ns-uts,ns-ipc,ns-cgroup,ns-time,seccomp,bpf,\
io-uring,userfaultfd

mkdir -p "$RESULTS"
declare -a NAMES STATUS TIMES
LOG_DIR="$RESULTS/logs"
mkdir -p "$LOG_DIR"

# step NAME FUNCTION: runs it with its output on the terminal and in $LOG_DIR/NAME.log.
step() {
  local name=$1 fn=$2 start rc
  start=$(date +%s)
  echo "==> $name ($(date +%H:%M:%S))"
  "$fn" 2>&1 | tee "$LOG_DIR/$name.log"
  rc=${PIPESTATUS[0]}
  NAMES+=("$name")
  local taken=$(($(date +%s) - start))
  TIMES+=("$taken")
  if [ "$rc" -eq 0 ]; then STATUS+=(pass); else STATUS+=(FAIL); fi
  echo "<== $name: $([ "$rc" -eq 0 ] && echo pass || echo FAIL) in ${taken}s"
}

reproducible() {
  local log="$LOG_DIR/reproducible.gtest"
  RK_BUILD_VARIANT_TESTS=1 "$ROOT/$BUILD_DIR/tests/build_tests" \
    --gtest_filter=KbuildIntegration.Variant61x86_64BuildsAndIsReproducible >"$log" 2>&1
  local rc=$?
  cat "$log"
  # A skip (no 6.1 tree) exits 0 too: only a real pass counts.
  [ "$rc" -eq 0 ] && grep -q '^\[  PASSED  \] 1 test' "$log"
}

boot_x86_64() {
  [ -f out/6.1/x86_64/vmlinux ] || "$RK" build 6.1-x86_64 || return 1
  "$RK" test --variant 6.1-x86_64 --out "$RESULTS/boot-x86_64"
}

workload_x86_64() {
  [ -f out/6.1/x86_64/vmlinux ] || "$RK" build 6.1-x86_64 || return 1
  RK=$RK scripts/workload-test.sh --out "$RESULTS/workload-x86_64" 6.1-x86_64
}

# image_refuses STEP ARTIFACTS TEST: `runner-kernel image` must refuse the 6.1-x86_64 kernel
# under ARTIFACTS because it failed its TEST ("boot test", "workload test"), writing nothing.
image_refuses() {
  local step=$1 artifacts=$2 test=$3 layout="$RESULTS/$1-oci" msg
  rm -rf "$layout"
  if msg=$("$RK" image --artifacts "$artifacts" --arch x86_64 --out "$layout" 2>&1); then
    echo "$step: runner-kernel image packaged a kernel that failed its $test"
    return 1
  fi
  echo "$msg"
  case "$msg" in
    *"6.1-x86_64 failed its $test"*) ;;
    *) echo "$step: image refused for another reason" && return 1 ;;
  esac
  [ ! -e "$layout" ] || { echo "$step: a layout was written" && return 1; }
}

control() {
  # Built incrementally in the reproducibility test's second object directory (the variant's
  # own stays as shipped): Kbuild recompiles what depends on CONFIG_OVERLAY_FS and relinks. A
  # copied or moved object directory would not do: objtool is built with absolute paths, so
  # it is rebuilt there, and every object depends on it.
  local dir=build/6.1-x86_64-repro out=out/control-no-overlayfs
  rm -rf "$out"
  "$RK" build 6.1-x86_64 --add-fragment tests/kernels/no-overlayfs.config --build-dir "$dir" \
    --out "$out" || return 1
  grep -q '^# CONFIG_OVERLAY_FS is not set' "$out/6.1/x86_64/config" || {
    echo "control: the kernel still has overlayfs"
    return 1
  }
  if "$RK" test --variant 6.1-x86_64 --artifacts "$out" --out "$RESULTS/control"; then
    echo "control: the boot test passed a kernel without overlayfs"
    return 1
  fi
  python3 - "$RESULTS/control/results.json" <<'EOF' || return 1
import json, sys
v = json.load(open(sys.argv[1]))["variants"][0]
failed = sorted(p["probe"] for p in v["probes"] if p["required"] and p["status"] != "pass")
passed = sum(1 for p in v["probes"] if p["required"] and p["status"] == "pass")
print(f"control: required probes failing: {failed}; passing: {passed}")
if failed != ["overlayfs"] or passed < 20:
    sys.exit("control: expected exactly the overlayfs probe to fail")
EOF
  image_refuses control "$out" "boot test"
}

control_workload() {
  # Incremental over the same object directory as `control`, which it leaves as shipped.
  local dir=build/6.1-x86_64-repro out=out/control-no-ip-nf-raw
  rm -rf "$out" "$RESULTS/control-workload"
  "$RK" build 6.1-x86_64 --add-fragment tests/kernels/no-ip-nf-raw.config --build-dir "$dir" \
    --out "$out" || return 1
  grep -q '^# CONFIG_IP_NF_RAW is not set' "$out/6.1/x86_64/config" || {
    echo "control-workload: the kernel still has the iptables raw table"
    return 1
  }
  if RK=$RK scripts/workload-test.sh --artifacts "$out" --out "$RESULTS/control-workload" \
    6.1-x86_64; then
    echo "control-workload: the workload passed a kernel without CONFIG_IP_NF_RAW"
    return 1
  fi
  python3 - "$RESULTS/control-workload/x86_64/results.json" <<'EOF' || return 1
import json, sys
variants = json.load(open(sys.argv[1]))["variants"]
probes = next(v for v in variants if not v["variant"].endswith("/workload"))
workload = next(v for v in variants if v["variant"].endswith("/workload"))
bad_probes = [p["probe"] for p in probes["probes"] if p["required"] and p["status"] != "pass"]
# Failed for real (the publish ran and broke), not skipped on a configuration check.
failed = sorted(p["probe"] for p in workload["probes"] if p["required"] and p["status"] != "pass")
really = sorted(p["probe"] for p in workload["probes"] if p["status"] == "fail")
passed = sum(1 for p in workload["probes"] if p["status"] == "pass")
print(f"control-workload: probes failing: {bad_probes}; scenarios failing: {failed} "
      f"(of which ran and failed: {really}); passing: {passed}")
expected = ["docker-iptables-legacy"]
if bad_probes or failed != expected or really != expected or passed < 15:
    sys.exit(f"control-workload: expected every probe to pass and exactly {expected} to fail")
EOF
  image_refuses control-workload "$out" "workload test"
}

boot_arm64() {
  local out=out/arm64-small
  "$RK" build 6.1-arm64 --allconfig tests/kernels/arm64-small.config --allnoconfig \
    --build-dir build/arm64-small --out "$out" || return 1
  "$RK" test --kernel "$out/6.1/arm64/Image" --arch arm64 --require "$ARM64_SMALL_PROBES" \
    --out "$RESULTS/boot-arm64"
}

ALL=(reproducible boot-x86_64 workload-x86_64 control control-workload boot-arm64)
SELECTED=("$@")
[ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${ALL[@]}")
for s in "${SELECTED[@]}"; do
  case "$s" in
    reproducible) step reproducible reproducible ;;
    boot-x86_64) step boot-x86_64 boot_x86_64 ;;
    workload-x86_64) step workload-x86_64 workload_x86_64 ;;
    control) step control control ;;
    control-workload) step control-workload control_workload ;;
    boot-arm64) step boot-arm64 boot_arm64 ;;
    *) echo "unknown step '$s'; the steps are: ${ALL[*]}" >&2 && exit 2 ;;
  esac
done

python3 - "$RESULTS" "${NAMES[@]}" -- "${STATUS[@]}" -- "${TIMES[@]}" <<'EOF'
import json, os, sys
from xml.sax.saxutils import quoteattr
out, rest = sys.argv[1], sys.argv[2:]
i = rest.index("--"); names = rest[:i]; rest = rest[i + 1:]
j = rest.index("--"); status = rest[:j]; secs = [int(s) for s in rest[j + 1:]]
print("\nkernel tests")
print(f"{'step':<16} {'result':<7} {'time':>8}")
for n, s, t in zip(names, status, secs):
    print(f"{n:<16} {s:<7} {t // 60:>4}:{t % 60:02d}")
failures = sum(s != "pass" for s in status)
cases = "".join(
    f'  <testcase classname="kernel-tests" name={quoteattr(n)} time="{t}">'
    + (f'<failure message="see out/kernel-tests/logs/{n}.log"/>' if s != "pass" else "")
    + "</testcase>\n" for n, s, t in zip(names, status, secs))
xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="kernel-tests" '
       f'tests="{len(names)}" failures="{failures}" time="{sum(secs)}">\n{cases}</testsuite>\n')
for name, text in (("junit.xml", xml), ("results.json", json.dumps(
        {"passed": failures == 0, "steps": [{"step": n, "status": s, "seconds": t}
                                             for n, s, t in zip(names, status, secs)]},
        indent=2) + "\n")):
    tmp = os.path.join(out, name + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, os.path.join(out, name))
sys.exit(1 if failures else 0)
EOF
