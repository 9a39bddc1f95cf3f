"""Divisions (data/divisions.yaml): the units that records and pages belong to, and the
microsites some of them have under content/<folder>/ with their own menu and footer."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from typing import Iterable

from alagen import schema
from alagen.errors import Location, Problems
from alagen.load import DataFile
from alagen.model import urls
from alagen.model.datalist import entries
from alagen.model.menus import FindPage, MenuItem, read_items

DIVISIONS_FILE = "divisions"


@dataclass(frozen=True, slots=True)
class Division:
    id: str
    name: str
    short_name: str
    summary: str
    folder: str | None  # "core": pages under content/core/ are its microsite
    menu: tuple[MenuItem, ...]
    footer: tuple[MenuItem, ...]
    location: Location
    share_image: str | None = None  # link previews' picture for its pages without their own: a path from content/
    share_image_alt: str = ""
    share_image_at: Location | None = None  # where share_image was written

    @property
    def home_url(self) -> str | None:
        return f"/{self.folder}/" if self.folder else None


def read_divisions(data: tuple[DataFile, ...], problems: Problems) -> tuple[Division, ...]:
    """The divisions without their menus (see with_menus): names are needed before pages
    have URLs."""
    found: dict[str, Division] = {}
    for values, pos in entries(data, DIVISIONS_FILE, schema.DIVISION_FIELDS, "division", problems):
        division_id = values["id"]
        reason = urls.check_slug(division_id, "division id")  # /events/<id>/ lists its events
        if reason:
            problems.error(pos.value("id"), reason, span=len(division_id))
            continue
        if division_id in found:
            first = found[division_id].location
            problems.error(pos.value("id"), f"division '{division_id}' is listed twice (first at line {first.line}); remove one")
            continue
        folder = values.get("folder", "").strip("/") or None
        share_image = values.get("share_image") or None
        share_image_alt = values.get("share_image_alt", "").strip()
        if share_image and not share_image_alt:
            problems.error(pos.value("share_image"), "the share image needs 'share_image_alt:' saying what it shows", span=len(share_image))
        found[division_id] = Division(
            id=division_id,
            name=values["name"],
            short_name=values.get("short_name") or values["name"],
            summary=values.get("summary", ""),
            folder=folder,
            menu=(),
            footer=(),
            location=pos.value("id"),
            share_image=share_image,
            share_image_alt=share_image_alt,
            share_image_at=pos.value("share_image") if share_image else None,
        )
    return tuple(found.values())


def with_menus(
    divisions: tuple[Division, ...],
    data: tuple[DataFile, ...],
    find_page: FindPage,
    sources: tuple[str, ...],
    problems: Problems,
) -> tuple[Division, ...]:
    """Each division with its menu and footer read like data/menus.yaml's, and its folder
    checked: a microsite needs a home page, content/<folder>/index.md."""
    file = next((d for d in data if d.name == DIVISIONS_FILE), None)
    if file is None or not isinstance(file.value, list):
        return divisions
    # Each division by where its id was written: its id as YAML read it may be another value
    # (`id: yes` is true, `id: 2025` a number), and its entry is the one at that place.
    raw = {
        file.positions.value(index, "id"): (item, index)
        for index, item in enumerate(file.value)
        if isinstance(item, dict) and "id" in item
    }
    result = []
    for division in divisions:
        item, index = raw[division.location]
        menus = {}
        for name in ("menu", "footer"):
            menus[name] = read_items(item.get(name) or [], (index, name), file.positions, find_page, sources, problems)
        if division.folder and find_page(f"content/{division.folder}/index.md") is None:  # "": its own errors
            problems.error(
                file.positions.value(index, "folder"),
                f"division '{division.id}' has folder '{division.folder}', but content/{division.folder}/index.md "
                "is not a published page; write that page (the division's home) or fix the folder",
            )
        result.append(dataclasses.replace(division, **menus))
    return tuple(result)


def check_units(used: Iterable[tuple[str, Location]], divisions: tuple[Division, ...], problems: Problems) -> None:
    """Every `unit:` names a division in data/divisions.yaml."""
    ids = [d.id for d in divisions]
    for unit, location in used:
        if unit in ids:
            continue
        guess = difflib.get_close_matches(unit, ids, n=1, cutoff=0.6)
        if guess:
            hint = f"did you mean '{guess[0]}'?"
        elif ids:
            hint = "the divisions are: " + ", ".join(ids)
        else:
            hint = "add it to data/divisions.yaml (a list of {id, name, short_name})"
        problems.error(location, f"unit '{unit}' is not a division in data/divisions.yaml; {hint}", span=len(unit))
