"""Pages: validated front matter (folder defaults applied), URLs, and publication state."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from alagen import schema
from alagen.clock import Clock
from alagen.errors import Location, Problems
from alagen.load import DataFile, Document
from alagen.model import urls


NEWS_FOLDER = "news"  # content/news/*.md are news items
# Layouts whose page is only links to other pages: the site index, and the layouts of the
# listings the build makes (events, jobs, news, awards, publications, topics). Such a page is
# never searchable: it matches the words of every title it lists and leads only to another
# list, whatever sentence introduces its list. A section's home (layout 'list') has prose of
# its own above its cards of the section's pages, and stays searchable.
LISTING_LAYOUTS = frozenset(
    {"site-index", "events", "events-past", "jobs", "news", "awards", "award-year", "publications", "topics", "topic"}
)


@dataclass(frozen=True, slots=True)
class Pager:
    """Where one page of a paginated listing stands among the others."""

    number: int  # 1-based
    count: int
    urls: tuple[str, ...]  # the URL of every page of the listing, first to last

    @property
    def prev_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < self.count else None

    def window(self, around: int = 2) -> tuple[int | None, ...]:
        """The page numbers to link: the first, the last and those near this one; None
        where numbers are left out (1 … 4 5 6 … 20)."""
        shown = [n for n in range(1, self.count + 1) if n in (1, self.count) or abs(n - self.number) <= around]
        result: list[int | None] = []
        for n in shown:
            gap = n - (result[-1] or 0) if result else 1
            if gap == 2:  # one number left out: show it rather than '…'
                result.append(n - 1)
            elif gap > 2:
                result.append(None)
            result.append(n)
        return tuple(result)


@dataclass(frozen=True, slots=True)
class Page:
    source: str  # "content/about/mission.md"
    url: str  # "/about/mission/"
    output: str  # "about/mission/index.html"
    title: str
    layout: str
    body: str
    body_line: int
    body_col: int = 1  # the column of the body's text: a record's `body: |` is indented
    description: str = ""
    summary: str = ""
    date: dt.date | None = None
    updated: dt.date | None = None
    publish: dt.date | None = None
    expires: dt.date | None = None
    draft: bool = False
    aliases: tuple[str, ...] = ()
    weight: int = 0
    topics: tuple[str, ...] = ()
    unit: str | None = None
    toc: bool = False
    paginate: int = 0  # items per page when this page is a listing; 0 for the default
    image: str | None = None
    image_alt: str | None = None
    extra: Mapping[str, Any] = field(default_factory=schema.empty)
    check: Mapping[str, Any] = field(default_factory=schema.empty)  # {skip: (rules), reason} for `alagen check`
    is_index: bool = False  # a folder's index.md: the home of a section
    # What the page is, for templates and search filters: page, news, listing, event, job,
    # award or publication. Record pages carry their record; listings their items.
    kind: str = "page"
    record: Any = None
    items: tuple = ()
    pager: Pager | None = None
    noindex: bool = False  # kept for old links, but out of sitemap, feeds and search
    listed: bool = True  # among its parent's children (section lists, the site index)
    # Where each field's value was written (the page, or a folder's _defaults.yaml).
    where: Mapping[str, Location] = field(default_factory=schema.empty, compare=False, repr=False)

    @property
    def section(self) -> str:
        """The top-level folder of the page's URL ('' for the home page)."""
        return self.url.strip("/").split("/", 1)[0]

    @property
    def lastmod(self) -> dt.date | None:
        return self.updated or self.date

    @property
    def is_listing(self) -> bool:
        """Only links to other pages: a listing the build makes, or a page whose layout is
        one (the site index)."""
        return self.kind == "listing" or self.layout in LISTING_LAYOUTS

    @property
    def searchable(self) -> bool:
        """In the search index: real content, not listings (nor the site index), closed jobs
        or the 404 page."""
        return not self.noindex and not self.is_listing and self.kind != "search" and self.url != "/404.html"

    @property
    def search_type(self) -> str:
        """The 'type' search filter: page, news, event, job, award or publication."""
        return self.kind if self.kind in ("news", "event", "job", "award", "publication") else "page"

    def at(self, key: str) -> Location:
        """Where `key` was written, or the page's first line."""
        return self.where.get(key) or Location(self.source, 1, 1)


def read_defaults(defaults: tuple[DataFile, ...], problems: Problems) -> dict[str, tuple[dict, dict]]:
    """Each content folder's _defaults.yaml: folder -> (values, where each value was written)."""
    result = {}
    for file in defaults:
        if not isinstance(file.value, dict):
            if file.value is not None:
                problems.error(Location(file.source, 1, 1), "_defaults.yaml must be 'key: value' lines (a mapping)")
            continue
        values = schema.validate(file.value, file.positions, schema.PAGE_FIELDS, problems, check_required=False)
        where = {k: file.positions.value(k) for k in values}
        if isinstance(file.value.get("topics"), list):  # an unknown topic is reported at its item
            where.update({f"topics.{i}": file.positions.value("topics", i) for i in range(len(file.value["topics"]))})
        result[file.name] = (values, where)
    return result


def read_page(
    document: Document,
    defaults: Mapping[str, tuple[dict, dict]],
    layouts: tuple[str, ...],
    problems: Problems,
) -> Page | None:
    """Validate one document into a Page; None (with problems reported) if it cannot be one.
    A page with any error of its own is left out once its errors are reported: listings,
    sorting, menus and rendering only ever see pages whose every value is valid."""
    own = Problems(strict=problems.strict)
    page = _read_page(document, defaults, layouts, own)
    problems.extend(own.warnings + own.errors)
    return None if own.errors else page


