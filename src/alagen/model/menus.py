"""Menus from data/menus.yaml: each item points at a page by source path, or at an external URL."""

from __future__ import annotations

import datetime as dt

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
class MenuColumn:
    title: str
    links: tuple["MenuItem", ...]


@dataclass(frozen=True, slots=True)
class MenuItem:
    title: str
    url: str  # a site path (/about/) or a full external URL
    external: bool
    page: str | None  # the source path of the page it points at
    links: tuple["MenuItem", ...]
    location: Location
    columns: tuple[MenuColumn, ...] = ()

    @property
    def all_links(self) -> tuple["MenuItem", ...]:
        """The items below this one, in columns or not."""
        return self.links + tuple(link for column in self.columns for link in column.links)

    def state(self, url: str) -> str | None:
        """How the page at `url` stands to this item, for aria-current: "page" when the item
        is that page, "true" when the page lies under it (the active trail), else None."""
        if self.external:
            return None
        if self.url == url:
            return "page"
        if self.url != "/" and url.startswith(self.url):
            return "true"
        if any(link.state(url) for link in self.all_links):
            return "true"
        return None


FindPage = Callable[[str], "str | None"]


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
        menus[str(name)] = read_items(items, (name,), file.positions, find_page, sources, problems)
    return MappingProxyType(menus)


def read_items(items, where, pos: Positions, find_page, sources, problems) -> tuple[MenuItem, ...]:
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
    if isinstance(title, (bool, int, float)):  # `title: 2025` or `title: Yes`: the words typed
        title = pos.raw(*here, "title") or str(title)
    if isinstance(title, (list, dict)):
        problems.error(pos.value(*here, "title"), f"a menu item's 'title' must be text, not {schema.kind_of(title)}")
        return None
    if not isinstance(title, str) or not title.strip():
        problems.error(pos.value(*here), "this menu item has no 'title'; add the text to show")
        return None
    links = read_items(item["links"], here + ("links",), pos, find_page, sources, problems) if "links" in item else ()
    columns = _columns(item["columns"], here + ("columns",), pos, find_page, sources, problems) if "columns" in item else ()
    if "links" in item and "columns" in item:  # by the keys: a broken link must not hide it
        problems.error(pos.key(*here, "columns"), f"menu item '{title}' has both 'links' and 'columns'; put every link in a column")
    if ("page" in item) == ("url" in item):
        problems.error(pos.value(*here), f"menu item '{title}' needs exactly one of 'page' (a file under content/) or 'url'")
        return None
    location = pos.value(*here, "page" if "page" in item else "url")
    if "url" in item:
        url = str(item["url"])
        if urlsplit(url).scheme not in ("http", "https", "mailto"):
            problems.error(location, f"'{url}' is not a full address; use 'page:' for a page of this site, or https://...")
            return None
        return MenuItem(title, url, True, None, links, location, columns)
    source = "content/" + str(item["page"]).lstrip("/").removeprefix("content/")
    url = find_page(source)
    if url == "":  # the page itself has errors, reported at its own file
        return None
    note = schedule_of(find_page, source)
    if note and note[0] == "expired":  # time broke it: the menu goes on without the item
        problems.warning(
            location,
            f"menu item '{title}' points at {source}, which expired on {note[1].isoformat()}; it is left out of the "
            "menu: remove it or point it at another page",
        )
        return None
    if note:
        problems.warning(
            location,
            f"menu item '{title}' points at {source}, which expires on {note[1].isoformat()}; from then on the item "
            "is left out of the menu: point it at another page, or change that page's 'expires:'",
        )
    if url is None:
        if source in sources:  # the file is there, but left out of this build
            hint = "; it is a draft, not yet published or expired: link to it once it is published"
        else:
            # Compared without the 'content/' every path shares, which would make any two look alike.
            written = [s.removeprefix("content/") for s in sources]
            guess = difflib.get_close_matches(source.removeprefix("content/"), written, n=1, cutoff=0.7)
            hint = f"; did you mean '{guess[0]}'?" if guess else "; the path is relative to content/"
        problems.error(location, f"menu item '{title}' points at {source}, which is not a published page{hint}")
        return None
    return MenuItem(title, url, False, source, links, location, columns)


def schedule_of(find_page, source: str) -> tuple[str, dt.date] | None:
    """("expires", day) for a page that expires soon, ("expired", day) for one that has, from
    a finder that knows (model/site.py's); None otherwise."""
    schedule = getattr(find_page, "schedule", None)
    return schedule(source) if schedule is not None else None


def _columns(columns, where, pos: Positions, find_page, sources, problems) -> tuple[MenuColumn, ...]:
    if not isinstance(columns, list):
        problems.error(pos.value(*where), "'columns' must be a list, each with a 'title' and 'links'")
        return ()
    result = []
    for index, column in enumerate(columns):
        here = where + (index,)
        for key in column if isinstance(column, dict) else ():  # first: 'link:' is why 'links' is missing
            if not any(f.name == key for f in schema.MENU_COLUMN_FIELDS):
                message = schema.unknown_key(key, schema.MENU_COLUMN_FIELDS, "menu column key")
                problems.error(pos.key(*here, key), message, span=len(str(key)))
        if not isinstance(column, dict) or not isinstance(column.get("title"), str) or "links" not in column:
            problems.error(pos.value(*here), "each column needs a 'title' and 'links'")
            continue
        links = read_items(column["links"], here + ("links",), pos, find_page, sources, problems)
        result.append(MenuColumn(column["title"], links))
    return tuple(result)
