#!/usr/bin/env bash
# Self-test stand-in for runner-kernel: `conf-wrapper.sh kconfig ARGS...` runs the reference
# scripts/kconfig/conf with ARGS. Compared with conf itself, every case must be identical.
# The harness puts the path of the reference conf in RK_CONFORMANCE_REF_CONF (for both tools).
set -euo pipefail
[ "${1:-}" = kconfig ] || { echo "usage: $0 kconfig CONF-ARGS..." >&2; exit 2; }
shift
exec "${RK_CONFORMANCE_REF_CONF:?not run by the conformance harness}" "$@"