def _read_page(
    document: Document,
    defaults: Mapping[str, tuple[dict, dict]],
    layouts: tuple[str, ...],
    problems: Problems,
) -> Page | None:
    values: dict[str, Any] = {}
    where: dict[str, Location] = {}
    folders = document.source.split("/")[:-1]  # ["content", "about"]
    for depth in range(1, len(folders) + 1):
        folder_values, folder_where = defaults.get("/".join(folders[:depth]), ({}, {}))
        values.update(folder_values)
        where.update(folder_where)
    own = schema.validate(document.front, document.positions, schema.PAGE_FIELDS, problems, check_required=False)
    values.update(own)
    where.update({k: document.positions.value(k) for k in own})

    if "title" not in values:
        if not document.has_front_matter:
            problems.error(
                Location(document.source, 1, 1),
                "this page has no front matter; start the file with a line '---', a line 'title: ...', and a line '---'",
            )
        elif "title" not in document.front and not any(
            schema.suggest(key, schema.PAGE_FIELDS) == "title" for key in document.front
        ):  # `titel:` is reported once, as a misspelt key
            problems.error(
                Location(document.source, 1, 1), "'title' is required; add a line 'title: ...' to the front matter", span=3
            )
        return None

    relative = document.source.removeprefix("content/")
    is_index = relative.rsplit("/", 1)[-1] == "index.md"
    is_news = relative.startswith(NEWS_FOLDER + "/") and not is_index
    if is_news and "date" not in values:
        if "date" not in document.front:
            problems.error(
                Location(document.source, 1, 1), "a news item needs 'date:' (YYYY-MM-DD), the day it was published", span=3
            )
        elif document.front["date"] is None:  # `date:` with nothing after it; a wrong date is reported already
            problems.error(
                document.positions.value("date"), "'date' is empty; a news item needs the day it was published, as YYYY-MM-DD"
            )
    layout = values.get("layout") or ("home" if relative == "index.md" else "list" if is_index else "page")
    if layout not in layouts:
        known = ", ".join(layouts) or "none yet"
        guess = difflib.get_close_matches(layout, layouts, n=1, cutoff=0.6)
        hint = f"did you mean '{guess[0]}'? (or add layouts/{layout}.html)" if guess else f"add layouts/{layout}.html or use one of: {known}"
        problems.error(
            where.get("layout", Location(document.source, 1, 1)),
            f"layout '{layout}' does not exist; {hint}",
            span=len(layout),
        )

    url = _page_url(relative, values, where, document.source, problems)
    aliases = []
    for alias in values.get("aliases", ()):
        reason = urls.check_site_path(alias, "alias")
        if reason:
            problems.error(where["aliases"], reason)
        else:
            aliases.append(alias)
    if values.get("paginate", 1) < 1:
        problems.error(where["paginate"], "'paginate' is how many items go on one page of a listing; give a number of 1 or more")
        values.pop("paginate")
    for index, _ in enumerate(values.get("topics", ()) if "topics" in document.front else ()):
        where[f"topics.{index}"] = document.positions.value("topics", index)
    if "extra" in own:  # where each part of `extra:` is, for checks of it (model/features.py)
        for key, spot in document.positions.spots.items():
            if len(key) > 1 and key[0] == "extra":
                where[".".join(map(str, key))] = spot.key or spot.value
    if values.get("publish") and values.get("expires") and values["expires"] < values["publish"]:
        problems.error(where["expires"], "'expires' is before 'publish'; the page would never be shown")
    if url is None:
        return None
    return Page(
        source=document.source,
        url=url,
        output=urls.output_path(url),
        title=values["title"],
        layout=layout,
        body=document.body,
        body_line=document.body_line,
        description=values.get("description", ""),
        summary=values.get("summary", ""),
        date=values.get("date"),
        updated=values.get("updated"),
        publish=values.get("publish"),
        expires=values.get("expires"),
        draft=values.get("draft", False),
        aliases=tuple(aliases),
        weight=values.get("weight", 0),
        topics=values.get("topics", ()),
        unit=values.get("unit"),
        toc=values.get("toc", False),
        paginate=values.get("paginate", 0),
        image=values.get("image"),
        image_alt=values.get("image_alt"),
        extra=values.get("extra", MappingProxyType({})),
        check=values.get("check", MappingProxyType({})),
        is_index=is_index,
        kind="news" if is_news else "page",
        where=MappingProxyType(where),
    )


def _page_url(relative: str, values: dict, where: dict, source: str, problems: Problems) -> str | None:
    if "url" in values:
        reason = urls.check_site_path(values["url"])
        if reason:
            problems.error(where["url"], reason)
            return None
        return urls.normalize(values["url"])
    if "slug" in values:
        reason = urls.check_slug(values["slug"])
        if reason:
            problems.error(where["slug"], reason)
            return None
        return urls.url_for_source(relative, values["slug"])
    url = urls.url_for_source(relative)
    reason = urls.check_site_path(url, "the file name")
    if reason:
        problems.error(Location(source), reason + "; rename the file")
        return None
    return url


def why_hidden(page: Page, clock: Clock, drafts: bool) -> str | None:
    """Why the page is left out of this build, or None when it is published."""
    if page.draft and not drafts:
        return "is a draft"
    if page.publish and page.publish > clock.today:
        return f"is not published until {page.publish.isoformat()}"
    if page.expires and page.expires < clock.today:
        return f"{EXPIRED}{page.expires.isoformat()}"
    return None


EXPIRED = "expired on "  # how why_hidden() begins for a page that expired
