"""Old URLs that must keep working (issue 5): pages' `aliases:` and data/redirects.yaml, written
to build/_redirects in Netlify's format and as an HTML page at each old URL. Every check is an
error at the line that made it: a missing target, a chain, a loop, a source given twice, a
redirect that would hide a page, a wrong status."""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest

from conftest import at, build_at, problems_of, read

REPO = Path(__file__).resolve().parent.parent


def _page(title: str, *lines: str) -> str:
    return "---\n" + "\n".join((f"title: {title}", *lines)) + "\n---\n"


PAGES = {
    "content/index.md": _page("Home"),
    "content/about/mission.md": _page("Mission"),
    "content/about/contact.md": _page("Contact"),
    "content/c.md": _page("C", "aliases: [/old-c]"),
    "content/wip.md": _page("Work in progress", "draft: true"),
    "content/files/report.pdf": b"%PDF-1.4\n",
}


def redirects(site, yaml: str, files: dict | None = None) -> Path:
    """The fixture pages with this data/redirects.yaml (and `files` added or replaced)."""
    return site({**PAGES, "data/redirects.yaml": yaml, **(files or {})})


def rules(root: Path) -> list[str]:
    return read(root, "_redirects").splitlines()


def fallback(root: Path, old: str) -> dict:
    """What the HTML page at an old URL says, read as a browser reads it."""
    path = old.strip("/") + "/index.html"
    document = html5lib.parse(read(root, path), treebuilder="etree", namespaceHTMLElements=False)
    metas = {(m.get("http-equiv") or m.get("name") or "").lower(): m.get("content") for m in document.iter("meta")}
    canonical = [link.get("href") for link in document.iter("link") if link.get("rel") == "canonical"]
    body = document.find("body")
    return {
        "title": "".join(document.find(".//title").itertext()),
        "canonical": canonical[0] if canonical else None,
        "refresh": metas.get("refresh"),
        "robots": metas.get("robots"),
        "h1": "".join(body.find("h1").itertext()) if body.find("h1") is not None else None,
        "links": [(a.get("href"), "".join(a.itertext())) for a in body.iter("a")],
    }


# --- What is written ------------------------------------------------------------------------------

YAML = """\
- from: /ala/mission.cfm
  to: about/mission.md
- from: /ala/contact.cfm
  to: content/about/contact.md
- from: /ala/contact-us
  to: /about/contact
- from: /ala/next.cfm
  to: c.md
  status: 302
- from: /ala/readathon2009.cfm
  status: 410
- from: /ala/store/index.cfm
  to: https://shop.example.org/
"""


def test_redirects_become_forced_rules_and_fallback_pages(site):
    root = redirects(site, YAML)
    build_at(root)
    assert rules(root) == [
        "/ala/contact-us /about/contact/ 301!",
        "/ala/contact.cfm /about/contact/ 301!",
        "/ala/mission.cfm /about/mission/ 301!",
        "/ala/next.cfm /c/ 302!",
        "/ala/readathon2009.cfm /404.html 410!",
        "/ala/store/index.cfm https://shop.example.org/ 301!",
        "/old-c /c/ 301!",
    ]
    moved = fallback(root, "/ala/mission.cfm")
    assert moved == {
        "title": "Moved to /about/mission/",
        "canonical": "https://example.org/about/mission/",
        "refresh": "0; url=/about/mission/",
        "robots": "noindex",
        "h1": None,
        "links": [("/about/mission/", "https://example.org/about/mission/")],
    }
    assert fallback(root, "/ala/next.cfm")["refresh"] == "0; url=/c/"


def test_gone_content_is_a_410_rule_and_a_page_removed_page(site):
    root = redirects(site, "- from: /ala/readathon2009.cfm\n  status: 410\n")
    build_at(root)
    assert "/ala/readathon2009.cfm /404.html 410!" in rules(root)
    gone = fallback(root, "/ala/readathon2009.cfm")
    assert gone["title"] == "Page removed" and gone["h1"] == "Page removed"
    assert gone["refresh"] is None and gone["canonical"] is None  # it sends no one anywhere
    assert gone["robots"] == "noindex"
    assert gone["links"] == [("/", "home page")]
    assert (root / "build/404.html").is_file()  # what Netlify serves with the 410


