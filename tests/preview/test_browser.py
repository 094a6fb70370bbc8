"""The preview page in a real browser: headless Chromium (Debian's `chromium`, driven by
Playwright) opens it from file:// after a sandbox render.  No console errors, no failed
requests, no request off the page's own folder, every clip card, every video playable,
the graph drawn; screenshots at laptop and phone widths are kept as test artifacts.

Never skipped: `make test` installs chromium (as root) and playwright (dev extras); when
either is missing this test fails and says how to install it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from seedance_dsl.preview import build_preview
from seedance_dsl.render.commands import load_storyboard, render_storyboard
from seedance_dsl.render.identity import server_namespace

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SEEDANCE_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: where the screenshots are also written when set (docs/preview.md's images)
SHOTS_ENV = "SEEDANCE_PREVIEW_SCREENSHOTS"
VIEWPORTS = {"laptop": (1280, 800), "phone": (390, 844)}


def _playwright() -> Any:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run `make test` (as root it installs Debian's "
            "`chromium`), or `apt-get install -y chromium`"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: `make install` (dev extras) installs it")
    return sync_playwright


def _render(sandbox: Any, path: Path, rdir: Path) -> None:
    st = sandbox.settings
    summary = render_storyboard(
        load_storyboard(path),
        out_dir=rdir,
        server=server_namespace(sandbox.base_url),
        api_key=sandbox.api_key,
        base_url=sandbox.base_url,
        rate_limit=(st.rate_limit_requests, st.scaled(st.rate_limit_window_s)),
    )
    assert summary.exit_code == 0


def test_the_page_in_chromium(sandbox: Any, tmp_path: Path) -> None:
    sync_playwright = _playwright()
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    path = tmp_path / "examples" / "teaser.shot"
    rdir = tmp_path / "renders"
    _render(sandbox, path, rdir)
    result = build_preview(path, out_dir=tmp_path / "page", render_dir=rdir)
    assert result.rendered == result.clips == 4
    url = result.page.resolve().as_uri()
    folder = result.page.parent.resolve().as_uri() + "/"

    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=30_000)
        try:
            for label, size in VIEWPORTS.items():
                _check(browser, url, folder, label, size, artifacts)
        finally:
            browser.close()
    keep = os.environ.get(SHOTS_ENV)
    if keep:
        for shot in artifacts.glob("preview-*.png"):
            shutil.copyfile(shot, Path(keep) / shot.name)


def _check(
    browser: Any, url: str, folder: str, label: str, size: tuple[int, int], artifacts: Path
) -> None:
    """One viewport: the page loads clean, every card, video and the graph are there."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors: list[str] = []
    failed: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on(
        "request",
        lambda r: None if r.url.startswith(folder) else foreign.append(r.url),
    )
    page.goto(url, wait_until="load", timeout=15_000)
    page.wait_for_function(
        "[...document.querySelectorAll('video')].every(v => v.readyState >= 2)",
        timeout=15_000,
    )
    cards = page.locator("article.clip")
    assert cards.count() == 4
    names = [cards.nth(i).get_attribute("data-clip") for i in range(4)]
    assert names == ["reveal", "glow", "app", "packshot"]
    for i in range(4):  # each card shows its prompt's text
        assert cards.nth(i).locator(".prompt li").count() >= 3
    # every prompt line links to a line of the page's source listing that exists
    dangling = page.eval_on_selector_all(
        "article.clip .prompt li",
        """lis => lis.filter(li => {
            const a = li.querySelector('a[href^="#src"]');
            return !a || !document.getElementById(a.getAttribute('href').slice(1));
        }).map(li => li.textContent)""",
    )
    assert dangling == [], dangling
    # a chained start frame: the earlier clip's last frame, loaded, labelled
    for name, source in (("glow", "reveal"), ("app", "glow"), ("packshot", "app")):
        fig = page.locator(f'#clip-{name} figure.ref[data-role="start"]')
        img = fig.locator("img.ref-thumb")
        img.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=img.element_handle(), timeout=10_000
        )
        assert img.get_attribute("src") == f"media/{source}.take0.last_frame.png"
        assert "start frame · image_url" in fig.locator("figcaption").inner_text()
        assert img.get_attribute("alt") == (
            f"start frame · image_url: the last frame of clip {source}"
        )
    page.evaluate("window.scrollTo(0, 0)")
    assert page.locator("video").count() == 4
    states = page.eval_on_selector_all("video", "vs => vs.map(v => v.readyState)")
    assert all(s >= 2 for s in states), states
    box = page.locator("svg.graph").bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 20
    assert page.locator("svg.graph .node").count() == 4
    assert page.locator("svg.graph .edge path").count() == 3
    # no horizontal scrolling of the page itself at this width
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = page.evaluate(
        """() => { const w = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.graph-wrap'))
          .slice(0, 5).map(e => e.tagName + '.' + e.className + ': '
                           + (e.textContent || '').slice(0, 60)) }"""
    )
    assert overflow <= 1, f"{label}: the page scrolls sideways by {overflow}px: {wide}"
    # keyboard: Tab reaches a link of the page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName.toUpperCase()") in {
        "A",
        "VIDEO",
    }
    # a prompt line's link goes to its line of the .shot file on the page
    link = page.locator("#clip-reveal .prompt li.source a").first
    href = link.get_attribute("href")
    assert href is not None and href.startswith("#src")
    link.click()
    assert page.evaluate("location.hash") == href
    assert page.locator(f"{href}:target").count() == 1
    page.evaluate("history.replaceState(null, '', location.pathname); window.scrollTo(0, 0)")
    assert errors == [] and failed == [] and foreign == []
    shot = artifacts / f"preview-{label}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    page.screenshot(path=str(artifacts / f"full-{label}.png"), full_page=True)
    if label == "laptop":  # a card with a chained start frame, for docs/preview.md
        page.locator("#clip-glow").screenshot(path=str(artifacts / "preview-card-glow.png"))
    page.close()


