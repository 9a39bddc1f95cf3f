"""Structured data: the JSON-LD that built pages carry for Event, JobPosting, NewsArticle and
BreadcrumbList, read back as a browser and a search engine would: the page parsed by the
HTML5 rules (html5lib), each <script type="application/ld+json"> taken as the parser sees it
and loaded with json.loads. The fixture sites use the real layouts, so the tests cover what
is published, including that no value from the data can end the script element."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import html5lib
import pytest

from conftest import DIVISIONS_YAML, SITE_YAML, build_at, read, write_files

REPO = Path(__file__).resolve().parent.parent
LD = "application/ld+json"
ONLINE = "https://schema.org/OnlineEventAttendanceMode"
OFFLINE = "https://schema.org/OfflineEventAttendanceMode"

EVENTS = """\
- id: budget-webinar
  title: Budgets for small libraries
  kind: webinar
  start: 2025-02-19T13:00
  end: 2025-02-19T14:00
  timezone: America/New_York
  unit: pla
  location: {online: zoom}
  url: https://example.org/register/budgets
  summary: An hour on budgets.
- id: annual-2025
  title: Annual Conference
  kind: conference
  start: 2025-06-26
  end: 2025-06-30
  unit: core
  location:
    venue: Pennsylvania Convention Center
    city: Philadelphia
    region: PA
    country: US
  cost: From $300
  summary: Five days in Philadelphia.
- id: dst-storytime
  title: Storytime swap
  kind: learning-live
  start: 2025-03-09T14:00
  end: 2025-03-09T15:00
  location: {online: zoom}
  summary: The morning the clocks change.
"""

JOBS = """\
- id: open-remote
  title: Metadata Librarian
  employer: Northfield College Libraries
  city: Northfield
  region: MN
  remote: true
  kind: full-time
  posted: 2025-02-10
  closes: 2025-03-15
  url: https://jobs.example.org/metadata
  summary: Catalog things, from anywhere in the US.
- id: open-onsite
  title: Teen Services Assistant
  employer: Mesa Verde Valley Library
  city: Cortez
  region: CO
  kind: part-time
  posted: 2025-02-20
  email: jobs@example.org
  summary: Work with teens.
- id: contractor
  title: Digital Archivist
  employer: Maritime Heritage Center
  city: Milwaukee
  region: WI
  kind: contract
  posted: 2025-02-01
  url: https://jobs.example.org/archivist
  summary: A year's contract.
- id: intern
  title: Special Collections Intern
  employer: Bluff City Historical Society
  city: Memphis
  region: TN
  kind: internship
  posted: 2025-02-01
  url: https://jobs.example.org/intern
  summary: A summer internship.
- id: closed-job
  title: Access Services Manager
  employer: Clark County Library District
  city: Las Vegas
  region: NV
  kind: full-time
  posted: 2024-11-27
  closes: 2025-01-31
  url: https://jobs.example.org/access
  summary: Run circulation.
"""

NEWS = """\
---
title: Registration opens for the Annual Conference
date: 2025-02-12
summary: Register now for Philadelphia.
---
Registration is open.
"""


def real_theme_site(root: Path, files: dict[str, str]) -> Path:
    """A fixture site with the real layouts (and assets), settings and `files`."""
    shutil.copytree(REPO / "layouts", root / "layouts")
    return write_files(root, {"data/site.yaml": SITE_YAML, "data/divisions.yaml": DIVISIONS_YAML, "content/index.md": "---\ntitle: Home\n---\nWelcome.\n", **files})


def parse(html: str):
    """The document as a browser builds it (HTML5 parsing rules)."""
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)


def scripts(html: str) -> list:
    """The page's JSON-LD script elements."""
    return [s for s in parse(html).findall(".//script") if s.get("type") == "application/ld+json"]


def blocks(html: str) -> list[dict]:
    """Every JSON-LD block of a page, as parsed JSON."""
    return [json.loads(s.text or "") for s in scripts(html) if s.get("type") == LD]


def block(html: str, kind: str) -> dict:
    (found,) = [b for b in blocks(html) if b["@type"] == kind]
    return found


@pytest.fixture
def built(tmp_path):
    """The fixture site with events, jobs and news, built on 2025-03-01 with the real layouts."""
    root = real_theme_site(
        tmp_path / "site",
        {
            "data/events.yaml": EVENTS,
            "data/jobs.yaml": JOBS,
            "content/news/index.md": "---\ntitle: News\n---\n",
            "content/news/annual-registration.md": NEWS,
            "content/about/index.md": "---\ntitle: About us\n---\nWho we are.\n",
            "content/about/history.md": "---\ntitle: Our history\n---\nSince 1876.\n",
            "content/about/history/founders.md": "---\ntitle: The founders\n---\nThey met in Philadelphia.\n",
        },
    )
    build_at(root)
    return lambda path: read(root, path)


# --- Event ---------------------------------------------------------------------------------------