def test_an_external_target(site):
    root = redirects(site, "- from: /store\n  to: https://shop.example.org/books?id=7\n")
    build_at(root)
    assert "/store https://shop.example.org/books?id=7 301!" in rules(root)
    moved = fallback(root, "/store")
    assert moved["canonical"] == "https://shop.example.org/books?id=7"
    assert moved["refresh"] == "0; url=https://shop.example.org/books?id=7"


def test_the_fallback_page_escapes_the_target(site):
    target = """https://shop.example.org/?q="banned books"&sort=<new>&x='1'"""
    yaml = "- from: /store\n  to: '" + target.replace("'", "''") + "'\n"
    root = redirects(site, yaml)
    problems = problems_of(root)  # a space cannot stand in a _redirects line
    assert problems == [
        f"data/redirects.yaml:2:7: 'to: {target}' has a space, which would break the redirect; write it as %20"
    ]
    target = target.replace(" ", "%20")
    root = redirects(site, "- from: /store\n  to: '" + target.replace("'", "''") + "'\n")
    build_at(root)
    assert f"/store {target} 301!" in rules(root)
    html = read(root, "store/index.html")
    assert '"banned' not in html and "<new>" not in html and "&sort" not in html
    moved = fallback(root, "/store")  # parsed back, every attribute holds the whole URL
    assert moved["canonical"] == target
    assert moved["refresh"] == f"0; url={target}"
    assert moved["links"] == [(target, target)]
    assert moved["title"] == f"Moved to {target}"


def test_under_a_base_path_every_url_gets_the_prefix_but_external_ones(site):
    root = redirects(site, YAML, {"data/site.yaml": "title: T\nbase_url: https://example.org/sub/\n"})
    build_at(root)
    assert rules(root) == [
        "/sub/ala/contact-us /sub/about/contact/ 301!",
        "/sub/ala/contact.cfm /sub/about/contact/ 301!",
        "/sub/ala/mission.cfm /sub/about/mission/ 301!",
        "/sub/ala/next.cfm /sub/c/ 302!",
        "/sub/ala/readathon2009.cfm /sub/404.html 410!",
        "/sub/ala/store/index.cfm https://shop.example.org/ 301!",
        "/sub/old-c /sub/c/ 301!",
    ]
    moved = fallback(root, "/ala/mission.cfm")  # written under build/, served under /sub/
    assert moved["canonical"] == "https://example.org/sub/about/mission/"
    assert moved["refresh"] == "0; url=/sub/about/mission/"
    assert fallback(root, "/ala/readathon2009.cfm")["links"] == [("/sub/", "home page")]
    assert fallback(root, "/ala/store/index.cfm")["refresh"] == "0; url=https://shop.example.org/"


def test_a_target_may_be_a_file_of_the_site(site):
    root = redirects(site, "- from: /ala/report.cfm\n  to: /files/report.pdf\n")
    build_at(root)
    assert "/ala/report.cfm /files/report.pdf 301!" in rules(root)  # not /files/report.pdf/


def test_a_target_in_the_wrong_case_leads_to_the_page_as_it_is_written(site):
    root = redirects(site, "- from: /ala/mission.cfm\n  to: /About/Mission\n- from: /ala/report.cfm\n  to: /files/Report.PDF\n")
    build_at(root)
    assert rules(root)[:2] == ["/ala/mission.cfm /about/mission/ 301!", "/ala/report.cfm /files/report.pdf 301!"]


def test_feeds_and_other_made_files_may_be_targets(site):
    root = redirects(site, "- from: /rss.cfm\n  to: /news/feed.xml\n", {"content/news/a.md": _page("A", "date: 2025-01-01", "summary: S.")})
    build_at(root)
    assert "/rss.cfm /news/feed.xml 301!" in rules(root)
    assert (root / "build/news/feed.xml").is_file()


