"""Stage 2, model: raw documents -> the Site, a validated graph of pages, data and menus."""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath
from collections import Counter
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from alagen.clock import Clock, make_clock
from alagen.errors import Location, Problems
from alagen.load import Sources, StaticFile
from alagen.model import urls
from alagen.model.divisions import Division, check_units, read_divisions, with_menus
from alagen.model.listings import listing_pages, record_pages, topic_pages
from alagen.model.features import check_features
from alagen.model.menus import MenuItem, read_menus
from alagen.model.redirects import Redirect, read_redirects
from alagen.model.topics import Topic, check_topics, read_topics
from alagen.model.pages import EXPIRED, Page, read_defaults, read_page, why_hidden
from alagen.model.svg import svg_problems
from alagen.model.records import Current, Event, Job, Records, current, data_file_is_record, read_records
from alagen.model.settings import Settings, read_settings
from alagen.schema import freeze


NOT_FOUND_URL = "/404.html"
# What link previews can show: a photo alagen resizes (not a drawing, nor an animation).
SHARE_IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".webp")
JOBS_FEED = "/jobs/feed.xml"
NEWS_FEED = "/news/feed.xml"


@dataclass(frozen=True, slots=True)
class Feed:
    """An Atom feed the build writes (render/feeds.py writes exactly these)."""

    url: str  # /news/feed-core.xml
    title: str  # "American Library Association: Core news"
    home: str  # the listing it follows: /news/ or /jobs/
    unit: str | None = None  # a division's news only


