"""``seedance mcp`` through the SDK's own stdio client: tools, resources, errors, spend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from mcp import ClientSession

from .mcp_helpers import data, error_of, run_session, server_env

pytestmark = pytest.mark.slow

FILM = """\
storyboard "Kite"

clip rise {
  duration 5s
  shot { action "a red kite rises over a windy beach"  camera "slow tilt up" }
}
"""

BROKEN = """\
storyboard "Broken"

clip one {
  duration 5s
  shot { acton "typo in the field name" }
}
"""

UGLY = 'storyboard "Kite"\nclip rise {\nduration 5s\nshot { action "a kite" }\n}\n'

TOOLS = {"init", "check", "format", "write", "compile", "plan", "render", "status", "explain"}


def _root(tmp_path: Path) -> Path:
    root = tmp_path / "work"
    root.mkdir()
    return root


def test_lists_tools_calls_each_and_survives_bad_arguments(tmp_path: Path) -> None:
    root = _root(tmp_path)
    (root / "film.shot").write_text(FILM)
    (root / "broken.shot").write_text(BROKEN)
    (root / "ugly.shot").write_text(UGLY)

    async def body(s: ClientSession) -> dict[str, Any]:
        out: dict[str, Any] = {}
        tools = await s.list_tools()
        out["tools"] = {t.name: t for t in tools.tools}
        out["check"] = await s.call_tool("check", {"files": ["film.shot", "broken.shot"]})
        out["format"] = await s.call_tool("format", {"file": "ugly.shot"})
        out["format_write"] = await s.call_tool("format", {"file": "ugly.shot", "write": True})
        out["format_broken"] = await s.call_tool("format", {"file": "broken.shot"})
        out["compile"] = await s.call_tool("compile", {"file": "film.shot"})
        out["compile_broken"] = await s.call_tool("compile", {"file": "broken.shot"})
        out["compile_clip"] = await s.call_tool("compile", {"file": "film.shot", "clips": ["x"]})
        schema = await s.read_resource("seedance://schema/compile")
        out["schema"] = json.loads(schema.contents[0].text)  # type: ignore[union-attr]
        out["plan"] = await s.call_tool("plan", {"file": "film.shot"})
        out["plan_broken"] = await s.call_tool("plan", {"file": "broken.shot"})
        out["status"] = await s.call_tool("status", {"file": "film.shot"})
        out["explain"] = await s.call_tool("explain", {"code": "shot105"})
        out["explain_bad"] = await s.call_tool("explain", {"code": "SHOT9999"})
        # bad arguments: every one a tool error, and the server goes on
        out["bad"] = [
            await s.call_tool("check", {}),
            await s.call_tool("check", {"files": []}),
            await s.call_tool("check", {"files": "film.shot"}),
            await s.call_tool("plan", {"file": "film.shot", "take": -1}),
            await s.call_tool("render", {"file": "film.shot", "max_credits": "lots"}),
            await s.call_tool("compile", {"file": ""}),
            await s.call_tool("explain", {"code": 101}),
            await s.call_tool("no_such_tool", {}),
        ]
        out["outside"] = [
            await s.call_tool("check", {"files": ["../outside.shot"]}),
            await s.call_tool("compile", {"file": "/etc/passwd"}),
            await s.call_tool("write", {"file": "../escape.shot", "text": FILM}),
            await s.call_tool("write", {"file": "notes.txt", "text": "x"}),
        ]
        out["missing"] = await s.call_tool("status", {"file": "nope.shot"})
        out["exists"] = await s.call_tool("write", {"file": "film.shot", "text": FILM})
        out["after"] = await s.call_tool("check", {"files": ["film.shot"]})
        out["init"] = await s.call_tool("init", {"directory": "starter"})
        out["init_check"] = await s.call_tool(
            "check", {"files": ["starter/film.shot", "starter/lib/look.shot"]}
        )
        out["init_again"] = await s.call_tool("init", {"directory": "starter"})
        out["init_outside"] = await s.call_tool("init", {"directory": "../elsewhere"})
        return out

    (tmp_path / "outside.shot").write_text(FILM)
    out = run_session(root, body)

    assert set(out["tools"]) == TOOLS
    for name, tool in out["tools"].items():
        assert tool.description, name
        assert tool.input_schema["type"] == "object", name

    chk = data(out["check"])
    assert chk["valid"] is False and chk["counts"]["error"] >= 1
    assert chk["files"] == [
        {"path": "film.shot", "valid": True},
        {"path": "broken.shot", "valid": False},
    ]
    d = next(d for d in chk["diagnostics"] if d["severity"] == "error")
    assert d["file"] == "broken.shot"
    assert (d["line"], d["column"]) == (5, 10)
    assert d["code"].startswith("SHOT") and d["message"] and d["help"]
    assert not out["check"].is_error  # errors in a storyboard are data

    fmt = data(out["format"])
    assert fmt["changed"] is True and fmt["written"] is False
    assert data(out["format_write"])["written"] is True
    assert (root / "ugly.shot").read_text() == fmt["formatted"]
    assert error_of(out["format_broken"])["diagnostics"]

    comp = data(out["compile"])
    jsonschema.validate(comp, out["schema"])
    (clip,) = comp["clips"]
    assert clip["name"] == "rise" and "red kite" in clip["prompt"]
    assert clip["body"]["prompt"] == clip["prompt"]
    assert clip["references"] == []
    assert comp["files"] == [{"path": "film.shot", "valid": True}]
    bad_comp = error_of(out["compile_broken"])
    assert bad_comp["error"]["kind"] == "diagnostics"
    assert bad_comp["diagnostics"][0]["line"] == 5
    jsonschema.validate(bad_comp["compile"], out["schema"])
    assert "clips: rise" in error_of(out["compile_clip"])["error"]["help"]

    plan = data(out["plan"])
    assert plan["server"] == "sandbox"
    assert [(c["clip"], c["action"]) for c in plan["clips"]] == [("rise", "submit")]
    assert plan["credits_estimate_total"] > 0
    plan_err = error_of(out["plan_broken"])
    assert plan_err["error"]["kind"] == "compile" and plan_err["diagnostics"]

    st = data(out["status"])
    assert [(c["clip"], c["state"]) for c in st["clips"]] == [("rise", "never rendered")]

    ex = data(out["explain"])
    assert ex["code"] == "SHOT105" and ex["explanation"]
    assert error_of(out["explain_bad"])["error"]["kind"] == "not_found"

    for result in out["bad"]:
        assert result.is_error, result
        assert result.content and result.content[0].text  # a message, not a crash
    for result in out["outside"]:
        err = error_of(result)
        assert err["error"]["help"], err
    assert error_of(out["outside"][0])["error"]["kind"] == "outside_root"
    assert not (tmp_path / "escape.shot").exists()
    assert error_of(out["missing"])["error"]["kind"] == "not_found"
    assert error_of(out["exists"])["error"]["kind"] == "exists"
    assert (root / "film.shot").read_text() == FILM
    assert data(out["after"])["valid"] is True  # the server survived all of it

    made = data(out["init"])
    assert made["storyboard"] == "starter/film.shot"
    assert set(made["created"]) == {
        "starter/film.shot",
        "starter/lib/look.shot",
        "starter/README.md",
    }
    # only the library's note that it has no clips of its own
    init_diags = data(out["init_check"])["diagnostics"]
    assert [d["code"] for d in init_diags if d["severity"] != "note"] == [], init_diags
    assert error_of(out["init_again"])["error"]["kind"] == "exists"
    assert error_of(out["init_outside"])["error"]["kind"] == "outside_root"
    assert not (tmp_path / "elsewhere").exists()


def test_from_an_empty_directory_to_a_rendered_sandbox_storyboard(tmp_path: Path) -> None:
    """The Done-when of issue 16: only the server's tools and resources."""
    root = _root(tmp_path)
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append((done, total, message))

    async def body(s: ClientSession) -> dict[str, Any]:
        out: dict[str, Any] = {}
        listing = await s.list_resources()
        out["uris"] = {str(r.uri) for r in listing.resources}
        lang = await s.read_resource("seedance://docs/language")
        guide = await s.read_resource("seedance://docs/prompt-guide")
        out["docs"] = [lang.contents[0].text, guide.contents[0].text]  # type: ignore[union-attr]
        examples = await s.read_resource("seedance://examples")
        out["examples"] = json.loads(examples.contents[0].text)  # type: ignore[union-attr]
        lib = await s.read_resource("seedance://examples/lib/studio.shot")
        out["lib_text"] = lib.contents[0].text  # type: ignore[union-attr]
        out["write_lib"] = await s.call_tool(
            "write", {"file": "lib/studio.shot", "text": out["lib_text"]}
        )
        film = 'storyboard "Kite"\n\nimport "lib/studio.shot"\n\n' + FILM.split("\n", 2)[2]
        out["write"] = await s.call_tool("write", {"file": "film.shot", "text": film})
        out["check"] = await s.call_tool("check", {"files": ["film.shot"]})
        out["compile"] = await s.call_tool("compile", {"file": "film.shot"})
        out["plan"] = await s.call_tool("plan", {"file": "film.shot"})
        out["render"] = await s.call_tool(
            "render", {"file": "film.shot"}, progress_callback=on_progress
        )
        out["status"] = await s.call_tool("status", {"file": "film.shot"})
        out["again"] = await s.call_tool("plan", {"file": "film.shot"})
        return out

    out = run_session(root, body)

    assert {"seedance://docs/language", "seedance://docs/prompt-guide"} <= out["uris"]
    assert "seedance://schema/compile" in out["uris"]
    assert all(len(text) > 1000 for text in out["docs"])
    names = {e["name"] for e in out["examples"]}
    assert {"teaser.shot", "lib/studio.shot"} <= names
    assert {e["uri"] for e in out["examples"]} <= out["uris"]
    assert data(out["write_lib"])["file"] == "lib/studio.shot"
    assert data(out["write"])["check"]["valid"] is True
    assert data(out["check"])["valid"] is True
    assert data(out["compile"])["clips"][0]["name"] == "rise"
    assert data(out["plan"])["counts"] == {"submit": 1}

    summary = data(out["render"])
    assert summary["ok"] is True and summary["server"] == "sandbox"
    (clip,) = summary["clips"]
    assert clip["status"] == "done"
    video = root / clip["video"]
    assert video.is_file() and video.read_bytes()[4:8] == b"ftyp"
    assert summary["manifest"] == "renders/film/manifest.json"

    assert progress, "no progress notification during the render"
    assert progress[-1][0] == progress[-1][1] == 1.0
    assert any("rise" in (m or "") for _, _, m in progress)

    st = data(out["status"])
    assert st["clips"][0]["state"] == "done"
    assert st["clips"][0]["detail"] == clip["video"]  # relative to the root
    assert data(out["again"])["counts"] == {"reuse": 1}


