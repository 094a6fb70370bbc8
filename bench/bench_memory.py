"""Peak memory of `seedance compile` on a big storyboard (issue 12), in docs/benchmarks.md.

Generates a valid storyboard of ``--clips`` clips x 5 shots (6,200 clips: ~4.3 MB) and
measures, each in a fresh process, its peak RSS (the kernel's ``ru_maxrss`` of that one
child, from ``os.wait4``) and wall time, for:

- Lark's own bare LALR parse of the text with ``grammar/shot.lark`` (a plain ``Tree``,
  no transformer): the yardstick;
- ``seedance check``, ``seedance compile --format json`` and ``--format text`` (stdout to
  /dev/null), of this checkout and, with ``--old``, of another one's ``seedance``.

The commands run interleaved, ``--runs`` rounds; the table gives medians and the ratio
of each peak to Lark's.  The generated storyboard must pass ``check`` (exit 0), or the
benchmark stops: a compile of clips with errors would measure something else.

Usage: .venv/bin/python bench/bench_memory.py [--runs 3] [--clips 6200]
       [--old /work/wt/base/.venv/bin/seedance]
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_check  # noqa: E402  (its storyboard generator)

#: Lark's parse, alone: the grammar built as the project builds it (LALR, contextual).
BARE_PARSE = """
import sys
from lark import Lark
parser = Lark(open(sys.argv[1], encoding="utf-8").read(), parser="lalr", lexer="contextual")
tree = parser.parse(open(sys.argv[2], encoding="utf-8").read())
"""


def generate(clips: int = 6200, shots: int = 5) -> str:
    """bench_check.generate's storyboard (valid for check and compile), 6,200 clips."""
    return bench_check.generate(clips, shots)


def peak(cmd: list[str]) -> tuple[float, float, int]:
    """(peak RSS in MiB, wall seconds, exit code) of one fresh process."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, wall, proc.returncode  # ru_maxrss is in KiB on Linux


def commands(path: str, new: str, old: str | None) -> dict[str, list[str]]:
    cmds = {
        "Lark bare LALR parse (grammar/shot.lark, plain tree)": [
            sys.executable,
            "-c",
            BARE_PARSE,
            str(ROOT / "grammar" / "shot.lark"),
            path,
        ],
    }
    for label, exe in (("", new), ("old ", old)):
        if exe is None:
            continue
        cmds[f"{label}seedance check"] = [exe, "check", path]
        cmds[f"{label}seedance compile --format json"] = [exe, "compile", "--format", "json", path]
        cmds[f"{label}seedance compile --format text"] = [exe, "compile", "--format", "text", path]
    return cmds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="interleaved rounds (median)")
    ap.add_argument("--clips", type=int, default=6200, help="clips of the storyboard")
    ap.add_argument("--old", default=None, help="another checkout's seedance, side by side")
    args = ap.parse_args()

    new = str(Path(sys.executable).with_name("seedance"))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.shot")
        text = generate(args.clips)
        Path(path).write_text(text, encoding="utf-8")
        mb = len(text.encode("utf-8")) / 1e6
        for exe in filter(None, (new, args.old)):
            rc = subprocess.run([exe, "check", path], capture_output=True, check=False)
            if rc.returncode != 0:
                print(f"{exe} check: the generated storyboard has problems:", file=sys.stderr)
                print(rc.stdout.decode()[-2000:], rc.stderr.decode()[-2000:], file=sys.stderr)
                return 1
        cmds = commands(path, new, args.old)
        rows: dict[str, list[tuple[float, float, int]]] = {k: [] for k in cmds}
        for _ in range(args.runs):
            for name, cmd in cmds.items():
                rows[name].append(peak(cmd))
    print(f"storyboard: {args.clips} clips x 5 shots, {mb:.2f} MB; median of {args.runs} runs\n")
    print("| command | peak RSS | vs Lark's parse | wall | exit |")
    print("|---|---:|---:|---:|---:|")
    lark = statistics.median(r[0] for r in rows[next(iter(rows))])
    for name, runs in rows.items():
        rss = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        codes = ",".join(sorted({str(r[2]) for r in runs}))
        print(f"| `{name}` | {rss:.0f} MiB | {rss / lark:.2f}x | {wall:.2f} s | {codes} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
