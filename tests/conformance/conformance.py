#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Kconfig conformance harness: runs the kernel's own scripts/kconfig/conf and a tool that mirrors
its command line on real kernel trees, in the same working directory with the same environment,
and compares what they write line for line.

Entry point is tests/conformance/run.sh; see tests/conformance/README.md. Python 3 stdlib only.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import datetime
import difflib
import fnmatch
import hashlib
import importlib.util
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable

# Nothing of ours, and nothing in the kernel trees (their kconfig test modules are imported),
# gets a __pycache__.
sys.dont_write_bytecode = True

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# The trees come from `runner-kernel fetch`, the main job's own fetch (pins verified, cached).
DEFAULT_FETCHER = REPO / "build" / "tool" / "runner-kernel"

DEFAULT_VERSIONS = ["5.10", "6.1", "6.12"]
QUICK_VERSION = "6.12"
# Kbuild's view of each architecture: the variables `make` is called with.
ARCH_MAKE_VARS = {
    "x86_64": {"ARCH": "x86_64"},
    "i386": {"ARCH": "i386"},
    "arm64": {"ARCH": "arm64", "CROSS_COMPILE": "aarch64-linux-gnu-"},
}
MAIN_ARCHES = ["x86_64", "arm64"]
ALL_MODES = ["allnoconfig", "allyesconfig", "allmodconfig", "alldefconfig"]
# 30 fixed randconfig seeds: (i+1) * 0x9E3779B1 mod 2^32, i = 0..29. Never change them silently:
# known-divergences entries name them.
RAND_SEEDS = ["0x%08x" % (((i + 1) * 0x9E3779B1) & 0xFFFFFFFF) for i in range(30)]
RUN_TIMEOUT_S = 300
INTERACTIVE_NEWLINES = 4096
SETUP_FORMAT = 2  # bump when the setup (objdir, captured environment) changes shape
OUT_MARKER = ".rk-conformance-out"
# Added to the environment of both tools (conf ignores it) so the self-test wrappers find conf.
REF_CONF_VAR = "RK_CONFORMANCE_REF_CONF"

CATEGORY_ORDER = ["defconfig", "savedefconfig", "listnewconfig", "all", "randconfig", "kconfig-tests"]

_print_lock = threading.Lock()


def log(msg: str = "") -> None:
    with _print_lock:
        print(msg, flush=True)


