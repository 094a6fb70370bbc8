"""`seedance preview` of a 100-clip chained storyboard: the whole process, and the page's
first paint in headless Chromium (Debian's `chromium`, driven by Playwright).

    .venv/bin/python bench/bench_preview.py [--runs 5]

Prints the median and the range of each over the runs (a python -c pass is timed beside
it, for the interpreter's own start-up).  Recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def storyboard(n: int) -> str:
    parts = ['storyboard "Bench"\n']
    for i in range(n):
        start = f"  start c{i - 1:03d}.last_frame\n" if i else ""
        parts.append(
            f"clip c{i:03d} {{\n{start}  duration 5s\n"
            f'  shot {{ action "a glass train crosses bridge number {i} in the snow" }}\n}}\n'
        )
    return "\n".join(parts)


def timed(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - t0


def first_paint(page_path: Path) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            handle = page.wait_for_function(
                "() => { const p = performance.getEntriesByType('paint');"
                " return p.length ? Math.min(...p.map(e => e.startTime)) : null; }",
                timeout=10_000,
            )
            ms = handle.json_value()
            return float(ms) / 1000
        finally:
            browser.close()


def fmt(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:.0f} ms "
        f"({min(values) * 1000:.0f}-{max(values) * 1000:.0f} ms)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--clips", type=int, default=100)
    args = ap.parse_args()
    # byte-compile first, as an installed package is (PYTHONDONTWRITEBYTECODE would
    # otherwise make every timed process compile the modules it imports)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "seedance_dsl")], check=False
    )
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "film.shot").write_text(storyboard(args.clips), encoding="utf-8")
        cmd = [sys.executable, "-m", "seedance_dsl.cli", "preview", "film.shot", "--out", "page"]
        bare = [timed([sys.executable, "-c", "pass"], d) for _ in range(args.runs)]
        whole = [timed(cmd, d) for _ in range(args.runs)]
        page = d / "page" / "index.html"
        paints = [first_paint(page) for _ in range(args.runs)]
        size = page.stat().st_size
    print(f"preview of {args.clips} clips, whole process: {fmt(whole)}; page {size / 1024:.0f} KiB")
    print(f"python -c pass: {fmt(bare)}")
    print(f"first paint in Chromium: {fmt(paints)}")


if __name__ == "__main__":
    main()
