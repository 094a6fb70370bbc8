"""The JSON schema of ``compile``'s output (resource ``seedance://schema/compile``)
describes what ``seedance compile --format json`` really prints."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from seedance_dsl.agents.schema import COMPILE_SCHEMA
from seedance_dsl.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.shot"))


def compile_json(*args: str) -> object:
    result = CliRunner().invoke(cli, ["compile", *args, "--format", "json"])
    return json.loads(result.output)


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(COMPILE_SCHEMA)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_compiles_to_schema_valid_json(path: Path) -> None:
    out = compile_json(str(path))
    jsonschema.validate(out, COMPILE_SCHEMA)
    assert isinstance(out, dict) and out["clips"]


def test_output_with_errors_and_a_usage_error_are_schema_valid(tmp_path: Path) -> None:
    bad = tmp_path / "bad.shot"
    bad.write_text('storyboard "t"\nclip a { duraton 5s }\n')
    with_errors = compile_json(str(bad))
    assert isinstance(with_errors, dict) and with_errors["valid"] is False
    jsonschema.validate(with_errors, COMPILE_SCHEMA)
    usage = compile_json(str(tmp_path / "missing.shot"))
    assert (
        isinstance(usage, dict) and usage["error"]["kind"] == "file"
    )  # the shape every command gives it
    jsonschema.validate(usage, COMPILE_SCHEMA)


def test_the_schema_rejects_what_it_should() -> None:
    out = compile_json(str(ROOT / "examples" / "teaser.shot"))
    assert isinstance(out, dict)
    out["clips"][0]["valid"] = "yes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(out, COMPILE_SCHEMA)
