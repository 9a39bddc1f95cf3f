"""Atom feeds: /jobs/feed.xml (open jobs), /news/feed.xml (the newest news) and
/news/feed-<unit>.xml for each unit with news.

Written with `feedgen`, whose lxml serializer does the escaping. feedgen fills two values
that would change from build to build if left to it: `updated` (the wall clock) and the
generator (its own version), so every feed and entry gets both from us. Dates in the data
are days: they become midnight in the site's time zone. A feed's `updated` is its newest
entry's, or the start of the build day when it has none: two builds on one day are the same
bytes, and a feed with entries does not change with the day at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable
from zoneinfo import ZoneInfo

from alagen.model.pages import Page
from alagen.model.records import Job
from alagen.model.site import JOBS_FEED, Site
from alagen.output import Output
from alagen.render.sitemap import absolute

NEWS_IN_FEED = 50
ATOM = "application/atom+xml"


def feeds(site: Site) -> tuple[Output, ...]:
    """The jobs feed (when the site has jobs) and the news feeds (when it has news): the
    feeds site.feeds() names, which the layouts link (site.feeds_for(page))."""
    outputs = []
    news = _news(site)
    for feed in site.feeds():
        if feed.url == JOBS_FEED:
            outputs.append(jobs_feed(site))
        else:
            mine = news if feed.unit is None else tuple(p for p in news if p.unit == feed.unit)
            outputs.append(_feed(site, feed.url, feed.home, feed.title, mine[:NEWS_IN_FEED]))
    return tuple(outputs)


def jobs_feed(site: Site) -> Output:
    """Open jobs at the build date, newest first; closed ones have left every listing."""
    return _feed(site, JOBS_FEED, "/jobs/", f"{site.settings.title}: Jobs", site.open_jobs())


def _news(site: Site) -> tuple[Page, ...]:
    return tuple(p for p in site.news() if not p.noindex)


def _feed(site: Site, url: str, home: str, title: str, items: Iterable[Page | Job]) -> Output:
    from feedgen.feed import FeedGenerator  # with lxml: loaded only by a build that writes a feed

    feed = FeedGenerator()
    feed.id(absolute(site, url))
    feed.title(title)
    feed.link(href=absolute(site, url), rel="self", type=ATOM)
    feed.link(href=absolute(site, home), rel="alternate", type="text/html")
    feed.author({"name": site.settings.title})  # entries without their own author take this
    feed.language(site.settings.language)
    feed.generator("alagen")  # not feedgen's default, which carries its version
    updates = []
    for item in items:  # already newest first; feedgen would prepend by default
        entry = feed.add_entry(order="append")
        updates.append(_job_entry(site, entry, item) if isinstance(item, Job) else _news_entry(site, entry, item))
    feed.updated(max(updates, default=_midnight(site, site.clock.today)))  # the day: never the microsecond
    return Output(url.lstrip("/"), data=feed.atom_str(pretty=True))


def _job_entry(site: Site, entry, job: Job) -> dt.datetime:
    posted = _midnight(site, job.posted)
    _common(site, entry, job.page_url, job.title, job.summary, posted, posted)
    entry.author({"name": job.employer})
    return posted


def _news_entry(site: Site, entry, page: Page) -> dt.datetime:
    published = _midnight(site, page.date)
    updated = _midnight(site, page.lastmod)
    _common(site, entry, page.url, page.title, page.summary or page.description, published, updated)
    return updated


def _common(site: Site, entry, url: str, title: str, summary: str, published, updated) -> None:
    entry.id(absolute(site, url))  # the page's address: stable, and unique across the site
    entry.title(title)
    entry.link(href=absolute(site, url))  # feedgen writes only href; Atom reads it as rel="alternate"
    entry.published(published)
    entry.updated(updated)
    if summary:
        entry.summary(summary)


def _midnight(site: Site, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), ZoneInfo(site.settings.timezone))
