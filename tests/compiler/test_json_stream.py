"""`seedance compile` writes its output clip by clip (issue 12): the streamed JSON is the
text of the one-shot ``json.dumps(to_json(...))`` byte for byte, for every storyboard of
the repository; it stays valid JSON when the storyboard or the command line is wrong; the
text and curl views are the joined pieces; and the document is never built whole."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import click
import pytest
from compiler_cli import run

from seedance_dsl.compiler import compile_file, compile_text
from seedance_dsl.compiler.output import (
    format_curl,
    format_text,
    iter_curl,
    iter_text,
    to_json,
    write_json,
)

ROOT = Path(__file__).resolve().parents[2]
SHOTS = sorted({*ROOT.glob("examples/**/*.shot"), *ROOT.glob("tests/**/*.shot")})


def _template(path: Path) -> str | None:
    cli = path.parent / "cli-template.j2"  # golden cases pass it as --template
    return str(cli) if path.name == "case.shot" and cli.exists() else None


def one_shot(value: Any) -> str:
    """What `seedance compile --format json` printed before it streamed."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def streamed(*args: Any, **kwargs: Any) -> str:
    out = io.StringIO()
    write_json(out, *args, **kwargs)
    return out.getvalue()


def generated(clips: int) -> str:
    """A valid storyboard of ``clips`` chained clips (bench/bench_memory.py's shape)."""
    out = ['storyboard "Streamed"', "defaults {", "  tier standard", "  duration 10s", "}"]
    out += [f'asset a{i} image "https://cdn.example.com/a/{i}.png"' for i in range(5)]
    for c in range(clips):
        out += [f"clip c{c} {{", "  start a0" if c == 0 else f"  start c{c - 1}.last_frame"]
        out += [f"  ref a{(c + 1) % 5} as character", "  mode media-to-video"]
        out += [
            f'  shot 2s {{ subject a{(c + 1) % 5}  action "walks through scene {s} of clip {c}" }}'
            for s in range(5)
        ]
        out.append("}")
    return "\n".join(out) + "\n"


def test_the_repository_has_storyboards_to_compare() -> None:
    assert len(SHOTS) > 50
    assert any("cases" in p.parts for p in SHOTS) and any(
        p.parent.name == "examples" for p in SHOTS
    )


@pytest.mark.parametrize("path", SHOTS, ids=[str(p.relative_to(ROOT)) for p in SHOTS])
def test_streamed_output_is_the_one_shot_output(path: Path) -> None:
    compiled = compile_file(path, template=_template(path))
    assert streamed(compiled) == one_shot(to_json(compiled))
    assert "".join(iter_text(compiled)) == format_text(compiled)
    assert "".join(iter_curl(compiled)) == format_curl(compiled)
    if compiled.clips:  # --clip: a subset with its own diagnostics
        chosen = compiled.clips[-1:]
        diags = compiled.diagnostics_for([chosen[0].name])
        assert streamed(compiled, chosen, diagnostics=diags) == one_shot(
            to_json(compiled, chosen, diagnostics=diags)
        )
        assert streamed(compiled, ()) == one_shot(to_json(compiled, ()))


def test_the_cli_prints_the_streamed_views(capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "examples" / "teaser.shot"
    compiled = compile_file(str(path))
    code, out, _ = run(["compile", str(path), "--format", "json"], capsys)
    assert code == 0 and out == one_shot(to_json(compiled)) + "\n"
    code, out, _ = run(["compile", str(path), "--format", "text"], capsys)
    assert code == 0 and out == format_text(compiled) + "\n"
    code, out, _ = run(["compile", str(path), "--format", "curl"], capsys)
    assert code == 0 and out == format_curl(compiled) + "\n"


@pytest.mark.parametrize(
    "argv, code",
    [
        (["compile", "{bad}", "--format", "json"], 1),  # the storyboard has errors
        (["compile", "{ok}", "--clip", "nosuch", "--format", "json"], 2),  # unknown clip
        (["compile", "{missing}", "--format", "json"], 2),  # no such file
        (["compile", "{ok}", "--clip", "c1", "--format", "json"], 0),
    ],
)
def test_json_stays_valid_when_things_fail(
    argv: list[str], code: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok = tmp_path / "ok.shot"
    ok.write_text(generated(3))
    bad = tmp_path / "bad.shot"
    bad.write_text(generated(3).replace("  mode media-to-video\n", "", 1))  # SHOT323
    names = {"{ok}": str(ok), "{bad}": str(bad), "{missing}": str(tmp_path / "nope.shot")}
    got, out, _ = run([names.get(a, a) for a in argv], capsys)
    data = json.loads(out)
    assert got == code
    assert data["valid"] is (code == 0)
    assert data["schema"] == "seedance-dsl/compile"
    if code == 1:
        assert data["diagnostics"] and data["clips"]
        assert out == one_shot(to_json(compile_file(str(bad)))) + "\n"


def test_write_json_never_holds_the_document(tmp_path: Path) -> None:
    """The memory the writing takes is a small part of the document, which a one-shot
    ``json.dumps`` (the whole text, and the dict beneath it) would exceed."""
    compiled = compile_text(generated(300), str(tmp_path / "big.shot"))
    assert compiled.ok and len(compiled.clips) == 300

    class Sink:
        size = 0

        def write(self, text: str) -> None:
            self.size += len(text)

    sink = Sink()
    tracemalloc.start()
    try:
        write_json(sink, compiled)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size > 1_000_000
    assert peak < sink.size / 4, (peak, sink.size)  # one-shot: more than the whole text


def test_the_cli_writes_in_bounded_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``seedance compile`` hands stdout pieces of ~64 KiB, never the whole output."""
    path = tmp_path / "big.shot"
    path.write_text(generated(300))
    writes: list[int] = []
    echo = click.echo

    def recording(message: Any = None, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("err"):
            writes.append(len(str(message or "")))
        echo(message, *args, **kwargs)

    monkeypatch.setattr(click, "echo", recording)
    for fmt in ("json", "text"):
        writes.clear()
        code, out, _ = run(["compile", str(path), "--format", fmt], capsys)
        assert code == 0 and len(out) > 400_000
        assert sum(writes) == len(out)
        assert max(writes) < 200_000, (fmt, max(writes), len(out))
