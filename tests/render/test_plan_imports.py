"""`seedance plan` starts fast: it builds no pydantic model for a clip without
placeholders (the compiler's rule checks already passed its body), and it loads
neither the scheduler nor the HTTP client, nor asyncio or logging (issue 12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from seedance_dsl.api.models import VideoRequest
from seedance_dsl.compiler import compile_text
from seedance_dsl.render.identity import request_hash
from seedance_dsl.render.plan import _resolved

ROOT = Path(__file__).resolve().parents[2]


def test_plan_imports_no_pydantic_scheduler_client_asyncio_or_logging(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from seedance_dsl.render.commands import plan_file\n"
        f"p = plan_file({str(ROOT / 'examples' / 'teaser.shot')!r}, sandbox=True)\n"
        "assert p.entries\n"
        "print(sorted(m for m in ('pydantic', 'httpx', 'seedance_dsl.render.runner', 'seedance_dsl.render.polling', 'asyncio', 'logging')"
        " if m in sys.modules))\n"
    )
    env = {"SEEDANCE_STATE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    got = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == "[]"


@pytest.mark.parametrize("take", [0, 2])
def test_the_plans_key_and_hash_are_the_renderers(take: int) -> None:
    sb = compile_text(
        'storyboard "K"\n\nclip a {\n  duration 4s\n  shot { action "a glass train" }\n}\n',
        "k.shot",
    )
    clip = sb.clips[0]
    resolved = _resolved(clip, {}, "https://api.example.test", take)
    assert isinstance(resolved, tuple)
    payload, key, body_hash = resolved
    request = VideoRequest.model_validate(dict(clip.payload))
    assert payload == request.to_payload()
    assert key == clip.idempotency_key(request, take)
    assert body_hash == request_hash(request)
