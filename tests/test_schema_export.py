"""JSON Schema export: made from the field contracts, committed in schemas/, and in
agreement with what the build accepts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from alagen.schema_export import KINDS, document, write_schemas
from alagen.yamlfile import parse
from conftest import run_cli

REPO = Path(__file__).resolve().parent.parent
COLLECTION_KIND = {"events": "event", "jobs": "job", "awards": "award", "publications": "publication", "site": "site"}


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(document(kind), format_checker=jsonschema.FormatChecker())


def test_the_committed_schemas_are_current(tmp_path):
    written = write_schemas(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in (REPO / "schemas").glob("*.json"))
    for path in written:
        assert path.read_text() == (REPO / "schemas" / path.name).read_text(), (
            f"schemas/{path.name} is stale: run `python3 -m alagen schema schemas`"
        )


def test_the_schema_command_writes_every_kind(tmp_path):
    result = run_cli("schema", str(tmp_path / "out"), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"{k}.schema.json" for k in KINDS)
    assert json.loads((tmp_path / "out/event.schema.json").read_text())["else"]["required"] == [
        "title", "kind", "start", "summary"
    ]


def _kind(path: Path) -> str | None:
    return COLLECTION_KIND.get(path.relative_to(REPO / "data").parts[0].removesuffix(".yaml"))


SCHEMA_FILES = sorted(p for p in (REPO / "data").rglob("*.yaml") if _kind(p))


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_demo_data_file_is_valid_and_names_its_schema(path):
    kind = _kind(path)
    text = path.read_text()
    assert text.startswith(f"# yaml-language-server: $schema=") and f"schemas/{kind}.schema.json" in text.splitlines()[0]
    schema_path = (path.parent / text.splitlines()[0].split("=", 1)[1]).resolve()
    assert schema_path == REPO / "schemas" / f"{kind}.schema.json"
    value, _ = parse(text, str(path))
    assert list(_validator(kind).iter_errors(value)) == []


@pytest.mark.parametrize(
    ("kind", "record", "complaint"),
    [
        ("event", {"title": "T", "kind": "webinr", "start": "2025-02-18", "summary": "S"}, "'webinr' is not one of"),
        ("event", {"title": "T", "kind": "webinar", "start": "18 Feb", "summary": "S"}, "does not match"),
        ("event", {"title": "T", "kind": "webinar", "start": "2025-02-18", "summary": "S", "strat": 1}, "Additional properties"),
        ("job", {"title": "T", "employer": "E", "city": "C", "region": "R", "posted": "2025-01-01", "url": "ftp://x"}, "does not match"),
        ("award", {"name": "N", "category": "grant", "summary": "S", "winners": [{"year": 2024}]}, "'recipient' is a required property"),
        ("publication", {"title": "T", "format": "book", "summary": "S", "price": -1}, "less than the minimum"),
    ],
)
def test_the_schemas_reject_what_the_build_rejects(kind, record, complaint):
    errors = [e.message for e in _validator(kind).iter_errors(record)]
    assert any(complaint in message for message in errors), errors
