"""Storyboards for the renderer's tests."""

from __future__ import annotations

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
        parts.append(f'clip c{i:02d} {{\n  duration 4s\n  shot {{ action "scene number {i}" }}\n}}\n')
    return "\n".join(parts)


def chain(n: int, title: str = "Chain") -> str:
    parts = [f'storyboard "{title}"', ""]
    for i in range(n):
        start = f"\n  start c{i - 1:02d}.last_frame" if i else ""
        parts.append(
            f'clip c{i:02d} {{\n  duration 4s{start}\n  shot {{ action "link number {i}" }}\n}}\n'
        )
    return "\n".join(parts)