REQUIRED_EVENT = {"name", "startDate", "location", "eventAttendanceMode", "organizer"}


def test_an_online_event(built):
    data = block(built("events/budget-webinar/index.html"), "Event")
    assert data["@context"] == "https://schema.org"
    assert REQUIRED_EVENT <= data.keys()
    assert data["name"] == "Budgets for small libraries"
    assert data["eventAttendanceMode"] == ONLINE
    assert data["location"]["@type"] == "VirtualLocation"
    assert data["location"]["url"] == "https://example.org/register/budgets"


def test_a_timed_event_has_its_offset_in_its_own_timezone(built):
    data = block(built("events/budget-webinar/index.html"), "Event")
    assert data["startDate"] == "2025-02-19T13:00:00-05:00"
    assert data["endDate"] == "2025-02-19T14:00:00-05:00"


def test_a_timed_event_on_the_day_clocks_change_has_the_summer_offset(built):
    data = block(built("events/dst-storytime/index.html"), "Event")  # the site's zone, America/Chicago
    assert (data["startDate"], data["endDate"]) == ("2025-03-09T14:00:00-05:00", "2025-03-09T15:00:00-05:00")


def test_an_in_person_all_day_event(built):
    data = block(built("events/annual-2025/index.html"), "Event")
    assert REQUIRED_EVENT <= data.keys()
    assert data["eventAttendanceMode"] == OFFLINE
    assert (data["startDate"], data["endDate"]) == ("2025-06-26", "2025-06-30")
    assert data["location"] == {
        "@type": "Place",
        "name": "Pennsylvania Convention Center",
        "address": {
            "@type": "PostalAddress",
            "addressLocality": "Philadelphia",
            "addressRegion": "PA",
            "addressCountry": "US",
        },
    }
    assert data["organizer"] == {"@type": "Organization", "name": "Test Association", "url": "https://example.org/"}
    assert data["url"] == "https://example.org/events/annual-2025/"
    assert data["offers"]["description"] == "From $300"


def test_an_event_without_a_location_still_has_the_required_properties_or_no_event(tmp_path):
    root = real_theme_site(
        tmp_path / "site",
        {"data/events.yaml": "- {id: nlw, title: National Library Week, kind: celebration, start: 2025-04-06, end: 2025-04-12, summary: A week for libraries.}\n"},
    )
    build_at(root)
    events = [b for b in blocks(read(root, "events/nlw/index.html")) if b["@type"] == "Event"]
    for data in events:
        assert REQUIRED_EVENT <= data.keys(), sorted(REQUIRED_EVENT - data.keys())



# --- JobPosting ----------------------------------------------------------------------------------


def test_a_remote_job(built):
    data = block(built("jobs/open-remote/index.html"), "JobPosting")
    assert data["@context"] == "https://schema.org"
    assert data["title"] == "Metadata Librarian"
    assert data["datePosted"] == "2025-02-10"
    assert data["validThrough"] == "2025-03-15T23:59:59-05:00"  # the end of the day it closes, in Chicago
    assert data["hiringOrganization"] == {"@type": "Organization", "name": "Northfield College Libraries"}
    assert data["jobLocation"]["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Northfield",
        "addressRegion": "MN",
        "addressCountry": "US",
    }
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["applicantLocationRequirements"] == {"@type": "Country", "name": "US"}
    assert data["description"] == "Catalog things, from anywhere in the US."


def test_an_on_site_job_has_no_telecommute_and_closes_60_days_after_posted(built):
    data = block(built("jobs/open-onsite/index.html"), "JobPosting")
    assert "jobLocationType" not in data and "applicantLocationRequirements" not in data
    assert data["jobLocation"]["address"]["addressLocality"] == "Cortez"
    assert data["validThrough"] == "2025-04-21T23:59:59-05:00"  # 2025-02-20 + 60 days


@pytest.mark.parametrize(
    ("job", "employment_type"),
    [("open-remote", "FULL_TIME"), ("open-onsite", "PART_TIME"), ("contractor", "CONTRACTOR"), ("intern", "INTERN")],
)
def test_employment_types(built, job, employment_type):
    assert block(built(f"jobs/{job}/index.html"), "JobPosting")["employmentType"] == employment_type


def test_a_closed_job_page_has_no_job_posting_is_noindex_and_says_it_closed(built):
    html = built("jobs/closed-job/index.html")
    assert [b["@type"] for b in blocks(html)] == ["BreadcrumbList"]
    doc = parse(html)
    robots = [m.get("content") for m in doc.iter("meta") if m.get("name") == "robots"]
    assert robots == ["noindex"]
    notice = next(p for p in doc.iter("p") if "notice-closed" in (p.get("class") or "").split())
    assert "closed" in "".join(notice.itertext())
    assert notice.find("time").get("datetime") == "2025-01-31"


def test_an_open_job_page_is_indexed(built):
    doc = parse(built("jobs/open-remote/index.html"))
    assert not [m for m in doc.iter("meta") if m.get("name") == "robots"]


