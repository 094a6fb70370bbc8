"""Issue 12: a `seedance render` sends its first POST before importing what only polling
and finishing need (pydantic's models, PyAV), and never imports jinja2 or Lark for the
built-in template with cached grammar tables.  A real run against the sandbox: a spy on
the trace's ``first_post`` mark records the interpreter's modules at that moment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from render_helpers import cli_env, independent

SPY = """
import json, sys
import seedance_dsl._timing as timing

real = timing.mark_once
out = sys.argv.pop(1)

def spy(label):
    if label == "first_post" and label not in timing._ONCE:
        tops = sorted({m.split(".")[0] for m in sys.modules})
        with open(out, "w") as f:
            json.dump({"tops": tops, "models": "seedance_dsl.api.models" in sys.modules}, f)
    real(label)

timing.mark_once = spy  # before the renderer's module binds the name
from seedance_dsl.cli import main
sys.argv[0] = "seedance"
main()
"""


def test_the_first_post_leaves_before_pydantic_is_imported(sandbox, tmp_path: Path) -> None:
    path = tmp_path / "four.shot"
    path.write_text(independent(4, "First post"), encoding="utf-8")
    spy, seen = tmp_path / "spy.py", tmp_path / "seen.json"
    spy.write_text(SPY, encoding="utf-8")
    # the grammar tables cached by a first run (a cold cache builds them with Lark)
    env = cli_env(sandbox, SEEDANCE_CACHE_DIR=str(tmp_path / "cache"))
    subprocess.run(
        [sys.executable, "-m", "seedance_dsl.cli", "check", str(path)],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    p = subprocess.run(
        [sys.executable, str(spy), str(seen), "render", str(path), "--format", "json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    got = json.loads(seen.read_text())
    assert not got["models"], "the API's pydantic models were imported before the first POST"
    for heavy in ("pydantic", "pydantic_core", "av", "jinja2", "lark"):
        assert heavy not in got["tops"], f"{heavy} was imported before the first POST"
    assert json.loads(p.stdout.splitlines()[-1])["counts"] == {"done": 4}
