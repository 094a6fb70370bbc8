"""The tools of ``seedance mcp`` as plain typed functions (no MCP import here).

Each tool wraps the same function the CLI uses (``run_check``, ``format_file``,
``compile_file``, ``plan_file``, ``render_file``, ``status_file``, ``explain_text``) and
returns JSON-ready data.  A failure raises :class:`ToolFailure`, which carries the data
of the error (``error``: kind, message, help; ``diagnostics`` when the storyboard has
errors): :mod:`.server` turns it into an MCP tool error, never a crash of the server.

Every path is relative to the server's *root* (its working directory by default) and
must stay inside it, after symlinks are resolved: an agent reads and writes nothing
else.  ``render`` uses the built-in sandbox unless the user started the server with a
key and ``--allow-spend`` or ``--max-credits N`` (:class:`SpendPolicy`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SeedanceDSLError, UsageError
from ..limits import exceeded_help, limit
from ..syntax.diagnostics import Diagnostic

if TYPE_CHECKING:
    from ..render.stop import StopToken

__all__ = [
    "SpendPolicy",
    "ToolFailure",
    "Workspace",
    "diagnostics_json",
]

#: the file kinds the ``write`` tool creates (storyboards, libraries, prompt templates)
WRITABLE_SUFFIXES = (".shot", ".j2")


class ToolFailure(SeedanceDSLError):
    """A tool could not do what it was asked; ``data`` is what the agent gets back."""

    exit_code = 2
    kind = "tool"

    def __init__(
        self,
        message: str,
        *,
        kind: str = "usage",
        help: str | None = None,
        diagnostics: Sequence[dict[str, Any]] = (),
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, help=help)
        self.error_kind = kind
        self.data: dict[str, Any] = {
            "ok": False,
            "error": {"kind": kind, "message": message, "help": help},
            "diagnostics": list(diagnostics),
        }
        if extra:
            self.data.update(extra)


def diagnostic_json(d: Diagnostic, file: str | None = None) -> dict[str, Any]:
    """One diagnostic as data: the fields of ``seedance check --format json`` plus flat
    ``line`` and ``column`` (1-based; null when the diagnostic has no source position)."""
    from ..syntax.report import diagnostic_json as base

    out = base(d, file)
    out["line"] = d.span.line if d.span is not None and d.span.line else None
    out["column"] = d.span.column if d.span is not None and d.span.line else None
    return out


def diagnostics_json(diags: Sequence[Diagnostic], file: str | None = None) -> list[dict[str, Any]]:
    return [diagnostic_json(d, file) for d in diags]


def _from_error(exc: SeedanceDSLError) -> ToolFailure:
    """A library error as a tool failure (its diagnostics included, when it has any)."""
    from ..render.commands import CompileFailed

    diags: list[dict[str, Any]] = []
    if isinstance(exc, CompileFailed):
        diags = diagnostics_json(exc.diagnostics)
    return ToolFailure(
        exc.message,
        kind=exc.kind,
        help=exc.cli_help if isinstance(exc, CompileFailed) else exc.help,
        diagnostics=diags,
    )


@dataclass(frozen=True, slots=True)
class SpendPolicy:
    """May ``render`` use the real (paid) service?  Only what the user allowed when they
    started the server: ``allow_spend`` (``--allow-spend``) or a ``max_credits`` cap for
    the whole session (``--max-credits N``), and only with an API key configured."""

    allow_spend: bool = False
    max_credits: int | None = None
    has_key: bool = False

    @property
    def allowed(self) -> bool:
        return self.allow_spend or self.max_credits is not None

    def describe(self) -> str:
        if not self.allowed:
            return "sandbox only (start the server with --allow-spend or --max-credits N to spend)"
        cap = f"at most {self.max_credits} credits" if self.max_credits is not None else "no cap"
        key = "key configured" if self.has_key else "NO API key configured"
        return f"real renders allowed ({cap}; {key})"


@dataclass
class Workspace:
    """The root the tools work in, and the session's spend account."""

    root: Path
    spend: SpendPolicy = field(default_factory=SpendPolicy)
    #: credits the real service charged in this session (``credits_used`` summed)
    spent: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    # ------------------------------------------------------------------ paths

    def path(self, rel: str, *, what: str = "file") -> Path:
        """``rel`` resolved inside the root, or a :class:`ToolFailure`."""
        if not isinstance(rel, str) or not rel.strip() or "\x00" in rel:
            raise ToolFailure(f"{what} must be a non-empty path", help=self._path_help())
        candidate = Path(rel)
        full = (candidate if candidate.is_absolute() else self.root / candidate).resolve()
        if not full.is_relative_to(self.root):
            raise ToolFailure(
                f"{rel!r} is outside the server's root {self.root}",
                kind="outside_root",
                help=self._path_help(),
            )
        return full

    def rel(self, p: str | Path) -> str:
        """How a path is shown to the agent: relative to the root when inside it."""
        full = Path(p) if Path(p).is_absolute() else self.root / p
        try:
            return full.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(p)

    def _path_help(self) -> str:
        return f"give a path relative to the server's root ({self.root}), e.g. film.shot"

    def existing_file(self, rel: str) -> Path:
        p = self.path(rel)
        if not p.is_file():
            raise ToolFailure(
                f"no such file: {rel}",
                kind="not_found",
                help="list your files, or create one with the `write` or `init` tool",
            )
        return p

    def _confine_sources(self, sources: Mapping[str, str]) -> None:
        """A storyboard may not read files outside the root through ``import`` or
        ``template`` either (their text would come back in diagnostics)."""
        for name in sources:
            full = (self.root / name).resolve() if not Path(name).is_absolute() else Path(name)
            if not full.resolve().is_relative_to(self.root):
                raise ToolFailure(
                    f"the storyboard reads {name}, which is outside the server's root {self.root}",
                    kind="outside_root",
                    help="keep imports and templates inside the root",
                )

    # ------------------------------------------------------------------ tools

    def check(self, files: Sequence[str]) -> dict[str, Any]:
        """Diagnostics of every file (a storyboard with errors is data, not a failure)."""
        from ..cli.check_cmd import run_check
        from ..syntax.report import counts

        if not files:
            raise ToolFailure("name at least one .shot file", help="e.g. files=['film.shot']")
        paths = [str(self.existing_file(f)) for f in files]
        results = run_check(paths)
        for r in results:
            self._confine_sources(r.sources)
        out_files: list[dict[str, Any]] = []
        all_diags: list[dict[str, Any]] = []
        every: list[Diagnostic] = []
        for f, p, r in zip(files, paths, results, strict=True):
            diags = [self._relative(d) for d in diagnostics_json(r.diagnostics, p)]
            out_files.append({"path": f, "valid": not any(d.is_error for d in r.diagnostics)})
            all_diags.extend(diags)
            every.extend(r.diagnostics)
        c = counts(every)
        return {"valid": c["error"] == 0, "counts": c, "files": out_files, "diagnostics": all_diags}

    def _relative(self, d: dict[str, Any]) -> dict[str, Any]:
        """File names in a diagnostic relative to the root (absolute paths say nothing
        to the agent and leak the user's directory layout)."""
        if d.get("file"):
            d["file"] = self.rel(d["file"])
        for s in [d.get("span"), *[lb.get("span") for lb in d.get("labels", [])]]:
            if isinstance(s, dict) and s.get("file"):
                s["file"] = self.rel(s["file"])
        return d

    def format(self, file: str, write: bool = False) -> dict[str, Any]:
        """The canonical layout of ``file``; ``write`` replaces the file atomically."""
        from ..cli.fmt_cmd import format_file, write_atomic

        p = self.existing_file(file)
        res = format_file(str(p))
        diags = [self._relative(d) for d in diagnostics_json(res.diagnostics, str(p))]
        if res.formatted is None:
            raise ToolFailure(
                f"{file} has errors and was not formatted",
                kind="diagnostics",
                help="fix the errors (see diagnostics), then format again",
                diagnostics=diags,
            )
        written = False
        if write and res.changed:
            try:
                write_atomic(str(p), res.formatted)
            except OSError as exc:
                raise ToolFailure(
                    f"cannot write {file}: {exc.strerror or exc}", kind="io"
                ) from None
            written = True
        return {
            "file": file,
            "changed": res.changed,
            "written": written,
            "formatted": res.formatted,
            "diagnostics": diags,
        }

    def write(self, file: str, text: str, overwrite: bool = False) -> dict[str, Any]:
        """Create (or, with ``overwrite``, replace) a .shot or .j2 file inside the root,
        then check it (a storyboard written with errors is still written: the
        diagnostics say what to fix)."""
        from ..cli.fmt_cmd import write_atomic

        p = self.path(file)
        if p.suffix not in WRITABLE_SUFFIXES:
            raise ToolFailure(
                f"{file}: the write tool creates only {' and '.join(WRITABLE_SUFFIXES)} files",
                help="name the file film.shot (a storyboard or library) or house.j2 (a template)",
            )
        size = len(text.encode("utf-8"))
        if size > limit("storyboard_file_bytes"):
            raise ToolFailure(
                f"{file}: {size} bytes is too large",
                kind="limit",
                help=exceeded_help("storyboard_file_bytes"),
            )
        existed = p.exists()
        if existed and not overwrite:
            raise ToolFailure(
                f"{file} already exists; nothing was written",
                kind="exists",
                help="pass overwrite=true to replace it, or choose another name",
            )
        if p.exists() and not p.is_file():
            raise ToolFailure(f"{file} is not a regular file", kind="io")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(str(p), text)
        except OSError as exc:
            raise ToolFailure(f"cannot write {file}: {exc.strerror or exc}", kind="io") from None
        out: dict[str, Any] = {"file": file, "bytes": size, "replaced": existed}
        if p.suffix == ".shot":
            out["check"] = self.check([file])
        return out

    def init(self, directory: str = ".") -> dict[str, Any]:
        """``seedance init``: the starter project in ``directory`` (inside the root)."""
        from ..scaffold import InitRefused, init_project

        target = self.path(directory, what="directory")
        try:
            result = init_project(target)
        except UsageError as exc:
            kind = "exists" if isinstance(exc, InitRefused) else "usage"
            raise ToolFailure(exc.message, kind=kind, help=exc.help) from None
        rel = self.rel(target)
        prefix = "" if rel in ("", ".") else rel + "/"
        return {
            "directory": rel or ".",
            "created": [prefix + n for n in result.created],
            "gitignore": result.gitignore,
            "storyboard": prefix + "film.shot",
            "next": "check, compile, then render the storyboard (sandbox=true)",
        }

    def compile(self, file: str, clips: Sequence[str] | None = None) -> dict[str, Any]:
        """``seedance compile --format json``'s envelope, each clip with its ``prompt``
        and ``references`` (roles) too.  A storyboard with errors is a failure whose
        data is the same envelope (with ``valid: false`` and the diagnostics)."""
        from ..compiler import compile_file
        from ..compiler.output import to_json

        p = self.existing_file(file)
        compiled = compile_file(p)
        self._confine_sources(compiled.sources)
        chosen = list(compiled.clips)
        if clips:
            known = {c.name for c in compiled.clips}
            missing = [n for n in clips if n not in known]
            if missing:
                raise ToolFailure(
                    f"no clip named {', '.join(missing)} in {file}",
                    help=f"clips: {', '.join(sorted(known)) or '(none)'}",
                )
            chosen = [c for c in compiled.clips if c.name in clips]
        diags = compiled.diagnostics_for(list(clips)) if clips else compiled.diagnostics
        out = to_json(compiled, chosen, diagnostics=diags)
        out["diagnostics"] = [self._relative(d) for d in diagnostics_json(diags, str(p))]
        out["files"] = [{"path": file, "valid": f["valid"]} for f in out.get("files", [])]
        for clip, data in zip(chosen, out["clips"], strict=True):
            data["prompt"] = clip.prompt
            data["references"] = [
                {
                    "name": r.name,
                    "role": r.role,
                    "kind": r.kind,
                    "field": r.field,
                    "position": r.position,
                    "phrase": r.phrase,
                    "url": r.url,
                }
                for r in clip.references
            ]
            for key in ("span",):
                if isinstance(data.get(key), dict):
                    data[key]["file"] = self.rel(data[key]["file"])
            for span in data.get("source_map", {}).values():
                if isinstance(span, dict):
                    span["file"] = self.rel(span["file"])
        if not out["valid"]:
            raise ToolFailure(
                f"{file} has errors: nothing can be rendered",
                kind="diagnostics",
                help="fix the errors listed in diagnostics (`explain` tells more about a code)",
                diagnostics=out["diagnostics"],
                extra={"compile": out},
            )
        return out

    def plan(
        self, file: str, clips: Sequence[str] | None = None, take: int = 0, sandbox: bool = True
    ) -> dict[str, Any]:
        """What ``render`` would submit, reuse or wait for, with estimated credits."""
        from ..render.commands import plan_file
        from ..render.pricing import PriceTable

        p = self.existing_file(file)
        try:
            plan = plan_file(
                p,
                sandbox=sandbox,
                clips=list(clips) if clips else None,
                take=take,
                prices=PriceTable.from_env_or(None),
            )
        except SeedanceDSLError as exc:
            raise _from_error(exc) from None
        data = plan.to_json()
        data["storyboard"] = file
        return data

    def status(self, file: str, sandbox: bool = True) -> dict[str, Any]:
        """What the state database knows about each clip (no network)."""
        from ..render.commands import status_file

        p = self.existing_file(file)
        try:
            report = status_file(p, sandbox=sandbox)
        except SeedanceDSLError as exc:
            raise _from_error(exc) from None
        data = report.to_json()
        data["storyboard"] = file
        prefix = str(self.root) + "/"
        for row in data["clips"]:
            if row.get("video"):
                row["video"] = self.rel(row["video"])
            if isinstance(row.get("detail"), str):
                row["detail"] = row["detail"].replace(prefix, "")
        return data

    def explain(self, code: str) -> dict[str, Any]:
        from ..syntax.codes import lookup

        info = lookup(code)
        if info is None:
            from ..cli.explain_cmd import explain_text

            try:
                explain_text(code)
            except UsageError as exc:
                raise ToolFailure(exc.message, kind="not_found", help=exc.help) from None
            raise ToolFailure(f"unknown diagnostic code `{code}`", kind="not_found")
        return {"code": info.code, "title": info.title, "explanation": info.explanation}

    def render(
        self,
        file: str,
        *,
        sandbox: bool = True,
        clips: Sequence[str] | None = None,
        take: int = 0,
        max_credits: int | None = None,
        on_event: Callable[[Any], None] | None = None,
        stop: StopToken | None = None,
    ) -> dict[str, Any]:
        """Render on the sandbox (free), or on the real service when the user allowed it.
        ``stop`` stops it from another thread (the client cancelled the call).

        Raises :class:`ToolFailure` before anything is sent when a real render is not
        allowed, the session's credit cap is used up, or the storyboard has errors."""
        from ..render.pricing import PriceTable
        from ..workflow import render_file

        p = self.existing_file(file)
        cap: int | None = max_credits
        if not sandbox:
            cap = self._spend_cap(max_credits)
        out_dir = self.root / "renders" / p.stem
        try:
            summary = render_file(
                p,
                sandbox=sandbox,
                clips=list(clips) if clips else None,
                out_dir=out_dir,
                max_credits=cap,
                take=take,
                prices=PriceTable.from_env_or(None),
                on_event=on_event,
                handle_signals=False,
                stop=stop,
            )
        except SeedanceDSLError as exc:
            raise _from_error(exc) from None
        if not sandbox:
            with self._lock:
                self.spent += summary.credits_used
        data = summary.to_json()
        data["storyboard"] = file
        for key in ("out_dir", "manifest"):
            if data.get(key):
                data[key] = self.rel(data[key])
        for c in data["clips"]:
            for key in ("video", "last_frame"):
                if c.get(key):
                    c[key] = self.rel(c[key])
        if not sandbox:
            data["session_credits_spent"] = self.spent
        if summary.exit_code != 0:
            raise ToolFailure(
                summary.message or f"the render did not finish (exit code {summary.exit_code})",
                kind="render",
                help="`status` shows each clip; render again to resume (nothing is paid twice)",
                extra={"render": data},
            )
        return data

    def _spend_cap(self, requested: int | None) -> int | None:
        """The ``max_credits`` of a real render, or a refusal."""
        policy = self.spend
        if not policy.allowed:
            raise ToolFailure(
                "a render on the real service spends credits, and this server was not "
                "allowed to spend: nothing was sent",
                kind="spend_refused",
                help="render with sandbox=true (free animatics); to spend, the user restarts "
                "the server with `seedance mcp --allow-spend` or `--max-credits N`",
            )
        if not policy.has_key:
            raise ToolFailure(
                "no Seedance API key is configured for this server: nothing was sent",
                kind="config",
                help="the user sets SEEDANCE_API_KEY (or a config profile) and restarts the "
                "server; see `seedance config`",
            )
        if policy.max_credits is None:
            return requested
        with self._lock:
            left = policy.max_credits - self.spent
        if left <= 0:
            raise ToolFailure(
                f"this session's credit cap ({policy.max_credits}) is used up "
                f"({self.spent} spent): nothing was sent",
                kind="spend_refused",
                help="the user restarts the server with a higher --max-credits to spend more",
            )
        return left if requested is None else min(requested, left)
