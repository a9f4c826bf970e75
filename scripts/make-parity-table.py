#!/usr/bin/env python3
"""Write tests/variants/parity/seed-options.tsv: every option the old per-variant configs set.

The old repository kept one full .config per variant (microvm-kernel-{x86_64,aarch64}-
{5.10,6.1}.config). Every option one of them SETS (a `CONFIG_X=value` line; `# ... is not set`
lines are not settings) must be set the same way in our resolved variant of the same branch
and arch, or be listed in configs/DROPPED.md with a reason. This script extracts those settings
into a table the parity test reads; it does not resolve anything itself.

Usage: scripts/make-parity-table.py [SEED_DIR] [-o OUTPUT]
  SEED_DIR defaults to ../shared/reference/seed relative to the repository root.
"""
import argparse
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (column name = our variant name, old file's arch spelling, branch)
COLUMNS = [
    ("5.10-x86_64", "x86_64", "5.10"),
    ("5.10-arm64", "aarch64", "5.10"),
    ("6.1-x86_64", "x86_64", "6.1"),
    ("6.1-arm64", "aarch64", "6.1"),
]

SET_LINE = re.compile(r"^CONFIG_([A-Za-z0-9_]+)=(.*)$")


def read_settings(path):
    """Map symbol (without CONFIG_) -> value exactly as written in the .config."""
    settings = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            m = SET_LINE.match(line)
            if not m:
                continue
            sym, value = m.group(1), m.group(2)
            if sym in settings and settings[sym] != value:
                sys.exit(f"{path}:{lineno}: CONFIG_{sym} set twice with different values")
            settings[sym] = value
    return settings


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seed_dir", nargs="?",
                    default=os.path.join(REPO, "..", "shared", "reference", "seed"))
    ap.add_argument("-o", "--output",
                    default=os.path.join(REPO, "tests", "variants", "parity", "seed-options.tsv"))
    args = ap.parse_args()

    columns = []
    for name, arch, branch in COLUMNS:
        path = os.path.join(args.seed_dir, f"microvm-kernel-{arch}-{branch}.config")
        if not os.path.isfile(path):
            sys.exit(f"missing old config: {path}")
        columns.append((name, read_settings(path)))

    symbols = sorted(set().union(*(s.keys() for _, s in columns)))
    for sym in symbols:
        for _, settings in columns:
            if "\t" in settings.get(sym, ""):
                sys.exit(f"CONFIG_{sym}: value contains a tab, cannot write TSV")

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as out:
        out.write("symbol\t" + "\t".join(name for name, _ in columns) + "\n")
        for sym in symbols:
            out.write(sym + "\t" + "\t".join(s.get(sym, "-") for _, s in columns) + "\n")
    os.replace(tmp, args.output)
    print(f"{args.output}: {len(symbols)} symbols from {len(columns)} old configs")


if __name__ == "__main__":
    main()
