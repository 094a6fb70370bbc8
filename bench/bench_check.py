"""Benchmarks of the language (`seedance check`), recorded in docs/benchmarks.md.

1. Start-up: the whole process ``seedance check examples/<largest>.shot``, median of
   ``--runs`` runs, interleaved with ``python -c pass`` (and, for reference, the imports
   of click and of click+lark) in the same run, so the ratios are side by side.
2. Throughput: a generated storyboard of 2,000 clips x 5 shots; ``check`` (parse +
   resolve) in MB/s, and the ratio of our parse+resolve (and our parse alone) to Lark's
   bare LALR parse of the same text (a plain Lark tree, no transformer).

Usage: .venv/bin/python bench/bench_check.py [--runs 15] [--size-runs 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def largest_example() -> Path:
    return max((ROOT / "examples").glob("*.shot"), key=lambda p: p.stat().st_size)


def seedance_command() -> list[str]:
    script = Path(sys.executable).with_name("seedance")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "seedance_dsl"]


def wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=ROOT)
    return time.perf_counter() - t


def startup(runs: int) -> dict[str, float]:
    # Byte-compile the package first, as an installed wheel is: with
    # PYTHONDONTWRITEBYTECODE set (this machine sets it), a module edited since its .pyc
    # was written would otherwise be recompiled from source on every run.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "seedance_dsl")], check=True
    )
    example = largest_example()
    cmds = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import click'": [sys.executable, "-c", "import click"],
        "python -c 'import click, lark'": [sys.executable, "-c", "import click, lark"],
        f"seedance check {example.relative_to(ROOT)}": [
            *seedance_command(),
            "check",
            str(example.relative_to(ROOT)),
        ],
    }
    for cmd in cmds.values():  # warm the OS cache, .pyc files and the parser cache
        wall(cmd)
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            times[name].append(wall(cmd))
    return {k: statistics.median(v) for k, v in times.items()}


def generate(clips: int = 2000, shots: int = 5) -> str:
    """A valid storyboard: every clip chained to the previous one's last frame and given
    a character reference (so it names its mode: without it, SHOT323 on every clip),
    five shots each.  bench_memory.py measures the same file."""
    out = ['storyboard "Generated"', "", "defaults {", "  tier   standard", "  aspect 16:9"]
    out += ["  duration 10s", "}", ""]
    for i in range(50):
        out.append(f'asset a{i} image "https://cdn.example.com/a/{i}.png"')
    out.append('package look { style "35mm film" keep stable faces avoid watermark, logo }')
    for c in range(clips):
        hero = f"a{(c + 1) % 50}"
        out.append(f"clip c{c} {{")
        out.append("  start a0" if c == 0 else f"  start c{c - 1}.last_frame")
        out.append(f"  ref {hero} as character")
        out.append("  mode media-to-video")
        out.append("  use look")
        out.append("  use standard without subtitles")
        for s in range(shots):
            out.append(
                f'  shot 2s {{ subject {hero}  action "walks through scene {s} of clip {c}" '
                f' camera "slow dolly-in"  say {hero} "Line {s}." }}'
            )
        out.append("}")
    return "\n".join(out) + "\n"


def generate_cast(clips: int = 2000, shots: int = 5) -> str:
    """The same storyboard in the second edition's style: 50 characters and a product
    declared once, the packages and the product in ``defaults``, every shot naming a
    cast member (which brings its reference: no ``ref`` lines)."""
    out = ['storyboard "Generated"', "", "defaults {", "  tier   standard", "  aspect 16:9"]
    out += ["  duration 10s", "  mode media-to-video", "  use look"]
    out += ["  use standard without subtitles", "  cast lamp"]
    out += ["}", ""]
    for i in range(50):
        out.append(f'asset a{i} image "https://cdn.example.com/a/{i}.png"')
        out.append(f'character m{i} {{ ref a{i}  look "person number {i}, in a grey coat" }}')
    out.append('asset lamp_img image "https://cdn.example.com/lamp.png"')
    out.append('product lamp { ref lamp_img  look "a white ring-shaped lamp" }')
    out.append('package look { style "35mm film" keep stable faces avoid watermark, logo }')
    for c in range(clips):
        hero = f"m{(c + 1) % 50}"
        out.append(f"clip c{c} {{")
        out.append("  start a0" if c == 0 else f"  start c{c - 1}.last_frame")
        for s in range(shots):
            out.append(
                f'  shot 2s {{ subject {hero}  action "walks through scene {s} of clip {c}" '
                f' camera "slow dolly-in"  say {hero} "Line {s}." }}'
            )
        out.append("}")
    return "\n".join(out) + "\n"


def best_of(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def throughput(runs: int, cast: bool = False) -> dict[str, float]:
    from lark import Lark

    from seedance_dsl.check import resolve_text as check_text  # the language front end
    from seedance_dsl.syntax.grammar import grammar_text
    from seedance_dsl.syntax.parser import parse_text

    text = generate_cast() if cast else generate()
    bare = Lark(grammar_text(), parser="lalr", lexer="contextual")
    result = check_text(text, "generated.shot")
    assert result.ok and len(result.storyboard.clips) == 2000, result.diagnostics[:3]  # type: ignore[union-attr]
    t_bare: list[float] = []
    t_parse: list[float] = []
    t_check: list[float] = []
    for _ in range(runs):  # interleaved, so load on the machine hits all three alike
        t_bare += best_of(lambda: bare.parse(text), 1)
        t_parse += best_of(lambda: parse_text(text, "generated.shot"), 1)
        t_check += best_of(lambda: check_text(text, "generated.shot"), 1)
    mb = len(text.encode("utf-8")) / 1e6
    b, p, c = (statistics.median(x) for x in (t_bare, t_parse, t_check))
    return {"MB": mb, "bare": b, "parse": p, "check": c, "MB/s": mb / c}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, help="start-up runs (median)")
    ap.add_argument("--size-runs", type=int, default=5, help="throughput runs (median)")
    args = ap.parse_args()

    print(f"## start-up: median of {args.runs} interleaved runs (whole process)\n")
    res = startup(args.runs)
    base = res["python -c pass"]
    print("| command | median | vs `python -c pass` |")
    print("|---|---:|---:|")
    for name, t in res.items():
        print(f"| `{name}` | {t * 1000:.0f} ms | +{(t - base) * 1000:.0f} ms ({t / base:.1f}x) |")

    print(f"\n## throughput: 2,000 clips x 5 shots, median of {args.size_runs} interleaved runs\n")
    tp = throughput(args.size_runs)
    print(f"size: {tp['MB']:.2f} MB")
    print("| step | median | ratio to Lark's bare parse |")
    print("|---|---:|---:|")
    print(f"| Lark bare LALR parse (plain tree) | {tp['bare']:.2f} s | 1.00 |")
    print(
        f"| our parse (typed tree, spans, comments) | {tp['parse']:.2f} s | {tp['parse'] / tp['bare']:.2f} |"
    )
    print(f"| our check (parse + resolve) | {tp['check']:.2f} s | {tp['check'] / tp['bare']:.2f} |")
    print(f"\ncheck throughput: {tp['MB/s']:.2f} MB/s")

    print(f"\n## the same in the second edition's style (cast + defaults), {args.size_runs} runs\n")
    tp = throughput(args.size_runs, cast=True)
    print(f"size: {tp['MB']:.2f} MB")
    print("| step | median | ratio to Lark's bare parse |")
    print("|---|---:|---:|")
    print(f"| Lark bare LALR parse (plain tree) | {tp['bare']:.2f} s | 1.00 |")
    print(
        f"| our parse (typed tree, spans, comments) | {tp['parse']:.2f} s | {tp['parse'] / tp['bare']:.2f} |"
    )
    print(f"| our check (parse + resolve) | {tp['check']:.2f} s | {tp['check'] / tp['bare']:.2f} |")
    print(f"\ncheck throughput: {tp['MB/s']:.2f} MB/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
