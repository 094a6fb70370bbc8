"""Storyboards for the renderer's tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "assets"))


@contextmanager
def moto_bucket(bucket: str = "films") -> Iterator[str]:
    """moto's S3 on loopback (tests/assets/assets_testlib.py) with ``bucket`` made;
    yields the endpoint URL.  The caller sets the AWS environment first."""
    import boto3
    from assets_testlib import moto_server

    with moto_server() as url:
        boto3.client("s3", endpoint_url=url).create_bucket(Bucket=bucket)
        yield url


CHAIN = """storyboard "Glass Train"

clip arrival {
  duration 5s
  shot { action "A cinematic shot of a glass train crossing a snowy mountain bridge" }
}

clip departure {
  duration 5s
  start arrival.last_frame
  shot { action "the train pulls away, snow swirling behind it" camera "static wide" }
}

clip longer {
  extend arrival
  shot { action "the train disappears into a tunnel" }
}

clip extra {
  duration 4s
  shot { action "a conductor waves from the platform" }
}
"""


def independent(n: int, title: str = "Many") -> str:
    parts = [f'storyboard "{title}"', ""]
    for i in range(n):
        parts.append(
            f'clip c{i:02d} {{\n  duration 4s\n  shot {{ action "scene number {i}" }}\n}}\n'
        )
    return "\n".join(parts)


def chain(n: int, title: str = "Chain") -> str:
    parts = [f'storyboard "{title}"', ""]
    for i in range(n):
        start = f"\n  start c{i - 1:02d}.last_frame" if i else ""
        parts.append(
            f'clip c{i:02d} {{\n  duration 4s{start}\n  shot {{ action "link number {i}" }}\n}}\n'
        )
    return "\n".join(parts)


def ten_clips(title: str = "Ten") -> str:
    """Ten clips: six independent, a chain of three (last frames), one extension."""
    parts = [f'storyboard "{title}"', ""]
    for i in range(10):
        if i == 6:
            extra = "\n  start c00.last_frame"
        elif i == 7:
            extra = "\n  start c06.last_frame"
        elif i == 8:
            extra = "\n  extend c01"
        else:
            extra = "\n  duration 4s"
        parts.append(f'clip c{i:02d} {{{extra}\n  shot {{ action "moment number {i}" }}\n}}\n')
    return "\n".join(parts)


def cli_env(sandbox: object, **extra: str) -> dict[str, str]:
    """Environment for a `seedance render` subprocess pointed at ``sandbox``."""
    import os
    import sys
    from pathlib import Path

    st = sandbox.settings  # type: ignore[attr-defined]
    env = dict(os.environ)
    env.update(
        SEEDANCE_BASE_URL=sandbox.base_url,  # type: ignore[attr-defined]
        SEEDANCE_API_KEY=sandbox.api_key,  # type: ignore[attr-defined]
        SEEDANCE_RATE_LIMIT=f"{st.rate_limit_requests}/{st.scaled(st.rate_limit_window_s)}",
        SEEDANCE_CONFIG=str(Path(sys.prefix) / "no-such-config.toml"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("SEEDANCE_PROFILE", None)
    env.update(extra)
    return env


def seedance_cmd() -> list[str]:
    import sys

    return [sys.executable, "-m", "seedance_dsl.cli"]
