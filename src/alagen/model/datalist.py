"""Data files that are one list of small records (divisions, topics, redirects)."""

from __future__ import annotations

from typing import Iterator

from alagen import schema
from alagen.errors import Location, Problems
from alagen.load import DataFile
from alagen.yamlfile import Positions


def entries(
    data: tuple[DataFile, ...], name: str, fields: tuple[schema.Field, ...], what: str, problems: Problems
) -> Iterator[tuple[dict, Positions]]:
    """The checked values and positions of each item of data/<name>.yaml; an item that is not
    a mapping or lacks a required field is reported and left out."""
    file = next((d for d in data if d.name == name), None)
    if file is None or file.value is None:
        return
    first = fields[0].name
    if not isinstance(file.value, list):
        problems.error(Location(file.source, 1, 1), f"{name}.yaml must be a list of {what}s, each starting '- {first}: ...'")
        return
    for index, item in enumerate(file.value):
        pos = file.positions.under(index)
        if not isinstance(item, dict):
            problems.error(pos.value(), f"each {what} must be 'key: value' lines, starting with '- {first}: ...'")
            continue
        values = schema.validate(item, pos, fields, problems, what=f"{what} field")
        if all(f.name in values for f in fields if f.required):
            yield values, pos