def test_a_made_file_target_that_is_not_made_is_an_error(site):
    root = redirects(site, "- from: /rss.cfm\n  to: /nothing/feed.xml\n")
    assert problems_of(root) == [
        "data/redirects.yaml:1:9: the redirect from /rss.cfm leads to /nothing/feed.xml, where there is no page; point it at an existing page"
    ]


def test_no_redirects_no_file(site):
    root = site({"content/index.md": _page("Home")})
    build_at(root)
    assert not (root / "build/_redirects").exists()


# --- The target exists ----------------------------------------------------------------------------


def test_a_target_page_that_does_not_exist_is_an_error_with_a_suggestion(site):
    yaml = "- from: /a\n  to: about/missoin.md\n- from: /b\n  to: nowhere/at/all.md\n- from: /c\n  to: wip.md\n"
    root = redirects(site, yaml)
    assert problems_of(root) == [
        f"data/redirects.yaml:{at(yaml, 'about/missoin.md')}: 'to: about/missoin.md' is not a published page; did you mean 'about/mission.md'?",
        f"data/redirects.yaml:{at(yaml, 'nowhere')}: 'to: nowhere/at/all.md' is not a published page; "
        "give a file under content/, a path starting with /, or https://...",
        f"data/redirects.yaml:{at(yaml, 'wip.md')}: 'to: wip.md' is not a published page; "
        "give a file under content/, a path starting with /, or https://...",
    ]


def test_a_target_path_with_no_page_is_an_error_at_the_redirect(site):
    yaml = "- from: /a\n  to: /nowhere/\n- from: /b\n  to: /wip/\n"
    root = redirects(site, yaml)
    assert problems_of(root) == [
        f"data/redirects.yaml:{at(yaml, '/a')}: the redirect from /a leads to /nowhere/, where there is no page; point it at an existing page",
        f"data/redirects.yaml:{at(yaml, '/b')}: the redirect from /b leads to /wip/, where there is no page; point it at an existing page",
    ]


def test_a_source_or_target_that_is_not_a_site_path_is_an_error(site):
    yaml = "- from: ala/old.cfm\n  to: c.md\n- from: /ala/old page.cfm\n  to: c.md\n- from: /ok\n  to: /x/../../etc/\n"
    root = redirects(site, yaml)
    assert problems_of(root) == [
        f"data/redirects.yaml:{at(yaml, 'ala/old.cfm')}: from 'ala/old.cfm' must be a path on this site starting with one '/', e.g. /about/mission/",
        f"data/redirects.yaml:{at(yaml, '/ala/old page')}: from '/ala/old page.cfm' has characters a URL path cannot hold "
        "(spaces, quotes, '?', '#', '%', '\\'); use hyphens",
        f"data/redirects.yaml:{at(yaml, '/x/../')}: to '/x/../../etc/' may not contain '.' or '..' parts: it must stay inside the site",
    ]


def test_unknown_keys_and_missing_to_are_errors(site):
    yaml = "- form: /a\n  to: c.md\n- from: /b\n"
    root = redirects(site, yaml)
    problems = problems_of(root)
    assert f"data/redirects.yaml:{at(yaml, 'form')}: 'form' is not a redirect field; did you mean 'from'?" in problems
    assert (
        f"data/redirects.yaml:{at(yaml, 'from: /b')}: the redirect from /b needs 'to:' (a page like about/index.md, a path, "
        "or https://...); or 'status: 410' if it is gone"
    ) in problems


# --- Statuses -------------------------------------------------------------------------------------


def test_status_410_with_a_target_is_an_error(site):
    yaml = "- from: /gone\n  to: c.md\n  status: 410\n"
    root = redirects(site, yaml)
    assert problems_of(root) == [
        f"data/redirects.yaml:{at(yaml, 'to')}: a redirect with status 410 (gone) has no 'to'; remove it, or use 301"
    ]