@dataclass(frozen=True, slots=True)
class Site:
    settings: Settings
    clock: Clock
    pages: tuple[Page, ...]  # published pages, sorted by URL
    hidden: Mapping[str, str]  # source -> why it is left out ("is a draft")
    data: Mapping[str, Any]  # site.data.<name> for every data/<name>.yaml
    menus: Mapping[str, tuple[MenuItem, ...]]
    statics: tuple[StaticFile, ...]  # content files published as they are
    by_source: Mapping[str, Page]
    by_url: Mapping[str, Page]
    children_by_url: Mapping[str, tuple[Page, ...]]
    records: Records
    current: Current  # what is upcoming and open at the build date
    news_items: tuple[Page, ...]  # published news, newest first
    divisions: tuple[Division, ...]  # from data/divisions.yaml
    topics: tuple[Topic, ...]  # from data/topics.yaml, by name
    redirects: tuple[Redirect, ...]  # aliases and data/redirects.yaml, chains followed
    # URL -> what tells the page's title apart from another page's same title (its section or
    # division, then its date, then its parent); only pages whose title another page has.
    title_contexts: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    feed_entries: tuple[tuple, ...] = ()  # the feeds (see feeds()), as (url, title, home, unit)

    @property
    def unit_names(self) -> Mapping[str, str]:
        """Unit id -> its short name ('core' -> 'Core')."""
        return {d.id: d.short_name for d in self.divisions}

    def page(self, source: str) -> Page | None:
        """The published page written in `source` (a path like content/about/index.md)."""
        return self.by_source.get(source)

    def schedule(self, source: str) -> tuple[str, dt.date] | None:
        """When time breaks a link to the page in `source` (see schedule() below)."""
        return schedule(source, self.by_source, self.hidden, self.clock.today, self.settings.warn_expiring_days)

    def parent(self, page: Page) -> Page | None:
        """The nearest page above this one in the URL tree."""
        url = page.url.rstrip("/")
        while url:
            url = url.rsplit("/", 1)[0]
            found = self.by_url.get(url + "/")
            if found:
                return found
        return None

    def ancestors(self, page: Page) -> tuple[Page, ...]:
        """From the home page down to this page's parent."""
        chain = []
        parent = self.parent(page)
        while parent:
            chain.append(parent)
            parent = self.parent(parent)
        return tuple(reversed(chain))

    def children(self, page: Page) -> tuple[Page, ...]:
        """The pages directly below this one, by weight, then title."""
        return self.children_by_url.get(page.url, ())

    @property
    def sections(self) -> tuple[Page, ...]:
        """The top-level section pages, below the home page."""
        return self.children_by_url.get("/", ())

    @property
    def now(self) -> dt.datetime:
        return self.clock.moment

    @property
    def events(self) -> tuple[Event, ...]:
        return self.records.events

    @property
    def jobs(self) -> tuple[Job, ...]:
        return self.records.jobs

    @property
    def awards(self):
        return self.records.awards

    @property
    def publications(self):
        return self.records.publications

    @property
    def award_years(self) -> tuple[int, ...]:
        """Every year with a winner, newest first (each has a page at /awards/<year>/)."""
        return self.records.award_years

    def upcoming_events(self, unit: str | None = None, limit: int | None = None) -> tuple[Event, ...]:
        """Events not yet over at the build date, soonest first."""
        return _of_unit(self.current.upcoming, unit)[:limit]

    def open_jobs(self, featured_first: bool = False, limit: int | None = None) -> tuple[Job, ...]:
        """Jobs open at the build date, newest first (featured ones first if asked)."""
        found = self.current.open_jobs
        if featured_first:
            found = tuple(sorted(found, key=lambda j: not j.featured))
        return found[:limit]

    def news(self, unit: str | None = None, limit: int | None = None) -> tuple[Page, ...]:
        """Published news items, newest first."""
        return _of_unit(self.news_items, unit)[:limit]

    def unit_name(self, unit: str | None) -> str:
        """A unit's short name ('Core', 'PLA'); its id in capitals if no division names it."""
        division = self.division(unit)
        return division.short_name if division else (unit or "").upper()

    def division(self, unit: str | None) -> Division | None:
        return next((d for d in self.divisions if d.id == unit), None) if unit else None

    def microsite(self, page: Page) -> Division | None:
        """The division whose microsite folder holds the page: it gets that division's menu
        and footer inside the association's header."""
        for division in self.divisions:
            if division.folder and page.source.startswith(f"content/{division.folder}/"):
                return division
        return None

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def breadcrumbs(self, page: Page) -> tuple[Page, ...]:
        """Home, the sections down to the page, and the page: none on the home page."""
        return () if page.url == "/" else self.ancestors(page) + (page,)

    def title_context(self, page: Page) -> tuple[str, ...]:
        """What to show after the page's title so that no two pages have the same <title>:
        ('Topics',) for /topics/privacy/ beside /advocacy/privacy/ ('Advocacy',); empty when
        no other page has its title. Worked out once for the whole site (build_site)."""
        return self.title_contexts.get(page.url, ())

    def division_of(self, page: Page) -> Division | None:
        """The division a page is of: the one whose microsite holds it, else its `unit:`."""
        return self.microsite(page) or self.division(page.unit)

    def feeds(self) -> tuple[Feed, ...]:
        """Every Atom feed the build writes: jobs (when the site has jobs), the news (when it
        has news that is indexed) and each division's news (for each unit with some). Worked
        out once (build_site): every page's head asks, through feeds_for."""
        return tuple(Feed(*entry) for entry in self.feed_entries)

    def _feeds_now(self) -> tuple[tuple, ...]:
        title = self.settings.title
        found = [(JOBS_FEED, f"{title}: Jobs", "/jobs/", None)] if self.jobs else []
        news = [p for p in self.news_items if not p.noindex]
        if news:
            found.append((NEWS_FEED, f"{title}: News", "/news/", None))
        for unit in sorted({p.unit for p in news if p.unit}):
            found.append((f"/news/feed-{unit}.xml", f"{title}: {self.unit_name(unit)} news", "/news/", unit))
        return tuple(found)

    def feeds_for(self, page: Page) -> tuple[Feed, ...]:
        """The feeds a page offers to feed readers (<link rel="alternate">), its own first: the
        jobs feed on /jobs/ and the job pages, its division's news on a division's pages (when
        that division has news), then the site's news, on every page."""
        own: list[str] = []
        if page.url.startswith("/jobs/"):
            own.append(JOBS_FEED)
        division = self.division_of(page)
        if division is not None:
            own.append(f"/news/feed-{division.id}.xml")
        own.append(NEWS_FEED)
        written = {feed.url: feed for feed in self.feeds()}
        return tuple(written[url] for url in own if url in written)


