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
    assert "character · media_urls[0] (image 1)" in reveal
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


_LINE = re.compile(
    r'<li class="(source|template)"><span class="text">(.*?)</span>'
    r'<span class="src"[^>]*>(.*?)</span></li>',
    re.S,
)


def _prompt_items(card: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(kind, text, [(href, label)]) of each prompt line element of a card."""
    prompt = card.split('<ol class="prompt">', 1)[1].split("</ol>", 1)[0]
    items = _LINE.findall(prompt)
    assert len(items) == prompt.count("<li"), "a prompt line element of another shape"
    return [(k, t, re.findall(r'<a href="([^"]+)" title="([^"]+)">', src)) for k, t, src in items]


@pytest.mark.parametrize("example", ["teaser", "glass_train", "edit", "dialogue"])
def test_every_prompt_line_links_to_a_line_of_its_shot_file(tmp_path: Path, example: str) -> None:
    """Each line element of each prompt links to an anchor of the page's source listing,
    that anchor is that line of that file, a connective line links to its clip's line,
    and a line of the author's words links to a line that holds some of them."""
    from html import unescape

    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    path = tmp_path / "examples" / f"{example}.shot"
    page = build_preview(path, out_dir=tmp_path / "page").page.read_text(encoding="utf-8")
    listing: dict[str, str] = {
        anchor: unescape(code)
        for anchor, code in re.findall(
            r'<li id="(src\d+-L\d+)"><code>(.*?)</code></li>', page, re.S
        )
    }
    checked = 0
    for name in _cards(page):
        card = page.split(f'id="clip-{name}"', 1)[1].split("</article>", 1)[0]
        for kind, text, links in _prompt_items(card):
            assert links, f"{name}: prompt line {text!r} links to nothing"
            for href, label in links:
                anchor = href.removeprefix("#")
                assert anchor in listing, f"{name}: {href} is not a line on the page"
                file, line = label.rsplit(":", 1)
                real = Path(file).read_text(encoding="utf-8").split("\n")[int(line) - 1]
                assert listing[anchor] == real, (href, label)
            first = listing[links[0][0].removeprefix("#")]
            if kind == "template":
                assert first.lstrip().startswith(f"clip {name}"), (name, text, first)
            else:
                words = {w for w in re.findall(r"[a-z]{4,}", unescape(text).lower())}
                linked = " ".join(listing[h.removeprefix("#")] for h, _ in links).lower()
                # a reference's sentence is its role line's; the built-in package's words
                # have no line but the clip's `use standard`
                roles = ("use ", "start ", "end ", "ref ", "source ", "extend ")
                by_role = [
                    h for h, _ in links if listing[h.removeprefix("#")].lstrip().startswith(roles)
                ]
                assert by_role or any(w in linked for w in words), (name, text, linked)
            checked += 1
    assert checked >= 5


def test_prompt_lines_link_to_the_shot_the_package_and_the_role_line(tmp_path: Path) -> None:
    path = _teaser(tmp_path)
    page = build_preview(path, out_dir=tmp_path / "page").page.read_text(encoding="utf-8")

    def links_of(clip: str, starts: str) -> list[str]:
        card = page.split(f'id="clip-{clip}"', 1)[1].split("</article>", 1)[0]
        (hit,) = [lk for _, t, lk in _prompt_items(card) if t.startswith(escape(starts))]
        return [label for _, label in hit]

    shot = str(path.relative_to(tmp_path)) if not path.is_absolute() else str(path)
    assert links_of("reveal", "Shot 1 (0–2 s)")[0] == f"{shot}:28"  # `shot 2s {`
    assert links_of("reveal", "Shot 1 (0–2 s)")[1:4] == [f"{shot}:{n}" for n in (29, 30, 32)]
    assert links_of("glow", "Open on the supplied start frame.") == [f"{shot}:40"]
    assert links_of("app", "A hand taps a phone") == [f"{shot}:56"]  # the clip's `text`
    style = links_of("reveal", "Style: clean commercial look")
    assert style[0].endswith("lib/studio.shot:8")  # the package's style, in the import
    assert any(lk == f"{shot}:26" for lk in links_of("reveal", "Constraints:"))  # use standard


def _manifest(rdir: Path, entries: dict[str, dict[str, Path]]) -> None:
    clips = [
        {"clip": c, "status": "done", "take": 0, "task_id": f"t-{c}",
         "files": {k: {"path": str(p)} for k, p in files.items()}}
        for c, files in entries.items()
    ]  # fmt: skip
    (rdir / "manifest.json").write_text(json.dumps({"server": "sandbox", "clips": clips}))


def test_a_chained_reference_shows_the_earlier_clips_frame_or_a_placeholder(
    tmp_path: Path,
) -> None:
    """Before a render: a placeholder naming (and linking) the clip the frame comes
    from; after: that clip's last frame, copied into media/, labelled with its role and
    field."""
    path = _teaser(tmp_path)
    page = build_preview(path, out_dir=tmp_path / "p0", render_dir=tmp_path / "none").page
    glow = page.read_text().split('id="clip-glow"', 1)[1].split("</article>", 1)[0]
    assert '<figure class="ref" data-role="start" data-field="image_url">' in glow
    assert "placeholder pending" in glow
    assert 'the last frame of clip <a href="#clip-reveal">reveal</a><br>not rendered yet' in glow
    assert "start frame · image_url" in glow
    reveal = page.read_text().split('id="clip-reveal"', 1)[1].split("</article>", 1)[0]
    assert "placeholder remote" in reveal  # a remote asset: never loaded

    rdir = tmp_path / "renders"
    rdir.mkdir()
    (rdir / "reveal.mp4").write_bytes(b"video")
    (rdir / "reveal.last_frame.png").write_bytes(b"\x89PNG frame")
    _manifest(rdir, {"reveal": {"video": rdir / "reveal.mp4",
                                "last_frame": rdir / "reveal.last_frame.png"}})  # fmt: skip
    out = tmp_path / "p1"
    text = build_preview(path, out_dir=out, render_dir=rdir).page.read_text()
    glow = text.split('id="clip-glow"', 1)[1].split("</article>", 1)[0]
    assert '<img class="ref-thumb" src="media/reveal.take0.last_frame.png"' in glow
    assert 'alt="start frame · image_url: the last frame of clip reveal"' in glow
    assert (out / "media" / "reveal.take0.last_frame.png").read_bytes() == b"\x89PNG frame"
    app = text.split('id="clip-app"', 1)[1].split("</article>", 1)[0]
    assert 'the last frame of clip <a href="#clip-glow">glow</a><br>not rendered yet' in app


def test_an_extended_clips_video_is_a_video_with_its_poster(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    path = tmp_path / "examples" / "edit.shot"
    rdir = tmp_path / "renders"
    rdir.mkdir()
    (rdir / "regrade.mp4").write_bytes(b"video")
    (rdir / "regrade.last_frame.png").write_bytes(b"\x89PNG")
    _manifest(rdir, {"regrade": {"video": rdir / "regrade.mp4",
                                 "last_frame": rdir / "regrade.last_frame.png"}})  # fmt: skip
    text = build_preview(path, out_dir=tmp_path / "p", render_dir=rdir).page.read_text()
    sway = text.split('id="clip-sway"', 1)[1].split("</article>", 1)[0]
    assert '<figure class="ref" data-role="source" data-field="media_urls[0]">' in sway
    assert (
        '<video class="ref-thumb" controls muted preload="auto" playsinline '
        'src="media/regrade.take0.video.mp4" poster="media/regrade.take0.last_frame.png"'
    ) in sway
    assert "source · media_urls[0] (video 1): the video of clip regrade" in sway


def test_every_take_of_a_clip_side_by_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The manifest holds the last run only; the other finished takes come from the state
    database (read only), so take 0 and take 1 of a clip are on its card side by side."""
    shot = tmp_path / "film.shot"
    shot.write_text(
        'storyboard "Film"\n\nclip a {\n  duration 4s\n  shot { action "a train" }\n}\n\n'
        'clip b {\n  duration 4s\n  shot { action "a bridge" }\n}\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    for args in ([], ["--clip", "a", "--take", "1"]):
        with pytest.raises(SystemExit) as code:
            main(["render", "film.shot", "--sandbox", "-q", *args])
        assert code.value.code == 0
    manifest = json.loads(Path("renders/film/sandbox/manifest.json").read_text())
    assert {(c["clip"], c["take"]) for c in manifest["clips"]} == {("a", 1)}
    capsys.readouterr()
    result = build_preview("film.shot", sandbox=True)
    page = result.page.read_text(encoding="utf-8")
    a = page.split('id="clip-a"', 1)[1].split("</article>", 1)[0]
    assert "take 0: done" in a and "take 1: done" in a
    assert a.index("take 0: done") < a.index("take 1: done")
    assert 'src="media/a.take0.video.mp4"' in a and 'src="media/a.take1.video.mp4"' in a
    b = page.split('id="clip-b"', 1)[1].split("</article>", 1)[0]
    assert "take 0: done" in b and 'src="media/b.take0.video.mp4"' in b
    assert result.rendered == 2
