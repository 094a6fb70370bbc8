"""The diagnostic codes of the compiler, each with a title and a long explanation.

``SHOT3xx``
    the request body: one code per rule of the API (``../shared/spec/api.md``, table in
    :mod:`seedance_dsl.api.rules`) plus the compiler's own rules about durations, modes
    and asset roles;
``SHOT4xx``
    the prompt text (length, raw ids, the prompt guide G1–G8, S1–S5);
``SHOT5xx``
    prompt templates.

``seedance explain SHOT308`` prints the explanation.  :data:`RULE_CODES` maps every rule
id of :data:`seedance_dsl.api.rules.RULES` to its code, so each API rule has exactly one
code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..api.spec import CONTRACT

_c = CONTRACT
_modes = ", ".join(_c.modes)

#: code -> (title, explanation)
CODES: Final[dict[str, tuple[str, str]]] = {
    # ---------------------------------------------------------------- API rules
    "SHOT301": (
        "unknown mode",
        f"The API accepts the modes {_modes}. Leave `mode` out and the compiler infers "
        "it from the clip's assets: no assets → text-to-video, a start frame → "
        "image-to-video, references (`ref`, `source`, `extend`) → media-to-video.",
    ),
    "SHOT302": (
        "unknown quality tier",
        f"`tier` sets the API's quality_tier: one of {', '.join(_c.quality_tiers)}. "
        "It defaults to standard.",
    ),
    "SHOT303": (
        "unknown channel",
        f"`channel` is one of {', '.join(_c.channels)}. It is sent only when the "
        "storyboard sets it.",
    ),
    "SHOT304": (
        "unknown aspect ratio",
        f"`aspect` sets aspect_ratio: one of {', '.join(_c.aspect_ratios)}.",
    ),
    "SHOT305": (
        "unknown resolution",
        f"`resolution` is one of {', '.join(_c.resolutions)}; "
        f"{' and '.join(_c.pro_only_resolutions)} need `tier {_c.pro_tier}`.",
    ),
    "SHOT306": (
        "duration is not a whole number of seconds",
        "The API takes a clip's duration as a whole number of seconds, sent as a string "
        '("5"). Shots may last fractions of a second (`shot 1.5s`), but a clip\'s '
        "duration (its own, or the sum of its shots) must be whole.",
    ),
    "SHOT307": (
        "clip duration out of range",
        f"A clip lasts {_c.duration_min}–{_c.duration_max} seconds. A longer piece is "
        "several clips; `extend earlier_clip` continues one clip in the next.",
    ),
    "SHOT308": (
        "resolution needs the pro tier",
        f"Resolutions {' and '.join(_c.pro_only_resolutions)} are only rendered on "
        f"quality_tier {_c.pro_tier}. Either set `tier {_c.pro_tier}` on the clip (or in "
        "`defaults`), or choose a lower resolution such as 1080p.",
    ),
    "SHOT309": (
        "seed out of range",
        f"A seed is an integer {_c.seed_min}–{_c.seed_max}; -1 asks for a random seed.",
    ),
    "SHOT310": (
        "seed not supported on this channel",
        f"The API ignores or rejects a seed on the channel(s) "
        f"{', '.join(_c.seed_unsupported_channels)}. Remove `seed`, or use another channel.",
    ),
    "SHOT311": (
        "seed not supported on this tier",
        f"The API does not support a seed on the tier(s) "
        f"{', '.join(_c.seed_unsupported_tiers)}. Remove `seed`, or use another tier.",
    ),
    "SHOT312": (
        "asset URL not accepted by the API",
        "Assets are fetched by the provider's servers, so image_url, end_image_url and "
        "media_urls must be public https URLs: no plain http, no localhost, no private, "
        "loopback or link-local IP addresses, and no `asset://` in-app ids.",
    ),
    "SHOT313": (
        "too many references",
        f"media_urls holds at most {_c.media_urls_max} URLs. Every `ref`, `source` and "
        "`extend` of a clip is one entry.",
    ),
    "SHOT314": (
        "image-to-video without a start frame",
        "image-to-video animates a start image (image_url). Add `start <image asset>` (or "
        "`start other_clip.last_frame`), or drop `mode image-to-video`.",
    ),
    "SHOT315": (
        "media-to-video without references",
        f"media-to-video needs 1–{_c.media_urls_max} reference URLs (media_urls). Add "
        "`ref <asset> as character|motion|style`, `source` or `extend`, or drop the mode.",
    ),
    "SHOT316": (
        "unknown request field",
        "The request body holds a field the API does not document (or forbids, like "
        "teamSlug or provider). The compiler never produces one from a .shot file; seeing "
        "this code means a bug: please report it.",
    ),
    "SHOT317": (
        "boolean field of the wrong type",
        "generate_audio and fixed_lens are JSON booleans. The compiler turns `audio on|off` "
        "and `lens fixed|free` into booleans, so it never produces anything else from a "
        ".shot file; seeing this code means a bug: please report it.",
    ),
    "SHOT318": (
        "prompt missing",
        "Every request carries a prompt string. The compiler always renders one (an empty "
        "one is SHOT402), so seeing this code means a bug: please report it.",
    ),
    "SHOT319": (
        "media_urls not a list",
        "media_urls is a JSON list of URL strings. The compiler builds it from the clip's "
        "references, so seeing this code means a bug: please report it.",
    ),
    # ------------------------------------------------------- compiler's own rules
    "SHOT320": (
        "shot durations do not add up to the clip duration",
        "When every shot of a clip has a duration, they must add up to the clip's own "
        "`duration` (a duration inherited from `defaults` gives way to the shots' sum). "
        "When only some shots have one, they must leave time for the others. Fix a shot "
        "or the clip, or leave the clip's `duration` out: it defaults to the sum.",
    ),
    "SHOT321": (
        "clip duration from its shots is not a whole number",
        "A clip without its own `duration` lasts as long as its shots together, and the "
        "API needs a whole number of seconds. Adjust the shots, or give the clip a "
        "`duration` equal to their sum.",
    ),
    "SHOT322": (
        "bad setting value",
        "The value of a setting cannot be turned into an API value: `audio` is on or off, "
        "`lens` is fixed or free, `seed` is an integer, `duration` is like 5s.",
    ),
    "SHOT323": (
        "ambiguous mode: start frame and references",
        "A clip with both a start frame and references (`ref`, `source`, `extend`) could "
        "be image-to-video (which may ignore media_urls) or media-to-video (which may "
        "ignore image_url); the documentation does not say which the API accepts. Say "
        "which you mean with `mode image-to-video` or `mode media-to-video`: both "
        "fields are then sent.",
    ),
    "SHOT324": (
        "text-to-video with assets",
        "`mode text-to-video` sends no images or videos, but the clip supplies some. "
        "Remove the mode to let the compiler infer it, or remove the assets. The "
        "compiler never drops an asset silently.",
    ),
    "SHOT325": (
        "end frame without a start frame",
        "The API documents end_image_url as the closing frame of an image-to-video clip, "
        "next to a start frame (image_url). Add `start <image>`, or set the mode "
        "explicitly if you know the API accepts the combination.",
    ),
    "SHOT326": (
        "asset of the wrong kind for its role",
        "Start and end frames are images (an image asset or `clip.last_frame`); motion, "
        "source and extension references are videos (a video asset, `clip.video` or "
        "`extend clip`). Character and style references may be either.",
    ),
    "SHOT327": (
        "asset named in a shot but not supplied to the clip",
        'A bare name in a shot (`subject conductor`, `say conductor "..."`) is '
        'described in the prompt by its role in this clip ("the character in reference '
        'image 1"), so the clip must supply it: add `ref conductor as character` (or '
        "`start`/`end`) to the clip.",
    ),
    "SHOT328": (
        "role given twice",
        "A clip has one start frame and one end frame (image_url and end_image_url are "
        "single URLs). Keep one.",
    ),
    # ---------------------------------------------------------------- prompt rules
    "SHOT401": (
        "prompt too long",
        f"The API takes prompts of at most {_c.prompt_max_chars} characters. Shorten "
        "the clip's shots, or split the clip.",
    ),
    "SHOT402": (
        "prompt too short",
        f"The API needs a prompt of at least {_c.prompt_min_chars} characters. Give the "
        "clip a shot or a `text`.",
    ),
    "SHOT403": (
        "raw asset id or URL in prose (G4)",
        "Prompt guide G4: never put raw asset ids, `asset://` URLs or asset URLs in the "
        'prompt text. Declare the asset (`asset name image "https://..."`), give it a '
        "role in the clip, and the compiler sends the URL in the right field (G2) and "
        "describes it in words (G3).",
    ),
    "SHOT404": (
        "in-app label in prose (G4)",
        "Prompt guide G4: labels such as `@图片1` or `@image1` only mean something inside "
        "the provider's app. Through the API the prompt refers to a supplied asset by "
        "kind and position; write the bare asset name as a shot field "
        '(`subject conductor`) and the compiler writes "the character in reference '
        'image 1" (S3).',
    ),
    "SHOT405": (
        "asset name in prose (G3, G4)",
        "An asset's name is for the author: the model never sees it, so a prompt that "
        'says "conductor" where `conductor` is an asset gets it wrong. Use the bare '
        "name as a shot field (`subject conductor`), and the compiler describes it by "
        'role and position ("the character in reference image 1"); or rephrase, or '
        "rename the asset. A name that looks like an identifier (it has a digit or an "
        "underscore: `take_3`, `mia2`) is an error wherever it appears. A name that is "
        "also an ordinary word (`fox`, `alley`, `desk`) is a warning only in a clip that "
        "supplies that asset as a character reference, where the prose may mean it; "
        "elsewhere (a start frame named `alley`, an asset the clip does not use) the word "
        "is just a word. The diagnostic underlines the name inside the string.",
    ),
    "SHOT406": (
        "more than one camera move in a shot (S1)",
        "Seedance follows one camera movement per shot best (S1). Split the shot in two "
        "(each with its own `camera`), or describe a single move.",
    ),
    "SHOT407": (
        "dialogue with audio off (S4)",
        "A `say` line is written in double quotes so that it is spoken (S4), but the clip "
        "has `audio off`: nothing will be heard. Turn audio on, or drop the line.",
    ),
    # ---------------------------------------------------------------- templates
    "SHOT501": (
        "prompt template not found",
        'The template named by `--template` or by `template "..."` in the storyboard '
        "(relative to the .shot file) could not be read.",
    ),
    "SHOT502": (
        "prompt template syntax error",
        "The jinja2 template does not parse. The diagnostic points at the template's "
        "line; docs/compiler.md lists every variable a template can use.",
    ),
    "SHOT503": (
        "prompt template failed",
        "Rendering the template failed: an undefined variable or attribute (templates run "
        "with StrictUndefined, so a typo is an error rather than an empty string), a "
        "type error, or an operation jinja2's sandbox forbids. The diagnostic points at "
        "the template's line.",
    ),
}

#: rule id of :data:`seedance_dsl.api.rules.RULES` -> diagnostic code
RULE_CODES: Final[Mapping[str, str]] = {
    "mode.allowed": "SHOT301",
    "quality_tier.allowed": "SHOT302",
    "channel.allowed": "SHOT303",
    "aspect_ratio.allowed": "SHOT304",
    "resolution.allowed": "SHOT305",
    "duration.whole": "SHOT306",
    "duration.range": "SHOT307",
    "resolution.pro_only": "SHOT308",
    "seed.range": "SHOT309",
    "seed.channel": "SHOT310",
    "seed.tier": "SHOT311",
    "url.public": "SHOT312",
    "media_urls.max": "SHOT313",
    "mode.image_needs_image_url": "SHOT314",
    "mode.media_needs_media_urls": "SHOT315",
    "fields.unknown": "SHOT316",
    "bool.type": "SHOT317",
    "prompt.required": "SHOT318",
    "media_urls.type": "SHOT319",
    "prompt.too_long": "SHOT401",
    "prompt.too_short": "SHOT402",
}


def _register_all() -> None:
    from ..syntax.codes import register

    for code, (title, explanation) in CODES.items():
        register(code, title, explanation)


_register_all()
