#!/usr/bin/env bash
# Self-test stand-in for a broken runner-kernel: runs the reference conf like conf-wrapper.sh,
# then deletes the last line of the file conf wrote (.config, $KCONFIG_CONFIG or the
# --savedefconfig file). The harness must report every case that writes a file as a mismatch.
set -euo pipefail
[ "${1:-}" = kconfig ] || { echo "usage: $0 kconfig CONF-ARGS..." >&2; exit 2; }
shift
rc=0
"${RK_CONFORMANCE_REF_CONF:?not run by the conformance harness}" "$@" || rc=$?
out="${KCONFIG_CONFIG:-.config}"
for a in "$@"; do
  case "$a" in
    --savedefconfig=*) out="${a#--savedefconfig=}" ;;
    --listnewconfig | --helpnewconfig) out="" ;;
  esac
done
if [ "$rc" -eq 0 ] && [ -n "$out" ] && [ -s "$out" ]; then
  sed -i '$d' "$out"
fi
exit "$rc"
