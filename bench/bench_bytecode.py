"""What byte-compiling the package is worth (``make bytecode``; docs/benchmarks.md, "Bytecode").

    .venv/bin/python bench/bench_bytecode.py [--runs 15]

Two copies of ``seedance_dsl/`` in a temporary directory, one byte-compiled
(``compileall``) and one not, each run as ``python -c 'from seedance_dsl.cli import
main; main()' plan examples/teaser.shot`` with ``PYTHONPATH`` on the copy and
``PYTHONDONTWRITEBYTECODE=1``, from the copy's directory (as on this project's machines: the uncompiled copy stays
uncompiled, as an editable install did before ``make`` compiled it).  Interleaved run
by run; medians and minimums; the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = "import sys; from seedance_dsl.cli import main; sys.argv[0] = 'seedance'; main()"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    with tempfile.TemporaryDirectory(prefix="bench-bytecode-") as tmp:
        copies = {}
        for name in ("compiled", "source only"):
            dest = Path(tmp) / name.replace(" ", "_")
            shutil.copytree(ROOT / "seedance_dsl", dest / "seedance_dsl", ignore=ignore)
            # the grammar where a wheel keeps it (a checkout's is beside the package)
            shutil.copytree(ROOT / "grammar", dest / "seedance_dsl" / "grammar")
            copies[name] = dest
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(copies["compiled"])], check=True
        )
        times: dict[str, list[float]] = {name: [] for name in copies}
        print("load average before:", os.getloadavg())
        for i in range(args.runs + 1):
            for name, dest in copies.items():
                env = dict(os.environ, PYTHONPATH=str(dest), PYTHONDONTWRITEBYTECODE="1")
                t0 = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-c", CODE, "plan", str(ROOT / "examples" / "teaser.shot")],
                    cwd=dest,  # not the checkout: its own seedance_dsl would come first
                    env=env,
                    capture_output=True,
                    check=True,
                    timeout=60,
                )
                if i:  # the first round warms the file cache
                    times[name].append(time.perf_counter() - t0)
        print("| package | `plan examples/teaser.shot` median | min |")
        print("|---|---|---|")
        for name, ts in times.items():
            print(f"| {name} | {statistics.median(ts) * 1000:.0f} ms | {min(ts) * 1000:.0f} ms |")
        print("load average after:", os.getloadavg())


if __name__ == "__main__":
    main()
