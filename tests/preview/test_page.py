"""The preview page's content: every clip, its facts, its prompt as text, the graph,
diagnostics at their clips, renders from a manifest (tests/preview/test_browser.py opens
the page in Chromium)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from markupsafe import escape

from seedance_dsl.cli import main
from seedance_dsl.errors import UsageError
from seedance_dsl.preview import build_preview
from seedance_dsl.render.pricing import PriceTable

ROOT = Path(__file__).resolve().parents[2]


def _teaser(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path / "examples" / "teaser.shot"


def _cards(page: str) -> list[str]:
    return re.findall(r'<article class="card clip" id="clip-([^"]+)"', page)


def test_every_clip_card_in_order_with_its_facts(tmp_path: Path) -> None:
    from seedance_dsl.compiler import compile_file

    path = _teaser(tmp_path)
    result = build_preview(path, out_dir=tmp_path / "page", render_dir=tmp_path / "none")
    page = result.page.read_text(encoding="utf-8")
    compiled = compile_file(str(path))
    assert _cards(page) == [c.name for c in compiled.clips] == ["reveal", "glow", "app", "packshot"]
    prices = PriceTable()
    for clip in compiled.clips:
        card = page.split(f'id="clip-{clip.name}"', 1)[1].split("</article>", 1)[0]
        for line in clip.prompt.split("\n"):  # the exact prompt, line by line
            assert f'<span class="text">{escape(line)}</span>' in card
        assert f"<dd>{prices.estimate(clip.payload)}</dd>" in card
        assert f"<dd>{clip.payload['mode']}</dd>" in card
        assert f"<dd>{clip.payload['resolution']}</dd>" in card
        assert "not rendered yet" in card
    total = sum(prices.estimate(c.payload) for c in compiled.clips)
    assert f"estimated <strong>{total}</strong> credits" in page
    assert "duration <strong>20 s</strong>" in page
    # the shot timeline bar, with timecodes; references with role and media_urls index
    reveal = page.split('id="clip-reveal"', 1)[1].split("</article>", 1)[0]
    assert "00:00.00–00:02.00" in reveal and "00:02.00–00:05.00" in reveal
    assert "character (image) #1" in reveal and "media_urls[0]" in reveal
    assert "(remote: not loaded)" in reveal
    assert "examples/teaser.shot:" in reveal  # prompt lines point back at the .shot
    # the graph: one node per clip, an edge per chained clip
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count('class="node"') == 4 and svg.count('class="edge"') == 3
    assert "</a> starts on the last frame of <a" in page


def test_no_network_on_the_page(tmp_path: Path) -> None:
    page = build_preview(_teaser(tmp_path), out_dir=tmp_path / "page").page.read_text()
    # remote assets are links only: no element loads a URL, no font/stylesheet/script
    assert not re.search(r'\b(src|poster|srcset)="(https?:)?//', page)
    assert "<link" not in page and "@import" not in page
    assert not re.search(r"url\((?!#)", page)  # only the SVG's own #arrow marker
    assert "<script" not in page


def test_a_prompt_with_markup_stays_text(tmp_path: Path) -> None:
    shot = tmp_path / "evil.shot"
    shot.write_text(
        'storyboard "<b>t</b>"\n\nclip a {\n  shot {\n'
        '    text "A sign reads <script>alert(1)</script> & <img src=x onerror=alert(2)>"\n'
        "  }\n}\n",
        encoding="utf-8",
    )
    page = build_preview(shot, out_dir=tmp_path / "page").page.read_text()
    assert "<script>" not in page and "<img src=x" not in page and "<b>t</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x" in page
    assert "&lt;b&gt;t&lt;/b&gt;" in page


def test_diagnostics_shown_at_their_clip(tmp_path: Path) -> None:
    shot = tmp_path / "bad.shot"
    shot.write_text(
        'storyboard "t"\nclip a { duration 5s\n shot 2s { text "x" } }\n'
        'clip b { shot { text "a train" } }\n',
        encoding="utf-8",
    )
    result = build_preview(shot, out_dir=tmp_path / "page")
    assert result.errors >= 1
    page = result.page.read_text()
    a = page.split('id="clip-a"', 1)[1].split("</article>", 1)[0]
    b = page.split('id="clip-b"', 1)[1].split("</article>", 1)[0]
    assert "SHOT402" in a and "(has errors)" in a
    assert "SHOT" not in b


def test_renders_from_the_manifest(tmp_path: Path) -> None:
    """Videos are copied into media/ and linked relatively; the charge is summed; a clip
    the manifest does not name is 'not rendered yet'; a file outside the render folder
    named by a manifest is never copied."""
    path = _teaser(tmp_path)
    rdir = tmp_path / "renders"
    rdir.mkdir()
    (rdir / "reveal.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (rdir / "reveal.last_frame.png").write_bytes(b"\x89PNG")
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(b"not yours")

    def entry(clip: str, video: Path, credits: int) -> dict[str, object]:
        return {
            "clip": clip, "status": "done", "take": 0, "task_id": f"task-{clip}",
            "seed": 7, "credits_used": credits, "timings": {"render_s": 1.5},
            "files": {"video": {"path": str(video)},
                      "last_frame": {"path": str(rdir / "reveal.last_frame.png")}},
        }  # fmt: skip

    manifest = {"server": "sandbox", "clips": [entry("reveal", rdir / "reveal.mp4", 30),
                                               entry("glow", secret, 30)]}  # fmt: skip
    (rdir / "manifest.json").write_text(json.dumps(manifest))
    out = tmp_path / "page"
    result = build_preview(path, out_dir=out, render_dir=rdir)
    page = result.page.read_text()
    assert result.rendered == 1
    assert 'src="media/reveal.take0.video.mp4"' in page
    assert (out / "media" / "reveal.take0.video.mp4").read_bytes() == b"\x00\x00\x00\x18ftypmp42"
    assert "task task-reveal" in page and "seed 7" in page and "30 credits" in page
    assert not (out / "media" / "glow.take0.video.mp4").exists()
    glow = page.split('id="clip-glow"', 1)[1].split("</article>", 1)[0]
    assert "the video file is missing" in glow
    app = page.split('id="clip-app"', 1)[1].split("</article>", 1)[0]
    assert "not rendered yet" in app
    assert "charged <strong>60</strong>" in page


def test_a_broken_manifest_is_a_usage_error(tmp_path: Path) -> None:
    rdir = tmp_path / "renders"
    rdir.mkdir()
    (rdir / "manifest.json").write_text("{not json")
    with pytest.raises(UsageError, match=r"manifest .* is not valid JSON") as exc:
        build_preview(_teaser(tmp_path), out_dir=tmp_path / "page", render_dir=rdir)
    assert exc.value.exit_code == 2 and exc.value.help


def test_cli_prints_the_page_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _teaser(tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["preview", str(path.relative_to(tmp_path)), "--sandbox"])
    assert exc.value.code == 0
    out = capsys.readouterr()
    assert out.out.strip() == str(Path("renders/teaser/sandbox/preview/index.html"))
    assert (tmp_path / out.out.strip()).is_file()
    assert "4 clip(s), none rendered yet" in out.err


def test_open_opens_the_page_in_the_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    path = _teaser(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["preview", str(path), "--out", str(tmp_path / "page"), "--open"])
    assert exc.value.code == 0
    assert opened == [(tmp_path / "page" / "index.html").resolve().as_uri()]


def test_watch_from_the_command_line_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    """`seedance preview --watch` prints its loopback URL, serves the page with the reload
    script, and exits 0 on Ctrl-C (SIGINT)."""
    import signal
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    path = _teaser(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "seedance_dsl", "preview", str(path), "--watch",
         "--out", str(tmp_path / "page"), "--renders", str(tmp_path / "none")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/index.html"), url
        with urllib.request.urlopen(url, timeout=5) as r:  # loopback only
            page = r.read().decode()
        assert '<script src="/__preview/reload.js"' in page
        assert page.count('<article class="card clip"') == 4
        base = url.rsplit("/", 1)[0]
        with urllib.request.urlopen(base + "/__preview/version", timeout=5) as r:
            assert r.read() == b"1"
        rebound = urllib.request.Request(url, headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(rebound, timeout=5)
        assert denied.value.code == 403
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


def test_a_manifest_cannot_name_where_media_is_written(tmp_path: Path) -> None:
    """The take number of a manifest entry is data: a take like `../../x` does not make
    the copy land outside media/."""
    path = _teaser(tmp_path)
    rdir = tmp_path / "renders"
    rdir.mkdir()
    (rdir / "reveal.mp4").write_bytes(b"video")
    entry = {"clip": "reveal", "status": "done", "take": "/../../../escaped",
             "files": {"video": {"path": str(rdir / "reveal.mp4")}}}  # fmt: skip
    (rdir / "manifest.json").write_text(json.dumps({"clips": [entry]}))
    out = tmp_path / "page"
    build_preview(path, out_dir=out, render_dir=rdir)
    assert not list(tmp_path.glob("escaped*")) and not list(out.glob("escaped*"))
    assert [p.name for p in (out / "media").iterdir()] == ["reveal.take0.video.mp4"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"[" * 4000, "nested too deeply"),  # json.loads would hit RecursionError
        (b'{"clips": []}' + b" " * 5000, "larger than 4,096 bytes"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"clips": {"a": 1}}', "not a manifest written by"),
        (b"[1, 2]", "not a manifest written by"),
    ],
    ids=["deep", "huge", "not-utf8", "clips-not-a-list", "not-an-object"],
)
def test_a_hostile_manifest_is_a_clear_usage_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    says: str,
) -> None:
    """The manifest is read through the limits table (manifest_bytes), never past its
    cap, and any garbage in it is an error that says what and how to fix, exit 2."""
    monkeypatch.setenv("SEEDANCE_MAX_MANIFEST_BYTES", "4096")
    rdir = tmp_path / "renders"
    rdir.mkdir()
    (rdir / "manifest.json").write_bytes(content)
    path = _teaser(tmp_path)
    with pytest.raises(UsageError, match=says) as exc:
        build_preview(path, out_dir=tmp_path / "page", render_dir=rdir)
    assert exc.value.exit_code == 2 and exc.value.help
    if says.startswith("larger"):
        assert "SEEDANCE_MAX_MANIFEST_BYTES" in exc.value.help
    with pytest.raises(SystemExit) as code:
        main(["preview", str(path), "--out", str(tmp_path / "page"), "--renders", str(rdir)])
    assert code.value.code == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_a_manifest_that_is_a_fifo_does_not_block(tmp_path: Path) -> None:
    import os

    rdir = tmp_path / "renders"
    rdir.mkdir()
    os.mkfifo(rdir / "manifest.json")
    with pytest.raises(UsageError, match="not a regular file"):
        build_preview(_teaser(tmp_path), out_dir=tmp_path / "page", render_dir=rdir)
