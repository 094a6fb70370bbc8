"""The CLI in process, for the compiler's tests: exit code, stdout, stderr."""

from __future__ import annotations

import pytest

from seedance_dsl.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 1), out, err