def build_site(
    sources: Sources,
    now: dt.date | dt.datetime | None,
    drafts: bool,
    problems: Problems,
    read=read_page,
    read_records=read_records,
) -> Site:
    """Validate everything; raise BuildFailed with all problems found (the load stage's too).
    `read` and `read_records` are the model's, or the build cache's versions that return
    pages and records unchanged since the last build."""
    settings = read_settings(sources.data, problems)
    try:
        clock = make_clock(settings.timezone, now)
    except ValueError as err:
        problems.error(Location("(environment)"), str(err))
        clock = make_clock(settings.timezone, dt.date(1970, 1, 1))

    defaults = read_defaults(sources.defaults, problems)
    published: list[Page] = []
    hidden: dict[str, str] = {}
    invalid = set(sources.unreadable)  # already reported: links to them are not errors too
    for document in sources.documents:
        page = read(document, defaults, sources.layouts, problems)
        if page is None:
            invalid.add(document.source)
            continue
        reason = why_hidden(page, clock, drafts)
        if reason:
            hidden[page.source] = reason
        else:
            published.append(page)
    if not any(p.url == NOT_FOUND_URL for p in published) and "page" in sources.layouts:
        published.append(_built_in_not_found())

    records = read_records(sources.data, settings.timezone, settings.job_listing_days, problems)
    divisions = read_divisions(sources.data, problems)
    topics = read_topics(sources.data, problems)
    unit_names = {d.id: d.short_name for d in divisions}
    existing = {p.url: p for p in published}
    now_current = current(records, clock)
    news = tuple(sorted((p for p in published if p.kind == "news"), key=lambda p: (p.date, p.title), reverse=True))
    listings = listing_pages(records, now_current, news, existing, unit_names, sources.layouts)
    made = listings + record_pages(records, clock)
    listed_urls = {p.url for p in listings}
    listings_of_topics = topic_pages(topics, [p for p in published if p.url not in listed_urls] + made, existing)
    replaced = listed_urls | {p.url for p in listings_of_topics}
    generated = [_with_layout(p, sources.layouts) for p in made + listings_of_topics]
    published = [p for p in published if p.url not in replaced] + generated
    published.sort(key=lambda p: p.url)
    check_units(_units_used(published, records, defaults), divisions, problems)
    check_topics(_topics_used(published, records, defaults), topics, problems)
    redirects = read_redirects(sources.data, published, sources.statics, problems, frozenset(invalid))
    _check_outputs(published, sources.statics, redirects, problems)

    by_source = {p.source: p for p in published}
    by_url = {p.url: p for p in published}

    find_page = _Finder(by_source, invalid, hidden, clock.today, settings.warn_expiring_days)

    document_sources = tuple(d.source for d in sources.documents)
    menus = read_menus(sources.data, find_page, document_sources, problems)
    check_features(published, find_page, frozenset(s.source for s in sources.statics), problems)
    for static in sources.statics:  # published on the site's origin: drawings only
        if static.source.lower().endswith(".svg"):
            problems.extend(svg_problems(static.path, static.source))
    divisions = with_menus(divisions, sources.data, find_page, document_sources, problems)
    _check_share_images(settings, divisions, sources.statics, problems)
    problems.check()
    data = {d.name: freeze(d.value) for d in sources.data if not data_file_is_record(d.name)}
    site = Site(
        settings=settings,
        clock=clock,
        pages=tuple(published),
        hidden=MappingProxyType(hidden),
        data=MappingProxyType(data),
        menus=menus,
        statics=sources.statics,
        by_source=MappingProxyType(by_source),
        by_url=MappingProxyType(by_url),
        children_by_url=_children(published, by_url),
        records=records,
        current=now_current,
        news_items=news,
        divisions=divisions,
        topics=topics,
        redirects=redirects,
        title_contexts=title_contexts(published, by_url, divisions),
    )
    return dataclasses.replace(site, feed_entries=site._feeds_now())


