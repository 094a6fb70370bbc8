"""Whole-process start-up of the language commands, this checkout against another one
(issue 12), recorded in docs/benchmarks.md ("Start-up: plan, check, cold compile").

    .venv/bin/python bench/bench_startup.py --old /work/wt/base/.venv/bin/seedance [--runs 21]

Rows, each a whole process, interleaved run by run (new, old, new, old...) so that the
machine's noise hits both checkouts alike; medians (and minimums):

- ``python -c pass`` (this venv's interpreter): the floor;
- ``seedance plan examples/teaser.shot``, warm (the same cache directory every run);
- ``seedance check examples/glass_train.shot``, warm;
- ``seedance compile examples/teaser.shot``, **cold**: a fresh ``SEEDANCE_CACHE_DIR``
  for every run (a new machine: no grammar tables, no compiled template cached);
- ``seedance plan examples/teaser.shot``, cold (the same).

Bytecode is warm, as after ``pip install`` (which compiles it): ``PYTHONDONTWRITEBYTECODE``
(this machine sets it) is removed from the children's environment and each checkout
writes its ``.pyc`` files under a ``PYTHONPYCACHEPREFIX`` of its own (so the other
checkout is not modified), filled by untimed runs first.  The load average (``uptime``)
is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEW = Path(sys.executable).with_name("seedance")

ROWS = {
    "plan teaser (warm)": (["plan", "examples/teaser.shot"], False),
    "check glass_train (warm)": (["check", "examples/glass_train.shot"], False),
    "compile teaser (cold cache)": (["compile", "examples/teaser.shot"], True),
    "plan teaser (cold cache)": (["plan", "examples/teaser.shot"], True),
}


def run_once(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120
    )
    elapsed = time.perf_counter() - t
    if done.returncode != 0:  # a failing command is not a figure
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", type=Path, required=True, help="another checkout's seedance")
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    exes = {"new": NEW, "old": args.old}
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        root = Path(tmp)
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

        def env(label: str, cold: bool, n: int, row: int = 0) -> dict[str, str]:
            # cold: a cache directory no run used before (per row and run)
            cache = root / label / (f"cold{row}-{n}" if cold else "warm-cache")
            return {
                **base,
                "PYTHONPYCACHEPREFIX": str(root / label / "pyc"),
                "SEEDANCE_CACHE_DIR": str(cache),
                "SEEDANCE_STATE_DIR": str(root / label / f"state{n}"),
            }

        cmds: dict[tuple[str, str], tuple[list[str], bool]] = {}
        for label, exe in exes.items():
            cmds[("python -c pass", label)] = (
                [str(Path(exe).with_name("python")), "-c", "pass"],
                False,
            )
            for row, (argv, cold) in ROWS.items():
                cmds[(row, label)] = ([str(exe), *argv], cold)
        for i, ((_, label), (cmd, cold)) in enumerate(cmds.items()):  # untimed: .pyc, caches
            run_once(cmd, env(label, cold, -1, i))
            run_once(cmd, env(label, False, -2))
        print(f"uptime before: {os.getloadavg()}", flush=True)
        times: dict[tuple[str, str], list[float]] = {k: [] for k in cmds}
        for n in range(args.runs):
            for i, (key, (cmd, cold)) in enumerate(cmds.items()):
                times[key].append(run_once(cmd, env(key[1], cold, n, i)))
        load_after = os.getloadavg()
    print(f"uptime after: {load_after}")
    print(f"\nmedian (min) of {args.runs} interleaved runs, ms\n")
    print("| command | new | old | new / old |")
    print("|---|---:|---:|---:|")
    rows = ["python -c pass", *ROWS]
    for row in rows:
        new, old = times[(row, "new")], times[(row, "old")]
        mn, mo = statistics.median(new) * 1000, statistics.median(old) * 1000
        print(
            f"| {row} | {mn:.0f} ({min(new) * 1000:.0f}) | {mo:.0f} ({min(old) * 1000:.0f})"
            f" | {mn / mo:.2f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
