"""How the language's passes scale with the size of a file (docs/benchmarks.md,
"Scaling with file size").

Generated storyboards of about 0.1, 1 and 10 MB in several shapes; for each, the time of
``parse`` (syntax tree), ``check`` (parse + resolve), ``format`` (parse + print) and
``compile`` (check + one request per clip), each the best of ``--runs`` runs (CPU time
of this process, so other load on the machine counts less), printed as seconds per MB.  The last column, ``10MB/0.1MB``, is the time per MB of the largest size
over that of the smallest: 1.0 is linear, 100 would be quadratic.

Shapes:

- ``clips``: many small clips (settings, a start frame, a package, two shots);
- ``commented``: the same with a comment on most lines (the formatter places each);
- ``assets``: many assets, each the start frame of one clip (names resolved against a
  large table);
- ``keep``: one package whose ``keep`` list has tens of thousands of phrases (used by
  a few clips).

The Python API is called on the text directly, so no file-size limit applies.

Usage: .venv/bin/python bench/bench_scaling.py [--sizes 0.1,1,10] [--runs 1]
       [--shapes clips,commented,assets,keep]
"""

from __future__ import annotations

import argparse
import functools
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1_000_000


def _clip(i: int, comments: bool, start: str = "") -> str:
    c = "  // " if comments else ""
    lines = [
        f"clip c{i} {{" + ("  // the clip" if comments else ""),
        "  duration 8s" + (f"{c}eight seconds" if comments else ""),
        "  aspect   16:9",
        f"  start    {start or 'station'}" + (f"{c}the first frame" if comments else ""),
        "  use      standard",
        ("  // two shots\n" if comments else "")
        + f'  shot 4s {{ action "the train number {i} pulls in"  camera "slow dolly-in" }}',
        f'  shot 4s {{ subject station  action "passengers step off, scene {i}" }}',
        "}",
        "",
    ]
    return "\n".join(lines)


def gen_clips(size: int, comments: bool = False) -> str:
    head = (
        'storyboard "Scaling"\n\n'
        + ("// the one asset every clip starts from\n" if comments else "")
        + 'asset station image "https://cdn.example.com/station.png"\n\n'
    )
    parts = [head]
    total = len(head)
    i = 0
    while total < size:
        part = _clip(i, comments)
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)


def gen_commented(size: int) -> str:
    return gen_clips(size, comments=True)


def gen_assets(size: int) -> str:
    parts = ['storyboard "Scaling"\n\n']
    total = len(parts[0])
    i = 0
    while total < size:
        part = f'asset a{i} image "https://cdn.example.com/frames/{i}.png"\n' + _clip(
            i, False, start=f"a{i}"
        ).replace("subject station", f"subject a{i}")
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)


def gen_keep(size: int) -> str:
    head = (
        'storyboard "Scaling"\n\nasset station image "https://cdn.example.com/station.png"\n\n'
        'package long {\n  style "35mm film"\n  keep '
    )
    tail = "\n}\n\n" + "".join(
        _clip(i, False).replace("use      standard", "use      long") for i in range(3)
    )
    words: list[str] = []
    total = len(head) + len(tail)
    i = 0
    while total < size:
        w = f"steady word{i} look"
        words.append(w)
        total += len(w) + 2
        i += 1
    return head + ", ".join(words) + tail


SHAPES: dict[str, Callable[[int], str]] = {
    "clips": gen_clips,
    "commented": gen_commented,
    "assets": gen_assets,
    "keep": gen_keep,
}


def passes() -> dict[str, Callable[[str], object]]:
    from seedance_dsl.check import check_text
    from seedance_dsl.compiler.pipeline import compile_text
    from seedance_dsl.syntax.format import format_text
    from seedance_dsl.syntax.parser import parse_text

    def parse(text: str) -> object:
        tree, diags = parse_text(text, "scaling.shot")
        assert tree is not None and not diags, diags[:3]
        return tree

    def check(text: str) -> object:
        result = check_text(text, "scaling.shot")
        assert result.ok, result.diagnostics[:3]
        return result

    def fmt(text: str) -> object:
        out, diags = format_text(text, "scaling.shot")
        assert out is not None, diags[:3]
        return out

    def compile_(text: str) -> object:
        # every clip is compiled; the `keep` shape's prompts are too long for the API
        # (SHOT401), which is reported, not a failure of the measurement
        compiled = compile_text(text, "scaling.shot")
        assert compiled.clips and all(
            d.code == "SHOT401" for d in compiled.diagnostics if d.is_error
        ), compiled.diagnostics[:3]
        return compiled

    return {"parse": parse, "check": check, "format": fmt, "compile": compile_}


def best_of(fn: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="0.1,1,10", help="file sizes in MB (comma-separated)")
    ap.add_argument("--runs", type=int, default=1, help="best of N runs per measurement")
    ap.add_argument("--shapes", default=",".join(SHAPES), help="shapes (comma-separated)")
    args = ap.parse_args(argv)
    sizes = [float(s) for s in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    fns = passes()
    fns["parse"]("clip warm { shot {} }")  # tables loaded once, outside the timings
    print(f"python {sys.version.split()[0]}; best of {args.runs}; seconds per MB")
    head = f"{'shape':<10} {'pass':<8}" + "".join(f"{s:>9g} MB" for s in sizes)
    print(head + (f" {sizes[-1]:g}MB/{sizes[0]:g}MB" if len(sizes) > 1 else ""))
    for shape in shapes:
        texts = [SHAPES[shape](int(s * MB)) for s in sizes]
        for name, fn in fns.items():
            per_mb: list[float] = []
            for text in texts:
                # small inputs are quick: take the best of more runs to tame the noise
                runs = args.runs if len(text) >= MB else max(args.runs, 5)
                t = best_of(functools.partial(fn, text), runs)
                per_mb.append(t / (len(text) / MB))
            row = f"{shape:<10} {name:<8}" + "".join(f"{x:>12.2f}" for x in per_mb)
            if len(per_mb) > 1:
                row += f" {per_mb[-1] / per_mb[0]:>11.2f}"
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