def days_seen(site: Site, clock: Clock) -> tuple:
    """What of the build clock the model reads: the build date (publish and expires dates,
    open jobs, award deadlines), and the date in the time zone of each event (an event is
    upcoming until its last day has passed there). The site made at another moment with the
    same days is this one but for its clock. A new use of the clock in the model must show here."""
    zones = sorted({event.timezone for event in site.records.events})
    return clock.today, tuple(clock.moment.astimezone(ZoneInfo(zone)).date() for zone in zones)


def with_texts(site: Site, texts: Mapping[str, tuple[str, str]], others: Iterable[Page] = ()) -> tuple[Site, dict[int, Page]]:
    """The site after the texts (Markdown bodies) of some pages changed and nothing else:
    `texts` maps a source to (its old text, its new text). The pages holding an old text
    (the page, and a listing made from it) get the new one, and listings of those get them
    among their items. build_site never reads a text, so this is the site it would make.
    `others`: pages outside the site (drafts) to give their new text too. Returns the site
    and every page replaced, by the id of the page it replaces."""
    swapped: dict[int, Page] = {}
    listed = (i for p in site.pages for i in p.items if type(i) is Page)
    pages = tuple({id(p): p for p in (*site.pages, *others, *listed)}.values())
    for page in pages:
        old_new = texts.get(page.source)
        if old_new is not None and page.body is old_new[0]:
            swapped[id(page)] = dataclasses.replace(page, body=old_new[1])
    while True:  # listings of replaced pages are replaced too, and listings of those
        more = {}
        for page in pages:
            now = swapped.get(id(page), page)
            if now.items:
                items = tuple(swapped.get(id(i), i) if type(i) is Page else i for i in now.items)
                if any(a is not b for a, b in zip(items, now.items)):
                    more[id(page)] = dataclasses.replace(now, items=items)
        if not more:
            break
        swapped.update(more)

    def new(value):
        if type(value) is Page:
            return swapped.get(id(value), value)
        if type(value) is tuple and any(type(v) is Page for v in value):
            return tuple(swapped.get(id(v), v) if type(v) is Page else v for v in value)
        return value

    changes = {}
    for field in dataclasses.fields(site):
        value = getattr(site, field.name)
        if type(value) is tuple:
            changes[field.name] = new(value)
        elif isinstance(value, MappingProxyType) and any(new(v) is not v for v in value.values()):
            changes[field.name] = MappingProxyType({k: new(v) for k, v in value.items()})
    return dataclasses.replace(site, **changes), swapped


def title_contexts(pages: Iterable[Page], by_url: Mapping[str, Page], divisions: tuple[Division, ...]) -> Mapping[str, tuple[str, ...]]:
    """For each page whose title (letter case aside) another page has too, the words that tell
    them apart (see Site.title_context): its division's short name on a microsite, else the
    title of its section (the top folder's page); where that is the same for two pages, also
    its date; where that is too, also its parent's title. One pass over the pages and one
    over each group of pages sharing a title, so it scales to any number of pages."""
    groups: dict[str, list[Page]] = {}
    for page in pages:
        if page.url != "/":  # the home page's <title> is the site's name alone
            groups.setdefault(page.title.casefold(), []).append(page)
    found: dict[str, tuple[str, ...]] = {}
    for same in groups.values():
        if len(same) < 2:
            continue
        words: dict[str, tuple[str, ...]] = {p.url: () for p in same}
        for more in (_place, _day, _parent_title):
            told = Counter(tuple(w.casefold() for w in words[p.url]) for p in same)
            if all(n == 1 for n in told.values()):
                break
            for page in same:
                if told[tuple(w.casefold() for w in words[page.url])] > 1:
                    word = more(page, by_url, divisions)
                    if word and word.casefold() not in {page.title.casefold(), *(w.casefold() for w in words[page.url])}:
                        words[page.url] += (word,)
        found.update((url, told_apart) for url, told_apart in words.items() if told_apart)
    return MappingProxyType(found)


def _place(page: Page, by_url: Mapping[str, Page], divisions: tuple[Division, ...]) -> str | None:
    """The division whose microsite holds the page (its short name), else its section's title."""
    for division in divisions:
        if division.folder and page.source.startswith(f"content/{division.folder}/"):
            return division.short_name
    top = page.url.strip("/").split("/", 1)[0]
    section = by_url.get(f"/{top}/") if top else None
    return section.title if section is not None and section is not page else None