@pytest.mark.parametrize("status", ["307", "200", "404"])
def test_other_statuses_are_errors(site, status):
    yaml = f"- from: /a\n  to: c.md\n  status: {status}\n"
    root = redirects(site, yaml)
    assert problems_of(root) == [
        f"data/redirects.yaml:{at(yaml, status)}: status {status} is not one of 301 (moved), 302 (moved for now) or 410 (gone)"
    ]


# --- Chains and loops -----------------------------------------------------------------------------


def test_a_chain_is_rewritten_to_its_end(site):
    yaml = "- from: /a\n  to: /b\n- from: /b\n  to: c.md\n- from: /d\n  to: /old-c\n- from: /e\n  to: /a/\n"
    root = redirects(site, yaml)
    build_at(root)
    assert rules(root) == ["/a /c/ 301!", "/b /c/ 301!", "/d /c/ 301!", "/e /c/ 301!", "/old-c /c/ 301!"]
    for old in ("/a", "/d", "/e"):  # the fallback pages go straight to the end too
        moved = fallback(root, old)
        assert moved["refresh"] == "0; url=/c/" and moved["canonical"] == "https://example.org/c/", old


def test_a_chain_through_a_temporary_redirect_stays_temporary(site):
    """/a moved for good to /next, which points at this year's page for now: /a must not be
    cached for good as this year's page."""
    yaml = "- from: /a\n  to: /next\n- from: /next\n  to: c.md\n  status: 302\n- from: /t\n  to: /about/mission/\n  status: 302\n- from: /u\n  to: /t\n  status: 302\n"
    root = redirects(site, yaml)
    build_at(root)
    assert rules(root) == ["/a /c/ 302!", "/next /c/ 302!", "/old-c /c/ 301!", "/t /about/mission/ 302!", "/u /about/mission/ 302!"]


def test_a_chain_into_gone_content_is_gone(site):
    yaml = "- from: /a\n  to: /gone\n- from: /gone\n  status: 410\n"
    root = redirects(site, yaml)
    build_at(root)
    assert rules(root) == ["/a /404.html 410!", "/gone /404.html 410!", "/old-c /c/ 301!"]
    assert fallback(root, "/a")["title"] == "Page removed"


def test_a_chain_out_to_another_website_ends_there(site):
    yaml = "- from: /a\n  to: /store\n- from: /store\n  to: https://shop.example.org/\n"
    root = redirects(site, yaml)
    build_at(root)
    assert rules(root)[0] == "/a https://shop.example.org/ 301!"


def test_a_loop_is_reported_at_each_redirect_in_it(site):
    yaml = "- from: /a\n  to: /b\n- from: /b\n  to: /a/\n- from: /self\n  to: /SELF\n"
    root = redirects(site, yaml)
    assert problems_of(root) == [
        f"data/redirects.yaml:{at(yaml, '/a')}: redirects go round in a loop: /a -> /b -> /a; point one of them at a page",
        f"data/redirects.yaml:{at(yaml, '/b', 2)}: redirects go round in a loop: /b -> /a -> /b; point one of them at a page",
        f"data/redirects.yaml:{at(yaml, '/self')}: redirects go round in a loop: /self -> /self; point one of them at a page",
    ]


def test_a_redirect_into_a_loop_is_left_out_and_the_loop_reported(site):
    yaml = "- from: /into\n  to: /a\n- from: /a\n  to: /b\n- from: /b\n  to: /a\n"
    root = redirects(site, yaml)
    assert problems_of(root) == [
        f"data/redirects.yaml:{at(yaml, '/a', 2)}: redirects go round in a loop: /a -> /b -> /a; point one of them at a page",
        f"data/redirects.yaml:{at(yaml, '/b', 2)}: redirects go round in a loop: /b -> /a -> /b; point one of them at a page",
    ]


# --- A source given twice, a page hidden ----------------------------------------------------------