def test_watch_rewrites_and_reloads_the_open_page(tmp_path: Path) -> None:
    """--watch: a saved change to the storyboard is on the open page within seconds,
    served on loopback only, with no console error."""
    import threading

    from seedance_dsl.preview.watch import watch

    sync_playwright = _playwright()
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    path = tmp_path / "examples" / "teaser.shot"
    stop = threading.Event()
    ready: list[str] = []
    started = threading.Event()

    def on_ready(url: str, _result: object) -> None:
        ready.append(url)
        started.set()

    t = threading.Thread(
        target=watch,
        args=(path,),
        kwargs={
            "out_dir": tmp_path / "page",
            "render_dir": tmp_path / "none",
            "interval_s": 0.1,
            "on_ready": on_ready,
            "stop": stop,
        },
        daemon=True,
    )
    t.start()
    try:
        assert started.wait(10), "the watch server did not start in 10 s"
        assert ready[0].startswith("http://127.0.0.1:")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=30_000)
            try:
                page = browser.new_page()
                errors: list[str] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
                page.goto(ready[0], wait_until="load", timeout=15_000)
                assert page.locator("article.clip").count() == 4
                page.wait_for_timeout(300)  # the reload script has seen the first version
                with path.open("a", encoding="utf-8") as f:
                    f.write('\nclip encore {\n  shot { text "The lamp bows out" }\n}\n')
                page.wait_for_selector("#clip-encore", timeout=10_000)
                assert page.locator("article.clip").count() == 5
                assert errors == []
            finally:
                browser.close()
    finally:
        stop.set()
        t.join(10)
    assert not t.is_alive()


def test_an_extended_clips_video_plays_as_a_reference(sandbox: Any, tmp_path: Path) -> None:
    """examples/edit.shot: `sway` edits the video of `regrade`.  Before a render its card
    shows a placeholder naming regrade; after, that video (poster: its last frame),
    playable in place and labelled with its role and media_urls index."""
    sync_playwright = _playwright()
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    path = tmp_path / "examples" / "edit.shot"
    before = build_preview(path, out_dir=tmp_path / "p0", render_dir=tmp_path / "none")
    rdir = tmp_path / "renders"
    _render(sandbox, path, rdir)
    after = build_preview(path, out_dir=tmp_path / "p1", render_dir=rdir)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=30_000)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("requestfailed", lambda r: errors.append(r.url))
            page.goto(before.page.resolve().as_uri(), wait_until="load", timeout=15_000)
            ph = page.locator('#clip-sway figure.ref[data-role="source"] .placeholder')
            assert "the video of clip regrade" in ph.inner_text()
            assert ph.locator('a[href="#clip-regrade"]').count() == 1
            page.goto(after.page.resolve().as_uri(), wait_until="load", timeout=15_000)
            fig = page.locator('#clip-sway figure.ref[data-role="source"]')
            video = fig.locator("video.ref-thumb")
            video.scroll_into_view_if_needed()
            page.wait_for_function(
                "v => v.readyState >= 2", arg=video.element_handle(), timeout=15_000
            )
            assert video.get_attribute("src") == "media/regrade.take0.video.mp4"
            assert video.get_attribute("poster") == "media/regrade.take0.last_frame.png"
            assert "source · media_urls[0] (video 1)" in fig.locator("figcaption").inner_text()
            assert errors == []
        finally:
            browser.close()
