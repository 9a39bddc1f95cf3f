"""The demo site as a visitor sees it on 2025-03-01: built once for the module with the real
layouts and data, its pages read by the HTML5 parsing rules (html5lib) and checked by their
elements, against expectations worked out here from the data files themselves."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import feedparser
import html5lib
import pytest
import yaml


REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2025, 3, 1)


# --- The build and how pages are read -------------------------------------------------------------


@pytest.fixture(scope="module")
def out(demo_build) -> Path:
    """The demo, built once for the test run on 2025-03-01 (conftest.demo_build)."""
    return demo_build


@pytest.fixture(scope="module")
def page(out):
    """page('/events/') -> the parsed document of that URL's index.html (parsed once)."""
    cache: dict[str, object] = {}

    def get(url: str):
        if url not in cache:
            path = out / url.strip("/") / "index.html" if not url.endswith(".html") else out / url.lstrip("/")
            cache[url] = parse(path.read_bytes())
        return cache[url]

    return get


def parse(data: bytes | str):
    return html5lib.parse(data, treebuilder="etree", namespaceHTMLElements=False)


def text(element) -> str:
    """The element's text as a reader gets it, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


def classes(element) -> list[str]:
    return (element.get("class") or "").split()


def by_class(root, tag: str, cls: str) -> list:
    return [e for e in root.iter(tag) if cls in classes(e)]


def one(root, tag: str, cls: str):
    (found,) = by_class(root, tag, cls)
    return found


def main(doc):
    return doc.find(".//main")


def item_title(li):
    """A listed item's heading: h2 on a listing, h3 under a section's h2 elsewhere."""
    (found,) = [e for e in li.iter() if "item-title" in classes(e)]
    return found


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


# --- The data, read directly -------------------------------------------------------------------


def records(name: str) -> list[dict]:
    found: list[dict] = []
    for path in [REPO / "data" / f"{name}.yaml", *sorted((REPO / "data" / name).glob("*.yaml"))]:
        if path.exists():
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
            found += loaded if isinstance(loaded, list) else [loaded]
    return found


def _when(value) -> dt.date | dt.datetime:
    """A start or end as written: a date, or a local date-time (YAML leaves 'T13:00' a string)."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    return value


def _day(value) -> dt.date:
    value = _when(value)
    return value.date() if isinstance(value, dt.datetime) else value


def events() -> list[dict]:
    return [
        {**e, "first": _day(e["start"]), "last": _day(e.get("end") or e["start"]), "key": (e["title"], _day(e["start"]).isoformat())}
        for e in records("events")
    ]


def upcoming_events() -> list[dict]:
    # No demo event ends within a day of the build date, so comparing days is exact here.
    return [e for e in events() if e["last"] >= TODAY]


def jobs() -> list[dict]:
    return [{**j, "id": j.get("id") or slug(j["title"]), "closes": j.get("closes") or j["posted"] + dt.timedelta(days=60)} for j in records("jobs")]


def is_open(job: dict) -> bool:
    return job["posted"] <= TODAY <= job["closes"]


def divisions() -> dict[str, str]:
    return {d["id"]: d.get("short_name") or d["name"] for d in yaml.safe_load((REPO / "data/divisions.yaml").read_text())}


def event_cards(root) -> list[dict]:
    """Each event card under root: its title, link, first day, kind and the rest of its meta line."""
    cards = []
    for li in by_class(root, "li", "event-card"):
        link = one(li, "h3", "event-card-title").find("a")
        meta = one(li, "p", "event-meta")
        parts = [p.strip() for p in text(meta).split("·")]
        cards.append({
            "title": text(link),
            "href": link.get("href"),
            "first": meta.find("time").get("datetime"),
            "when": text(meta.find("time")),
            "kind": text(one(meta, "span", "event-kind")),
            "parts": parts,
        })
    return cards


KIND_LABELS = {"Conference", "Webinar", "E-forum", "Course", "Learning live", "Meeting", "Celebration", "Other"}


# --- Events --------------------------------------------------------------------------------------


def listing_pages(page, url: str) -> list:
    """The main element of every page of a paginated listing, following its numbered links."""
    docs = [main(page(url))]
    nav = next((n for n in docs[0].iter("nav") if n.get("class") == "pager"), None)
    later = [a.get("href") for a in nav.iter("a")] if nav is not None else []
    for href in dict.fromkeys(h for h in later if h != url and "/page/" in h):
        docs.append(main(page(href)))
    return docs


