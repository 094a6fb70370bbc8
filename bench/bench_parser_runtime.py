"""Our LALR runtime (seedance_dsl/syntax/lalr.py) against Lark's standalone generator,
side by side in one run; recorded in docs/benchmarks.md ("Parser runtime").

The contenders, each parsing the same text:

- ``ours``: ``seedance_dsl.syntax.parser.parse_file`` / ``parse_text`` (this tree);
- ``ours (base)``: the same, from the code before this round (``--base``, default
  /work/wt/base, run with its own interpreter), when that tree exists;
- ``standalone + builder``: the module ``python -m lark.tools.standalone grammar/shot.lark
  --keep_all_tokens`` generates, driving OUR tree builder as its transformer (the typed
  tree with spans and comments that ``parse_file`` returns — the trees are checked equal),
  without error recovery (which Lark's generated parser does not have);
- ``standalone bare``: the generated module alone, building Lark's plain ``Tree`` (what
  the review measured: no typed tree, no spans, no comments; the collector paused in
  the throughput runs).

1. Start-up: the whole process parsing examples/glass_train.shot, median of ``--runs``
   interleaved runs (plus ``python -c pass`` and ``seedance check`` of the same file).
2. Throughput: generated storyboards of 2,000 and 5,000 clips (bench_check.generate),
   one parse per fresh process per round (warmed on a small file first), median of
   ``--rounds`` interleaved rounds, in MB/s.

Usage: .venv/bin/python bench/bench_parser_runtime.py [--runs 15] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "glass_train.shot"

ADAPTER = '''
"""Lark's generated standalone parser, driving seedance's tree builder."""
import shot_standalone as S
from seedance_dsl.syntax import nodes as n
from seedance_dsl.syntax.build import TreeBuilder
from seedance_dsl.syntax.lalr import Token
from seedance_dsl.syntax.parser import no_gc


def _ours(t):
    return Token(t.type, str(t), t.start_pos, t.line, t.column, t.end_line, t.end_column, t.end_pos)


class Builder(TreeBuilder):
    __slots__ = ()

    # the two places the builder tells its own tokens from nodes by class
    def span_of(self, first, last):
        a = first if isinstance(first, (S.Token, Token)) else first.span
        b = last if isinstance(last, (S.Token, Token)) else last.span
        return n.Span(self.file, a.line, a.column, b.end_line, b.end_column, a.start_pos, b.end_pos)

    def shot(self, c):
        return super().shot([_ours(x) if isinstance(x, S.Token) else x for x in c])


def parse_text(text, file="<text>"):
    b = Builder(file, text)
    with no_gc():  # as parse_text does
        tree = S.Lark_StandAlone(transformer=b, lexer_callbacks={"COMMENT": b.comment}).parse(text)
    return tree, b.diagnostics


def parse_file(path):
    with open(path, encoding="utf-8") as f:
        return parse_text(f.read(), str(path))


def parse_bare(text):
    with no_gc():
        return S.Lark_StandAlone().parse(text)
'''

CHILD = """
import sys, time, json
sys.path.insert(0, {gen!r})
sys.path.insert(0, {bench!r})
from bench_check import generate
kind, clips = {kind!r}, {clips!r}
text = generate(clips, 5)
small = open({example!r}, encoding="utf-8").read()
if kind == "ours":
    from seedance_dsl.syntax.parser import parse_text as parse
    run = lambda t: parse(t, "g.shot")
elif kind == "builder":
    import standalone_adapter as A
    run = lambda t: A.parse_text(t, "g.shot")
else:
    import standalone_adapter as A
    run = A.parse_bare
