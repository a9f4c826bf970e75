#!/usr/bin/env bash
# The CI workload on built kernels: for each arch among the selected variants, that arch's guest
# root filesystem (runner-kernel rootfs, from the repository's lock), then
# `runner-kernel test --workload` on the arch's variants (probe boot and workload boot, verdicts
# recorded beside the artifacts, where `runner-kernel image` reads them). Used by `make`
# (the main job) and by `make test` (tests/kernels/run.sh), so both take one path.
#
# The rootfs suite is a rolling one (src/rootfs/README.md): when the mirror has moved past
# rootfs/<arch>.lock, `runner-kernel rootfs` refuses, as it must, and the lock is changed only on
# purpose. The kernels are still tested: the image is built from the mirror's current packages,
# locked in a scratch copy under the results directory, and this says loudly that the
# repository's lock is stale and how to update it.
#
# Usage: scripts/workload-test.sh [--out DIR] [--artifacts DIR] [--lock-dir DIR] [VARIANT...]
#   VARIANT: a variant, branch or arch (default: every built one); the runner-kernel test
#   options --drop-fragment/--add-fragment are passed through.
# Environment: RK (the runner-kernel binary; default build/tool/runner-kernel).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RK=${RK:-$ROOT/build/tool/runner-kernel}
OUT=$ROOT/out/workload
ARTIFACTS=$ROOT/out
LOCK_DIR=$ROOT/rootfs
declare -a SELECT=() PASS=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$2 && shift 2 ;;
    --artifacts) ARTIFACTS=$2 && PASS+=(--artifacts "$2") && shift 2 ;;
    --lock-dir) LOCK_DIR=$2 && shift 2 ;;
    --drop-fragment | --add-fragment) PASS+=("$1" "$2") && shift 2 ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' && exit 0 ;;
    -*) echo "workload-test: unknown option $1" >&2 && exit 2 ;;
    *) SELECT+=("$1") && shift ;;
  esac
done

# The guest image for ARCH, from the locked versions; on a moved mirror, from its current ones
# in a scratch lock. Prints the image's path.
workload_image() {
  local arch=$1 line
  if line=$("$RK" rootfs --arch "$arch" --quiet --lock-dir "$LOCK_DIR"); then
    echo "$line" | awk '{print $2}'
    return 0
  fi
  local scratch="$OUT/rootfs-lock"
  mkdir -p "$scratch" && rm -f "$scratch/$arch.lock" || return 1
  echo "workload: $LOCK_DIR/$arch.lock no longer matches the Debian mirror (above); testing" \
    "the kernels with the mirror's current packages, locked in $scratch/$arch.lock. Run" \
    "\`runner-kernel rootfs --arch $arch --update\` and commit the lock." >&2
  line=$("$RK" rootfs --arch "$arch" --quiet --update --lock-dir "$scratch") || return 1
  echo "$line" | awk '{print $2}'
}

# selected NAME BRANCH ARCH: whether the variant is among those asked for (all when none).
selected() {
  [ ${#SELECT[@]} -eq 0 ] && return 0
  local s
  for s in "${SELECT[@]}"; do
    [ "$s" = "$1" ] || [ "$s" = "$2" ] || [ "$s" = "$3" ] && return 0
  done
  return 1
}

rc=0 any=0
for arch in x86_64 arm64; do
  kernel=vmlinux
  [ "$arch" = arm64 ] && kernel=Image
  declare -a variants=()
  for dir in "$ARTIFACTS"/*/"$arch"; do
    [ -f "$dir/$kernel" ] || continue
    branch=$(basename "$(dirname "$dir")")
    selected "$branch-$arch" "$branch" "$arch" && variants+=("$branch-$arch")
  done
  [ ${#variants[@]} -gt 0 ] || continue
  any=1
  echo "workload: ${variants[*]} on the $arch root filesystem"
  image=$(workload_image "$arch") && [ -f "$image" ] || {
    echo "workload: no $arch root filesystem image" >&2
    rc=1
    continue
  }
  "$RK" test --workload --rootfs "$image" --out "$OUT/$arch" "${PASS[@]}" "${variants[@]}" || rc=1
done
[ $any -eq 1 ] || { echo "workload: no built kernel selected under $ARTIFACTS" >&2 && exit 1; }
exit $rc
