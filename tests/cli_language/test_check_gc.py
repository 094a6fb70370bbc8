"""`seedance check` on a big file: the cyclic GC policy of `compile` (issue 12).

The check of a storyboard builds hundreds of thousands of acyclic objects; with the
collector on, every generation's collection at the end of each stage re-walks them
(a 5,000-clip check was slower than the compile of the same file)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from seedance_dsl.cli import check_cmd, cli


def test_check_runs_with_the_cyclic_gc_off_like_compile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shot = tmp_path / "a.shot"
    shot.write_text('storyboard "A"\n\nclip a {\n  duration 4s\n  shot { action "x" }\n}\n')
    seen: list[bool] = []
    real = check_cmd.check_file

    def spy(path: Any) -> Any:
        result = real(path)
        seen.append(gc.isenabled())  # between the stages: no collection re-walks them
        return result

    monkeypatch.setattr(check_cmd, "check_file", spy)
    was = gc.isenabled()
    try:
        got = CliRunner().invoke(cli, ["check", str(shot)])
    finally:
        if was:
            gc.enable()
    assert got.exit_code == 0, got.output
    assert seen == [False]
