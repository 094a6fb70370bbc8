"""Figures of the compiler for docs/benchmarks.md ("Compiler: compile").

    .venv/bin/python bench/bench_compile.py [--runs 21] [--clips 2000]

1. Whole-process start-up: ``seedance compile examples/<largest>.shot --format json``
   (and ``--format text``, and ``seedance check`` on the same file) against
   ``python3 -c pass`` (the same interpreter as the venv's), interleaved run by run so that machine noise hits all of them
   alike; medians and ratios.  Bytecode and the grammar/template caches are warm (one
   untimed run first), as after ``pip install``: ``PYTHONDONTWRITEBYTECODE`` is removed
   from the children's environment.
2. A generated 2,000-clip storyboard: check alone, the compiler alone (on the checked
   model), ``rules_check`` alone (what ``seedance check`` adds), and the whole
   ``compile_file``, in process, medians of a few runs; and the ratio to check.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    return e


def run_once(cmd: list[str]) -> float:
    t = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=ROOT, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    elapsed = time.perf_counter() - t
    if done.returncode != 0:  # a failing command is not a figure
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return elapsed


def interleaved(cmds: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    for cmd in cmds.values():  # warm: .pyc, grammar cache, template bytecode cache
        run_once(cmd)
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            times[name].append(run_once(cmd))
    return times


def generate(n_clips: int) -> str:
    """A storyboard of ``n_clips`` clips: assets, packages, roles, chained outputs,
    two or three timed shots per clip, dialogue."""
    lines = [
        'storyboard "Generated"',
        "defaults { tier standard  aspect 16:9  resolution 720p  audio on }",
        "package look {",
        '  style "35mm film, soft contrast"',
        "  keep stable faces, natural motion",
        "  avoid watermark, logo",
        "}",
    ]
    for i in range(20):
        lines.append(f'asset face{i} image "https://cdn.example.com/faces/{i}.png"')
        lines.append(f'asset move{i} video "https://cdn.example.com/moves/{i}.mp4"')
    for c in range(n_clips):
        body = []
        if c % 3 == 1:
            body.append(f"start c{c - 1}.last_frame")
        elif c % 3 == 2:
            body.append(f"ref face{c % 20} as character")
            body.append(f"ref move{c % 20} as motion")
        body.append("use look" if c % 2 else "use standard without subtitles")
        body.append(
            f'shot 3s {{ subject "a traveller number {c}" action "walks along the pier" '
            f'scene "a harbour at dawn" camera "slow dolly-in" }}'
        )
        body.append('shot 2s { action "gulls lift off the railings" camera "static wide" }')
        if c % 2 == 0:
            body.append('shot 3s { action "the ferry horn sounds" say "a sailor" "All aboard!" }')
        lines.append(f"clip c{c} {{\n  " + "\n  ".join(body) + "\n}")
    return "\n".join(lines) + "\n"


def median_time(fn: Callable[[], object], runs: int) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--clips", type=int, default=2000)
    args = ap.parse_args()

    largest = max(ROOT.glob("examples/*.shot"), key=lambda p: p.stat().st_size)
    rel = str(largest.relative_to(ROOT))
    seedance = str(BIN / "seedance")
    cmds = {
        # the interpreter itself (PATH's python3 may be a pyenv shim, a shell script)
        "python3 -c pass": [sys.executable, "-c", "pass"],
        f"seedance compile {rel} --format json": [seedance, "compile", rel, "--format", "json"],
        f"seedance compile {rel}": [seedance, "compile", rel],
        f"seedance check {rel}": [seedance, "check", rel],
        # what validating with the pydantic model would add to the process
        "python -c 'import seedance_dsl.api.models'": [
            sys.executable,
            "-c",
            "import seedance_dsl.api.models",
        ],
        "python -c 'import jinja2.sandbox'": [sys.executable, "-c", "import jinja2.sandbox"],
    }
    times = interleaved(cmds, args.runs)
    base = statistics.median(times["python3 -c pass"])
    print(f"## whole process, median of {args.runs} interleaved runs (ms)\n")
    print("| command | median | min | vs `python3 -c pass` |")
    print("|---|---:|---:|---:|")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"| `{name}` | {med * 1000:.0f} | {min(ts) * 1000:.0f} | {med / base:.1f}× |")

    # what compile adds to check, stage by stage, in fresh processes
    stages = (
        "import json, sys, time\n"
        "from seedance_dsl.check import resolve_file as check_file\n"
        "import seedance_dsl.syntax.report\n"
        f"r = check_file({rel!r})\n"
        "t0 = time.perf_counter()\n"
        "from seedance_dsl.compiler import compile_checked\n"
        "from seedance_dsl.compiler.output import to_json\n"
        "t1 = time.perf_counter()\n"
        "import jinja2, jinja2.sandbox\n"
        "t2 = time.perf_counter()\n"
        "from seedance_dsl.compiler.prompt import load_template\n"
        "load_template()\n"
        "t3 = time.perf_counter()\n"
        "c = compile_checked(r.storyboard)\n"
        "t4 = time.perf_counter()\n"
        "json.dumps(to_json(c))\n"
        "t5 = time.perf_counter()\n"
        "assert 'pydantic' not in sys.modules\n"
        "print(t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)\n"
    )
    rows: list[list[float]] = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", stages], cwd=ROOT, env=env(), capture_output=True, text=True
        )
        rows.append([float(x) for x in out.stdout.split()])
    names = [
        "import the compiler modules",
        "import jinja2 (+ sandbox)",
        "load the built-in template (bytecode cache hit)",
        f"compile_checked({largest.name}) incl. rendering",
        "JSON envelope + dumps",
    ]
    print(f"\n## what compile adds to check, {rel}, fresh process, median of {args.runs} (ms)\n")
    print("| stage | median |")
    print("|---|---:|")
    for i, name in enumerate(names):
        print(f"| {name} | {statistics.median(r[i] for r in rows) * 1000:.1f} |")
    print(f"| total | {statistics.median(sum(r) for r in rows) * 1000:.1f} |")

    # what `seedance check` pays to import the compiler's rule checks (in a fresh process)
    probe = (
        "import time, seedance_dsl.cli.check_cmd as _, seedance_dsl.check, "
        "seedance_dsl.syntax.report\n"
        "import sys\n"
        "for m in [m for m in sys.modules if m.startswith('seedance_dsl.compiler')]:\n"
        "    del sys.modules[m]\n"
        "t = time.perf_counter()\n"
        "import seedance_dsl.compiler.build\n"
        "print(time.perf_counter() - t)\n"
    )
    costs = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=env(), capture_output=True, text=True
        )
        costs.append(float(out.stdout))
    print(
        f"\nimporting the compiler's rule checks into `seedance check`: "
        f"median {statistics.median(costs) * 1000:.1f} ms (of {args.runs} runs)"
    )

    sys.path.insert(0, str(ROOT))
    from seedance_dsl.check import resolve_file as check_file  # parse + resolve only
    from seedance_dsl.compiler import compile_checked, compile_file, rules_check

    OUT.mkdir(parents=True, exist_ok=True)
    gen = OUT / f"generated_{args.clips}.shot"
    gen.write_text(generate(args.clips), encoding="utf-8")
    result = check_file(gen)
    assert result.ok and result.storyboard is not None, result.diagnostics[:3]
    checked = result.storyboard
    compiled = compile_file(gen)
    assert compiled.ok and len(compiled.clips) == args.clips, compiled.diagnostics[:3]
    n = 5
    t_check = median_time(lambda: check_file(gen), n)
    t_compile_only = median_time(lambda: compile_checked(checked), n)
    t_rules = median_time(lambda: rules_check(checked), n)
    t_total = median_time(lambda: compile_file(gen), n)
    lines = sum(1 for _ in gen.open(encoding="utf-8"))
    print(f"\n## {args.clips}-clip storyboard ({lines} lines), in process, median of {n} (ms)\n")
    print("| stage | time | ratio to check |")
    print("|---|---:|---:|")
    print(f"| `check_file` (parse + resolve) | {t_check * 1000:.0f} | 1.00 |")
    print(
        f"| `compile_checked` (compiler alone) | {t_compile_only * 1000:.0f} | "
        f"{t_compile_only / t_check:.2f} |"
    )
    print(
        f"| `rules_check` (what `seedance check` adds) | {t_rules * 1000:.0f} | "
        f"{t_rules / t_check:.2f} |"
    )
    print(f"| `compile_file` (check + compile) | {t_total * 1000:.0f} | {t_total / t_check:.2f} |")
    print(
        f"\nper clip: compile {t_compile_only / args.clips * 1e6:.0f} µs, "
        f"check {t_check / args.clips * 1e6:.0f} µs"
    )

    rel_gen = str(gen.relative_to(ROOT))
    big = interleaved(
        {
            f"seedance check {rel_gen}": [seedance, "check", rel_gen],
            f"seedance compile {rel_gen} --format json": [
                seedance,
                "compile",
                rel_gen,
                "--format",
                "json",
            ],
        },
        max(3, args.runs // 4),
    )
    print(f"\n## {args.clips}-clip storyboard, whole process, median (ms)\n")
    print("| command | median | min | ratio to check |")
    print("|---|---:|---:|---:|")
    base_big = statistics.median(next(iter(big.values())))
    for name, ts in big.items():
        med = statistics.median(ts)
        print(f"| `{name}` | {med * 1000:.0f} | {min(ts) * 1000:.0f} | {med / base_big:.2f} |")


if __name__ == "__main__":
    main()
