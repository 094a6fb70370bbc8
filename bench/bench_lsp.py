"""Benchmarks of `seedance lsp`, recorded in docs/benchmarks.md.

1. Diagnostics after an edit to a generated 200-clip storyboard, in process: the shared
   analysis of the new version (the per-clip re-check) plus the conversion to LSP
   diagnostics — median of ``--runs`` edits in different clips; side by side, the same
   edited file checked by the whole process ``seedance check`` and, in process, by a
   whole-file ``check_text`` (what a re-check without the per-clip path would cost).
2. Hover (a clip's compiled prompt; a setting) and completion (after ``use``) on the
   same file, the version warm (median); and the first clip hover after an edit (it
   compiles the storyboard once for that version).
3. Server start to first diagnostics on examples/teaser.shot: spawn ``seedance lsp``,
   initialize, open the file, wait for ``textDocument/publishDiagnostics`` (median).

Usage: .venv/bin/python bench/bench_lsp.py [--runs 31] [--start-runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def generate(clips: int = 200, shots: int = 5) -> str:
    """A valid storyboard: every clip chained to the previous one, five shots each."""
    out = ['storyboard "Generated"', "", "defaults {", "  tier   standard", "  aspect 16:9"]
    out += ["  duration 10s", "}", ""]
    for i in range(50):
        out.append(f'asset a{i} image "https://cdn.example.com/a/{i}.png"')
    out.append('package look { style "35mm film" keep stable faces avoid watermark, logo }')
    for c in range(clips):
        hero = f"a{(c + 1) % 50}"
        out.append(f"clip c{c} {{")
        out.append("  mode media-to-video")
        out.append("  start a0" if c == 0 else f"  start c{c - 1}.last_frame")
        out.append(f"  ref {hero} as character")
        out.append("  use look")
        out.append("  use standard without subtitles")
        for s in range(shots):
            out.append(
                f'  shot 2s {{ subject {hero}  action "walks through scene {s} of clip {c}" '
                f' camera "slow dolly-in"  say {hero} "Line {s}." }}'
            )
        out.append("}")
    return "\n".join(out) + "\n"


def ms(x: float) -> str:
    return f"{x * 1000:.2f} ms"


def in_process(runs: int, path: str) -> dict[str, Any]:
    from seedance_dsl.check import check_text
    from seedance_dsl.lsp import features as f
    from seedance_dsl.lsp.analysis import analyse
    from seedance_dsl.lsp.complete import complete
    from seedance_dsl.lsp.hover import hover

    text = generate()
    Path(path).write_text(text)
    base = analyse(text, path, 1)
    assert not base.diagnostics, base.diagnostics[:2]

    def convert(a: Any) -> list[Any]:
        return f.to_lsp_diagnostics(a, a.diagnostics, lambda p: p, lambda p: None)

    convert(base)
    edit_times: list[float] = []
    full_times: list[float] = []
    prev = base
    for r in range(runs):
        clip = 20 + (r * 37) % 160
        needle = f'scene 2 of clip {clip}"'
        text = text.replace(needle, f'scene 2 of clip {clip} again"', 1)
        t0 = time.perf_counter()
        a = analyse(text, path, r + 2, prev)
        diags = convert(a)
        edit_times.append(time.perf_counter() - t0)
        assert not a.exact and diags == [], (a.exact, diags[:1])
        prev = a
        t0 = time.perf_counter()
        check_text(text, path)
        full_times.append(time.perf_counter() - t0)
    Path(path).write_text(text)
    # hovers and completion on one warm version
    final = analyse(text, path, 10_000)
    final.diagnostics  # noqa: B018 - the full check of this version (exact)
    final.tree  # noqa: B018
    hover_clip = text.index("clip c100 {") + 6
    hover_setting = text.index("tier   standard") + 1
    use_at = text.index("  use look", text.index("clip c120 {")) + len("  use ")
    from seedance_dsl.compiler import compile_text

    compile_text('clip w { shot { action "warms the template" } }', path)  # jinja2, once
    cold_t0 = time.perf_counter()
    assert "Prompt:" in (hover(final, hover_clip) or "")
    cold = time.perf_counter() - cold_t0
    h_clip, h_set, comp = [], [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        assert "Prompt:" in (hover(final, hover_clip) or "")
        h_clip.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        assert hover(final, hover_setting)
        h_set.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        assert any(i.label == "look" for i in complete(final, use_at))
        comp.append(time.perf_counter() - t0)
    return {
        "edit": statistics.median(edit_times),
        "edit_max": max(edit_times),
        "full_in_process": statistics.median(full_times),
        "hover_clip": statistics.median(h_clip),
        "hover_setting": statistics.median(h_set),
        "completion": statistics.median(comp),
        "hover_after_edit": cold,
        "bytes": len(text.encode()),
    }


def whole_process_check(runs: int, path: str) -> float:
    exe = str(Path(sys.executable).with_name("seedance"))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([exe, "check", path], capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _send(proc: subprocess.Popen[bytes], msg: dict[str, Any]) -> None:
    body = json.dumps(msg).encode()
    assert proc.stdin is not None
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def _read(proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    assert proc.stdout is not None
    length = 0
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    result: dict[str, Any] = json.loads(proc.stdout.read(length))
    return result


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=False)
    return time.perf_counter() - t0


def start_to_diagnostics(runs: int) -> dict[str, float]:
    """Interleaved with `python -c pass`, `python -c 'import lsprotocol.types'` (pygls's
    protocol types: a floor of any pygls server) and `seedance check teaser.shot`."""
    exe = str(Path(sys.executable).with_name("seedance"))
    teaser = ROOT / "examples" / "teaser.shot"
    times = []
    side: dict[str, list[float]] = {"pass": [], "lsprotocol": [], "check": []}
    for _ in range(runs):
        side["pass"].append(_wall([sys.executable, "-c", "pass"]))
        side["lsprotocol"].append(_wall([sys.executable, "-c", "import lsprotocol.types"]))
        side["check"].append(_wall([exe, "check", str(teaser)]))
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [exe, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        _send(
            proc,
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"processId": os.getpid(), "rootUri": None, "capabilities": {}},
            },
        )
        while _read(proc).get("id") != 1:
            pass
        _send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        _send(
            proc,
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {
                        "uri": teaser.as_uri(),
                        "languageId": "shot",
                        "version": 1,
                        "text": teaser.read_text(),
                    }
                },
            },
        )
        while _read(proc).get("method") != "textDocument/publishDiagnostics":
            pass
        times.append(time.perf_counter() - t0)
        _send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        while _read(proc).get("id") != 2:
            pass
        _send(proc, {"jsonrpc": "2.0", "method": "exit"})
        proc.wait(timeout=10)
    out = {k: statistics.median(v) for k, v in side.items()}
    out["server"] = statistics.median(times)
    return out


def over_the_wire(runs: int, path: str) -> dict[str, float]:
    """Hover and completion round trips to a running `seedance lsp` on the 200-clip file."""
    exe = str(Path(sys.executable).with_name("seedance"))
    text = Path(path).read_text()
    uri = Path(path).as_uri()
    proc = subprocess.Popen(
        [exe, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    _send(
        proc,
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": os.getpid(), "rootUri": None, "capabilities": {}},
        },
    )
    while _read(proc).get("id") != 1:
        pass
    _send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    _send(
        proc,
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {"uri": uri, "languageId": "shot", "version": 1, "text": text}
            },
        },
    )
    while _read(proc).get("method") != "textDocument/publishDiagnostics":
        pass

    def position(needle: str, delta: int) -> dict[str, int]:
        i = text.index(needle) + delta
        return {"line": text.count("\n", 0, i), "character": i - text.rfind("\n", 0, i) - 1}

    clip_at = position("clip c100 {", 6)
    use_at = position("  use look", len("  use "))
    out: dict[str, list[float]] = {"hover": [], "completion": []}
    ident = 10
    for _ in range(runs):
        for method, where, key in (
            ("textDocument/hover", clip_at, "hover"),
            ("textDocument/completion", use_at, "completion"),
        ):
            ident += 1
            t0 = time.perf_counter()
            _send(
                proc,
                {
                    "jsonrpc": "2.0",
                    "id": ident,
                    "method": method,
                    "params": {"textDocument": {"uri": uri}, "position": where},
                },
            )
            while True:
                msg = _read(proc)
                if msg.get("id") == ident:
                    break
            out[key].append(time.perf_counter() - t0)
            assert msg.get("result"), msg
    _send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    while _read(proc).get("id") != 2:
        pass
    _send(proc, {"jsonrpc": "2.0", "method": "exit"})
    proc.wait(timeout=10)
    return {k: statistics.median(v) for k, v in out.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=31)
    ap.add_argument("--start-runs", type=int, default=7)
    args = ap.parse_args()
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "seedance_dsl")], check=False
    )
    print(f"load average: {os.getloadavg()[0]:.1f} (2 cores)")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "storyboard200.shot")
        r = in_process(args.runs, path)
        whole = whole_process_check(max(5, args.runs // 3), path)
        wire = over_the_wire(args.runs, path)
    start = start_to_diagnostics(args.start_runs)
    print(f"200 clips x 5 shots ({r['bytes'] / 1000:.0f} kB)")
    print(
        f"diagnostics after an edit, in process (per-clip re-check): median {ms(r['edit'])}"
        f" (max {ms(r['edit_max'])})"
    )
    print(f"the same edit, whole-file check_text in process: median {ms(r['full_in_process'])}")
    print(f"the same edit, `seedance check` whole process: median {ms(whole)}")
    print(f"hover on a clip (prompt + request), warm: median {ms(r['hover_clip'])}")
    print(f"hover on a setting, warm: median {ms(r['hover_setting'])}")
    print(f"completion after `use`, warm: median {ms(r['completion'])}")
    print(f"hover on a clip over stdio (round trip, seedance lsp): median {ms(wire['hover'])}")
    print(f"completion over stdio (round trip): median {ms(wire['completion'])}")
    print(f"first clip hover after an edit (compiles that one clip): {ms(r['hover_after_edit'])}")
    print(f"server start to first diagnostics (teaser.shot): median {ms(start['server'])}")
    print(
        f"  side by side: python -c pass {ms(start['pass'])}, python -c 'import "
        f"lsprotocol.types' {ms(start['lsprotocol'])}, seedance check teaser.shot "
        f"{ms(start['check'])}"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