def test_the_events_page_lists_exactly_the_upcoming_events(page):
    docs = listing_pages(page, "/events/")
    assert len(docs) > 1  # the demo has more upcoming events than fit on one page
    listed = Counter((c["title"], c["first"]) for doc in docs for c in event_cards(doc))
    assert listed == Counter(e["key"] for e in upcoming_events())
    ended = {e["key"] for e in events() if e["last"] < TODAY}
    assert ended and not ended & set(listed)  # the demo has past events, and none is listed


def test_the_events_page_groups_by_month_in_order(page):
    doc = main(page("/events/"))
    sections = by_class(doc, "section", "month")
    months = [text(s.find("h2")) for s in sections]
    assert months.index("March 2025") < months.index("April 2025")
    parsed = [dt.datetime.strptime(m, "%B %Y").date() for m in months]
    assert parsed == sorted(parsed) and len(set(parsed)) == len(parsed)
    for section, month in zip(sections, parsed):
        days = [dt.date.fromisoformat(c["first"]) for c in event_cards(section)]
        assert days and all((d.year, d.month) == (month.year, month.month) for d in days), month
        assert days == sorted(days)


def test_each_listed_event_shows_its_kind_and_unit(page):
    by_key = {e["key"]: e for e in upcoming_events()}
    names = divisions()
    for card in event_cards(main(page("/events/"))):
        record = by_key[(card["title"], card["first"])]
        assert card["kind"] in KIND_LABELS, card
        assert card["parts"][1] == card["kind"]
        assert card["kind"].lower().replace(" ", "-") == record["kind"]
        if record.get("unit"):
            assert card["parts"][2] == names[record["unit"]], card


def test_the_division_filters_each_list_only_that_divisions_events(page, out):
    doc = main(page("/events/"))
    nav = next(n for n in doc.iter("nav") if "filters" in classes(n))
    links = {text(a): a.get("href") for a in nav.iter("a")}
    assert links.pop("All") == "/events/"
    units = {e["unit"] for e in upcoming_events() if e.get("unit")}
    names = divisions()
    assert links == {names[u]: f"/events/{u}/" for u in units}
    for unit in units:
        assert (out / "events" / unit / "index.html").exists()
        listed = Counter((c["title"], c["first"]) for c in event_cards(main(page(f"/events/{unit}/"))))
        assert listed == Counter(e["key"] for e in upcoming_events() if e.get("unit") == unit), unit


def test_an_event_page(page, out):
    doc = main(page("/events/acrl-2025/"))
    assert text(doc.find(".//h1")) == "ACRL 2025 Conference"
    facts = one(doc, "dl", "facts")
    terms = [text(t) for t in facts.iter("dt")]
    details = [d for d in facts.iter("dd")]
    shown = dict(zip(terms, details))
    assert text(shown["When"]) == "Apr 2–5, 2025"
    assert shown["When"].find("time").get("datetime") == "2025-04-02"
    assert text(shown["Where"]) == "Minneapolis Convention Center, Minneapolis, MN"
    links = {text(a): a for a in doc.iter("a")}
    register = links["Register for ACRL 2025 Conference"]  # the visible word and its hidden context
    assert register.get("href") == "https://www.ala.org/acrl/conferences/acrl2025/registration"
    calendar = links["Add to calendar"]
    assert calendar.get("href") == "/events/acrl-2025.ics"
    ics = (out / "events/acrl-2025.ics").read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR") and "ACRL 2025 Conference" in ics


def test_a_past_event_page_says_it_has_taken_place(page):
    past = next(e for e in events() if e["last"] < TODAY and e.get("id") is None)
    doc = main(page(f"/events/{slug(past['title'])}-{past['first']}/"))
    assert "This event has taken place." in [text(p) for p in by_class(doc, "p", "notice")]


# --- Jobs ----------------------------------------------------------------------------------------


def job_items(root) -> list[dict]:
    items = []
    for li in by_class(root, "li", "job-item"):
        posted = one(li, "p", "job-posted")
        items.append({
            "title": text(item_title(li).find("a")),
            "href": item_title(li).find("a").get("href"),
            "featured": "featured" in classes(li),
            "posted_text": text(posted),
            "datetime": posted.find("time").get("datetime"),
        })
    return items


