"""The language's functions themselves (not only the modules that define them) load none
of the heavy libraries: calling parse_text / parse_file / format_text / check in a fresh
interpreter never imports httpx, jinja2, pydantic, rich (or the server's and the video's
libraries), nor Lark (the grammar's tables ship with the package), even on a first run.

(Importing the CLI modules is tested in tests/cli_language; a lazy ``import httpx``
*inside* one of these functions would only show when the function runs.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ["httpx", "jinja2", "pydantic", "rich", "starlette", "uvicorn", "av", "PIL"]
EXAMPLE = ROOT / "examples" / "teaser.shot"  # imports a library file; names no template
BROKEN = 'clip a { shot { camra "x" } }\nclip b { duration 5 start nowhere\n'

CALLS = f"""
import sys
from seedance_dsl.syntax.parser import parse_file, parse_text
from seedance_dsl.syntax.format import format_text
from seedance_dsl.check import check_file, check_text

text = open({str(EXAMPLE)!r}, encoding="utf-8").read()
assert parse_text(text, "teaser.shot")[0] is not None
assert parse_file({str(EXAMPLE)!r})[0] is not None
assert format_text(text)[0] is not None
assert check_file({str(EXAMPLE)!r}).ok
assert format_text({BROKEN!r})[0] is None
parse_text({BROKEN!r}, partial=True)
check_text({BROKEN!r})
print("LOADED=" + ",".join(m for m in {[*HEAVY, "lark"]!r} if m in sys.modules))
"""


def _loaded(env: dict[str, str]) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", CALLS],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    found = proc.stdout.rsplit("LOADED=", 1)[1].strip()
    return found.split(",") if found else []


def test_parse_format_and_check_import_no_heavy_module(tmp_path: Path) -> None:
    env = {**os.environ, "SEEDANCE_CACHE_DIR": str(tmp_path / "cache")}
    cold = _loaded(env)  # a fresh cache: the shipped tables (syntax/_tables.py), no Lark
    assert cold == [], f"loaded {cold}"
    warm = _loaded(env)
    assert warm == [], f"loaded {warm}"


def test_a_file_without_syntax_errors_never_loads_the_messages_table() -> None:
    code = (
        "import sys\n"
        "from seedance_dsl.syntax.parser import parse_file, parse_text\n"
        f"assert parse_file({str(EXAMPLE)!r})[0] is not None\n"
        "print('messages' in sys.modules and 'seedance_dsl.syntax.messages' in sys.modules)\n"
        "parse_text('clip a {')\n"
        "print('seedance_dsl.syntax.messages' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert proc.stdout.split() == ["False", "True"], proc.stdout + proc.stderr