FIVE_S = 'storyboard "Cap"\n\nclip a {\n  duration 5s\n  shot { action "a gull glides" }\n}\n'


def test_a_real_render_needs_the_users_permission(tmp_path: Path, sandbox: Any) -> None:
    """The sandbox fixture plays the paid service: without --allow-spend or --max-credits
    nothing reaches it; with --max-credits the session stops at the cap."""
    root = _root(tmp_path)
    (root / "film.shot").write_text(FIVE_S)
    env = server_env(
        tmp_path,
        SEEDANCE_BASE_URL=sandbox.base_url,
        SEEDANCE_API_KEY=sandbox.api_key,
        SEEDANCE_RATE_LIMIT="30/0.6",
    )

    async def real(s: ClientSession) -> Any:
        return await s.call_tool("render", {"file": "film.shot", "sandbox": False})

    refused = error_of(run_session(root, real, env=env))
    assert refused["error"]["kind"] == "spend_refused"
    assert "--allow-spend" in refused["error"]["help"]
    assert sandbox.inspect()["requests_per_route"] == {}

    no_key = {k: v for k, v in env.items() if k != "SEEDANCE_API_KEY"}
    err = error_of(run_session(root, real, args=["--allow-spend"], env=no_key))
    assert err["error"]["kind"] == "config"
    assert sandbox.inspect()["requests_per_route"] == {}

    async def twice(s: ClientSession) -> tuple[Any, Any]:
        first = await s.call_tool("render", {"file": "film.shot", "sandbox": False})
        second = await s.call_tool("render", {"file": "film.shot", "sandbox": False, "take": 1})
        return first, second

    first, second = run_session(root, twice, args=["--max-credits", "30"], env=env)
    summary = data(first)
    assert summary["ok"] is True and summary["credits_used"] == 30
    assert summary["session_credits_spent"] == 30
    capped = error_of(second)
    assert capped["error"]["kind"] == "spend_refused"
    assert "cap" in capped["error"]["message"]
    assert len(sandbox.inspect()["tasks"]) == 1
