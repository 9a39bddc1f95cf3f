"""JSON Schema for every kind of file an editor writes, made from the field contracts in
schema.py, so an editor's editor (VS Code with the YAML extension, for one) completes field
names and flags mistakes while typing. `alagen schema DIR` writes them."""

from __future__ import annotations

import json
from pathlib import Path

from alagen import schema
from alagen.schema import Field

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_DATE = r"^\d{4}-\d{2}-\d{2}$"
_WHEN = r"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2})?)?$"

# name -> (title, fields, whether a file may hold a list of them)
KINDS = {
    "page": ("Front matter of a page in content/", schema.PAGE_FIELDS, False),
    "site": ("Site settings: data/site.yaml", schema.SITE_FIELDS, False),
    "event": ("Events: data/events.yaml or data/events/*.yaml", schema.EVENT_FIELDS, True),
    "job": ("Jobs: data/jobs.yaml or data/jobs/*.yaml", schema.JOB_FIELDS, True),
    "award": ("Awards: data/awards.yaml or data/awards/*.yaml", schema.AWARD_FIELDS, True),
    "publication": ("Publications: data/publications.yaml", schema.PUBLICATION_FIELDS, True),
}


def property_schema(field: Field) -> dict:
    """The JSON Schema of one field."""
    kind = field.kind
    if kind in ("text", "url", "email"):
        result: dict = {"type": "string"}
        if field.choices:
            result["enum"] = list(field.choices)
        if field.max_length:
            result["maxLength"] = field.max_length
        if kind == "url":
            result.update(format="uri", pattern="^https?://")
        if kind == "email":
            result["format"] = "email"
    elif kind == "date":
        result = {"type": "string", "format": "date", "pattern": _DATE}
    elif kind == "when":
        result = {"type": "string", "pattern": _WHEN}
    elif kind == "bool":
        result = {"type": "boolean"}
    elif kind == "int":
        result = {"type": "integer"}
    elif kind == "list":
        item: dict = {"type": "string", "enum": list(field.choices)} if field.choices else {"type": "string"}
        result = {"anyOf": [item, {"type": "array", "items": item}]}
    elif kind == "price":
        result = {"type": "number", "minimum": 0}
    elif kind == "monthday":
        result = {"type": "string", "pattern": r"^\d{2}-\d{2}$"}
    elif kind == "record":
        result = record_schema(field.fields)
    elif kind == "records":
        result = {"type": "array", "items": record_schema(field.fields)}
    elif kind == "mapping":
        result = {"type": "object"}
    else:
        result = {}
    if field.doc:
        result["description"] = field.doc
    return result


def record_schema(fields: tuple[Field, ...]) -> dict:
    result = {
        "type": "object",
        "properties": {f.name: property_schema(f) for f in fields},
        "additionalProperties": False,
    }
    required = [f.name for f in fields if f.required]
    if required:
        result["required"] = required
    return result


def document(name: str) -> dict:
    """The whole schema for one kind of file."""
    title, fields, listable = KINDS[name]
    record = record_schema(fields)
    # if/then/else rather than anyOf: a mistake is reported at its field, not as "no match".
    body = {"if": {"type": "array"}, "then": {"items": record}, "else": record} if listable else record
    return {"$schema": DRAFT, "$id": f"{name}.schema.json", "title": title, **body}


def write_schemas(folder: Path) -> list[Path]:
    """Write <kind>.schema.json for every kind into folder; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in KINDS:
        path = folder / f"{name}.schema.json"
        path.write_text(json.dumps(document(name), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
