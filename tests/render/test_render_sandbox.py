"""The renderer against the real sandbox (loopback HTTP), in this process."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import av
from render_helpers import CHAIN, independent

from seedance_dsl.render.commands import load_storyboard
from seedance_dsl.render.events import EXIT_BUDGET, EXIT_FAILED, EXIT_OK
from seedance_dsl.render.identity import server_namespace
from seedance_dsl.render.plan import make_plan
from seedance_dsl.render.state import StateDB


def _frames(path: Path) -> int:
    with av.open(str(path)) as f:
        return sum(1 for _ in f.decode(video=0))


def test_renders_graph_chains_real_outputs_and_resumes(sandbox, shot, render_on) -> None:
    path = shot(CHAIN)
    summary, events = render_on(sandbox, path)
    assert summary.exit_code == EXIT_OK, summary.to_json()
    assert {c.clip: c.status for c in summary.clips} == {
        "arrival": "done",
        "departure": "done",
        "longer": "done",
        "extra": "done",
    }
    # every file whole: a decodable MP4 with frames, and a last frame image
    for c in summary.clips:
        assert c.video_path and _frames(Path(c.video_path)) > 0
        assert c.frame_path and Path(c.frame_path).stat().st_size > 0
    # dependents were submitted with the real outputs the server returned
    db = StateDB.for_storyboard(path)
    server = server_namespace(sandbox.base_url)
    recs = {r.clip: r for r in db.history(server, path.name)}
    assert recs["departure"].request["image_url"] == recs["arrival"].last_frame_url
    assert recs["arrival"].video_url in recs["longer"].request["media_urls"]
    # dependents were submitted only after arrival completed
    order = [(e.kind, e.clip) for e in events]
    assert order.index(("completed", "arrival")) < order.index(("submitting", "departure"))
    # every intent charged once
    ins = sandbox.inspect()
    assert ins["tasks_created"] == 4
    assert all(v == 1 for v in ins["tasks_per_idempotency_key"].values())
    assert ins["rate_limited"] == 0
    # the manifest: per clip prompt, request, task, credits, seed, timings, files; no key
    manifest_text = (path.parent / "renders" / "film" / "manifest.json").read_text()
    assert sandbox.api_key not in manifest_text
    manifest = json.loads(manifest_text)
    assert manifest["storyboard"]["source_hash"]
    entry = {c["clip"]: c for c in manifest["clips"]}["arrival"]
    for field in ("prompt", "request", "task_id", "credits_used", "seed", "timings", "files"):
        assert entry[field] is not None, field
    # the state database never holds the key
    raw = (path.parent / ".seedance" / "state.db").read_bytes()
    assert sandbox.api_key.encode() not in raw
    assert db._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()

    # a second run reuses everything: not one request
    before = sum(ins["requests_per_route"].values())
    summary2, _ = render_on(sandbox, path)
    assert summary2.exit_code == EXIT_OK
    assert {c.status for c in summary2.clips} == {"reused"}
    assert sum(sandbox.inspect()["requests_per_route"].values()) == before

    # --take 1: a fresh render of the same requests (new keys), files side by side
    summary3, _ = render_on(sandbox, path, take=1, clips=["extra"])
    assert [c.status for c in summary3.clips] == ["done"]
    assert summary3.clips[0].video_path.endswith("extra.take1.mp4")
    assert sandbox.inspect()["tasks_created"] == 5


def test_plan_reflects_state(sandbox, shot, render_on) -> None:
    path = shot(CHAIN)
    sb = load_storyboard(path)
    server = server_namespace(sandbox.base_url)
    plan = make_plan(sb, server=server)
    assert {e.clip: e.action for e in plan.entries} == {
        "arrival": "submit",
        "departure": "wait",
        "longer": "wait",
        "extra": "submit",
    }
    assert plan.total_estimate > 0
    render_on(sandbox, path, clips=["extra"])
    plan = make_plan(sb, server=server)
    actions = {e.clip: e.action for e in plan.entries}
    assert actions["extra"] == "reuse" and actions["arrival"] == "submit"
    # a changed request is submitted again
    path.write_text(CHAIN.replace("a conductor waves", "a conductor bows"))
    plan = make_plan(load_storyboard(path), server=server)
    entry = {e.clip: e for e in plan.entries}["extra"]
    assert entry.action == "submit" and "changed" in entry.reason


def test_failed_tasks_refunded_dependents_skipped(sandbox_factory, shot, render_on) -> None:
    sb = sandbox_factory(fail_fraction=1.0)
    path = shot(CHAIN)
    summary, _ = render_on(sb, path)
    assert summary.exit_code == EXIT_FAILED
    by = {c.clip: c for c in summary.clips}
    assert by["arrival"].status == "failed"
    assert by["arrival"].credits_refunded == by["arrival"].credits_used > 0
    assert "refunded" in by["arrival"].reason
    assert by["departure"].status == "skipped" and "arrival failed" in by["departure"].reason
    assert by["longer"].status == "skipped"
    assert by["extra"].status == "failed"
    ins = sb.inspect()
    assert ins["credits_charged"] == ins["credits_refunded"]


def test_insufficient_credits_stops_submits_but_finishes_in_flight(
    sandbox_factory, shot, render_on
) -> None:
    sb = sandbox_factory(keys={"sk_test_poor": 30})
    path = shot(independent(3))
    summary, _ = render_on(sb, path, concurrency=1)
    assert summary.exit_code == EXIT_BUDGET
    statuses = [c.status for c in summary.clips]
    assert statuses[0] == "done"
    assert statuses.count("no_credits") == 2


def test_max_credits_refuses_submits(sandbox, shot, render_on) -> None:
    path = shot(independent(4))
    summary, _ = render_on(sandbox, path, max_credits=50)  # 24 credits each (estimate)
    assert summary.exit_code == EXIT_BUDGET
    statuses = [c.status for c in summary.clips]
    assert statuses.count("done") == 2 and statuses.count("over_budget") == 2
    assert summary.credits_used <= 50
    assert sandbox.inspect()["tasks_created"] == 2


def test_busy_server_adapts_concurrency(sandbox_factory, shot, render_on) -> None:
    sb = sandbox_factory(max_concurrent_tasks=2)
    path = shot(independent(6))
    summary, events = render_on(sb, path)
    assert summary.exit_code == EXIT_OK
    ins = sb.inspect()
    assert ins["tasks_created"] == 6 and ins["rate_limited"] == 0
    busy = [e for e in events if e.kind == "busy"]
    assert busy and busy[-1].data["concurrency"] <= 2
    # after learning the limit the renderer stops hammering the server
    assert summary.busy <= 6  # a blind retry loop would send dozens


def test_server_400_points_at_shot_line(sandbox, shot, render_on) -> None:
    # A loopback URL that is not this sandbox's own output: the sandbox answers 400
    # naming image_url; the renderer shows the .shot line that produced it.
    path = shot(CHAIN)
    db = StateDB.for_storyboard(path)
    server = server_namespace(sandbox.base_url)
    sb = load_storyboard(path)
    # pretend arrival rendered earlier on this server, with an output the server refuses
    from seedance_dsl.render.identity import request_hash

    req = sb.clip("arrival").resolve({})
    rec = db.record_intent(
        server=server,
        storyboard=path.name,
        clip="arrival",
        take=0,
        attempt=0,
        request_hash=request_hash(req),
        idempotency_key=sb.clip("arrival").idempotency_key(req),
        request_json=req.canonical_json(),
    )
    bogus = "http://127.0.0.1:9/_sandbox/files/nope.png"
    db.update(rec.id, state="completed", task_id="sd2_x", video_url=bogus, last_frame_url=bogus)
    db.close()
    summary, _ = render_on(sandbox, path, clips=["departure"])
    dep = {c.clip: c for c in summary.clips}["departure"]
    assert dep.status == "failed"
    assert dep.error_code == "invalid_request"
    start_line = CHAIN.splitlines().index("  start arrival.last_frame") + 1
    assert dep.location is not None and dep.location.startswith(f"{path}:{start_line}:")
    # drawn like a compile diagnostic, at the source line
    assert dep.diagnostic is not None
    assert "error[invalid_request]" in dep.diagnostic
    assert "start arrival.last_frame" in dep.diagnostic and "^" in dep.diagnostic


def test_expired_output_url_reported(sandbox, shot, render_on) -> None:
    path = shot(independent(1))
    render_on(sandbox, path)
    db = StateDB.for_storyboard(path)
    (rec,) = db.history(server_namespace(sandbox.base_url), path.name)
    db.update(rec.id, video_url=sandbox.base_url + "/_sandbox/files/gone.mp4")
    db.close()
    Path(rec.video_path).unlink()
    summary, _ = render_on(sandbox, path)
    (c,) = summary.clips
    assert c.status == "failed"
    assert "expired" in c.reason
    assert sandbox.inspect()["tasks_created"] == 1  # nothing paid again


def test_state_db_written_before_send(tmp_path) -> None:
    db = StateDB(tmp_path / "s.db")
    rec = db.record_intent(
        server="x",
        storyboard="f.shot",
        clip="a",
        take=0,
        attempt=0,
        request_hash="h",
        idempotency_key="k",
        request_json="{}",
    )
    assert rec.state == "intent"
    again = db.record_intent(
        server="x",
        storyboard="f.shot",
        clip="a",
        take=0,
        attempt=0,
        request_hash="h",
        idempotency_key="k",
        request_json="{}",
    )
    assert again.id == rec.id
    db.close()
    # another connection (another process) sees the committed intent at once
    conn = sqlite3.connect(tmp_path / "s.db")
    assert conn.execute("SELECT state FROM renders").fetchall() == [("intent",)]


def test_lost_server_stops_with_exit_3_and_state_kept(sandbox_factory, shot, render_on) -> None:
    import threading

    sb = sandbox_factory(time_scale=0.05)  # renders take ~1 s, the window 3 s
    path = shot(independent(2))

    def stop_soon() -> None:
        import time

        time.sleep(0.4)  # both submitted, neither finished
        sb.stop()

    t = threading.Thread(target=stop_soon)
    t.start()
    summary, events = render_on(sb, path, network_grace_s=1.0)
    t.join()
    assert summary.exit_code == 3
    assert "the server did not answer for 1 s" in summary.message
    assert "check the base URL" in summary.message
    # the outage is announced once, when it starts, not only when the run gives up
    network = [e for e in events if e.kind == "network"]
    assert len(network) == 1
    assert "retrying" in network[0].message
    db = StateDB.for_storyboard(path)
    states = [r.state for r in db.history(server_namespace(sb.base_url), path.name)]
    db.close()
    assert states == ["submitted", "submitted"]  # a re-run polls them, never re-pays


def test_take_of_a_dependent_clip_reuses_its_inputs(sandbox, shot, render_on) -> None:
    path = shot(CHAIN)
    render_on(sandbox, path, clips=["departure"])
    assert sandbox.inspect()["tasks_created"] == 2  # arrival, departure
    summary, _ = render_on(sandbox, path, clips=["departure"], take=2)
    by = {c.clip: c for c in summary.clips}
    assert by["arrival"].status == "reused"  # its input keeps take 0: not paid again
    assert by["departure"].status == "done"
    assert by["departure"].video_path.endswith("departure.take2.mp4")
    assert sandbox.inspect()["tasks_created"] == 3


def test_status_refresh_polls_tasks_in_flight_once(sandbox, shot) -> None:
    from seedance_dsl.client import SeedanceClient
    from seedance_dsl.render.commands import status_file
    from seedance_dsl.render.identity import request_hash

    path = shot(independent(1))
    sb = load_storyboard(path)
    clip = sb.clip("c00")
    req = clip.resolve({})
    key = clip.idempotency_key(req)
    server = server_namespace(sandbox.base_url)
    with SeedanceClient(sandbox.api_key, base_url=sandbox.base_url) as client:
        task = client.submit(req, idempotency_key=key)
    db = StateDB.for_storyboard(path)
    rec = db.record_intent(
        server=server,
        storyboard=path.name,
        clip="c00",
        take=0,
        attempt=0,
        request_hash=request_hash(req),
        idempotency_key=key,
        request_json=req.canonical_json(),
    )
    db.update(rec.id, state="submitted", task_id=task.id)
    db.close()
    before = status_file(path, base_url=sandbox.base_url)
    assert [r.state for r in before.rows] == ["submitted"]
    sandbox.wait_idle()
    after = status_file(path, base_url=sandbox.base_url, refresh=True, api_key=sandbox.api_key)
    assert after.refreshed == 1
    assert [r.state for r in after.rows] == ["completed"]


def test_outputs_get_the_users_umask_not_private_temp_modes(sandbox, shot, render_on) -> None:
    import os
    import stat

    old = os.umask(0o022)
    try:
        path = shot(independent(1))
        summary, _ = render_on(sandbox, path)
    finally:
        os.umask(old)
    assert summary.exit_code == EXIT_OK
    (clip,) = summary.clips
    assert clip.video_path is not None
    out = Path(clip.video_path).parent
    written = [out / Path(clip.video_path).name, out / "manifest.json"]
    if clip.frame_path:
        written.append(Path(clip.frame_path))
    for f in written:
        # 0644 like any new file under umask 022 (mkstemp would leave 0600)
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f