def test_the_same_source_twice_is_an_error_at_the_second(site):
    yaml = "- from: /a\n  to: c.md\n- from: /a\n  to: about/mission.md\n"
    root = redirects(site, yaml)
    assert problems_of(root) == [
        f"data/redirects.yaml:{at(yaml, '/a', 2)}: /a is redirected twice: here and at data/redirects.yaml:{at(yaml, '/a')}; keep one of them"
    ]


@pytest.mark.parametrize("written", ["/A", "/a/", "/A/"])
def test_sources_match_with_or_without_a_slash_and_in_any_case(site, written):
    yaml = f"- from: /a\n  to: c.md\n- from: {written}\n  to: about/mission.md\n"
    root = redirects(site, yaml)
    assert problems_of(root) == [
        f"data/redirects.yaml:3:9: {written} is redirected twice: here and at data/redirects.yaml:1:9; keep one of them"
    ]


def test_an_alias_and_redirects_yaml_giving_the_same_source(site):
    yaml = "- from: /Old-C/\n  to: about/mission.md\n"
    root = redirects(site, yaml)
    assert problems_of(root) == [
        "data/redirects.yaml:1:9: /Old-C/ is redirected twice: here and at content/c.md:3:10; keep one of them"
    ]


def test_two_pages_with_the_same_alias(site):
    root = redirects(site, "", {"content/about/contact.md": _page("Contact", "aliases: [/old-c/]")})
    assert problems_of(root) == [
        "content/c.md:3:10: /old-c is redirected twice: here and at content/about/contact.md:3:10; keep one of them"
    ]


@pytest.mark.parametrize(
    ("source", "hidden"),
    [
        ("/about/mission/", "content/about/mission.md"),
        ("/About/Mission", "content/about/mission.md"),
        ("/files/report.pdf", "content/files/report.pdf"),
        ("/", "content/index.md"),
    ],
)
def test_a_redirect_that_would_hide_a_page_is_an_error(site, source, hidden):
    yaml = f"- from: {source}\n  to: c.md\n"
    root = redirects(site, yaml)
    assert problems_of(root) == [
        f"data/redirects.yaml:1:9: the redirect from {source} would hide the page {hidden} at that URL; "
        "remove the redirect, or move the page first"
    ]


def test_a_redirect_that_would_hide_a_listing_is_an_error(site):
    yaml = "- from: /events\n  to: c.md\n"
    events = "- {title: E, kind: webinar, start: 2025-04-01, summary: S.}\n"
    root = redirects(site, yaml, {"data/events.yaml": events})
    (problem,) = problems_of(root)
    assert problem == (
        "data/redirects.yaml:1:9: the redirect from /events would hide the page (the /events/ listing) at that URL; "
        "remove the redirect, or move the page first"
    )


def test_every_mistake_is_reported_at_once(site):
    yaml = (
        "- from: /a\n  to: about/missoin.md\n"
        "- from: /b\n  to: /nowhere/\n"
        "- from: /x\n  to: /y\n- from: /y\n  to: /x\n"
        "- from: /b/\n  to: c.md\n"
        "- from: /about/contact\n  to: c.md\n"
        "- from: /e\n  status: 410\n  to: c.md\n"
    )
    root = redirects(site, yaml)
    problems = problems_of(root)
    assert [p.split(":")[1] for p in problems] == ["2", "3", "5", "7", "9", "11", "15"], problems  # each at its line
    assert all(p.startswith("data/redirects.yaml:") for p in problems)


# --- The demo --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_build) -> Path:
    return demo_build


def test_every_demo_redirect_leads_to_a_file_that_was_built(demo):
    lines = (demo / "_redirects").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 24
    statuses = set()
    for line in lines:
        source, target, status = line.split()
        statuses.add(status)
        assert (demo / source.strip("/") / "index.html").is_file(), line  # the fallback page
        if target.startswith("https://"):
            continue
        built = demo / target.lstrip("/")
        assert (built / "index.html" if target.endswith("/") else built).is_file(), line
    assert statuses == {"301!", "302!", "410!"}
