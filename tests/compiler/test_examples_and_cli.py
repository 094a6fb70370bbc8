"""Every example compiles in all three formats; its JSON validates against the request
model; the provider's example comes out byte for byte; the CLI's exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from compiler_cli import run

from seedance_dsl.api import CONTRACT, VideoRequest
from seedance_dsl.compiler import ClipOutputs, compile_file, compile_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.shot"))
CASES = Path(__file__).resolve().parent / "cases"

#: The example request of api.md, in its documented key order.
DOCUMENTED = {
    "mode": "text-to-video",
    "quality_tier": "standard",
    "prompt": "A cinematic shot of a glass train crossing a snowy mountain bridge",
    "aspect_ratio": "16:9",
    "duration": "5",
    "resolution": "720p",
}


def test_the_provider_example_compiles_exactly() -> None:
    shot = CASES / "api_example_glass_train" / "case.shot"
    assert len(shot.read_text().splitlines()) == 3
    (clip,) = compile_file(shot).clips
    assert json.dumps(dict(clip.payload)) == json.dumps(DOCUMENTED)
    spec = ROOT / "tests" / "fixtures" / "spec" / "api.md"  # the same body as the contract shows
    block = re.search(r"Example request.*?```json\n(.*?)```", spec.read_text(), re.S)
    assert block is not None
    assert json.loads(block.group(1)) == dict(clip.payload)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_json_validates_against_the_model(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["compile", str(path), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == (0 if data["valid"] else 1)
    assert data["valid"], data["diagnostics"]
    fake = {
        c["name"]: ClipOutputs(
            f"https://cdn.example.com/out/{c['name']}.mp4",
            f"https://cdn.example.com/out/{c['name']}.png",
        )
        for c in data["clips"]
    }
    compiled = compile_file(path)
    for entry, clip in zip(data["clips"], compiled.clips, strict=True):
        assert entry["body"] == dict(clip.payload)
        if entry.get("local_inputs"):  # local files: their URLs come from the upload step
            assert entry["key_provisional"]
            urls = {
                i["asset"]: f"https://cdn.example.com/{i['sha256']}.png"
                for i in entry["local_inputs"]
            }
            req = clip.resolve(fake, assets=urls)
            assert "<" not in req.canonical_json()
        elif not entry["inputs"]:
            req = VideoRequest.model_validate(entry["body"])
            assert entry["idempotency_key"] == clip.idempotency_key(req)
            assert req.to_payload() == entry["body"]
        else:
            assert entry["key_provisional"]
            req = clip.resolve(fake)  # placeholders filled: the model accepts it
            assert "<" not in req.canonical_json()


@pytest.mark.parametrize("fmt", ["text", "curl"])
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_text_and_curl(path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["compile", str(path), "--format", fmt], capsys)
    assert code == 0
    compiled = compile_file(path)
    for clip in compiled.clips:
        assert f"clip {clip.name}" in out
    if fmt == "curl":
        assert "$SEEDANCE_API_KEY" in out and "sk_" not in out
        assert CONTRACT.submit_path in out and CONTRACT.default_base_url in out


def test_curl_runs_in_a_shell_and_sends_the_body(tmp_path: Path) -> None:
    """The curl view is a valid shell script: with `curl` replaced by a recorder, it
    sends each body with the key from the environment."""
    shot = CASES / "api_example_glass_train" / "case.shot"
    from seedance_dsl.compiler.output import format_curl

    script = format_curl(compile_file(shot))
    fake = tmp_path / "curl"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$OUT.args"\ncat > "$OUT.body"\n')
    fake.chmod(0o755)
    env = {
        "PATH": f"{tmp_path}:/usr/bin:/bin",
        "SEEDANCE_API_KEY": "sk_test_secret",
        "OUT": str(tmp_path / "rec"),
    }
    subprocess.run(["sh", "-c", script], env=env, check=True)
    args = (tmp_path / "rec.args").read_text()
    assert "Authorization: Bearer sk_test_secret" in args
    assert f"{CONTRACT.default_base_url}{CONTRACT.submit_path}" in args
    assert json.loads((tmp_path / "rec.body").read_text()) == DOCUMENTED
    assert "sk_test_secret" not in script


def test_errors_exit_1_and_json_stays_valid(capsys: pytest.CaptureFixture[str]) -> None:
    shot = CASES / "api_resolution_pro_only_SHOT308" / "case.shot"
    code, out, _ = run(["compile", str(shot), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 1 and data["valid"] is False
    assert {d["code"] for d in data["diagnostics"]} == {"SHOT308"}
    assert [c["valid"] for c in data["clips"]] == [False, True, False]
    code, out, err = run(["compile", str(shot)], capsys)
    assert code == 1 and "SHOT308" in err and "use tier pro, or resolution 1080p" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(["compile", str(tmp_path / "none.shot"), "--format", "json"], capsys)
    assert code == 2 and json.loads(out)["error"]["kind"] == "file"
    code, _, err = run(["compile", str(tmp_path / "none.shot")], capsys)
    assert code == 2 and "file not found" in err
    shot = CASES / "outputs_placeholders_and_graph" / "case.shot"
    code, _, err = run(["compile", str(shot), "--clip", "nope"], capsys)
    assert code == 2 and "arrival" in err
    code, _, _ = run(["compile", str(shot), "--format", "yaml"], capsys)
    assert code == 2


def test_clip_selection_and_graph(capsys: pytest.CaptureFixture[str]) -> None:
    shot = CASES / "outputs_placeholders_and_graph" / "case.shot"
    code, out, _ = run(["compile", str(shot), "--clip", "departure", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and [c["name"] for c in data["clips"]] == ["departure"]
    (clip,) = data["clips"]
    assert clip["inputs"] == [
        {"field": "image_url", "index": None, "clip": "arrival", "output": "last_frame"}
    ]
    assert clip["body"]["image_url"] == "<last frame of clip arrival>"
    assert clip["source_map"]["image_url"]["line"] == 7


def test_template_option(capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES / "template_cli_override"
    code, out, _ = run(
        ["compile", str(case / "case.shot"), "--template", str(case / "cli-template.j2")], capsys
    )
    assert code == 0 and "A: A cat jumps onto the table." in out


def test_idempotency_key_is_stable_and_body_sensitive() -> None:
    text = 'storyboard "K"\nclip a { shot { text "a red kite over a beach" } }\n'
    k1 = compile_text(text).clips[0].preview_key()
    assert k1 == compile_text(text).clips[0].preview_key()
    assert k1.startswith("sdsl1-") and len(k1) == 46
    assert compile_text(text.replace("red", "blue")).clips[0].preview_key() != k1
    assert compile_text(text.replace('"K"', '"L"')).clips[0].preview_key() != k1
    assert compile_text(text).clips[0].preview_key(take=1) != k1


def test_compile_does_not_import_pydantic_and_check_does_not_import_jinja2() -> None:
    """`check` loads jinja2 only for a storyboard that names a template."""
    plain = next(p for p in EXAMPLES if "\ntemplate " not in Path(p).read_text())
    templated = next(p for p in EXAMPLES if "\ntemplate " in Path(p).read_text())
    code = (
        "import sys\n"
        "from seedance_dsl.cli.check_cmd import run_check\n"
        f"run_check([{str(plain)!r}])\n"
        "assert 'jinja2' not in sys.modules and 'pydantic' not in sys.modules\n"
        "from seedance_dsl.compiler import compile_file\n"
        f"assert compile_file({str(plain)!r}).ok\n"
        # the built-in template is rendered without jinja2 (compiler/builtin_prompt.py)
        "assert 'jinja2' not in sys.modules and 'pydantic' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    code = (
        "import sys\n"
        "from seedance_dsl.cli.check_cmd import run_check\n"
        f"assert run_check([{str(templated)!r}])[0].ok\n"
        "assert 'jinja2' in sys.modules and 'pydantic' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_clip_selection_shows_only_its_problems(capsys: pytest.CaptureFixture[str]) -> None:
    shot = CASES / "api_resolution_pro_only_SHOT308" / "case.shot"
    code, out, err = run(["compile", str(shot), "--clip", "big_ok"], capsys)
    assert code == 0 and "SHOT308" not in err and "clip big_ok" in out
    code, out, _ = run(["compile", str(shot), "--clip", "big", "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 1 and [d["span"]["line"] for d in data["diagnostics"]] == [4]


def test_package_prose_problems_show_for_every_clip_using_it() -> None:
    text = (
        'storyboard "P"\n'
        'package p { style "like asset://img_1" }\n'
        'clip a { use p  shot { action "x moves" } }\n'
        'clip b { use p  shot { action "y moves" } }\n'
    )
    compiled = compile_text(text)
    assert [d.code for d in compiled.diagnostics] == ["SHOT403"]  # reported once
    for name in ("a", "b"):
        assert [d.code for d in compiled.diagnostics_for([name])] == ["SHOT403"]


def test_check_errors_stop_the_compiler() -> None:
    """A storyboard that does not check is not compiled: only check's errors, no clips
    (compiling a broken model would only add follow-on errors)."""
    text = 'storyboard "E"\nclip a {\n  resolution 4k\n  start nowhere\n  shot { action "x" }\n}\n'
    compiled = compile_text(text)
    assert not compiled.ok and compiled.clips == ()
    assert [d.code for d in compiled.diagnostics] == ["SHOT201"]
    assert compiled.sources  # the source text is there for rendering