def test_the_jobs_page_lists_only_open_jobs_newest_first(page):
    items = job_items(main(page("/jobs/")))
    assert sorted(i["href"] for i in items) == sorted(f"/jobs/{j['id']}/" for j in jobs() if is_open(j))
    posted = [i["datetime"] for i in items]
    assert posted == sorted(posted, reverse=True)
    by_id = {j["id"]: j for j in jobs()}
    for item in items:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", item["datetime"])
        assert item["datetime"] == by_id[item["href"].split("/")[2]]["posted"].isoformat()
        assert re.fullmatch(r"Posted (\d+|a|an) (day|week|month|year)s? ago", item["posted_text"]), item


def test_posted_ago_is_computed_at_the_build_date(page):
    items = {i["href"]: i["posted_text"] for i in job_items(main(page("/jobs/")))}
    assert items["/jobs/school-librarian/"] == "Posted 5 days ago"  # 2025-02-24


def closed_jobs() -> list[dict]:
    return [j for j in jobs() if j["closes"] < TODAY]


def test_the_demo_has_closed_jobs_both_ways():
    written = {j.get("id") or slug(j["title"]): j.get("closes") for j in records("jobs")}
    assert any(written[j["id"]] for j in closed_jobs())  # a `closes` date that has passed
    assert any(not written[j["id"]] for j in closed_jobs())  # closed by the 60-day default


@pytest.mark.parametrize("job", [j["id"] for j in closed_jobs()])
def test_a_closed_jobs_page_says_so_and_is_noindex(page, job):
    doc = page(f"/jobs/{job}/")
    robots = [m.get("content") for m in doc.iter("meta") if m.get("name") == "robots"]
    assert robots == ["noindex"]
    notice = one(main(doc), "p", "notice-closed")
    assert text(notice).startswith("This listing closed on ")
    closes = next(j for j in jobs() if j["id"] == job)["closes"]
    assert notice.find("time").get("datetime") == closes.isoformat()
    assert not [a for a in main(doc).iter("a") if text(a).startswith("Apply")]


