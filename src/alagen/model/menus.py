"""Menus from data/menus.yaml: each item points at a page by source path, or at an external URL."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping
from urllib.parse import urlsplit

from alagen import schema
from alagen.errors import Location, Problems
from alagen.load import DataFile
from alagen.yamlfile import Positions

MENUS_FILE = "menus"


@dataclass(frozen=True, slots=True)
class MenuItem:
    title: str
    url: str  # a site path (/about/) or a full external URL
    external: bool
    page: str | None  # the source path of the page it points at
    links: tuple["MenuItem", ...]
    location: Location


def read_menus(
    data: tuple[DataFile, ...],
    find_page: Callable[[str], str | None],
    sources: tuple[str, ...],
    problems: Problems,
) -> Mapping[str, tuple[MenuItem, ...]]:
    """Every menu by name. `find_page(source)` gives a published page's URL, "" for a page
    with errors of its own, or None."""
    file = next((d for d in data if d.name == MENUS_FILE), None)
    if file is None or file.value is None:
        return MappingProxyType({})
    if not isinstance(file.value, dict):
        problems.error(Location(file.source, 1, 1), "menus.yaml must map menu names to lists of items, e.g. 'main:'")
        return MappingProxyType({})
    menus = {}
    for name, items in file.value.items():
        menus[str(name)] = _items(items, (name,), file.positions, find_page, sources, problems)
    return MappingProxyType(menus)


def _items(items, where, pos: Positions, find_page, sources, problems) -> tuple[MenuItem, ...]:
    if not isinstance(items, list):
        problems.error(pos.value(*where), "a menu must be a list of items, each with 'title' and 'page' or 'url'")
        return ()
    result = []
    for index, item in enumerate(items):
        here = where + (index,)
        menu_item = _item(item, here, pos, find_page, sources, problems)
        if menu_item:
            result.append(menu_item)
    return tuple(result)


def _item(item, here, pos: Positions, find_page, sources, problems) -> MenuItem | None:
    if not isinstance(item, dict):
        problems.error(pos.value(*here), "a menu item needs 'title' and 'page' (a file under content/) or 'url'")
        return None
    for key in item:
        if not any(f.name == key for f in schema.MENU_ITEM_FIELDS):
            message = schema.unknown_key(key, schema.MENU_ITEM_FIELDS, "menu item key")
            problems.error(pos.key(*here, key), message, span=len(str(key)))
    title = item.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.error(pos.value(*here), "this menu item has no 'title'; add the text to show")
        return None
    links = _items(item["links"], here + ("links",), pos, find_page, sources, problems) if "links" in item else ()
    if ("page" in item) == ("url" in item):
        problems.error(pos.value(*here), f"menu item '{title}' needs exactly one of 'page' (a file under content/) or 'url'")
        return None
    location = pos.value(*here, "page" if "page" in item else "url")
    if "url" in item:
        url = str(item["url"])
        if urlsplit(url).scheme not in ("http", "https", "mailto"):
            problems.error(location, f"'{url}' is not a full address; use 'page:' for a page of this site, or https://...")
            return None
        return MenuItem(title, url, True, None, links, location)
    source = "content/" + str(item["page"]).lstrip("/").removeprefix("content/")
    url = find_page(source)
    if url == "":  # the page itself has errors, reported at its own file
        return None
    if url is None:
        # Compared without the 'content/' every path shares, which would make any two look alike.
        written = [s.removeprefix("content/") for s in sources]
        guess = difflib.get_close_matches(source.removeprefix("content/"), written, n=1, cutoff=0.7)
        hint = f"; did you mean '{guess[0]}'?" if guess else "; the path is relative to content/"
        problems.error(location, f"menu item '{title}' points at {source}, which is not a published page{hint}")
        return None
    return MenuItem(title, url, False, source, links, location)