import gc
run(small)
gc.collect()
t = time.perf_counter()
run(text)
print(json.dumps({{"s": time.perf_counter() - t, "mb": len(text.encode()) / 1e6}}))
"""


def generate_standalone(out: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "lark.tools.standalone",
            str(ROOT / "grammar" / "shot.lark"),
            "--keep_all_tokens",
            "-o",
            str(out / "shot_standalone.py"),
        ],
        check=True,
    )
    (out / "standalone_adapter.py").write_text(ADAPTER, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(out)], check=True)


def wall(cmd: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
    took = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(f"{cmd} failed: {proc.stderr.decode()[-2000:]}")
    return took


def contenders(gen: Path, base: Path | None) -> dict[str, tuple[list[str], Path]]:
    py = sys.executable
    path = str(EXAMPLE)
    seedance = Path(py).with_name("seedance")
    cmds: dict[str, tuple[list[str], Path]] = {
        "python -c pass": ([py, "-c", "pass"], ROOT),
        "ours: parse_file": (
            [py, "-c", f"from seedance_dsl.syntax.parser import parse_file; parse_file({path!r})"],
            ROOT,
        ),
    }
    if base is not None:
        cmds["ours (base): parse_file"] = (
            [
                str(base / ".venv" / "bin" / "python"),
                "-c",
                f"from seedance_dsl.syntax.parser import parse_file; parse_file({path!r})",
            ],
            base,
        )
    cmds["standalone + builder: parse_file"] = (
        [
            py,
            "-c",
            f"import sys; sys.path.insert(0, {str(gen)!r}); "
            f"import standalone_adapter as A; A.parse_file({path!r})",
        ],
        ROOT,
    )
    cmds["standalone bare: parse"] = (
        [
            py,
            "-c",
            f"import sys; sys.path.insert(0, {str(gen)!r}); import shot_standalone as S; "
            f"S.Lark_StandAlone().parse(open({path!r}).read())",
        ],
        ROOT,
    )
    if seedance.exists():
        cmds["ours: seedance check"] = ([str(seedance), "check", path], ROOT)
    return cmds


def startup(gen: Path, base: Path | None, runs: int) -> dict[str, tuple[float, float]]:
    cmds = contenders(gen, base)
    for cmd, cwd in cmds.values():  # warm the OS cache, .pyc files, the tables cache
        wall(cmd, cwd)
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, (cmd, cwd) in cmds.items():
            times[name].append(wall(cmd, cwd))
    return {k: (statistics.median(v), min(v)) for k, v in times.items()}


def throughput(
    gen: Path, base: Path | None, sizes: list[int], rounds: int
) -> dict[tuple[str, int], tuple[float, float]]:
    kinds: dict[str, tuple[str, str, Path]] = {"ours": ("ours", sys.executable, ROOT)}
    if base is not None:
        kinds["ours (base)"] = ("ours", str(base / ".venv" / "bin" / "python"), base)
    kinds["standalone + builder"] = ("builder", sys.executable, ROOT)
    kinds["standalone bare"] = ("bare", sys.executable, ROOT)
    got: dict[tuple[str, int], list[float]] = {}
    mb: dict[int, float] = {}
    for _ in range(rounds):
        for clips in sizes:
            for label, (kind, py, cwd) in kinds.items():
                code = CHILD.format(
                    gen=str(gen),
                    bench=str(ROOT / "bench"),
                    kind=kind,
                    clips=clips,
                    example=str(EXAMPLE),
                )
                out = subprocess.run(
                    [py, "-c", code], capture_output=True, text=True, cwd=cwd, check=True
                )
                r = json.loads(out.stdout.strip().splitlines()[-1])
                got.setdefault((label, clips), []).append(r["s"])
                mb[clips] = r["mb"]
    return {k: (statistics.median(v), mb[k[1]]) for k, v in got.items()}


def same_trees(gen: Path) -> bool:
    """The standalone + builder contender builds exactly our tree (so it is a fair race)."""
    code = (
        f"import sys; sys.path.insert(0, {str(gen)!r}); sys.path.insert(0, {str(ROOT / 'bench')!r})\n"
        "import standalone_adapter as A\n"
        "from bench_check import generate\n"
        "from seedance_dsl.syntax.parser import parse_text\n"
        f"texts = [open({str(EXAMPLE)!r}).read(), generate(300, 5)]\n"
        "ok = all(repr(parse_text(t, 'x')) == repr(A.parse_text(t, 'x')) for t in texts)\n"
        "print(ok)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    return out.stdout.strip() == "True"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sizes", default="2000,5000")
    ap.add_argument("--base", default="/work/wt/base")
    args = ap.parse_args()
    base = Path(args.base) if (Path(args.base) / ".venv" / "bin" / "python").exists() else None
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "seedance_dsl")], check=True
    )
    if base is not None:
        subprocess.run(
            [str(base / ".venv/bin/python"), "-m", "compileall", "-q", str(base / "seedance_dsl")],
            check=True,
        )
    with tempfile.TemporaryDirectory() as tmp:
        gen = Path(tmp)
        generate_standalone(gen)
        size = (gen / "shot_standalone.py").stat().st_size
        print(f"generated standalone parser: {size / 1000:.0f} kB of Python")
        print(f"standalone + builder builds the same tree as ours: {same_trees(gen)}")
        print(f"load average: {os.getloadavg()[0]:.1f}")
        print(f"\nStart-up, whole process, {EXAMPLE.name}, median (min) of {args.runs} runs:\n")
        res = startup(gen, base, args.runs)
        zero = res["python -c pass"][0]
        ours = res["ours: parse_file"][0]
        print("| command | median | min | over `python -c pass` | vs ours |")
        print("|---|---:|---:|---:|---:|")
        for name, (med, lo) in res.items():
            print(
                f"| {name} | {med * 1000:.0f} ms | {lo * 1000:.0f} ms | "
                f"+{(med - zero) * 1000:.0f} ms | {med / ours:.2f}x |"
            )
        sizes = [int(s) for s in args.sizes.split(",")]
        print(f"\nThroughput, one parse per process, median of {args.rounds} rounds:\n")
        tp = throughput(gen, base, sizes, args.rounds)
        print("| contender | " + " | ".join(f"{c:,} clips" for c in sizes) + " | vs ours |")
        print("|---|" + "---:|" * (len(sizes) + 1))
        for label in dict.fromkeys(k[0] for k in tp):
            cells = []
            for c in sizes:
                s, mb = tp[(label, c)]
                cells.append(f"{s:.2f} s ({mb / s:.2f} MB/s)")
            ratio = "/".join(f"{tp[(label, c)][0] / tp[('ours', c)][0]:.2f}" for c in sizes)
            print(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
        print(f"\nload average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
