"""Property: any storyboard that `check` accepts compiles without crashing, and every
clip the compiler calls valid is accepted by the request model (once the outputs of
earlier clips are filled in)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from seedance_dsl.api import CONTRACT
from seedance_dsl.check import check_text
from seedance_dsl.compiler import ClipOutputs, compile_result, with_rules_check

WORDS = ["a fox", "runs", "the harbour", "at dawn", "slow dolly-in", "warm light", "rain"]
URLS = [
    "https://cdn.example.com/{n}",
    "https://cdn.example.com/x/{n}",
    "https://media.example.org/{n}",
    "https://assets.example.net/{n}",
    "https://img.example.com/{n}",
    "https://8.8.4.4/{n}",
    "http://cdn.example.com/{n}",  # breaks url.public
    "https://192.168.1.2/{n}",  # breaks url.public
]
SETTINGS = {
    "tier": st.sampled_from(CONTRACT.quality_tiers),
    "channel": st.sampled_from(CONTRACT.channels),
    "aspect": st.sampled_from(CONTRACT.aspect_ratios),
    "resolution": st.sampled_from(CONTRACT.resolutions),
    "audio": st.sampled_from(["on", "off"]),
    "lens": st.sampled_from(["fixed", "free"]),
    "seed": st.integers(CONTRACT.seed_min, CONTRACT.seed_max).map(str),
    "duration": st.integers(3, 16).map(lambda s: f"{s}s"),
    "mode": st.sampled_from(CONTRACT.modes),
}


@st.composite
def settings_block(draw: st.DrawFn, allow_mode: bool) -> list[str]:
    keys = draw(st.lists(st.sampled_from(sorted(SETTINGS)), unique=True, max_size=4))
    return [f"{k} {draw(SETTINGS[k])}" for k in keys if allow_mode or k != "mode"]


@st.composite
def storyboards(draw: st.DrawFn) -> str:
    lines = ['storyboard "Prop"']
    defaults = draw(settings_block(False))
    if defaults:
        lines.append("defaults { " + "  ".join(defaults) + " }")
    assets: list[tuple[str, str]] = []
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["image", "video"]))
        url = draw(st.sampled_from(URLS)).format(n=f"a{i}.{'png' if kind == 'image' else 'mp4'}")
        assets.append((f"a{i}", kind))
        lines.append(f'asset a{i} {kind} "{url}"')
    clips: list[str] = []
    for c in range(draw(st.integers(1, 3))):
        body = draw(settings_block(True))
        images = [n for n, k in assets if k == "image"] + [f"{p}.last_frame" for p in clips]
        videos = [n for n, k in assets if k == "video"] + [f"{p}.video" for p in clips]
        if images and draw(st.booleans()):
            body.append(f"start {draw(st.sampled_from(images))}")
        if images and draw(st.booleans()):
            body.append(f"end {draw(st.sampled_from(images))}")
        refs = [n for n, _ in assets]
        for r in draw(st.lists(st.sampled_from(refs), max_size=3)) if refs else []:
            kind = dict(assets)[r]
            role = draw(
                st.sampled_from(["character", "style"] + (["motion"] if kind == "video" else []))
            )
            body.append(f"ref {r} as {role}")
        if videos and draw(st.integers(0, 4)) == 0:
            body.append(
                f"{draw(st.sampled_from(['source', 'extend']))} {draw(st.sampled_from(videos))}"
            )
        if draw(st.booleans()):
            body.append("use standard" + draw(st.sampled_from(["", " without subtitles"])))
        for _ in range(draw(st.integers(0, 3))):
            dur = draw(st.sampled_from(["", "2s ", "3s ", "1.5s "]))
            fields = draw(
                st.lists(
                    st.sampled_from(["subject", "action", "scene", "camera", "light", "text"]),
                    min_size=1,
                    max_size=3,
                )
            )
            items = " ".join(f'{f} "{draw(st.sampled_from(WORDS))}"' for f in fields)
            body.append(f"shot {dur}{{ {items} }}")
        name = f"c{c}"
        clips.append(name)
        lines.append(f"clip {name} {{\n  " + "\n  ".join(body) + "\n}")
    return "\n".join(lines) + "\n"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(storyboards())
def test_checked_storyboards_compile_to_accepted_payloads(text: str) -> None:
    result = check_text(text, "prop.shot")
    if not result.ok:
        return
    compiled = compile_result(result, "prop.shot")
    outputs = {
        c.name: ClipOutputs(
            f"https://cdn.example.com/o/{c.name}.mp4", f"https://cdn.example.com/o/{c.name}.png"
        )
        for c in compiled.clips
    }
    for clip in compiled.clips:
        if not clip.valid:
            continue
        try:
            clip.resolve(outputs)
        except ValidationError as exc:  # pragma: no cover - the property failing
            raise AssertionError(f"clip {clip.name} valid but rejected: {exc}\n{text}") from exc
    if compiled.ok:
        assert all(c.valid for c in compiled.clips)
    # `seedance check` (check + rules_check) reports exactly the compiler's problems,
    # except the prompt-length rules, which need the rendered prompt.
    checked = with_rules_check(result)

    def key(d: object) -> tuple[str, str, object]:
        return (d.code, d.message, d.span)  # type: ignore[attr-defined]

    prompt_rules = {"SHOT403", "SHOT404"}  # checked again on the rendered prompt
    raw = {c.name for c in compiled.clips if c.context["clip"]["raw"]}
    prompt_rules |= {"SHOT401", "SHOT402"} if set(c.name for c in compiled.clips) - raw else set()
    from_check = {key(d) for d in checked.diagnostics if d.code not in prompt_rules}
    from_compile = {key(d) for d in compiled.diagnostics if d.code not in prompt_rules}
    assert from_check == from_compile
