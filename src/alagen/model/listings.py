"""Pages made from records: one per event, job, award and publication, and the listings.

A listing at a URL that an editor's page already has (content/awards/index.md for /awards/)
takes that page's title and text, and its layout unless the page names one.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any, Mapping

from alagen.clock import Clock
from alagen.errors import Location
from alagen.model import urls
from alagen.model.pages import Page, Pager
from alagen.model.records import Award, Current, Event, Job, Publication, Records
from alagen.model.topics import Topic

PER_PAGE = 20  # items on one page of a listing, unless its page sets `paginate:`
SEARCH_URL = "/search/"
TOPICS_URL = "/topics/"


def record_pages(records: Records, clock: Clock) -> list[Page]:
    """A page for every event, job (closed ones too, marked noindex; none before the day it
    is posted), award and publication."""
    pages = [_event_page(e) for e in records.events]
    pages += [_job_page(j, clock) for j in records.jobs if j.is_posted(clock)]
    pages += [_award_page(a) for a in records.awards]
    pages += [_publication_page(p) for p in records.publications]
    return pages


def listing_pages(
    records: Records,
    now: Current,
    news: tuple[Page, ...],
    existing: Mapping[str, Page],
    unit_names: Mapping[str, str],
    layouts: tuple[str, ...],
) -> list[Page]:
    """/events/ (and per unit and past years), /jobs/, /awards/ (and per year), /news/,
    /publications/. `news` is newest first."""
    upcoming, past = now.upcoming, now.past
    pages: list[Page] = []
    if records.events:
        about = "Upcoming conferences, webinars, courses and celebrations, by month."
        pages += paginate(existing, "/events/", "Events", "events", upcoming, about=about)
        for unit in sorted({e.unit for e in upcoming if e.unit}):
            mine = tuple(e for e in upcoming if e.unit == unit)
            name = unit_names.get(unit, unit.upper())
            about = f"Upcoming events of {name}, by month."
            pages += paginate(existing, f"/events/{unit}/", f"{name} events", "events", mine, unit=unit, listed=False, about=about)
        for year in sorted({e.first_day.year for e in past}, reverse=True):
            theirs = tuple(e for e in past if e.first_day.year == year)
            about = f"The events of {year}, by month."
            pages += paginate(existing, f"/events/past/{year}/", f"Past events: {year}", "events-past", theirs, listed=False, about=about)
    if records.jobs:
        pages += paginate(existing, "/jobs/", "Job list", "jobs", now.open_jobs, about="Open positions in libraries, newest first.")
    if records.awards:
        about = "Book and media awards, grants, professional honors and scholarships."
        pages += paginate(existing, "/awards/", "Awards, grants and scholarships", "awards", records.awards, about=about)
        for year in records.award_years:
            winners = tuple((a, a.winners_of(year)) for a in records.awards if a.winners_of(year))
            about = f"Every winner and honoree of {year}, by award."
            pages += paginate(existing, f"/awards/{year}/", f"Award winners: {year}", "award-year", winners, listed=False, about=about)
    if records.publications:
        about = "Books, journals, posters and other publications."
        pages += paginate(existing, "/publications/", "Publications", "publications", records.publications, about=about)
    if "search" in layouts:  # the search page is Pagefind's UI: only where a layout shows it
        search = _listing(existing, SEARCH_URL, "Search", "search", (), listed=False, about="Search every page of the site.")
        pages.append(dataclasses.replace(search, kind="search", noindex=True))
    if news or "/news/" in existing:
        pages += paginate(existing, "/news/", "News", "news", news)
    return pages


def topic_pages(topics: tuple[Topic, ...], pages: list[Page], existing: Mapping[str, Page]) -> list[Page]:
    """/topics/ lists the topics; /topics/<id>/ everything on one, newest first, across types."""
    if not topics:
        return []
    on: dict[str, list[Page]] = {t.id: [] for t in topics}
    for page in pages:
        if page.searchable:  # real content: not listings, closed jobs or the 404 page
            for topic in page.topics:
                if topic in on:
                    on[topic].append(page)
    about = "The subjects the association works on, and what it has published on each."
    result = paginate(existing, TOPICS_URL, "Topics", "topics", tuple((t, len(on[t.id])) for t in topics), about=about)
    for topic in topics:
        items = tuple(sorted(on[topic.id], key=_newest_first))
        listing = paginate(existing, topic.url, topic.name, "topic", items, listed=False)
        result += [dataclasses.replace(p, description=p.description or topic.summary, extra=_topic_extra(topic)) for p in listing]
    return result


def _newest_first(page: Page) -> tuple:
    """Dated items newest first, then undated pages by title."""
    return (page.date is None, -(page.date.toordinal() if page.date else 0), page.title.casefold(), page.url)


def _topic_extra(topic: Topic) -> Mapping[str, Any]:
    return MappingProxyType({"topic": topic})


def paginate(existing, url: str, title: str, layout: str, items: tuple, unit=None, listed=True, about="") -> list[Page]:
    """/news/, /news/page/2/, …: the first page is the listing's own URL, never /page/1/.
    An editor's page at the listing's URL may set `paginate: N` items per page."""
    editor_page = existing.get(url)
    per_page = editor_page.paginate if editor_page and editor_page.paginate else PER_PAGE
    count = max(1, -(-len(items) // per_page))
    page_urls = tuple(url if n == 1 else f"{url}page/{n}/" for n in range(1, count + 1))
    first = _listing(existing, url, title, layout, items[:per_page], unit=unit, listed=listed, about=about)
    pages = [dataclasses.replace(first, pager=Pager(1, count, page_urls))]
    for n in range(2, count + 1):
        chunk = items[(n - 1) * per_page : n * per_page]
        pages.append(
            dataclasses.replace(
                first,
                url=page_urls[n - 1],
                output=urls.output_path(page_urls[n - 1]),
                title=f"{first.title} (page {n} of {count})",
                body="",
                aliases=(),
                items=chunk,
                pager=Pager(n, count, page_urls),
                listed=False,
            )
        )
    return pages


def _listing(
    existing: Mapping[str, Page], url: str, title: str, layout: str, items: tuple, unit=None, listed=True, about=""
) -> Page:
    """The listing at `url`; `about` is the description of one that no editor's page gives."""
    page = existing.get(url)
    if page is not None:
        chosen = page.layout if "layout" in page.where else layout
        return dataclasses.replace(page, layout=chosen, kind="listing", items=items)
    return Page(
        source=f"(the {url} listing)",
        url=url,
        output=urls.output_path(url),
        title=title,
        layout=layout,
        body="",
        body_line=1,
        description=about,
        unit=unit,
        kind="listing",
        items=items,
        listed=listed,
    )


def _record_page(record: Any, url: str, title: str, layout: str, kind: str, **fields) -> Page:
    where: Mapping[str, Location] = record.where
    return Page(
        source=record.source,
        url=url,
        output=urls.output_path(url),
        title=title,
        layout=layout,
        body=getattr(record, "body", ""),
        body_line=where["body"].line if "body" in where else 1,
        body_col=where["body"].col if "body" in where else 1,
        description=record.summary,
        summary=record.summary,
        unit=getattr(record, "unit", None),
        kind=kind,
        record=record,
        listed=False,
        where=where,
        **fields,
    )


def _event_page(event: Event) -> Page:
    return _record_page(event, event.page_url, event.title, "event", "event", date=event.first_day, topics=event.topics)


def _job_page(job: Job, clock: Clock) -> Page:
    return _record_page(job, job.page_url, job.title, "job", "job", date=job.posted, noindex=job.has_closed(clock))


def _award_page(award: Award) -> Page:
    return _record_page(award, award.page_url, award.name, "award", "award")


def _publication_page(publication: Publication) -> Page:
    url = f"/publications/{publication.id}/"
    return _record_page(publication, url, publication.title, "publication", "publication", image=publication.image, image_alt=publication.image_alt)
