"""The registry of diagnostic codes and their long explanations (``seedance explain``).

Ranges: ``SHOT0xx`` file level (not found, not UTF-8, imports), ``SHOT1xx`` syntax,
``SHOT2xx`` names, resolution and setting values — all registered here.  ``SHOT3xx``
(API rules), ``SHOT4xx`` (prompt guide rules) and ``SHOT5xx`` (templates) are
registered by :mod:`seedance_dsl.compiler.codes`, which :func:`lookup` and
:func:`all_codes` import lazily when it exists.  Every code used anywhere in the package
has an entry (a test greps for them).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str  # "SHOT101"
    title: str  # one line: "unexpected token"
    explanation: str  # long form, plain text with a ``.shot`` example; shown by `explain`


_REGISTRY: dict[str, CodeInfo] = {}
_EXTRA_MODULES = ("seedance_dsl.compiler.codes",)
_extras_loaded = False


def register(code: str, title: str, explanation: str) -> CodeInfo:
    """Register a code.  Re-registering the same code with a different title is a bug."""
    info = CodeInfo(code, title, explanation.strip("\n"))
    old = _REGISTRY.get(code)
    if old is not None and old.title != title:
        raise ValueError(f"diagnostic code {code} registered twice ({old.title!r}, {title!r})")
    _REGISTRY[code] = info
    return info


def _load_extras() -> None:
    global _extras_loaded
    if _extras_loaded:
        return
    _extras_loaded = True
    for name in _EXTRA_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def lookup(code: str) -> CodeInfo | None:
    """The entry of ``code`` (case-insensitive), or None."""
    code = code.strip().upper()
    info = _REGISTRY.get(code)
    if info is None:
        _load_extras()
        info = _REGISTRY.get(code)
    return info


def all_codes() -> list[CodeInfo]:
    """Every registered code (including the compiler's), sorted by code."""
    _load_extras()
    return [_REGISTRY[c] for c in sorted(_REGISTRY)]


def title(code: str) -> str:
    info = lookup(code)
    return info.title if info else ""


# ---------------------------------------------------------------------------- SHOT0xx

register(
    "SHOT001",
    "file not found",
    """
The file named on the command line (or by an `import`) does not exist.

Check the spelling and the directory you run the command from.  Paths on the command
line are relative to the current directory; `import` paths are relative to the file that
contains the `import`.

    seedance check film.shot          # film.shot must exist here
""",
)
register(
    "SHOT002",
    "file is not UTF-8 text",
    """
A `.shot` file must be UTF-8 encoded text.  The file contains bytes that are not valid
UTF-8 (it may be a binary file, or text saved in a legacy encoding such as Latin-1).

Re-save the file as UTF-8 in your editor, or convert it:

    iconv -f latin1 -t utf-8 old.shot > film.shot
""",
)
register(
    "SHOT003",
    "imported file not found",
    """
An `import` names a file that does not exist.  Import paths are relative to the
directory of the file that contains the `import`, not to the current directory.

    // in films/teaser.shot
    import "lib/team.shot"     // reads films/lib/team.shot
""",
)
register(
    "SHOT004",
    "import cycle",
    """
Files import each other in a circle (a.shot imports b.shot, which imports a.shot).
Imports bring assets and packages into a file; a cycle has no first file to read.

Move the shared declarations into a third library file that both import, and remove
one of the imports of the cycle.
""",
)
register(
    "SHOT005",
    "file cannot be read",
    """
The path exists but cannot be read as a file: it is a directory, or you lack the
permission to read it, or reading it failed.  The message carries the system's reason.
""",
)
register(
    "SHOT006",
    "clips in an imported file are ignored",
    """
An imported file declares clips (or a `defaults` block, or a `template`).  Imports only
bring assets and packages into the importing file: a library file shares assets and
packages, while clips, defaults and the template belong to the storyboard that renders
them.  This is a warning; the clips of the imported file are not part of the importer.

Move the shared assets and packages into a library file without clips:

    // lib/team.shot
    asset logo image "https://cdn.example.com/brand/logo.png"
    package house { style "clean studio light" avoid watermark }
""",
)
register(
    "SHOT007",
    "same file imported twice",
    """
A file imports the same library twice.  The second `import` adds nothing; remove it.
This is a warning.
""",
)

register(
    "SHOT008",
    "path outside the project",
    """
An `import` or a `template` names a file outside the storyboard's project, so it is not
read (nothing of it is shown).  A storyboard is shared like code: it may read only
regular files inside the directory tree of the top-level storyboard (the file given to
`check`, `compile`, `plan` or `render`) and of the directories listed in the environment
variable SEEDANCE_ROOTS (separated by `:`, `;` on Windows).  Symbolic links are followed
first, so a link that leads out of the project is refused too.  `/proc`, `/sys` and
`/dev` are never read, whatever the roots.

    // in films/teaser.shot
    import "lib/team.shot"            // films/lib/team.shot: fine
    import "../shared/team.shot"      // outside films/: refused ...

    SEEDANCE_ROOTS=$PWD/shared seedance check films/teaser.shot   # ... unless allowed

A template given with `compile --template FILE` is trusted like the file named on the
command line; what it includes must stay in its own directory.
""",
)
register(
    "SHOT009",
    "not a regular file",
    """
The path names a FIFO (named pipe), a device, or a socket, not a file saved on disk,
or a file under `/proc`, `/sys` or `/dev` (the process's environment, the kernel's
state).  Such a file is never read: reading it could block forever, never end, or
expose secrets.  This holds for the file named on the command line, `--template`, an
`import`, a `template` and a template's `{% include %}`.  Name the `.shot` (or `.j2`)
file itself.
""",
)
register(
    "SHOT010",
    "file too large",
    """
The file is larger than the size limit, so it is not read.  A `.shot` file (named on
the command line or imported) may have at most SEEDANCE_MAX_FILE_BYTES bytes (default
8 MiB), a prompt template SEEDANCE_MAX_TEMPLATE_BYTES (default 1 MiB).  Raise the limit
in the environment if the file is really meant to be that large:

    SEEDANCE_MAX_FILE_BYTES=33554432 seedance check huge.shot
""",
)
register(
    "SHOT011",
    "no clips",
    """
The storyboard given to `check`, `compile`, `plan` or `render` declares no clip, so there
is nothing to compile or render.  An empty file (or one with only a title, `defaults`
or a `template`) is an error.  A library file — assets and packages meant to be
imported — gets a warning instead, so it can still be checked on its own; imported files
never get this diagnostic.

    clip opening {
      shot 4s { action "a lamp switches on" }
    }
""",
)

# ---------------------------------------------------------------------------- SHOT1xx

register(
    "SHOT101",
    "syntax error",
    """
The parser met something the grammar does not allow at this place: a missing value, a
missing string, a stray word, or a keyword out of place.  The message says what was
expected and what was found; the caret points at the first token that does not fit.

    asset station image              // error: expected the URL in double quotes
    asset station image "https://cdn.example.com/station.png"   // fixed

    clp arrival { ... }              // error: unknown keyword `clp` — did you mean `clip`?

The parser skips the broken statement (closing a block left open, standing in for a
missing string) and goes on, and the names and values of everything that parsed are
still checked, so one run reports every error of a file; fix the first one first, as
later errors can be echoes of it.
""",
)
register(
    "SHOT102",
    "unexpected character",
    """
A character that cannot start any token of the language: `@`, `;`, a stray quote
mark from a word processor, and so on.  Comments start with `//`; prose goes in double
quotes `"..."` (straight quotes, not typographic ones).

    tier @standard      // error
    tier standard       // fixed

A `# ...` or `/* ... */` comment is reported once, as a whole, and then skipped like a
comment, so the rest of the file is still checked:

    # the opening shot      // error: comments start with `//`
    // the opening shot     // fixed
""",
)
register(
    "SHOT103",
    "string never closed",
    """
A string was opened with `"` but not closed on the same line (or a `\"\"\"` string was
never closed).  One-line strings end at the line's end; for prose over several lines
use a triple-quoted string, which is dedented:

    text \"\"\"
      Keep the actors and the framing exactly as in the source.
      Only the colour changes.
      \"\"\"
""",
)
register(
    "SHOT104",
    "block not closed",
    """
A block opened with `{` (a `clip`, `shot`, `package` or `defaults`) is not closed with
`}` before the next declaration or the end of the file.  The label points at the `{`
that is still open.

    clip arrival {
      shot { action "the train arrives" }
    // a `}` is missing here
    clip departure { ... }
""",
)
register(
    "SHOT105",
    "unknown shot field",
    """
Inside `shot { ... }` the fields are: `subject`, `action`, `scene`, `camera`, `style`,
`light`, `text`, and dialogue lines `say SPEAKER "line"`.  A misspelt field gets a
suggestion; a clip setting (like `duration`) inside a shot is reported with a hint to
move it to the clip.

    shot { camra "slow dolly-in" }      // error: unknown field `camra` — did you mean `camera`?
    shot 3s { camera "slow dolly-in" }  // a shot's duration is written after `shot`
""",
)
register(
    "SHOT106",
    "expected a duration",
    """
A shot's duration is a number of seconds followed by `s`: `3s`, `1.5s` (at most
millisecond precision), written right after the keyword `shot`.  A clip's duration is
set with the setting `duration 5s`.

    shot 3 { ... }      // error: expected a duration like `5s`
    shot 3s { ... }     // fixed
""",
)
register(
    "SHOT107",
    "unknown escape in a string",
    """
Inside strings a backslash starts an escape.  The escapes are `\\"` (a quote), `\\\\` (a
backslash), `\\n` (new line), `\\t` (tab), `\\r`, and `\\uXXXX` (a Unicode code point in
four hex digits).  Any other letter after a backslash is an error; write `\\\\` for a
literal backslash.
""",
)
register(
    "SHOT108",
    "unknown asset kind",
    """
An asset is declared with its kind, `image` or `video`, and its URL:

    asset station  image "https://cdn.example.com/train/station.png"
    asset snowfall video "https://cdn.example.com/refs/snowfall.mp4"

The kind decides which roles the asset can play (a start frame must be an image, a
motion reference a video).
""",
)
register(
    "SHOT109",
    "unknown clip output",
    """
A clip has two outputs that later clips can use: `NAME.last_frame` (an image: the last
frame of the rendered clip) and `NAME.video` (the rendered video).

    start arrival.last_frame     // continuity: begin where `arrival` ended
    source arrival.video         // edit the rendered video of `arrival`
""",
)
register(
    "SHOT110",
    "unknown reference role",
    """
`ref NAME as ROLE` supplies a reference asset; the roles are `character` (a person whose
appearance to keep), `product` (an object whose shape, colour and markings to keep
exactly), `motion` (a video whose subject's movement to follow, e.g. a choreography),
`camera` (a video whose camera movement to follow) and `style` (an image or video whose
look to follow).  Other roles have their own statements: `start NAME`, `end NAME`,
`source NAME` (the video to edit) and `extend NAME` (the clip to continue).
""",
)
register(
    "SHOT111",
    "field in the wrong place",
    """
A shot field (`subject`, `action`, `scene`, `camera`, `style`, `light`) was written
directly in a clip, or `text` was given something other than a string.  Director
fields belong to a shot; `text "..."` may stand in a clip (prose for the whole clip) or
in a shot.

    clip arrival {
      camera "slow dolly-in"            // error
      shot { camera "slow dolly-in" }   // fixed
    }
""",
)
register(
    "SHOT112",
    "empty item",
    """
An item of a `without` list is an empty string.  Name the package item to switch off,
in quotes when it has several words:

    use standard without subtitles, "stable faces"
""",
)
register(
    "SHOT113",
    "too many syntax errors",
    """
The parser stops after 50 syntax errors in one file: past that point the errors are
nearly always echoes of earlier ones (or the file is not a storyboard at all).  Fix the
reported errors and run the command again.
""",
)
register(
    "SHOT114",
    "character not allowed in text",
    """
A string (or a comment) holds a character that no text can carry: a NUL character
(U+0000) or half of a UTF-16 surrogate pair (U+D800 to U+DFFF) — written as an escape
(`\\u0000`, `\\ud800`) or, through the Python API, as the character itself.  Neither
can go into a prompt, a URL or a file name.  Write the character itself; a character
beyond U+FFFF (an emoji) can also be written as a pair of escapes, high then low:

    text "a clapperboard \\ud83c\\udfac"   // the pair is one character: fine
    text "a clapperboard \\ud83c"          // error: a lone surrogate
""",
)
register(
    "SHOT115",
    "a second `look`",
    """
A `character` or `product` is described in one `look` string (said once in the prompt of
every clip that brings it).  Merge the two:

    character mara {
      ref  mara_photo
      look "a nurse in her thirties, short dark hair, navy scrubs"
    }
""",
)

register(
    "SHOT130",
    "bad trim or fade",
    """
In a `cut { ... }` block, `trim` takes the part of the clip to keep as `START..END`
(seconds from the clip's start, both written as durations) and `fade` takes one
duration, the crossfade from the clip before into this one:

    cut {
      reveal
      glow  trim 0.5s..4s
      app   fade 0.5s
    }
""",
)

# ---------------------------------------------------------------------------- SHOT2xx

register(
    "SHOT216",
    "`omit` names nothing the defaults give",
    """
`omit NAME, ...` in a clip drops a package (`use` line) or a cast member (`cast` line)
that `defaults` gives every clip.  The name is neither:

    defaults { use neon  cast mara }
    clip intro {
      omit neon          // this clip without the neon package
      shot { action "a quiet street" }
    }

A clip's own `use` and `cast` lines need no `omit`: delete them instead.
""",
)
register(
    "SHOT217",
    "a text-only clip is sent verbatim",
    """
A clip whose only content is prose (`text "..."`, no shot fields and no `use`) is sent
exactly as written: it gets no constraint package, while every clip with shot fields gets
the standard one (G8: stable faces, natural motion, no deformation, watermark, logo or
subtitles).  That keeps a prompt copied from the provider byte-exact.  This note says so;
add `use standard` (in the clip, or in `defaults` for every clip) to add the constraints:

    clip glass_train {
      use  standard
      text "A cinematic shot of a glass train crossing a snowy mountain bridge"
    }
""",
)
register(
    "SHOT218",
    "unknown or empty cast member",
    """
`cast NAME` (in a clip or in `defaults`) names a `character` or `product` declared in
this file or an imported one; a declaration needs a `ref` (image assets) or a `look`:

    asset mara_photo image "https://cdn.example.com/mara.png"
    character mara {
      ref  mara_photo
      look "a nurse in her thirties, short dark hair, navy scrubs"
    }
    clip ward { cast mara  shot { subject mara  action "checks a chart" } }
""",
)

register(
    "SHOT219",
    "`omit` of a member the clip brings itself",
    """
A warning: `omit NAME` drops a cast member that `defaults` gives every clip, but this
clip brings the member back itself: a shot names it (`subject mara`, `say mara "..."`)
or the clip's own `cast` line lists it.  Naming a member brings its references and its
description, so the `omit` does nothing:

    defaults { cast mara, halo }
    clip street {
      omit mara                          // no effect: the shot names her
      shot { subject mara  action "walks home" }
    }

Delete the `omit`, or describe the shot without the member (`subject "a passer-by"`).
""",
)

register(
    "SHOT201",
    "unknown asset",
    """
A name used as an asset (in `start`, `end`, `ref`, `source`, `extend`, a shot's
`subject ...` or a `say` speaker) is not declared in this file or in any file it
imports.  Declare it with `asset NAME image|video "URL"`, fix the spelling (the message
suggests the closest name), or — when you meant prose — put it in double quotes:

    subject conductor            // the asset `conductor`
    subject "an old conductor"   // prose
""",
)
register(
    "SHOT202",
    "unknown package",
    """
`use NAME` names a package that is neither declared (`package NAME { ... }`, here or in
an imported file) nor the built-in `standard` package.

    use cinematic
    use standard without subtitles
""",
)
register(
    "SHOT203",
    "unknown clip",
    """
`NAME.last_frame`, `NAME.video` or `extend NAME` names a clip that this storyboard does
not declare.  Clip outputs can only come from clips of the same storyboard (clips in
imported files are not imported).
""",
)
register(
    "SHOT204",
    "duplicate name",
    """
Two declarations share a name.  Assets and clips share one namespace (so that
`extend NAME` and `subject NAME` are never ambiguous); packages have their own, in which
`standard` is reserved for the built-in package.  Names from imported files count too.
Rename one of the two.
""",
)
register(
    "SHOT205",
    "dependency cycle between clips",
    """
Clips use each other's outputs in a circle, for example `a` starts on `b.last_frame`
while `b` starts on `a.last_frame`.  A clip can only be rendered after the clips whose
outputs it uses, so a cycle can never be rendered.  Break the cycle by giving one clip
an asset (or nothing) instead of the other clip's output.
""",
)
register(
    "SHOT206",
    "unused asset",
    """
A warning: an asset declared in this file is not used by any clip.  It is not sent to
the API.  Use it (as a start/end frame, a reference, a source, or a shot's subject) or
remove the declaration.  Assets of imported library files are not reported.
""",
)
register(
    "SHOT207",
    "wrong kind of asset for a role",
    """
Each role takes a certain kind of input:

    start, end          an image (or `clip.last_frame`)
    ref ... as motion   a video
    ref ... as character / style   an image or a video
    source, extend      a video (or `clip.video`; `extend clip` uses the clip's video)

A video given as a start frame, or an image given as the source of an edit, is
reported here.  A bare clip name is accepted only by `extend`; elsewhere say which
output you mean: `arrival.last_frame` or `arrival.video`.
""",
)
register(
    "SHOT208",
    "unknown setting",
    """
The settings (in `defaults { ... }` or directly in a clip) are:

    mode        text-to-video | image-to-video | media-to-video   (API: mode)
    tier        mini | standard | pro                            (quality_tier)
    channel     standard | real | wild                           (channel)
    aspect      1:1 21:9 4:3 3:4 16:9 9:16 adaptive              (aspect_ratio)
    resolution  720p | 1080p | 1080p-plus | 4k                   (resolution)
    duration    4s … 15s, whole seconds                          (duration)
    audio       on | off                                         (generate_audio)
    lens        fixed | free                                     (fixed_lens)
    seed        -1 … 4294967295                                  (seed)

A misspelt setting gets a suggestion.
""",
)
register(
    "SHOT209",
    "invalid setting value",
    """
The value is not one the API accepts for this setting.  The allowed values come from
the API contract (`seedance explain SHOT208` lists them); the message suggests the
closest one.

    aspect 16x9      // error — did you mean `16:9`?
    tier premium     // error: one of mini, standard, pro
""",
)
register(
    "SHOT210",
    "invalid clip duration",
    """
A clip lasts 4 to 15 seconds, in whole seconds (the API's `duration`), written with an
`s`: `duration 8s`.  Longer scenes are several clips, chained with
`start previous.last_frame` or `extend previous`.  (Shots inside a clip may use
fractions: `shot 2.5s { ... }`.)
""",
)
register(
    "SHOT211",
    "invalid seed",
    """
A seed is a whole number from -1 to 4294967295 (-1 asks for a random seed).  The same
seed with the same request reproduces a render.  (Whether the chosen channel and tier
support seeds is checked by the compiler: see its SHOT3xx codes.)
""",
)
register(
    "SHOT212",
    "set twice",
    """
The same setting appears twice in one block, or a storyboard has two `defaults` blocks
or two `template` lines.  Only one can win, so keep one.  (A clip's own setting
overriding `defaults` is not an error: that is what `defaults` are for.)
""",
)
register(
    "SHOT213",
    "unknown package item in `without`",
    """
`use PACKAGE without ITEM, ...` switches off items of the package (G8's "no subtitles
unless intended").  The item must be one of the package's `keep` or `avoid` phrases;
multi-word phrases are quoted:

    use standard without subtitles
    use standard without "stable faces", logo

The built-in `standard` package has: stable faces, natural motion (keep) and
deformation, watermark, logo, subtitles (avoid).
""",
)
register(
    "SHOT214",
    "role given twice",
    """
A clip has at most one start frame, one end frame, one source video and one clip to
extend (each maps to a single API input).  References (`ref ... as ...`) may repeat.
""",
)
register(
    "SHOT215",
    "shots longer than the clip",
    """
The durations of a clip's shots add up to more than the clip's duration.  Shorten the
shots, lengthen the clip (`duration`), or leave some shot durations out.
""",
)


# ---------------------------------------------------------------------------- the cut block
register(
    "SHOT230",
    "unknown clip in the cut",
    """
An entry of the `cut { ... }` block names no clip of this storyboard.  Fix the spelling
(the message suggests the closest clip) or declare the clip:

    clip reveal { ... }
    cut { reveal }
""",
)
register(
    "SHOT231",
    "clip twice in the cut",
    """
A clip appears twice in the `cut { ... }` block.  A cut uses each clip once; remove one
of the entries (a clip left out of the block is simply not in the cut).
""",
)
register(
    "SHOT232",
    "trim outside the clip",
    """
A `trim START..END` must keep a non-empty part of the clip: START before END, and END at
most the clip's duration (its `duration` setting, else its shots' total, else the API's
default of 5 s).

    clip glow { duration 5s ... }
    cut { glow trim 0.5s..4s }   // fine
    cut { glow trim 4s..6s }     // error: the clip lasts 5 s
""",
)
register(
    "SHOT233",
    "fade too long",
    """
A `fade D` crossfades from the clip before into this one over D: the two clips overlap
by D, so D must be shorter than both of them (as trimmed), and the first clip of the cut
has nothing to fade from.

    cut {
      reveal             // 5 s
      app    fade 0.5s   // fine
    }
""",
)
register(
    "SHOT234",
    "a second cut block",
    """
A storyboard has at most one `cut { ... }` block: it is the order of the final cut.
Merge the blocks into one.
""",
)


# ---------------------------------------------------------------------------- local files and remote URLs (assets)
register(
    "SHOT260",
    "local asset file not found",
    """
An asset written as a path (no `https://`) names a local file, relative to the `.shot`
file that declares it; there is no such file.  Fix the path, or create the file:

    asset hero image "refs/hero.png"     // films/refs/hero.png next to films/teaser.shot
""",
)
register(
    "SHOT261",
    "local asset outside the project",
    """
A local asset is read only inside the project: the directory tree of the top-level
storyboard and the directories of `$SEEDANCE_ROOTS` (symbolic links resolved first), and
never under `/proc`, `/sys` or `/dev`.  Move the file into the project, or add its
directory to `SEEDANCE_ROOTS`.  Nothing of the file is read.
""",
)
register(
    "SHOT262",
    "local asset is not a regular file",
    """
The path of a local asset names a directory, a FIFO, a device or a socket.  Name the
image or video file itself.
""",
)
register(
    "SHOT263",
    "local asset unreadable",
    """
The local file could not be read (permissions, an I/O error), or a limit's environment
variable (`SEEDANCE_MAX_ASSET_...`) holds a bad value.  The message says which.
""",
)
register(
    "SHOT264",
    "local asset too large",
    """
The local file is over a limit: its bytes (`asset_image_bytes`, `asset_video_bytes`), its
pixels (`asset_image_pixels`, read from the header before anything is decoded) or its
duration (`asset_video_seconds`).  `seedance limits` lists them and their variables.
""",
)
register(
    "SHOT265",
    "local asset of the other kind",
    """
The file is a video declared `image`, or an image declared `video`.  Fix the
declaration (`asset clip video "take3.mp4"`) or name the right file.
""",
)
register(
    "SHOT266",
    "local asset not decodable",
    """
The file is not an image Pillow reads or a video PyAV reads, is damaged, or is in a
format or codec the service does not take (images: PNG, JPEG, WebP, GIF, BMP, TIFF;
video: H.264, HEVC, VP8, VP9, AV1, MPEG-4, with a duration that can be read).  Convert
it, e.g. `ffmpeg -i IN -c:v libx264 -pix_fmt yuv420p OUT.mp4`.
""",
)
register(
    "SHOT270",
    "asset URL unreachable",
    """
`seedance check --online` (and the preflight of `render`) could not connect to the
host of a remote asset's URL (DNS, connection or TLS error).  The provider's servers
would fail the same way after the submit is paid for: fix the URL or the host.
""",
)
register(
    "SHOT271",
    "asset URL timed out",
    """
The remote asset's URL did not answer within `asset_probe_timeout`
(`SEEDANCE_ASSET_PROBE_TIMEOUT`).  A slow host may also time out for the provider.
""",
)
register(
    "SHOT272",
    "asset URL answered an error",
    """
The remote asset's URL answered 4xx or 5xx (e.g. 404: the file is not there, 403: not
public).  Fix the URL, or make the object public (or use a fresh presigned URL).
""",
)
register(
    "SHOT273",
    "asset URL of the wrong type",
    """
The URL's Content-Type is not of the declared kind (an HTML page declared `image`, an
image declared `video`).  Point at the file itself, or fix the declared kind.
""",
)
register(
    "SHOT274",
    "video URL without Range requests",
    """
The API fetches video references with Range requests to probe their duration; this
URL does not answer `Range: bytes=0-` with 206.  Host the video where ranges work (any
S3-compatible store or CDN does).
""",
)
register(
    "SHOT275",
    "asset URL too large",
    """
The remote asset is over the size limit of its kind (`asset_image_bytes`,
`asset_video_bytes`) by its Content-Length.
""",
)
register(
    "SHOT276",
    "asset URL not allowed",
    """
The probe refused the URL (not public https, a private or loopback host): the API would
refuse it too (compare `SHOT312`).
""",
)
