"""Check the built VS Code extension (``make vsix``): every file its package.json names
is inside the .vsix and equal to the file in the repository, and the language client it
starts `seedance lsp` with is bundled (the extension has no install step of its own).

Run by ``make test`` after ``make vsix``; exits 1 naming what is missing.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "editors" / "vscode"


def problems(vsix: Path) -> list[str]:
    out: list[str] = []
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    named = [manifest["main"]]
    contributes = manifest["contributes"]
    named += [lang["configuration"] for lang in contributes["languages"]]
    named += [g["path"] for g in contributes["grammars"]]
    named += [s["path"] for s in contributes["snippets"]]
    with zipfile.ZipFile(vsix) as z:
        names = set(z.namelist())
        for rel in named:
            inside = "extension/" + rel.removeprefix("./")
            if inside not in names:
                out.append(f"{inside}: named in package.json, missing from {vsix.name}")
            elif z.read(inside) != (ROOT / rel).read_bytes():
                out.append(f"{inside}: differs from editors/vscode/{rel.removeprefix('./')}")
        packaged = json.loads(z.read("extension/package.json"))
        if packaged.get("main") != manifest["main"]:
            out.append("extension/package.json: a different entry point than the repository's")
        for dep in manifest.get("dependencies", {}):
            if f"extension/node_modules/{dep}/package.json" not in names:
                out.append(f"the runtime dependency {dep} is not bundled")
        for dev in manifest.get("devDependencies", {}):
            if f"extension/node_modules/{dev}/package.json" in names:
                out.append(f"a development tool ({dev}) is bundled")
    return out


def main() -> int:
    vsix = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "seedance-shot.vsix"
    found = problems(vsix)
    for p in found:
        print(f"vsix check: {p}", file=sys.stderr)
    if not found:
        print(f"vsix check: {vsix.name} holds the extension as built from editors/vscode")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