def test_closed_jobs_are_in_no_sitemap_feed_or_listing(out, page):
    locs = {e.text for e in ET.parse(out / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    feed = feedparser.parse((out / "jobs/feed.xml").read_bytes())
    assert not feed.bozo
    in_feed = {entry.link for entry in feed.entries}
    listed = {i["href"] for i in job_items(main(page("/jobs/")))}
    for job in jobs():
        url = f"https://www.ala.org/jobs/{job['id']}/"
        if is_open(job):
            assert url in locs and url in in_feed, job["id"]
        else:
            assert url not in locs and url not in in_feed and f"/jobs/{job['id']}/" not in listed, job["id"]


# --- Awards --------------------------------------------------------------------------------------

CATEGORY_HEADINGS = {
    "book-media": "Book, print and media awards",
    "professional-recognition": "Professional recognition",
    "scholarship": "Scholarships",
    "grant": "Grants",
}


def awards() -> list[dict]:
    return records("awards")


def award_cards(page) -> dict[str, dict]:
    """The /awards/ cards by award name: category heading, link, and status line."""
    cards = {}
    for section in main(page("/awards/")).iter("section"):
        heading = section.find("h2")
        if heading is None or text(heading) not in CATEGORY_HEADINGS.values():
            continue  # "In this section" and the like
        for li in by_class(section, "li", "card"):
            status = by_class(li, "p", "status")
            cards[text(li.find("h3"))] = {
                "category": text(heading),
                "href": li.find("h3").find("a").get("href"),
                "status": text(status[0]) if status else None,
                "open": "status-open" in classes(status[0]) if status else None,
            }
    return cards


def test_awards_are_grouped_by_category(page):
    cards = award_cards(page)
    assert {name: c["category"] for name, c in cards.items()} == {a["name"]: CATEGORY_HEADINGS[a["category"]] for a in awards()}


def _window_open(award: dict) -> bool | None:
    if award.get("deadline"):
        return TODAY <= award["deadline"]
    if award.get("opens"):
        today, opens, closes = (TODAY.month, TODAY.day), tuple(map(int, award["opens"].split("-"))), tuple(map(int, award["closes"].split("-")))
        return opens <= today <= closes if opens <= closes else today >= opens or today <= closes
    return None


def test_scholarships_and_grants_show_whether_applications_are_open(page):
    cards = award_cards(page)
    checked = 0
    for award in awards():
        expected = _window_open(award)
        if award["category"] in ("scholarship", "grant") and expected is not None:
            card = cards[award["name"]]
            assert card["open"] is expected, award["name"]
            assert card["status"].startswith("Applications open" if expected else "Applications closed")
            checked += 1
    assert checked >= 3
    scholarship = cards["ALA Scholarship Program"]  # 09-01 to 03-01, across new year: open on its last day
    assert scholarship["open"] is True
    assert scholarship["status"] == "Applications open: each year from September 1 to March 1"


def test_a_closed_window_is_shown_as_closed(page):
    card = award_cards(page)["PLA Small Library Innovation Award"]  # 11-01 to 01-15
    assert card["open"] is False and card["status"].startswith("Applications closed")


def _recipients(award_doc) -> list[tuple[int, str, bool]]:
    """(year, recipient, honor) in page order."""
    section = one(award_doc, "section", "winners")
    shown, year = [], None
    for element in section.iter():
        if element.tag == "h3":
            year = int(text(element))
        elif element.tag == "li" and "winner" in classes(element):
            shown.append((year, text(element.find("strong")), "honor" in classes(element)))
    return shown


@pytest.mark.parametrize("name", sorted(a["name"] for a in records("awards") if a.get("winners")))
def test_an_award_page_lists_recipients_newest_year_first_winner_before_honours(page, name):
    award = next(a for a in awards() if a["name"] == name)
    doc = main(page(award_cards(page)[name]["href"]))
    shown = _recipients(doc)
    assert Counter(shown) == Counter((w["year"], w["recipient"], bool(w.get("honor"))) for w in award["winners"])
    order = [(-year, honor) for year, _, honor in shown]
    assert order == sorted(order)  # newest year first; within a year, winners before honours


def test_a_winner_line_reads_with_a_space_before_its_tag(page):
    doc = main(page("/awards/2024/"))
    lines = by_class(doc, "li", "winner")
    assert lines
    for li in lines:
        assert re.search(r"\s(Winner|Honor)\b", "".join(li.itertext())), text(li)


def test_a_year_page_lists_that_years_winners_across_awards(page, out):
    assert (out / "awards/2024/index.html").exists()
    doc = main(page("/awards/2024/"))
    assert text(doc.find(".//h1")) == "Award winners: 2024"
    sections = {text(s.find("h2")): [text(li.find("strong")) for li in by_class(s, "li", "winner")] for s in doc.iter("section")}
    expected = {a["name"]: [w["recipient"] for w in a.get("winners", []) if w["year"] == 2024] for a in awards()}
    assert {k: Counter(v) for k, v in sections.items()} == {k: Counter(v) for k, v in expected.items() if v}
    years = [text(a) for a in next(n for n in main(page("/awards/")).iter("nav") if "years" in classes(n)).iter("a")]
    assert "2024" in years


# --- Publications and news -----------------------------------------------------------------------


def test_publications_show_prices_in_dollars(page):
    cards = {text(item_title(li)): li for li in by_class(main(page("/publications/")), "li", "publication-card")}
    assert set(cards) == {p["title"] for p in records("publications")}
    assert text(one(cards["Inclusive Cataloging"], "p", "price")) == "$64.99"
    assert text(one(cards["Library Operations Review, annual subscription"], "p", "price")) == "$95.00"


def news_items(root) -> list[tuple[str, str]]:
    return [(text(item_title(li)), li.find(".//time").get("datetime")) for li in by_class(root, "li", "news-item")]


def _news_sources() -> list[dict]:
    found = []
    for path in sorted((REPO / "content/news").glob("*.md")):
        if path.name != "index.md":
            front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
            found.append(front)
    return found


def test_news_is_listed_newest_first(page):
    items = news_items(main(page("/news/")))
    assert Counter(title for title, _ in items) == Counter(n["title"] for n in _news_sources())
    dates = [d for _, d in items]
    assert dates == sorted(dates, reverse=True)


# --- Home page -----------------------------------------------------------------------------------


def test_the_home_page_shows_the_next_events(page):
    home = page("/")
    section = one(home, "section", "home-events")
    shown = [(c["title"], c["first"]) for c in event_cards(section)]
    def starts(e):
        start = _when(e["start"])
        return start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time())

    soonest = sorted(upcoming_events(), key=starts)
    assert shown and shown == [e["key"] for e in soonest[: len(shown)]]


def test_the_home_page_shows_the_latest_news(page):
    shown = news_items(one(page("/"), "section", "home-news"))
    assert shown and shown == news_items(main(page("/news/")))[: len(shown)]


def test_the_home_page_shows_featured_open_jobs_first(page):
    shown = job_items(one(page("/"), "section", "home-jobs"))
    open_ids = {f"/jobs/{j['id']}/" for j in jobs() if is_open(j)}
    assert shown and all(i["href"] in open_ids for i in shown)
    flags = [i["featured"] for i in shown]
    assert flags == sorted(flags, reverse=True)  # featured first
    featured_open = [j for j in jobs() if is_open(j) and j.get("featured")]
    assert sum(flags) == min(len(shown), len(featured_open))


# --- Every page ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def every_page(out) -> dict[str, tuple[object, list]]:
    """Every built .html file: its document and html5lib's parse errors (parsed once)."""
    parsed = {}
    for path in sorted(out.rglob("*.html")):
        parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
        doc = parser.parse(path.read_bytes())
        parsed[path.relative_to(out).as_posix()] = (doc, list(parser.errors))
    return parsed


def _is_redirect(doc) -> bool:
    """A stub at an old URL: a redirect (refresh) or a 'page removed' note (410)."""
    stub = any((m.get("http-equiv") or "").lower() == "refresh" for m in doc.iter("meta"))
    return stub or doc.find(".//main") is None and text(doc.find(".//title")) == "Page removed"


def test_every_page_has_one_h1_a_language_and_a_title(every_page):
    assert len(every_page) >= 150
    bad = []
    for name, (doc, _) in every_page.items():
        title = doc.find(".//title")
        if doc.get("lang") != "en":
            bad.append((name, "lang", doc.get("lang")))
        if title is None or not text(title):
            bad.append((name, "title"))
        # Redirect stubs (old URLs, aliases) are not pages a visitor reads: they have no heading.
        if not _is_redirect(doc) and len(doc.findall(".//h1")) != 1:
            bad.append((name, "h1", len(doc.findall(".//h1"))))
    assert bad == []


def test_redirect_stubs_are_noindex_and_link_to_the_new_page(every_page):
    stubs = [doc for doc, _ in every_page.values() if _is_redirect(doc)]
    assert stubs  # the demo has aliases
    for doc in stubs:
        assert [m.get("content") for m in doc.iter("meta") if m.get("name") == "robots"] == ["noindex"]
        assert doc.find(".//body").find(".//a") is not None


def test_every_page_parses_without_html5_errors(every_page):
    assert {name: errors for name, (_, errors) in every_page.items() if errors} == {}


def test_structured_data_on_every_page(every_page):
    """Every JSON-LD block parses; each kind of page has its own type, and breadcrumbs end at the page."""

    event_pages = {f"events/{e.get('id') or slug(e['title']) + '-' + e['first'].isoformat()}/index.html": e for e in events()}
    assert all(name in every_page for name in event_pages)
    kinds = Counter()
    for name, (doc, _) in every_page.items():
        found = [json.loads(s.text) for s in doc.iter("script") if s.get("type") == "application/ld+json"]
        types = [b["@type"] for b in found]
        kinds.update(types)
        canonical = next((link.get("href") for link in doc.iter("link") if link.get("rel") == "canonical"), None)
        if name in ("index.html", "404.html") or _is_redirect(doc):
            assert "BreadcrumbList" not in types, name
        else:
            (crumbs,) = [b for b in found if b["@type"] == "BreadcrumbList"]
            items = crumbs["itemListElement"]
            assert [i["position"] for i in items] == list(range(1, len(items) + 1)), name
            assert items[0]["item"] == "https://www.ala.org/" and items[-1]["item"] == canonical, name
        if name in event_pages:
            # One Event block for an event with a location (see test_jsonld for those without one).
            assert types.count("Event") <= 1, name
            if event_pages[name].get("location"):
                assert types.count("Event") == 1, name
        else:
            assert "Event" not in types, name
        if name.startswith("jobs/") and name.count("/") == 2:
            job = next(j for j in jobs() if j["id"] == name.split("/")[1])
            assert types.count("JobPosting") == (1 if is_open(job) else 0), name
        if name.startswith("news/2"):
            assert types.count("NewsArticle") == 1, name
    assert sum(1 for e in events() if e.get("location")) <= kinds["Event"] <= len(events())
    assert kinds["JobPosting"] == sum(is_open(j) for j in jobs())
    assert kinds["NewsArticle"] == len(_news_sources())