def _day(page: Page, by_url, divisions) -> str | None:
    day = page.date
    return f"{day:%b} {day.day}, {day.year}" if day else None  # as the templates' |date writes it


def _parent_title(page: Page, by_url: Mapping[str, Page], divisions) -> str | None:
    url = page.url.rstrip("/")
    while url:
        url = url.rsplit("/", 1)[0]
        parent = by_url.get(url + "/")
        if parent is not None:
            return parent.title if parent.url != "/" else None
    return None


def share_image_source(path: str) -> str:
    """The file under content/ a share image's path names ('images/x.png' or '/images/x.png')."""
    return posixpath.normpath("content/" + path.lstrip("/"))


def _check_share_images(settings: Settings, divisions: tuple[Division, ...], statics: tuple[StaticFile, ...], problems: Problems) -> None:
    """The site's and the divisions' `share_image:` each name a photo under content/."""
    files = {s.source for s in statics}
    named = [(settings.share_image, settings.share_image_at)] + [(d.share_image, d.share_image_at) for d in divisions]
    for path, where in named:
        if not path or where is None:
            continue
        source = share_image_source(path)
        if source not in files:
            problems.error(where, f"the share image {source} does not exist; put the picture under content/ and give its path from there", span=len(path))
        elif not source.lower().endswith(SHARE_IMAGE_TYPES):
            problems.error(where, f"{source} cannot be a share image: link previews need a JPEG, PNG or WebP photo (1200x630 or larger)", span=len(path))


def _units_used(pages: list[Page], records: Records, defaults: Mapping[str, tuple[dict, dict]]):
    """(unit, where it was written) for every folder default, page and record that names one."""
    for values, where in defaults.values():
        if "unit" in values:
            yield values["unit"], where["unit"]
    for page in pages:
        if page.unit and page.record is None and "unit" in page.where:
            yield page.unit, page.at("unit")
    for record in records.events + records.jobs + records.awards + records.publications:
        unit = getattr(record, "unit", None)
        if unit:
            yield unit, record.where.get("unit", record.where[""])


def _topics_used(pages: list[Page], records: Records, defaults: Mapping[str, tuple[dict, dict]]):
    """(topic, where it was written) for every folder default, page and event that names one."""
    for values, where in defaults.values():
        for index, topic in enumerate(values.get("topics", ())):
            yield topic, where.get(f"topics.{index}") or where["topics"]
    for page in pages:
        if page.record is None:
            for index, topic in enumerate(page.topics):
                yield topic, page.where.get(f"topics.{index}") or page.at("topics")
    for event in records.events:
        for index, topic in enumerate(event.topics):
            yield topic, event.where.get(f"topics.{index}") or event.where.get("topics", event.where[""])


def _of_unit(items: tuple, unit: str | None) -> tuple:
    return items if unit is None else tuple(i for i in items if i.unit == unit)


def _with_layout(page: Page, layouts: tuple[str, ...]) -> Page:
    """A made page whose own layout (event, jobs, ...) the site lacks uses list or page."""
    if page.layout in layouts or "layout" in page.where and page.record is None:
        return page
    fallback = "list" if page.kind == "listing" and "list" in layouts else "page"
    return dataclasses.replace(page, layout=fallback)


def _built_in_not_found() -> Page:
    """The 404 page when content/404.md does not exist: every host needs one."""
    return Page(
        source="(built-in 404 page)",
        url=NOT_FOUND_URL,
        output="404.html",
        title="Page not found",
        description="There is no page at this address.",
        layout="page",
        listed=False,
        body="There is no page at this address. It may have moved: try the [home page](/).\n",
        body_line=1,
    )


def _children(pages: list[Page], by_url: Mapping[str, Page]) -> Mapping[str, tuple[Page, ...]]:
    children: dict[str, list[Page]] = {}
    for page in pages:
        if not page.listed:
            continue
        url = page.url.rstrip("/")
        while url:
            url = url.rsplit("/", 1)[0]
            if url + "/" in by_url:
                children.setdefault(url + "/", []).append(page)
                break
    return MappingProxyType(
        {url: tuple(sorted(kids, key=lambda p: (p.weight, p.title.casefold(), p.url))) for url, kids in children.items()}
    )


