"""Two checkouts of seedance-dsl side by side, whole process, interleaved in one run.

    .venv/bin/python bench/bench_versions.py OLD_CHECKOUT [--runs N]

Each command runs with each checkout's own ``.venv/bin/seedance``, alternating old and
new so both see the same machine; prints the median wall time of each and new/old.
Used for issue 10 ("no figure gets worse"), recorded in docs/benchmarks.md.
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

NEW = Path(__file__).resolve().parent.parent


def big_storyboard(clips: int) -> str:
    out = ['storyboard "big"', "defaults { duration 5s resolution 720p }"]
    for i in range(clips):
        out.append(
            f"clip c{i} {{\n  use standard\n"
            f'  shot 2s {{ action "a lamp turns on, take {i}" camera "slow push-in" }}\n'
            f'  shot 3s {{ action "the room fills with light" scene "a study at dusk" }}\n}}'
        )
    return "\n".join(out) + "\n"


def run(root: Path, args: list[str], cwd: Path, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [str(root / ".venv" / "bin" / "seedance"), *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("old", type=Path)
    ap.add_argument("--runs", type=int, default=15)
    ns = ap.parse_args()
    old = ns.old.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        big = t / "big.shot"
        big.write_text(big_storyboard(2000), encoding="utf-8")
        # one cache per checkout: the two versions' grammar tables must not evict each other
        envs = {
            root: {**os.environ, "SEEDANCE_CACHE_DIR": str(t / f"cache-{i}")}
            for i, root in enumerate((old, NEW))
        }
        cases = [
            ("check glass_train.shot", ["check", "examples/glass_train.shot"]),
            (
                "compile --format json teaser.shot",
                ["compile", "--format", "json", "examples/teaser.shot"],
            ),
            (
                "plan teaser.shot --sandbox",
                ["plan", "examples/teaser.shot", "--sandbox"],
            ),
            ("check big.shot (2,000 clips)", ["check", str(big)]),
            ("compile big.shot (2,000 clips)", ["compile", "--format", "json", str(big)]),
        ]
        print(f"load average {os.getloadavg()[0]:.2f}; {ns.runs} runs each, interleaved")
        for label, args in cases:
            times: dict[str, list[float]] = {"old": [], "new": []}
            for root in (old, NEW):  # warm caches (grammar tables, bytecode)
                run(root, args, root, envs[root])
            for _ in range(ns.runs):
                for name, root in (("old", old), ("new", NEW)):
                    times[name].append(run(root, args, root, envs[root]))
            mo, mn = statistics.median(times["old"]), statistics.median(times["new"])
            print(
                f"{label:38s} old {mo * 1000:7.1f} ms   new {mn * 1000:7.1f} ms   new/old {mn / mo:.2f}"
            )
        print(f"load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
