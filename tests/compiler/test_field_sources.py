"""A clip's plan keeps ONE field-source map (value, span, origin per field); the
payload fields, the source map and the origins of a compiled clip are views of it."""

from __future__ import annotations

from pathlib import Path

from seedance_dsl.api.rules import BODY_FIELDS
from seedance_dsl.check import resolve_file
from seedance_dsl.compiler import compile_checked
from seedance_dsl.compiler.build import FieldSource, plan_clip

ROOT = Path(__file__).resolve().parents[2]


def test_the_views_come_from_one_map() -> None:
    seen = 0
    for path in sorted((ROOT / "examples").glob("*.shot")):
        checked = resolve_file(path).storyboard
        assert checked is not None
        compiled = compile_checked(checked)
        for clip, done in zip(checked.clips, compiled.clips, strict=True):
            plan = plan_clip(checked, clip)
            sources = plan.sources
            assert all(isinstance(f, FieldSource) for f in sources.values())
            assert plan.source_map == {k: f.span for k, f in sources.items()}
            assert dict(done.source_map) == plan.source_map
            assert dict(done.origins) == plan.origins
            assert set(plan.origins) == set(sources) - {"media_urls"}
            body = {k: v for k, v in done.payload.items() if k != "prompt"}
            assert body == plan.fields
            for key, value in body.items():
                assert sources[key].value == value
            if "media_urls" in sources:
                items = [sources[f"media_urls[{i}]"].value for i in range(len(body["media_urls"]))]
                assert items == body["media_urls"]
            assert list(done.payload) == [k for k in BODY_FIELDS if k in done.payload]
            seen += 1
    assert seen


def test_changing_a_field_source_changes_every_view() -> None:
    checked = resolve_file(ROOT / "examples" / "glass_train.shot").storyboard
    assert checked is not None
    plan = plan_clip(checked, checked.clips[0])
    res = plan.sources["resolution"]
    plan.sources["resolution"] = FieldSource("1080p", res.span, "set")
    assert plan.fields["resolution"] == "1080p"
    assert plan.payload("p")["resolution"] == "1080p"
    assert plan.origins["resolution"] == "set"
