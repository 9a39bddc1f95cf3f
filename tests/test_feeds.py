"""The Atom feeds, read by feedparser as a feed reader would."""

import datetime as dt
import textwrap

import feedparser
import pytest

from conftest import build_at

JOBS = textwrap.dedent(
    """\
    - title: "Librarian & <Archivist>"
      employer: Smith & Sons Library
      city: Springfield
      region: IL
      posted: 2025-02-01
      closes: 2025-03-01
      url: https://example.com/apply
      summary: "Closes today, so still open: R&D <collections> too."
    - title: Closed yesterday
      employer: Gone Library
      city: Peoria
      region: IL
      posted: 2025-01-05
      closes: 2025-02-28
      url: https://example.com/gone
      summary: This listing closed the day before the build.
    - title: Youth services librarian
      employer: Prairie Library
      city: Urbana
      region: IL
      posted: 2025-02-20
      email: jobs@example.com
      summary: Posted ten days ago with the default closing date.
    - title: Not yet posted
      employer: Future Library
      city: Normal
      region: IL
      posted: 2025-03-05
      url: https://example.com/future
      summary: Posted after the build date.
    """
)


def news(slug: str, title: str, date: str, unit: str | None = None) -> dict[str, str]:
    unit_line = f"unit: {unit}\n" if unit else ""
    front = f"---\ntitle: '{title}'\ndate: {date}\n{unit_line}summary: About {slug}.\n---\nText.\n"
    return {f"content/news/{slug}.md": front}


NEWS = {
    **news("budget", "Budget & <policy> news", "2025-02-10", "core"),
    **news("awards", "Youth media awards", "2025-01-27", "alsc"),
    **news("forum", "Forum proposals open", "2025-02-20", "core"),
    **news("old", "An older item", "2024-11-08"),
}


@pytest.fixture
def feed(site):
    """Build a site with `files` at `now`; read a feed of it."""

    def built(files, now="2025-03-01"):
        root = site(files)
        build_at(root, now)
        return lambda path: (root / "build" / path).read_bytes()

    return built


def parse(data: bytes):
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_jobs_feed_lists_open_jobs_newest_first(feed):
    jobs = parse(feed({"data/jobs.yaml": JOBS})("jobs/feed.xml"))
    assert jobs.feed.title == "Test Association: Jobs"
    assert [e.title for e in jobs.entries] == ["Youth services librarian", "Librarian & <Archivist>"]
    first, closing_today = jobs.entries
    assert first.link == "https://example.org/jobs/youth-services-librarian/"
    assert first.id == "https://example.org/jobs/youth-services-librarian/"
    assert first.author == "Prairie Library"
    assert first.updated_parsed[:3] == (2025, 2, 20)
    assert closing_today.author == "Smith & Sons Library"
    assert closing_today.summary == "Closes today, so still open: R&D <collections> too."
    assert closing_today.summary_detail.type == "text/plain"  # shown as written, not as HTML
    assert jobs.feed.updated_parsed[:3] == (2025, 2, 20)  # the newest entry's date
    assert jobs.feed.links[0].href == "https://example.org/jobs/feed.xml"


def test_a_job_closed_yesterday_is_absent_and_one_closing_today_present(feed):
    text = feed({"data/jobs.yaml": JOBS})("jobs/feed.xml")
    assert b"Closed yesterday" not in text and b"Not yet posted" not in text
    assert b"Librarian &amp; &lt;Archivist&gt;" in text  # escaped once, not twice


def test_a_jobs_feed_with_no_open_jobs_is_dated_by_the_build(feed):
    jobs = parse(feed({"data/jobs.yaml": JOBS}, now="2025-12-01")("jobs/feed.xml"))
    assert jobs.entries == []
    # The build clock: midnight of the build date in the site's zone (America/Chicago).
    assert jobs.feed.updated == "2025-12-01T00:00:00-06:00"


def test_news_feed_newest_first_with_absolute_links(feed):
    items = parse(feed(NEWS)("news/feed.xml"))
    assert items.feed.title == "Test Association: News"
    titles = ["Forum proposals open", "Budget & <policy> news", "Youth media awards", "An older item"]
    assert [e.title for e in items.entries] == titles
    assert items.entries[1].link == "https://example.org/news/budget/"
    assert items.entries[1].summary == "About budget."
    assert items.feed.updated_parsed[:3] == (2025, 2, 20)


def test_a_units_news_feed_holds_only_its_news(feed):
    read = feed(NEWS)
    core = parse(read("news/feed-core.xml"))
    assert core.feed.title == "Test Association: CORE news"
    assert [e.title for e in core.entries] == ["Forum proposals open", "Budget & <policy> news"]
    assert [e.title for e in parse(read("news/feed-alsc.xml")).entries] == ["Youth media awards"]


def test_the_news_feed_holds_the_newest_50(feed):
    day = dt.date(2025, 1, 1)
    many = {}
    for n in range(52):
        many.update(news(f"item-{n:02d}", f"Item {n:02d}", (day + dt.timedelta(days=n)).isoformat()))
    entries = parse(feed(many)("news/feed.xml")).entries
    assert len(entries) == 50
    assert (entries[0].title, entries[-1].title) == ("Item 51", "Item 02")


def test_two_builds_are_byte_identical(site):
    root = site({"data/jobs.yaml": JOBS, **NEWS})
    outputs = []
    for _ in range(2):
        build_at(root)
        outputs.append([(root / "build" / p).read_bytes() for p in ("jobs/feed.xml", "news/feed.xml", "news/feed-core.xml")])
    assert outputs[0] == outputs[1]


def test_two_builds_on_one_day_without_a_date_are_byte_identical(site, monkeypatch):
    """Without --now the clock is the wall clock: the outputs must follow its day, never its
    microseconds (an empty feed's <updated> once did)."""
    import time

    from alagen.pipeline import BuildOptions, build

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # or the clock would be fixed anyway
    root = site({"data/jobs.yaml": JOBS})  # every job closed in 2025: the feed is empty
    days, trees = [], []
    for _ in range(2):
        days.append(dt.date.today())
        build(BuildOptions(root=root, now=None, search=False, cache=False))
        trees.append({p.relative_to(root / "build").as_posix(): p.read_bytes() for p in sorted((root / "build").rglob("*")) if p.is_file()})
        time.sleep(0.05)
    if days[0] != dt.date.today():  # midnight passed during the test: the outputs may differ by right
        return
    assert "jobs/feed.xml" in trees[0] and b"<entry>" not in trees[0]["jobs/feed.xml"]
    assert trees[0] == trees[1]