def fmt_elapsed(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


# ---------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------

HEADER_MARKER = "Automatically generated file; DO NOT EDIT."
# Comment styles conf writes its heading in: opening line, line prefix, closing line.
HEADER_STYLES = [("#", "# ", "#"), ("/*", " * ", " */")]


def split_lines(data: bytes) -> list[str]:
    """Lines with their terminators, so a missing final newline is a difference too."""
    return data.decode("utf-8", "surrogateescape").splitlines(keepends=True)


def strip_header(lines: list[str]) -> tuple[list[str], int]:
    """Removes conf's heading block and returns (body, number of lines removed).

    The heading is recognised only at the very top of a file: line 1 is the opening line of a
    comment style ("#" for .config/auto.conf, "/*" for autoconf.h) and line 2 is that style's
    prefix followed by "Automatically generated file; DO NOT EDIT.". It then extends through the
    first later line that is exactly the style's closing line ("#" or " */"); conf writes four
    lines: "#", "# Automatically generated file; DO NOT EDIT.", "# Linux/x86 6.1.x Kernel
    Configuration", "#". Everything after it is compared, including "# CONFIG_X is not set" and
    menu comments that directly follow. A file without that heading is compared whole.
    """
    bare = [ln.rstrip("\r\n") for ln in lines[:2]]
    for opening, prefix, closing in HEADER_STYLES:
        if len(bare) == 2 and bare[0] == opening and bare[1] == prefix + HEADER_MARKER:
            for i in range(2, len(lines)):
                if lines[i].rstrip("\r\n") == closing:
                    return lines[i + 1:], i + 1
            return [], len(lines)
    return lines, 0


@dataclasses.dataclass
class Difference:
    what: str  # "exit status", "file .config", "stdout", ...
    diff: str  # unified diff (or a one-line description)
    first: list[str]  # first few differing lines, for the summary


def diff_texts(what: str, ref: bytes | None, tool: bytes | None, strip: bool) -> Difference | None:
    if ref is None and tool is None:
        return None
    if ref is None or tool is None:
        msg = f"{what}: only the {'tool' if ref is None else 'reference'} wrote it"
        return Difference(what, msg + "\n", [msg])
    a, b = split_lines(ref), split_lines(tool)
    off_a = off_b = 0
    if strip:
        a, off_a = strip_header(a)
        b, off_b = strip_header(b)
    if a == b:
        return None
    udiff = list(difflib.unified_diff(a, b, f"reference/{what}", f"tool/{what}", n=3))
    # Line numbers in hunk headers refer to the bodies; shift them back to file lines.
    if off_a or off_b:
        udiff = [_shift_hunk(h, off_a, off_b) if h.startswith("@@") else h for h in udiff]
    text = "".join(x if x.endswith("\n") else x + "\n\\ No newline at end of file\n" for x in udiff)
    first = [ln.rstrip("\n") for ln in udiff[2:] if ln[:1] in "+-"][:6]
    return Difference(what, text, first)


def _shift_hunk(h: str, off_a: int, off_b: int) -> str:
    try:
        _, minus, plus, rest = h.split(" ", 3)
        def sh(spec: str, off: int) -> str:
            sign, body = spec[0], spec[1:]
            start, _, count = body.partition(",")
            return f"{sign}{int(start) + off}" + (f",{count}" if count else "")
        return f"@@ {sh(minus, off_a)} {sh(plus, off_b)} {rest}"
    except ValueError:
        return h


# ---------------------------------------------------------------------------------------------
# Running one side (reference conf or the tool)
# ---------------------------------------------------------------------------------------------

SIDE_OUTPUTS = [
    "include/config/auto.conf",
    "include/config/auto.conf.cmd",
    "include/generated/autoconf.h",
    "include/generated/rustc_cfg",
]


@dataclasses.dataclass
class Invocation:
    label: str
    args: list[str]  # conf's arguments, without the program
    env: dict[str, str]
    inputs: dict[str, bytes]  # files placed in the working directory first
    outputs: list[str]  # files compared afterwards (relative to the working directory)
    stdin: bytes = b""
    streams: set[str] = dataclasses.field(default_factory=set)  # {"stdout", "stderr"} to compare
    # Big-tree runs start with an empty include/config/auto.conf, as in any objdir Kbuild has
    # configured before: conf then skips writing auto.conf, autoconf.h and thousands of
    # include/config/ files (~0.3-1.5 s of system time per run). Outputs compared don't depend on
    # it (only syncconfig reads auto.conf). --strict drops it to compare those files too.
    used_objdir: bool = False


@dataclasses.dataclass
class SideResult:
    rc: int
    stdout: bytes
    stderr: bytes
    files: dict[str, bytes | None]
    seconds: float
    note: str = ""


def run_side(argv0: list[str], inv: Invocation, rundir: Path, strict: bool) -> SideResult:
    if rundir.exists():
        shutil.rmtree(rundir)
    rundir.mkdir(parents=True)
    if inv.used_objdir and not strict:
        (rundir / "include" / "config").mkdir(parents=True)
        (rundir / "include" / "config" / "auto.conf").write_bytes(b"")
    for rel, data in inv.inputs.items():
        p = rundir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    t0 = time.monotonic()
    note = ""
    try:
        proc = subprocess.Popen(argv0 + inv.args, cwd=rundir, env=inv.env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:
        return SideResult(127, b"", f"cannot execute {argv0[0]}: {e}\n".encode(), {o: None for o in inv.outputs},
                          0.0, f"cannot execute: {e}")
    try:
        out, err = proc.communicate(inv.stdin, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        note = f"timed out after {RUN_TIMEOUT_S}s"
    seconds = time.monotonic() - t0
    names = list(inv.outputs) + (SIDE_OUTPUTS if strict else [])
    files: dict[str, bytes | None] = {}
    for rel in names:
        p = rundir / rel
        files[rel] = p.read_bytes() if p.is_file() else None
    if strict:
        cfg = rundir / "include" / "config"
        listing = None
        if cfg.is_dir():
            listing = "".join(str(p.relative_to(rundir)) + "\n" for p in sorted(cfg.rglob("*")) if p.is_file())
        files["<files under include/config/>"] = listing.encode() if listing is not None else None
    return SideResult(proc.returncode if not note else -9, out, err, files, seconds, note)


def compare_sides(inv: Invocation, ref: SideResult, tool: SideResult, strict: bool) -> list[Difference]:
    diffs: list[Difference] = []
    if ref.rc != tool.rc or tool.note:
        msg = f"exit status: reference {ref.rc}, tool {tool.rc}" + (f" ({tool.note})" if tool.note else "")
        first = [msg]
        tail = tool.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        first += [f"tool stderr: {ln}" for ln in tail]
        diffs.append(Difference("exit status", msg + "\n", first))
    for rel in ref.files:
        d = diff_texts(rel, ref.files.get(rel), tool.files.get(rel), strip=True)
        if d:
            diffs.append(d)
    for stream in ("stdout", "stderr"):
        if stream in inv.streams or strict:
            d = diff_texts(stream, getattr(ref, stream), getattr(tool, stream), strip=False)
            if d:
                diffs.append(d)
    return diffs


# ---------------------------------------------------------------------------------------------
# Cases and jobs
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class CaseResult:
    id: str
    version: str
    category: str
    arch: str
    name: str
    status: str  # identical | mismatch | known | fixed | error
    seconds: float = 0.0
    details: list[str] = dataclasses.field(default_factory=list)
    first_diff: list[str] = dataclasses.field(default_factory=list)
    artifacts: str | None = None
    invocations: int = 0


@dataclasses.dataclass
class VersionCtx:
    version: str
    tree: Path
    debian_version: str
    conf: Path
    kconfig: str  # the Kconfig argument Kbuild passes
    envs: dict[str, dict[str, str]]  # per arch, as Kbuild exports it to conf
    kbuild_allnoconfig: dict[str, Path]  # per arch: .config Kbuild itself produced


class Runner:
    """Shared state for running invocations of both sides."""

    def __init__(self, tool: Path, out: Path, strict: bool):
        self.tool = tool
        self.out = out
        self.work = out / "work"
        self.strict = strict

    def argv(self, ctx_conf: Path, side: str) -> list[str]:
        return [str(ctx_conf)] if side == "ref" else [str(self.tool), "kconfig"]


class CaseBuilder:
    """Collects the invocations of one case, runs both sides, and turns them into a result."""

    def __init__(self, runner: Runner, ctx: VersionCtx, job_slot: str, case_id: str, category: str,
                 arch: str, name: str):
        self.r, self.ctx, self.slot = runner, ctx, job_slot
        self.result = CaseResult(case_id, ctx.version, category, arch, name, "identical")
        self.records: list[tuple[Invocation, SideResult, SideResult]] = []
        self.extra_files: dict[str, bytes] = {}  # kept with the artifacts on mismatch (e.g. inputs)
        self.t0 = time.monotonic()

    def run_ref(self, inv: Invocation) -> SideResult:
        return run_side(self.r.argv(self.ctx.conf, "ref"), inv, self.r.work / self.slot / "run", self.r.strict)

    def run_both(self, inv: Invocation) -> tuple[SideResult, SideResult]:
        rundir = self.r.work / self.slot / "run"
        ref = run_side(self.r.argv(self.ctx.conf, "ref"), inv, rundir, self.r.strict)
        tool = run_side(self.r.argv(self.ctx.conf, "tool"), inv, rundir, self.r.strict)
        shutil.rmtree(rundir, ignore_errors=True)
        self.records.append((inv, ref, tool))
        return ref, tool

    def error(self, msg: str) -> None:
        self.result.status = "error"
        self.result.details.append(msg)
        self.result.first_diff = self.result.first_diff or [msg]

    def finish(self) -> CaseResult:
        res = self.result
        res.seconds = round(time.monotonic() - self.t0, 3)
        res.invocations = len(self.records)
        mismatched = []
        for i, (inv, ref, tool) in enumerate(self.records):
            diffs = compare_sides(inv, ref, tool, self.r.strict)
            if diffs:
                mismatched.append((i, inv, ref, tool, diffs))
        if mismatched and res.status != "error":
            res.status = "mismatch"
            n = len(mismatched)
            inv0, diffs0 = mismatched[0][1], mismatched[0][4]
            res.details.append(f"{n} of {len(self.records)} invocation(s) differ; first: "
                               f"{inv0.label} ({', '.join(d.what for d in diffs0)})")
            res.first_diff = [ln for d in diffs0 for ln in d.first][:6]
        if res.status != "identical":
            self._save(mismatched)
        return res

    def _save(self, mismatched) -> None:
        case_dir = self.r.out / self.result.id
        case_dir.mkdir(parents=True, exist_ok=True)
        self.result.artifacts = str(case_dir)
        for rel, data in self.extra_files.items():
            _write(case_dir / rel, data)
        several = len(mismatched) > 1
        for i, inv, ref, tool, diffs in mismatched[:20]:
            d = case_dir / (f"{i:03d}-{inv.label}" if several else "")
            for side, res in (("reference", ref), ("tool", tool)):
                for rel, data in res.files.items():
                    if data is not None and not rel.startswith("<"):
                        _write(d / side / rel, data)
                _write(d / side / "stdout", res.stdout)
                _write(d / side / "stderr", res.stderr)
                _write(d / side / "exit-status", f"{res.rc}\n".encode())
            for rel, data in inv.inputs.items():
                _write(d / "inputs" / rel, data)
            _write(d / "diff", "".join(x.diff for x in diffs).encode("utf-8", "surrogateescape"))
            _write(d / "repro.sh", _repro_script(inv, inv.used_objdir and not self.r.strict).encode("utf-8", "surrogateescape"), mode=0o755)


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(mode)


def _repro_script(inv: Invocation, used_objdir: bool) -> str:
    env = " \\\n  ".join(shlex.quote(f"{k}={v}") for k, v in sorted(inv.env.items()))
    stdin = ""
    if inv.stdin:
        head = inv.stdin.rstrip(b"\n").decode("utf-8", "replace")
        stdin = (f" < <(printf '%s' {shlex.quote(head)}; yes '' | head -n {INTERACTIVE_NEWLINES})"
                 if head else f" < <(yes '' | head -n {INTERACTIVE_NEWLINES})")
    return f"""#!/usr/bin/env bash
# Re-runs this invocation in a fresh directory with the exact environment both tools got.
# Usage: repro.sh PROGRAM [ARGS...]   e.g.  repro.sh /path/to/conf
#                                           repro.sh /path/to/runner-kernel kconfig
set -euo pipefail
[ $# -ge 1 ] || {{ echo "usage: $0 PROGRAM [ARGS...]" >&2; exit 2; }}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
[ ! -d "$here/inputs" ] || cp -a "$here/inputs/." "$dir/"
cd "$dir"
{"mkdir -p include/config && : >include/config/auto.conf" + chr(10) if used_objdir else ""}echo "running in $dir" >&2
env -i \\
  {env} \\
  "$@" {" ".join(shlex.quote(a) for a in inv.args)}{stdin}
"""


@dataclasses.dataclass
class Job:
    id: str
    case_ids: list[str]  # known up front (empty for kconfig-tests modules)
    weight: float  # rough number of conf runs, to start long jobs first
    run: Callable[[Runner, str], list[CaseResult]]


def tree_inv(label, args, env, inputs, outputs, **kw) -> Invocation:
    """An invocation on a kernel tree (cwd plays Kbuild's objdir)."""
    return Invocation(label, args, env, inputs, outputs, used_objdir=True, **kw)


def make_env(ctx: VersionCtx, arch: str, **extra: str) -> dict[str, str]:
    env = dict(ctx.envs[arch])
    env[REF_CONF_VAR] = str(ctx.conf)
    env.update(extra)
    return env


def defconfig_jobs(ctx: VersionCtx, quick: bool) -> list[Job]:
    jobs = []
    for srcarch in ("x86", "arm64"):
        cfgdir = ctx.tree / "arch" / srcarch / "configs"
        names = sorted(p.name for p in cfgdir.iterdir() if p.name == "defconfig" or p.name.endswith("_defconfig"))
        for name in names:
            arch = "arm64" if srcarch == "arm64" else ("i386" if name.startswith("i386") else "x86_64")
            if quick and name not in ("x86_64_defconfig", "defconfig"):
                continue
            ids = [f"{ctx.version}/{cat}/{arch}/{name}" for cat in ("defconfig", "savedefconfig", "listnewconfig")]
            jobs.append(Job(ids[0], ids, 6, _defconfig_job(ctx, arch, srcarch, name, ids)))
    return jobs


def _defconfig_job(ctx, arch, srcarch, name, ids):
    def run(r: Runner, slot: str) -> list[CaseResult]:
        env = make_env(ctx, arch)
        rel = f"arch/{srcarch}/configs/{name}"
        # 1. --defconfig=FILE, as `make NAME` runs it (path relative to srctree).
        c1 = CaseBuilder(r, ctx, slot, ids[0], "defconfig", arch, name)
        ref, _ = c1.run_both(tree_inv("defconfig", [f"--defconfig={rel}", ctx.kconfig], env, {}, [".config"]))
        cfg = ref.files.get(".config")
        if ref.rc != 0 or cfg is None:
            c1.error(f"reference conf failed (exit {ref.rc}): {ref.stderr.decode(errors='replace')[-300:]}")
        # 2. --savedefconfig=defconfig from the reference's .config, as `make savedefconfig` runs it.
        c2 = CaseBuilder(r, ctx, slot, ids[1], "savedefconfig", arch, name)
        if ref.rc != 0 or cfg is None:
            c2.error(f"reference conf --defconfig failed (exit {ref.rc}); no input for savedefconfig")
        else:
            c2.run_both(tree_inv("savedefconfig", ["--savedefconfig=defconfig", ctx.kconfig], env,
                                   {".config": cfg}, ["defconfig"]))
        # 3. --listnewconfig with the defconfig file itself as .config: lists every symbol it omits.
        c3 = CaseBuilder(r, ctx, slot, ids[2], "listnewconfig", arch, name)
        c3.run_both(tree_inv("listnewconfig", ["--listnewconfig", ctx.kconfig], env,
                               {".config": (ctx.tree / rel).read_bytes()}, [], streams={"stdout"}))
        return [c1.finish(), c2.finish(), c3.finish()]
    return run


def all_jobs(ctx: VersionCtx, quick: bool) -> list[Job]:
    jobs = []
    for arch in MAIN_ARCHES:
        variants = [(m, m, {}) for m in ALL_MODES]
        # KCONFIG_ALLCONFIG (relative: conf finds it through $srctree) and a non-default KCONFIG_CONFIG.
        variants.append(("allnoconfig+tiny.config", "allnoconfig", {"KCONFIG_ALLCONFIG": "kernel/configs/tiny.config"}))
        if arch == "x86_64":
            variants.append(("alldefconfig+KCONFIG_CONFIG", "alldefconfig", {"KCONFIG_CONFIG": "custom.config"}))
        for name, mode, extra in variants:
            if quick and name != "allnoconfig":
                continue
            cid = f"{ctx.version}/all/{arch}/{name}"
            jobs.append(Job(cid, [cid], 2, _all_job(ctx, arch, name, mode, extra, cid)))
    return jobs


def _all_job(ctx, arch, name, mode, extra, cid):
    def run(r: Runner, slot: str) -> list[CaseResult]:
        env = make_env(ctx, arch, **extra)
        out = env.get("KCONFIG_CONFIG", ".config")
        c = CaseBuilder(r, ctx, slot, cid, "all", arch, name)
        ref, _ = c.run_both(tree_inv(mode, [f"--{mode}", ctx.kconfig], env, {}, [out]))
        if ref.rc != 0 or ref.files.get(out) is None:
            c.error(f"reference conf failed (exit {ref.rc}): {ref.stderr.decode(errors='replace')[-300:]}")
        elif name == "allnoconfig" and arch in ctx.kbuild_allnoconfig:
            # Proves the captured environment is faithful: running conf directly must give what
            # Kbuild's own `make allnoconfig` gave.
            kb = ctx.kbuild_allnoconfig[arch].read_bytes()
            if diff_texts(".config", kb, ref.files[out], strip=True):
                c.error("reference conf run by the harness differs from Kbuild's `make allnoconfig`: "
                        "the environment capture is not faithful")
        return [c.finish()]
    return run


def randconfig_jobs(ctx: VersionCtx, quick: bool) -> list[Job]:
    if quick:
        return []
    jobs = []
    for arch in MAIN_ARCHES:
        for seed in RAND_SEEDS:
            cid = f"{ctx.version}/randconfig/{arch}/seed-{seed}"
            jobs.append(Job(cid, [cid], 3, _rand_job(ctx, arch, seed, cid)))
    return jobs


def _rand_job(ctx, arch, seed, cid):
    def run(r: Runner, slot: str) -> list[CaseResult]:
        c = CaseBuilder(r, ctx, slot, cid, "randconfig", arch, f"seed-{seed}")
        gen_env = make_env(ctx, arch, KCONFIG_SEED=seed)
        gen = c.run_ref(tree_inv("randconfig", ["--randconfig", ctx.kconfig], gen_env, {}, [".config"]))
        shutil.rmtree(r.work / slot / "run", ignore_errors=True)
        cfg = gen.files.get(".config")
        if gen.rc != 0 or cfg is None:
            c.error(f"reference conf --randconfig failed (exit {gen.rc}): {gen.stderr.decode(errors='replace')[-300:]}")
            return [c.finish()]
        c.extra_files["randconfig-input.config"] = cfg
        c.run_both(tree_inv("olddefconfig", ["--olddefconfig", ctx.kconfig], make_env(ctx, arch),
                              {".config": cfg}, [".config"]))
        return [c.finish()]
    return run


# --- the tree's own scripts/kconfig/tests ------------------------------------------------------

class _MirrorConf:
    """Offers the fixture API the tree's kconfig test modules call (conf.oldaskconfig(), ...,
    conf.config_contains(), ...). Every run executes the reference conf and then the tool in the
    same directory with the same environment and input; checks are evaluated on the reference's
    results, so the test's control flow is the one upstream sees. Which outputs a check looked at
    decides which streams get compared for that run."""

    def __init__(self, case: CaseBuilder, test_dir: Path, base_env: dict[str, str], clear_defconfig_list: bool):
        self._case = case
        self._dir = test_dir
        self._base_env = base_env
        self._clear_defconfig_list = clear_defconfig_list
        self._last: Invocation | None = None
        self.retcode = None
        self.stdout = self.stderr = ""
        self.config = None

    def _run(self, mode, dot_config=None, out_file=".config", interactive=False, in_keys=None, extra_env=None):
        env = dict(self._base_env)
        env.update(extra_env or {})
        env["srctree"] = str(self._dir)
        if self._clear_defconfig_list:
            env["KCONFIG_DEFCONFIG_LIST"] = ""
        inputs = {}
        if dot_config:
            inputs[".config"] = (self._dir / dot_config).read_bytes()
        stdin = b""
        if interactive:
            stdin = (in_keys or "").encode() + b"\n" * INTERACTIVE_NEWLINES
        elif in_keys:
            stdin = in_keys.encode()
        label = mode.lstrip("-").split("=")[0]
        inv = Invocation(label, [mode, "Kconfig"], env, inputs, [out_file] if out_file else [], stdin)
        ref, _ = self._case.run_both(inv)
        self._last = inv
        self.retcode = ref.rc
        self.stdout = ref.stdout.decode("utf-8", "surrogateescape")
        self.stderr = ref.stderr.decode("utf-8", "surrogateescape")
        data = ref.files.get(out_file) if out_file else None
        self.config = data.decode("utf-8", "surrogateescape") if (ref.rc == 0 and data is not None) else None
        return self.retcode

    # modes
    def oldaskconfig(self, dot_config=None, in_keys=None):
        return self._run("--oldaskconfig", dot_config, interactive=True, in_keys=in_keys)

    def oldconfig(self, dot_config=None, in_keys=None):
        return self._run("--oldconfig", dot_config, interactive=True, in_keys=in_keys)

    def olddefconfig(self, dot_config=None):
        return self._run("--olddefconfig", dot_config)

    def defconfig(self, defconfig):
        return self._run(f"--defconfig={self._dir / defconfig}")

    def _all(self, mode, all_config=None, extra_env=None):
        env = dict(extra_env or {})
        if all_config:
            env["KCONFIG_ALLCONFIG"] = str(self._dir / all_config)
        return self._run(f"--{mode}config", extra_env=env)

    def allyesconfig(self, all_config=None):
        return self._all("allyes", all_config)

    def allmodconfig(self, all_config=None):
        return self._all("allmod", all_config)

    def allnoconfig(self, all_config=None):
        return self._all("allno", all_config)

    def alldefconfig(self, all_config=None):
        return self._all("alldef", all_config)

    def randconfig(self, all_config=None, seed=None):
        return self._all("rand", all_config, {"KCONFIG_SEED": hex(seed)} if seed is not None else None)

    def savedefconfig(self, dot_config):
        return self._run("--savedefconfig=defconfig", dot_config, out_file="defconfig")

    def listnewconfig(self, dot_config=None):
        return self._run("--listnewconfig", dot_config, out_file=None)

    # checks
    def _expected(self, name):
        return (self._dir / name).read_text()

    def _mark(self, attr):
        if self._last is not None and attr in ("stdout", "stderr"):
            self._last.streams.add(attr)

    def _check(self, attr, expected, exact):
        self._mark(attr)
        got = getattr(self, attr)
        want = self._expected(expected)
        if got is None:
            return False
        return got == want if exact else want in got

    def config_contains(self, expected):
        return self._check("config", expected, False)

    def config_matches(self, expected):
        return self._check("config", expected, True)

    def stdout_contains(self, expected):
        return self._check("stdout", expected, False)

    def stdout_matches(self, expected):
        return self._check("stdout", expected, True)

    def stderr_contains(self, expected):
        return self._check("stderr", expected, False)

    def stderr_matches(self, expected):
        return self._check("stderr", expected, True)


def kconfig_test_jobs(ctx: VersionCtx, quick: bool) -> list[Job]:
    root = ctx.tree / "scripts" / "kconfig" / "tests"
    if not root.is_dir():
        return []
    conftest = (root / "conftest.py").read_text() if (root / "conftest.py").is_file() else ""
    clear_list = "KCONFIG_DEFCONFIG_LIST" in conftest
    jobs = []
    for init in sorted(root.rglob("__init__.py")):
        rel = str(init.parent.relative_to(root))
        jid = f"{ctx.version}/kconfig-tests/{rel}"
        jobs.append(Job(jid, [], 0.5, _kconfig_test_job(ctx, init, rel, jid, clear_list)))
    return jobs


def _kconfig_test_job(ctx, init, rel, jid, clear_list):
    def run(r: Runner, slot: str) -> list[CaseResult]:
        modname = "rk_kconfig_test_" + hashlib.sha1(str(init).encode()).hexdigest()[:12]
        try:
            spec = importlib.util.spec_from_file_location(modname, init)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
        except Exception as e:  # noqa: BLE001 - report, don't crash the run
            c = CaseBuilder(r, ctx, slot, jid, "kconfig-tests", "-", rel)
            c.error(f"cannot import {init}: {e}")
            return [c.finish()]
        funcs = [(n, f) for n, f in vars(mod).items() if n.startswith("test") and callable(f)]
        results = []
        for name, func in funcs:
            c = CaseBuilder(r, ctx, slot, f"{jid}/{name}", "kconfig-tests", "-", f"{rel}/{name}")
            conf = _MirrorConf(c, init.parent, make_env(ctx, "x86_64"), clear_list)
            try:
                func(conf)
            except AssertionError:
                tb = traceback.extract_tb(sys.exc_info()[2])[-1]
                c.result.details.append(f"note: the upstream assertion at line {tb.lineno} ({tb.line}) "
                                        "fails with the reference conf itself")
            except Exception as e:  # noqa: BLE001
                c.error(f"test function raised {type(e).__name__}: {e}")
            if not c.records and c.result.status != "error":
                c.error("the test ran no conf invocation")
            results.append(c.finish())
        if not funcs:
            c = CaseBuilder(r, ctx, slot, jid, "kconfig-tests", "-", rel)
            c.error("no test functions found")
            results.append(c.finish())
        return results
    return run


# ---------------------------------------------------------------------------------------------
# Setup: trees, conf, the environment Kbuild gives conf
# ---------------------------------------------------------------------------------------------

def fetch_trees(fetcher: Path, versions: list[str]) -> dict[str, tuple[Path, str]]:
    """Branch -> (tree, origin) as `runner-kernel fetch` prints them (BRANCH ROUTE TREE ORIGIN)."""
    cmd = [str(fetcher), "fetch", "--matrix", str(REPO / "variants.toml")] + versions
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise SystemExit(f"conformance: `{shlex.join(cmd)}` failed (exit {proc.returncode})")
    trees = {}
    for line in proc.stdout.splitlines():
        fields = line.split("\t")
        if len(fields) == 4:
            trees[fields[0]] = (Path(fields[2]), fields[3])
    missing = [v for v in versions if v not in trees]
    if missing:
        raise SystemExit(f"conformance: no tree for {missing}")
    return trees


def minimal_env() -> dict[str, str]:
    """What `make` gets when the harness captures Kbuild's environment: nothing from the caller
    but PATH, HOME and TMPDIR, so results don't depend on who runs the harness."""
    env = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    return env


CAPTURE_WRAPPER = """#!{python}
# Installed by the conformance harness in place of conf for one `make` run: records the
# environment, working directory and arguments Kbuild gives conf, then runs the real conf.
import json, os, sys
with open({out!r}, "w") as f:
    json.dump({{"cwd": os.getcwd(), "argv": sys.argv, "env": dict(os.environ)}}, f, indent=1, sort_keys=True)
os.execv({real!r}, [sys.argv[0]] + sys.argv[1:])
"""


def setup_version(version: str, tree: Path, origin: str, setup_root: Path) -> VersionCtx:
    debver = origin
    d = setup_root / version
    obj = d / "obj"
    conf = obj / "scripts" / "kconfig" / "conf"
    stamp = {"format": SETUP_FORMAT, "tree": str(tree), "debian_version": debver, "env": minimal_env(),
             "arches": ARCH_MAKE_VARS}
    stamp_file = d / "stamp.json"
    captures = {a: d / f"capture-{a}.json" for a in ARCH_MAKE_VARS}
    kbuild = {a: d / f"kbuild-allnoconfig-{a}.config" for a in ARCH_MAKE_VARS}
    fresh = not (stamp_file.is_file() and json.loads(stamp_file.read_text()) == stamp and conf.is_file()
                 and all(p.is_file() for p in captures.values()) and all(p.is_file() for p in kbuild.values()))
    if fresh:
        log(f"[{version}] setup: building conf and capturing Kbuild's environment for {', '.join(ARCH_MAKE_VARS)}")
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        mlog = open(d / "make.log", "wb")

        def make(arch: str, target: str) -> None:
            cmd = ["make", "-C", str(tree), f"O={obj}"] + [f"{k}={v}" for k, v in ARCH_MAKE_VARS[arch].items()] + [target]
            mlog.write(("$ " + shlex.join(cmd) + "\n").encode())
            mlog.flush()
            p = subprocess.run(cmd, env=minimal_env(), stdout=mlog, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            if p.returncode != 0:
                raise SystemExit(f"conformance: [{version}] `{shlex.join(cmd)}` failed; see {d / 'make.log'}")

        make("x86_64", "allnoconfig")  # builds conf
        if not conf.is_file():
            raise SystemExit(f"conformance: [{version}] Kbuild did not build {conf}")
        real = conf.with_name("conf.rk-real")
        os.replace(conf, real)
        try:
            for arch in ARCH_MAKE_VARS:
                # The wrapper is newer than conf's objects and Kbuild's recorded command line is
                # unchanged, so Kbuild runs it rather than relinking conf.
                conf.write_text(CAPTURE_WRAPPER.format(python=sys.executable, out=str(captures[arch]), real=str(real)))
                conf.chmod(0o755)
                (obj / ".config").unlink(missing_ok=True)
                make(arch, "allnoconfig")
                if not captures[arch].is_file():
                    raise SystemExit(f"conformance: [{version}] Kbuild did not run conf through the capture "
                                     f"wrapper for {arch} (it rebuilt conf?); see {d / 'make.log'}")
                shutil.copyfile(obj / ".config", kbuild[arch])
        finally:
            os.replace(real, conf)
        mlog.close()
        stamp_file.write_text(json.dumps(stamp, indent=1, sort_keys=True))
    envs, kconfig = {}, None
    for arch, p in captures.items():
        cap = json.loads(p.read_text())
        argv = cap["argv"]
        if len(argv) != 3 or argv[1] != "--allnoconfig":
            raise SystemExit(f"conformance: [{version}] unexpected conf command line from Kbuild: {argv}")
        if kconfig not in (None, argv[-1]):
            raise SystemExit(f"conformance: [{version}] Kconfig argument differs between arches")
        kconfig = argv[-1]
        envs[arch] = cap["env"]
    return VersionCtx(version, tree, debver, conf, kconfig, envs, kbuild)


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------

def load_known(path: Path) -> list[str]:
    if not path.is_file():
        return []
    ids = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            ids.append(line)
    return ids


def apply_known(results: list[CaseResult], known: set[str]) -> None:
    for r in results:
        if r.id not in known:
            continue
        if r.status == "mismatch":
            r.status = "known"
        elif r.status == "identical":
            r.status = "fixed"
            r.details.append("listed in known-divergences but now identical: remove from known-divergences")


def summary_table(results: list[CaseResult], versions: list[str]) -> str:
    rows = []
    for v in versions:
        cats = [c for c in CATEGORY_ORDER if any(r.version == v and r.category == c for r in results)]
        for c in cats:
            rs = [r for r in results if r.version == v and r.category == c]
            ident = sum(r.status in ("identical", "fixed") for r in rs)
            extra = []
            for st in ("known", "mismatch", "error", "fixed"):
                n = sum(r.status == st for r in rs)
                if n:
                    extra.append(f"{n} {st}")
            rows.append((v, c, f"{ident}/{len(rs)}", ", ".join(extra)))
    w = [max(len(x[i]) for x in rows + [("version", "category", "identical/total", "")]) for i in range(3)]
    lines = [f"{'version':<{w[0]}} | {'category':<{w[1]}} | identical/total",
             f"{'-' * w[0]}-+-{'-' * w[1]}-+-{'-' * w[2]}"]
    for v, c, n, extra in rows:
        lines.append(f"{v:<{w[0]}} | {c:<{w[1]}} | {n:>{w[2]}}" + (f"  ({extra})" if extra else ""))
    return "\n".join(lines)


def write_junit(path: Path, results: list[CaseResult], versions: list[str]) -> None:
    root = ET.Element("testsuites", name="kconfig-conformance")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for v in versions:
        for c in CATEGORY_ORDER:
            rs = [r for r in results if r.version == v and r.category == c]
            if not rs:
                continue
            counts = {"tests": len(rs), "failures": sum(r.status in ("mismatch", "fixed") for r in rs),
                      "errors": sum(r.status == "error" for r in rs), "skipped": sum(r.status == "known" for r in rs)}
            suite = ET.SubElement(root, "testsuite", name=f"{v}/{c}", time=f"{sum(r.seconds for r in rs):.3f}",
                                  **{k: str(n) for k, n in counts.items()})
            for k in totals:
                totals[k] += counts[k]
            for r in rs:
                tc = ET.SubElement(suite, "testcase", classname=f"conformance.{v}.{c}",
                                   name=r.id.split("/", 2)[2], time=f"{r.seconds:.3f}")
                text = "\n".join(r.details + r.first_diff + ([f"artifacts: {r.artifacts}"] if r.artifacts else []))
                if r.status == "mismatch":
                    ET.SubElement(tc, "failure", message="output differs from scripts/kconfig/conf").text = text
                elif r.status == "fixed":
                    ET.SubElement(tc, "failure", message="identical now: remove from known-divergences").text = text
                elif r.status == "error":
                    ET.SubElement(tc, "error", message=(r.details or ["error"])[0][:200]).text = text
                elif r.status == "known":
                    ET.SubElement(tc, "skipped", message="known divergence").text = text
    for k, n in totals.items():
        root.set(k, str(n))
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def prepare_out(out: Path) -> None:
    if out.exists():
        if any(out.iterdir()) and not (out / OUT_MARKER).exists():
            raise SystemExit(f"conformance: refusing to clear {out}: not a conformance output directory")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / OUT_MARKER).write_text("created by tests/conformance/run.sh; cleared on every run\n")


def select(jobs: list[Job], filters: list[str]) -> list[Job]:
    if not filters:
        return jobs
    def hit(j: Job) -> bool:
        return any(fnmatch.fnmatchcase(x, pat) or x.startswith(pat.rstrip("/") + "/")
                   for pat in filters for x in [j.id] + j.case_ids)
    return [j for j in jobs if hit(j)]


def run_version(ctx: VersionCtx, runner: Runner, jobs: list[Job], nproc: int) -> list[CaseResult]:
    t0 = time.monotonic()
    results: list[CaseResult] = []
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].weight)  # stable: long jobs first
    done = 0
    free_slots = [f"slot{i}" for i in range(nproc)]
    slot_lock = threading.Lock()

    def work(job: Job) -> list[CaseResult]:
        with slot_lock:
            slot = free_slots.pop()
        try:
            return job.run(runner, slot)
        except Exception as e:  # noqa: BLE001 - a harness bug in one job must not hide the others
            cids = job.case_ids or [job.id]
            out = []
            for cid in cids:
                parts = cid.split("/")
                out.append(CaseResult(cid, ctx.version, parts[1], parts[2] if len(parts) > 3 else "-",
                                      "/".join(parts[3:]) or parts[-1], "error",
                                      details=[f"harness error: {type(e).__name__}: {e}"],
                                      first_diff=traceback.format_exc().splitlines()[-3:]))
            return out
        finally:
            with slot_lock:
                free_slots.append(slot)

    with concurrent.futures.ThreadPoolExecutor(max_workers=nproc) as pool:
        futs = {pool.submit(work, jobs[i]): jobs[i] for i in order}
        for fut in concurrent.futures.as_completed(futs):
            done += 1
            for r in fut.result():
                results.append(r)
                mark = {"identical": "identical"}.get(r.status, r.status.upper())
                log(f"[{ctx.version} {done:>3}/{len(jobs)} {fmt_elapsed(time.monotonic() - t0)}] "
                    f"{r.id.split('/', 1)[1]}: {mark}" + (f"  ({r.details[0]})" if r.status != "identical" and r.details else ""))
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="tests/conformance/run.sh",
                                 description="Compare a Kconfig tool with the kernel's scripts/kconfig/conf.")
    ap.add_argument("--tool", help="program run as `TOOL kconfig <conf arguments>` (required unless --self-test)")
    ap.add_argument("--versions", default=None, help="comma-separated kernel versions (default 5.10,6.1,6.12)")
    ap.add_argument("--fetch-with", default=os.environ.get("RK", str(DEFAULT_FETCHER)), metavar="RUNNER_KERNEL",
                    help="the runner-kernel whose `fetch` provides the trees (default: $RK, else build/tool/runner-kernel)")
    ap.add_argument("--quick", action="store_true", help="a small subset of one version (the first of --versions, "
                    f"else {QUICK_VERSION}): one defconfig and allnoconfig per arch, plus the kconfig tests")
    ap.add_argument("--filter", action="append", default=[], metavar="GLOB",
                    help="only cases whose id matches (fnmatch; a prefix like 6.12/all also works); repeatable")
    ap.add_argument("--jobs", "-j", type=int, default=int(os.environ.get("RK_CONFORMANCE_JOBS", "2")))
    ap.add_argument("--out", default=str(REPO / "out" / "conformance"), help="results directory (cleared first)")
    ap.add_argument("--setup-dir", default=str(REPO / "out" / "conformance-setup"),
                    help="where conf is built and Kbuild's environment recorded (reused while valid)")
    ap.add_argument("--known", default=str(HERE / "known-divergences.txt"), help="known-divergences file")
    ap.add_argument("--strict", action="store_true", help="also compare stdout, stderr and the include/ files "
                    "conf writes next to .config (auto.conf, autoconf.h, ...) for every case")
    ap.add_argument("--list", action="store_true", help="list the selected jobs and exit")
    ap.add_argument("--self-test", action="store_true", help="prove the harness on one small case with the "
                    "wrappers in tests/conformance/selftest/ (passes only if it catches a broken tool)")
    args = ap.parse_args(argv)

    if args.self_test:
        return self_test(args)
    if not args.tool:
        ap.error("--tool is required")
    tool = Path(args.tool).resolve()
    if not (tool.is_file() and os.access(tool, os.X_OK)):
        print(f"conformance: tool {tool} is not an executable file", file=sys.stderr)
        return 2
    versions = args.versions.split(",") if args.versions else list(DEFAULT_VERSIONS)
    if args.quick:
        versions = versions[:1] if args.versions else [QUICK_VERSION]
    bad = [v for v in versions if v not in DEFAULT_VERSIONS]
    if bad:
        ap.error(f"unsupported versions {bad}; supported: {','.join(DEFAULT_VERSIONS)}")

    t_start = time.monotonic()
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    trees = fetch_trees(Path(args.fetch_with).resolve(), versions)
    out = Path(args.out).resolve()
    prepare_out(out)
    runner = Runner(tool, out, args.strict)
    known_list = load_known(Path(args.known))
    known = set(known_list)

    all_results: list[CaseResult] = []
    per_version = {}
    for v in versions:
        tv = time.monotonic()
        ctx = setup_version(v, trees[v][0], trees[v][1], Path(args.setup_dir).resolve())
        setup_s = time.monotonic() - tv
        jobs = []
        for gen in (defconfig_jobs, all_jobs, randconfig_jobs, kconfig_test_jobs):
            jobs += gen(ctx, args.quick)
        jobs = select(jobs, args.filter)
        if args.list:
            for j in jobs:
                print(j.id)
            continue
        log(f"[{v}] tree {ctx.tree} ({ctx.debian_version}), {len(jobs)} jobs, {args.jobs} in parallel"
            f" (setup {setup_s:.1f}s)")
        tr = time.monotonic()
        cpu0 = os.times()
        results = run_version(ctx, runner, jobs, max(1, args.jobs))
        cpu1 = os.times()
        cpu_s = (cpu1.children_user + cpu1.children_system) - (cpu0.children_user + cpu0.children_system)
        apply_known(results, known)
        key = {c: i for i, c in enumerate(CATEGORY_ORDER)}
        results.sort(key=lambda r: (key.get(r.category, 99), r.id))
        all_results += results
        per_version[v] = {"tree": str(ctx.tree), "debian_version": ctx.debian_version,
                          "setup_s": round(setup_s, 1), "run_s": round(time.monotonic() - tr, 1),
                          "elapsed_s": round(time.monotonic() - tv, 1), "cases": len(results),
                          "compared_invocations": sum(r.invocations for r in results),
                          "cpu_s": round(cpu_s, 1)}
        log(f"[{v}] done in {fmt_elapsed(time.monotonic() - tv)} ({len(results)} cases)")
    if args.list:
        return 0
    shutil.rmtree(runner.work, ignore_errors=True)

    ran_ids = {r.id for r in all_results}
    stale = [k for k in known_list if k not in ran_ids and k.split("/", 1)[0] in versions and not args.filter and not args.quick]
    bad = [r for r in all_results if r.status in ("mismatch", "fixed", "error")]
    ok = not bad
    elapsed = time.monotonic() - t_start

    table = summary_table(all_results, versions)
    report = [table, ""]
    for r in bad + [r for r in all_results if r.status == "known"]:
        if len(report) > 200:
            report.append(f"... more in {out / 'results.json'}")
            break
        report.append(f"{r.status.upper()}: {r.id}")
        report += [f"    {d}" for d in r.details]
        report += [f"    | {ln}" for ln in r.first_diff]
        if r.artifacts:
            report.append(f"    artifacts: {r.artifacts}")
    for k in stale:
        report.append(f"WARNING: known-divergences lists {k}, which no case of this run has (typo or stale?)")
    for v, info in per_version.items():
        report.append(f"{v}: {info['cases']} cases, {info['compared_invocations']} invocations compared, setup {info['setup_s']}s, "
                      f"cases {info['run_s']}s (CPU {info['cpu_s']}s)")
    report.append(f"total {fmt_elapsed(elapsed)}; {'PASS' if ok else 'FAIL'}: "
                  f"{sum(r.status == 'identical' for r in all_results)} identical, "
                  f"{sum(r.status == 'known' for r in all_results)} known, "
                  f"{sum(r.status == 'mismatch' for r in all_results)} mismatch, "
                  f"{sum(r.status == 'fixed' for r in all_results)} fixed-but-listed, "
                  f"{sum(r.status == 'error' for r in all_results)} error")
    text = "\n".join(report)
    log("")
    log(text)
    (out / "summary.txt").write_text(text + "\n")
    results_json = {
        "tool": str(tool), "reference": "scripts/kconfig/conf of each tree", "started": started,
        "elapsed_s": round(elapsed, 1), "ok": ok, "strict": args.strict, "quick": args.quick, "filters": args.filter,
        "known_divergences_file": str(Path(args.known).resolve()), "stale_known_divergences": stale,
        "header_rule": strip_header.__doc__.strip().splitlines()[0], "versions": per_version,
        "cases": [dataclasses.asdict(r) for r in all_results],
    }
    (out / "results.json").write_text(json.dumps(results_json, indent=1) + "\n")
    write_junit(out / "junit.xml", all_results, versions)
    log(f"results: {out / 'results.json'}, {out / 'junit.xml'}")
    return 0 if ok else 1


