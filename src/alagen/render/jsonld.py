"""Structured data (schema.org JSON-LD) for search engines: Event, JobPosting, NewsArticle
and BreadcrumbList.

Embedded in a <script> element, where '</script>' or '<!--' in a value would end or
confuse the element: every '<', '>' and '&' is written as a JSON \\u escape, which parses to
the same string.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from alagen.model.pages import Page
from alagen.model.records import Event, Job, Place
from alagen.model.site import Site
from alagen.render.sitemap import absolute

EMPLOYMENT_TYPES = {"full-time": "FULL_TIME", "part-time": "PART_TIME", "contract": "CONTRACTOR", "internship": "INTERN"}
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script(site: Site, page: Page) -> Markup:
    """Every JSON-LD block that fits the page, as <script> elements ('' if none)."""
    blocks = [b for b in (_main(site, page), _breadcrumbs(site, page)) if b]
    return Markup("\n".join(f'<script type="application/ld+json">{dumps(b)}</script>' for b in blocks))


def dumps(data: Any) -> str:
    """JSON that is safe inside a script element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "".join(_ESCAPES.get(c, c) for c in text)


def _main(site: Site, page: Page) -> dict | None:
    if isinstance(page.record, Event) and page.record.location:
        return event(site, page.record)  # schema.org requires a location: a "week" has none
    if isinstance(page.record, Job) and not page.noindex:
        return job_posting(site, page.record)
    if page.kind == "news":
        return news_article(site, page)
    return None


def _organization(site: Site) -> dict:
    return {"@type": "Organization", "name": site.settings.title, "url": site.settings.base_url}


def _when(value: dt.date | dt.datetime, timezone: str) -> str:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=ZoneInfo(timezone)).isoformat()
    return value.isoformat()


def _address(place: Place | None) -> dict:
    address = {"@type": "PostalAddress", "addressCountry": (place.country if place else None) or "US"}
    if place and place.city:
        address["addressLocality"] = place.city
    if place and place.region:
        address["addressRegion"] = place.region
    return address


def event(site: Site, record: Event) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": record.title,
        "description": record.summary,
        "startDate": _when(record.start, record.timezone),
        "eventStatus": "https://schema.org/EventScheduled",
        "organizer": _organization(site),
        "url": absolute(site, record.page_url),
    }
    if record.end:
        data["endDate"] = _when(record.end, record.timezone)
    place = record.location
    if place and place.online:
        data["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
        data["location"] = {"@type": "VirtualLocation", "url": record.url or absolute(site, record.page_url)}
    elif place:
        data["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
        data["location"] = {"@type": "Place", "name": place.venue or place.label, "address": _address(place)}
    if record.cost:
        data["offers"] = {"@type": "Offer", "description": record.cost, "url": record.url or data["url"]}
    return data


def job_posting(site: Site, record: Job) -> dict:
    closes = dt.datetime.combine(record.closes, dt.time(23, 59, 59), ZoneInfo(site.settings.timezone))
    data = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": record.title,
        "description": record.summary or record.title,
        "datePosted": record.posted.isoformat(),
        "validThrough": closes.isoformat(),
        "hiringOrganization": {"@type": "Organization", "name": record.employer},
        "jobLocation": {"@type": "Place", "address": _address(Place(city=record.city, region=record.region, country=record.country))},
        "url": absolute(site, record.page_url),
    }
    if record.remote:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": record.country}
    if record.kind:
        data["employmentType"] = EMPLOYMENT_TYPES[record.kind]
    return data


def news_article(site: Site, page: Page) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title,
        "description": page.summary or page.description,
        "datePublished": page.date.isoformat() if page.date else None,
        "author": _organization(site),
        "publisher": _organization(site),
        "mainEntityOfPage": absolute(site, page.url),
    }
    if page.updated:
        data["dateModified"] = page.updated.isoformat()
    return {k: v for k, v in data.items() if v}


def _breadcrumbs(site: Site, page: Page) -> dict | None:
    if page.url == "/" or page.url.endswith(".html"):
        return None
    trail = [*site.ancestors(page), page]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": p.title, "item": absolute(site, p.url)}
            for n, p in enumerate(trail, start=1)
        ],
    }
