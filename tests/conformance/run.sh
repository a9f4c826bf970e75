#!/usr/bin/env bash
# Kconfig conformance: compares a tool with the kernel's own scripts/kconfig/conf on Debian's
# kernel trees. See tests/conformance/README.md.
#
#   tests/conformance/run.sh --tool PATH [--versions 5.10,6.1,6.12] [--quick] [--filter GLOB]...
#   tests/conformance/run.sh --self-test
set -euo pipefail
exec python3 -B "$(dirname "$0")/conformance.py" "$@"