# ---------------------------------------------------------------------------------------------
# Self-test
# ---------------------------------------------------------------------------------------------

def self_test(args) -> int:
    """Runs the harness four times on one small case set and checks it judges correctly."""
    version = args.versions.split(",")[0] if args.versions else QUICK_VERSION
    good = HERE / "selftest" / "conf-wrapper.sh"
    broken = HERE / "selftest" / "broken-wrapper.sh"
    base = Path(args.out).resolve().parent / "conformance-selftest"
    base.mkdir(parents=True, exist_ok=True)
    filters = [f"{version}/all/x86_64/allnoconfig", f"{version}/kconfig-tests/choice"]
    known_file = base / "known.txt"
    empty_file = base / "empty-known.txt"
    empty_file.write_text("")
    t0 = time.monotonic()

    def run(name: str, tool: Path, known: Path) -> tuple[int, dict]:
        out = base / name
        cmd = [sys.executable, str(Path(__file__).resolve()), "--tool", str(tool), "--versions", version,
               "--fetch-with", args.fetch_with,
               "--out", str(out), "--setup-dir", args.setup_dir, "--known", str(known), "--jobs", str(args.jobs)]
        for f in filters:
            cmd += ["--filter", f]
        log(f"self-test: {name}: {shlex.join(cmd)}")
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        (base / f"{name}.log").write_text(p.stdout)
        res = json.loads((out / "results.json").read_text()) if (out / "results.json").is_file() else {}
        return p.returncode, res

    failures = []

    def expect(cond: bool, msg: str) -> None:
        log(f"self-test:   {'ok  ' if cond else 'FAIL'} {msg}")
        if not cond:
            failures.append(msg)

    rc, res = run("good", good, empty_file)
    cases = res.get("cases", [])
    expect(rc == 0, f"conf vs conf exits 0 (got {rc})")
    expect(len(cases) >= 2 and all(c["status"] == "identical" for c in cases),
           f"conf vs conf: all {len(cases)} cases identical")
    ids = [c["id"] for c in cases]

    rc, res = run("broken", broken, empty_file)
    cases = res.get("cases", [])
    expect(rc == 1, f"broken tool exits 1 (got {rc})")
    expect(bool(cases) and all(c["status"] == "mismatch" for c in cases),
           f"broken tool: all {len(cases)} cases reported as mismatch")
    arts = [c.get("artifacts") for c in cases]
    expect(bool(arts) and all(a and (Path(a) / "diff").is_file() or (a and any(Path(a).glob("*/diff"))) for a in arts),
           "broken tool: every mismatch keeps both outputs and a diff")
    expect(any("all/x86_64/allnoconfig" in c["id"] and c["first_diff"] for c in cases),
           "broken tool: the summary shows the first differing lines")

    known_file.write_text("# self-test\n" + "\n".join(ids) + "\n")
    rc, res = run("broken-known", broken, known_file)
    cases = res.get("cases", [])
    expect(rc == 0, f"broken tool with every case listed as known exits 0 (got {rc})")
    expect(bool(cases) and all(c["status"] == "known" for c in cases), "... and reports them as known")

    rc, res = run("good-known", good, known_file)
    cases = res.get("cases", [])
    expect(rc == 1, f"correct tool with cases listed as known exits 1 (got {rc})")
    expect(bool(cases) and all(c["status"] == "fixed" for c in cases),
           "... and asks to remove them from known-divergences")

    log(f"self-test: {'PASS' if not failures else 'FAIL'} in {fmt_elapsed(time.monotonic() - t0)} (logs in {base})")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