class _Finder:
    """find_page(source): a published page's URL, "" for a page with errors of its own (reported
    at its file), None for no page; `schedule(source)` says when time breaks a link to it."""

    def __init__(self, by_source, invalid, hidden, today: dt.date, warn_days: int):
        self.by_source, self.invalid, self.hidden, self.today, self.warn_days = by_source, invalid, hidden, today, warn_days

    def __call__(self, source: str) -> str | None:
        page = self.by_source.get(source)
        return page.url if page is not None else ("" if source in self.invalid else None)

    def schedule(self, source: str) -> tuple[str, dt.date] | None:
        return schedule(source, self.by_source, self.hidden, self.today, self.warn_days)


def schedule(source: str, by_source, hidden, today: dt.date, warn_days: int) -> tuple[str, dt.date] | None:
    """When time breaks a link to the page in `source`: ("expires", day) if it expires within
    `warn_days`, ("expired", day) if it has; None otherwise. Links, menus, feature cards and the
    build cache all ask this."""
    page = by_source.get(source)
    if page is not None and page.expires and (page.expires - today).days < warn_days:
        return ("expires", page.expires)
    why = hidden.get(source, "")
    if why.startswith(EXPIRED):
        return ("expired", dt.date.fromisoformat(why.removeprefix(EXPIRED)))
    return None


# Top-level names of the output that the build writes itself.
RESERVED = {
    "pagefind": "the search index (Pagefind)",
    "_redirects": "Netlify's redirect rules",
    "_headers": "Netlify's headers",
    ".alagen-build": "the mark of an alagen output folder",
}


def _check_outputs(pages: list[Page], statics: tuple[StaticFile, ...], redirects: tuple[Redirect, ...], problems: Problems) -> None:
    """No two pages, redirect pages or copied files may claim the same URL: the same file, a file
    where another needs a folder (/photo.png/ and photo.png), or names that differ only by
    case (they overwrite each other on macOS and Windows). A clash is reported where it was
    made: at the 'slug', 'url' or 'aliases' line if one of the two has one."""
    claimed: dict[str, tuple[str, Location, bool]] = {}
    files: set[str] = set()

    def claim(output: str, what: str, where: Location, explicit: bool) -> None:
        key = output.removesuffix("index.html").rstrip("/").casefold()
        top = key.split("/", 1)[0]
        if top in RESERVED:  # the build's own files: a page there would break them
            address = "/" + output.removesuffix("index.html")
            problems.error(where, f"{address} is kept for {RESERVED[top]}; choose another address")
            return
        if not output.endswith("index.html"):
            files.add(key)
        if key in claimed:
            _clash(claimed[key], (what, where, explicit), "/" + output.removesuffix("index.html"), problems)
        else:
            claimed[key] = (what, where, explicit)

    for page in pages:
        if page.record is not None:
            where, explicit = page.where.get("id") or page.where[""], "id" in page.where
        else:
            explicit_where = page.where.get("url") or page.where.get("slug")
            where, explicit = explicit_where or Location(page.source, 1, 1), explicit_where is not None
        claim(page.output, page.source, where, explicit)
    for static in statics:
        claim(static.source.removeprefix("content/"), static.source, Location(static.source), False)
    for redirect in redirects:  # each old URL gets an HTML page for hosts without redirect rules
        output = urls.output_path(urls.normalize(redirect.source))
        claim(output, f"the redirect from {redirect.source}", redirect.location, True)
    for key, claimer in claimed.items():
        parts = key.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in files and claimed[folder] is not claimer:
                _clash(claimed[folder], claimer, "/" + folder, problems)


def _clash(first: tuple, second: tuple, url: str, problems: Problems) -> None:
    if first[2] and not second[2] or (first[2] == second[2] and first[1] > second[1]):
        first, second = second, first  # report at the explicit one, else at the later place
    problems.error(
        second[1],
        f"{second[0]} and {first[0]} both claim the URL {url}; change the file name, 'slug' or 'url' of one of them",
    )
