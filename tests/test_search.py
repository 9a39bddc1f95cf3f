"""Site search with Pagefind: what is indexed, and a visitor's search in a real browser."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from browser import browser_page, serve
from conftest import build_at, read, run_cli

REPO = Path(__file__).resolve().parent.parent
JOBS = """\
- {id: open-job, title: Open librarian, employer: E, city: C, region: IL, posted: 2025-02-01, url: "https://x.org/a"}
- {id: closed-job, title: Closed zebrarian, employer: E, city: C, region: IL, posted: 2024-10-01, closes: 2024-12-01, url: "https://x.org/b"}
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo site, built with its search index, as CI builds it."""
    out = tmp_path_factory.mktemp("demo") / "build"
    result = run_cli("build", "--now", "2025-03-01", "--out", str(out), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert re.search(r"\d+ pages searchable", result.stdout)
    return out


def test_the_index_is_written_and_the_summary_counts_it(site):
    root = site({"content/index.md": "---\ntitle: Home\n---\nWelcome.\n", "content/a.md": "---\ntitle: A\n---\nText.\n"})
    root.joinpath("layouts/base.html").write_text(
        "<!doctype html><html lang=\"en\"><body><main{% if page.searchable %} data-pagefind-body{% endif %}>"
        "{% block main %}{% endblock %}</main></body></html>\n"
    )
    report = build_at(root, search=True)
    assert report.indexed == 2  # the home page and a.md; not the 404 page nor /search/
    assert (root / "build/pagefind/pagefind.js").is_file()
    assert (root / "build/pagefind/pagefind-ui.js").is_file()
    assert list((root / "build/pagefind/fragment").iterdir())


def test_no_search_skips_indexing(site):
    root = site({"content/index.md": "---\ntitle: Home\n---\n"})
    report = build_at(root, search=False)
    assert report.indexed is None
    assert not (root / "build/pagefind").exists()


def _fragments(folder: Path) -> list[dict]:
    """Every indexed page as Pagefind stored it (fragments are gzip'd JSON)."""
    import gzip

    found = []
    for path in sorted((folder / "pagefind/fragment").iterdir()):
        data = gzip.decompress(path.read_bytes())
        found.append(json.loads(data[data.index(b"{"):]))
    return found


def test_closed_jobs_menus_and_listings_stay_out_of_the_index(demo):
    fragments = _fragments(demo)
    urls = {f["url"] for f in fragments}
    assert "/jobs/access-services-manager/" not in urls  # closed on 2025-01-31
    assert "/jobs/library-director/" in urls  # closes on the build date: still open
    assert "/events/" not in urls and "/jobs/" not in urls and "/search/" not in urls
    strategic = next(f for f in fragments if f["url"] == "/about/strategic-plan/")
    assert "Skip to main content" not in strategic["content"]
    assert "Join | Renew" not in strategic["content"]  # the utility bar is not content


def test_the_site_index_is_not_indexed_but_pages_and_section_homes_are(demo):
    urls = {f["url"] for f in _fragments(demo)}
    assert "/site-index/" not in urls  # only links to other pages: nothing to find there
    assert "/about/mission/" in urls  # an ordinary page
    assert "/about/" in urls  # a section's home: prose of its own above its cards
    html = (demo / "site-index/index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in html and "data-pagefind-filter" not in html


def test_a_page_whose_layout_only_lists_pages_is_not_searchable_wherever_it_is(site):
    """The rule is the model's, by layout: an editor's page with the site index's layout stays
    out, at any address, whatever sentence introduces its list."""
    index = "{% extends \"page.html\" %}\n{% block main %}{{ content }}{% for s in site.sections %}<a href=\"{{ s.url }}\">{{ s.title }}</a>{% endfor %}{% endblock %}\n"
    root = site({
        "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
        "content/a.md": "---\ntitle: A\n---\nText.\n",
        "content/all-pages.md": "---\ntitle: Every page\nlayout: site-index\n---\nEvery page of the site, listed below.\n",
        "layouts/site-index.html": index,
        "layouts/base.html": "<!doctype html><html lang=\"en\"><body><main{% if page.searchable %} data-pagefind-body{% endif %}>"
        "{% block main %}{% endblock %}</main></body></html>\n",
    })
    report = build_at(root, search=True)
    assert report.indexed == 2  # the home page and a.md
    assert "data-pagefind-body" not in read(root, "all-pages/index.html")
    assert "data-pagefind-body" in read(root, "a/index.html")


def test_every_indexed_page_has_type_year_date_and_a_sort_key(demo):
    fragments = _fragments(demo)
    types = {f["filters"]["type"][0] for f in fragments}
    assert types == {"page", "news", "event", "job", "award", "publication"}
    event = next(f for f in fragments if f["url"] == "/events/acrl-2025/")
    assert event["filters"] == {"type": ["event"], "unit": ["ACRL"], "year": ["2025"]}
    assert event["meta"]["title"] == "ACRL 2025 Conference"
    assert event["meta"]["date"] == "Apr 2, 2025"
    assert event["meta"]["summary"].startswith("Four days in Minneapolis")
    indexed_pages = [p.read_text() for p in demo.rglob("*.html") if "data-pagefind-body" in p.read_text()]
    assert len(indexed_pages) == len(fragments)
    for html in indexed_pages:  # a page without a sort key drops out of sorted results
        assert re.search(r'<span data-pagefind-sort="date">\d{4}-\d{2}-\d{2}</span>', html)


def _count_when_settled(page, wanted, seconds: float = 15) -> int:
    """The number in Pagefind's "N results" message once it satisfies `wanted`."""
    deadline = time.monotonic() + seconds
    while True:
        match = re.search(r"(\d+) results?", page.inner_text(".pagefind-ui__message"))
        if match and wanted(int(match.group(1))):
            return int(match.group(1))
        assert time.monotonic() < deadline, page.inner_text(".pagefind-ui__message")
        page.wait_for_timeout(100)


@pytest.mark.browser
def test_a_visitor_finds_an_event_and_narrows_the_results(demo):
    with serve(demo) as base, browser_page() as page:
        page.goto(f"{base}/")
        page.fill("#site-search-q", "Minneapolis")
        page.press("#site-search-q", "Enter")
        page.wait_for_url(re.compile(r"/search/\?q=Minneapolis"))
        results = page.locator(".pagefind-ui__result-title")
        results.first.wait_for(timeout=15000)
        first_titles = results.all_inner_texts()[:5]
        assert "ACRL 2025 Conference" in first_titles
        before = _count_when_settled(page, lambda n: n > 0)
        page.locator("summary.pagefind-ui__filter-name", has_text="type").click()
        page.locator("label.pagefind-ui__filter-label", has_text=re.compile(r"^event")).click()
        after = _count_when_settled(page, lambda n: n != before)
        assert 0 < after < before
        page.screenshot(path=str(demo.parent / "search.png"), full_page=False)
        assert page.problems == []


@pytest.mark.browser
def test_a_division_search_is_limited_to_the_division(demo):
    with serve(demo) as base, browser_page() as page:
        page.goto(f"{base}/core/")
        assert page.inner_text("label[for=site-search-q]") == "Search Core"
        page.fill("#site-search-q", "library")
        page.press("#site-search-q", "Enter")
        page.locator(".pagefind-ui__result-title").first.wait_for(timeout=15000)
        assert "unit=Core" in page.url
        checked = page.locator("input[type=checkbox]:checked")
        assert checked.count() == 1
        assert page.problems == []


def test_without_javascript_the_search_page_points_to_the_site_index(demo):
    html = (demo / "search/index.html").read_text()
    noscript = html[html.index("<noscript>") : html.index("</noscript>")]
    assert "needs JavaScript" in noscript and 'href="/site-index/"' in noscript


def test_cards_of_other_pages_are_found_as_those_pages_not_as_the_list_that_shows_them(demo):
    """A section's home lists its pages' titles and descriptions, the home page upcoming
    events, news and jobs: those words belong to the pages they describe, so searching for
    an event's summary leads to the event, not also to the home page (data-pagefind-ignore)."""
    import html as html_module
    import re as re_module

    by_url = {f["url"]: f["content"] for f in _fragments(demo)}

    def texts(page: str, pattern: str) -> list[str]:
        raw = (demo / page).read_text(encoding="utf-8")
        return [html_module.unescape(re_module.sub(r"<[^>]+>", "", t)).strip() for t in re_module.findall(pattern, raw, re_module.S)]

    descriptions = texts("about/index.html", r'<li class="card">.*?<p>(.*?)</p>')
    summaries = texts("index.html", r'<div class="event-card-body">.*?</p>\s*<p>(.*?)</p>')
    assert descriptions and summaries
    for words in descriptions:
        assert words not in by_url["/about/"], words
    for words in summaries:
        assert words not in by_url["/"], words
    assert any(summaries[0] in content for url, content in by_url.items() if url.startswith("/events/"))
    assert "/about/" in by_url and "/" in by_url  # both still searchable, for their own words