# --- NewsArticle ---------------------------------------------------------------------------------


def test_a_news_page(built):
    data = block(built("news/annual-registration/index.html"), "NewsArticle")
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Registration opens for the Annual Conference"
    assert data["datePublished"] == "2025-02-12"
    assert data["author"]["name"] == "Test Association"
    assert data["publisher"] == {"@type": "Organization", "name": "Test Association", "url": "https://example.org/"}
    assert data["mainEntityOfPage"] == "https://example.org/news/annual-registration/"
    assert data["description"] == "Register now for Philadelphia."


def test_only_news_pages_are_news_articles(built):
    for path in ("news/index.html", "about/history/index.html", "index.html", "events/index.html", "jobs/index.html"):
        assert not [b for b in blocks(built(path)) if b["@type"] in ("NewsArticle", "Event", "JobPosting")], path


# --- BreadcrumbList ------------------------------------------------------------------------------


def test_a_nested_page_has_its_breadcrumbs(built):
    data = block(built("about/history/founders/index.html"), "BreadcrumbList")
    assert data["@context"] == "https://schema.org"
    items = data["itemListElement"]
    assert [i["position"] for i in items] == [1, 2, 3, 4]
    assert [i["@type"] for i in items] == ["ListItem"] * 4
    assert [(i["name"], i["item"]) for i in items] == [
        ("Home", "https://example.org/"),
        ("About us", "https://example.org/about/"),
        ("Our history", "https://example.org/about/history/"),
        ("The founders", "https://example.org/about/history/founders/"),
    ]


def test_a_record_page_has_the_listing_in_its_breadcrumbs(built):
    items = block(built("events/annual-2025/index.html"), "BreadcrumbList")["itemListElement"]
    assert [(i["position"], i["name"], i["item"]) for i in items] == [
        (1, "Home", "https://example.org/"),
        (2, "Events", "https://example.org/events/"),
        (3, "Annual Conference", "https://example.org/events/annual-2025/"),
    ]


def test_the_home_page_has_no_breadcrumbs(built):
    assert [b for b in blocks(built("index.html")) if b["@type"] == "BreadcrumbList"] == []


# --- Escaping ------------------------------------------------------------------------------------

NASTY = "</script><script>alert(1)</script> & <!-- x"


def test_a_title_cannot_end_the_script_element(tmp_path):
    root = real_theme_site(
        tmp_path / "site",
        {
            "data/events.yaml": (
                f"- id: nasty\n  title: {json.dumps(NASTY)}\n  kind: webinar\n  start: 2025-04-01\n"
                "  location: {online: zoom}\n  summary: A plain summary.\n"
            ),
        },
    )
    build_at(root)
    html = read(root, "events/nasty/index.html")
    found = scripts(html)
    assert [s.get("type") for s in found] == [LD, LD]  # the Event and the breadcrumbs, nothing injected
    assert "alert(1)" not in "".join(s.text or "" for s in found if s.get("type") != LD)
    event = block(html, "Event")
    assert event["name"] == NASTY
    assert block(html, "BreadcrumbList")["itemListElement"][-1]["name"] == NASTY
    doc = parse(html)
    assert "".join(doc.find(".//h1").itertext()) == NASTY  # shown as text
    assert "".join(doc.find(".//title").itertext()).startswith(NASTY)


def test_the_raw_script_text_has_no_markup_characters(tmp_path):
    root = real_theme_site(
        tmp_path / "site",
        {
            "data/events.yaml": (
                f"- id: nasty\n  title: {json.dumps(NASTY)}\n  kind: webinar\n  start: 2025-04-01\n"
                "  location: {online: zoom}\n  summary: A plain summary.\n"
            ),
        },
    )
    build_at(root)
    # The page's text as a browser receives it, not as a parser has already split it: a
    # '</script>' in a value would end the element early and leave JSON that does not parse.
    raw = read(root, "events/nasty/index.html")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S)
    assert len(blocks) == 2
    for text in blocks:
        assert not {"<", ">", "&"} & set(text), text
    assert [json.loads(text).get("@type") for text in blocks] == ["Event", "BreadcrumbList"]
    assert json.loads(blocks[0])["name"] == NASTY


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_line_and_paragraph_separators_in_a_summary(tmp_path, separator):
    summary = f"First line{separator}second line."
    root = real_theme_site(
        tmp_path / "site",
        {
            "data/events.yaml": (
                f"- id: sep\n  title: Separators\n  kind: webinar\n  start: 2025-04-01\n"
                f"  location: {{online: zoom}}\n  summary: {json.dumps(summary)}\n"
            ),
        },
    )
    build_at(root)
    html = read(root, "events/sep/index.html")
    (raw,) = [s.text for s in scripts(html) if s.get("type") == LD and '"Event"' in s.text]
    assert separator not in raw  # written as a \\u escape, safe for old JavaScript parsers too
    assert json.loads(raw)["description"] == summary
