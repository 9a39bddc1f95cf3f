"""`alagen check`: each rule fires on a small site built to break it, at the line an editor
fixes; the demo passes clean; output formats, exit codes and skipping a rule with a reason."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from alagen.check import check_build
from alagen.check.report import as_github, as_json, as_text
from alagen.pipeline import BuildOptions, read_site
from alagen.schema import CHECK_RULES
from conftest import build_at, make_site, problems_of, run_cli

REPO = Path(__file__).resolve().parent.parent
NOW = dt.date(2025, 3, 1)

# The tests' small layouts, with what every page needs: lang, title, description, one h1.
CLEAN = {
    "layouts/base.html": (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{{ page.title }}</title>\n'
        '<meta name="description" content="{{ page.description }}">\n</head>\n<body>\n<main id="main">\n'
        "{% block main %}{% endblock %}\n</main>\n</body>\n</html>\n"
    ),
    "content/index.md": "---\ntitle: Home\ndescription: The home page.\n---\nWelcome to [about](about.md).\n",
    "content/about.md": "---\ntitle: About\ndescription: Who we are.\n---\n## Introduction\n\nText.\n",
}


def page(title: str, body: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\ndescription: A page.\n{extra}---\n{body}"


def checked(root: Path, build: bool = True, **options):
    if build:
        build_at(root)
    site = read_site(BuildOptions(root=root, now=NOW))
    return check_build(root, root / "build", site, **options)


def findings(root: Path, build: bool = True, **options) -> list[str]:
    return [str(f) for f in checked(root, build, **options).findings]


def test_the_rules_are_the_ones_a_page_may_skip():
    from alagen.check import RULES

    assert RULES == CHECK_RULES
    assert len(set(RULES)) == len(RULES)


def test_a_clean_site_has_no_findings(tmp_path):
    root = make_site(tmp_path, CLEAN)
    report = checked(root)
    assert report.findings == ()
    assert as_text(report) == f"No findings in {report.files} files."


# --- links and anchors ---------------------------------------------------------------


def test_a_link_to_a_missing_address_is_reported_at_its_line_in_the_body(tmp_path):
    root = make_site(tmp_path, {**CLEAN, "content/a.md": page("A", "Intro.\n\nSee [the old page](/old/page/) today.\n")})
    assert findings(root) == [
        "content/a.md:7: link: links to /old/page/, which is not in the built site; "
        "link pages by their .md file so the build checks them"
    ]


def test_a_missing_file_is_reported_with_where_to_put_it(tmp_path):
    root = make_site(tmp_path, {**CLEAN, "content/a.md": page("A", "The [floor plan](/img/plan.pdf).\n")})
    assert findings(root) == [
        "content/a.md:5: link: links to /img/plan.pdf, which is not in the built site; "
        "put the file under content/ and link it by its path there"
    ]


def test_a_broken_link_in_a_layout_is_reported_once_at_the_layout_line(tmp_path):
    base = CLEAN["layouts/base.html"].replace("<main", '<a href="/contact-us/">Contact</a>\n<main')
    root = make_site(tmp_path, {**CLEAN, "layouts/base.html": base})
    report = checked(root)
    assert [str(f) for f in report.findings] == [
        "layouts/base.html:9: link: links to /contact-us/, which is not in the built site; "
        "link pages by their .md file so the build checks them"
    ]
    assert report.findings[0].pages == ("build/404.html", "build/about/index.html", "build/index.html")


def test_an_anchor_that_no_heading_has_is_reported_with_the_likely_one(tmp_path):
    body = "Read [the intro](about.md#intro) and [this](#usage).\n\n## Use\n"
    root = make_site(tmp_path, {**CLEAN, "content/a.md": page("A", body)})
    assert findings(root) == [
        "content/a.md:5: anchor: links to #usage, but this page has no heading or element with the id 'usage'; "
        "did you mean #use?",
        "content/a.md:5: anchor: links to /about/#intro, but /about/ has no heading or element with the id "
        "'intro'; did you mean #introduction?",
    ]


def test_a_link_in_a_record_body_is_reported_in_the_data_file(tmp_path):
    events = (
        "- title: Webinar\n  kind: webinar\n  start: 2025-04-01\n  summary: A talk.\n"
        "  body: |\n    Slides are [here](/slides/).\n"
    )
    layout = '{% extends "base.html" %}{% block main %}<h1>{{ page.title }}</h1>{{ content }}{% endblock %}'
    root = make_site(tmp_path, {**CLEAN, "data/events.yaml": events, "layouts/event.html": layout,
                                "layouts/events.html": layout})
    assert findings(root) == [
        "data/events.yaml:6: link: links to /slides/, which is not in the built site; "
        "link pages by their .md file so the build checks them"
    ]


def test_addresses_under_a_base_path_and_full_addresses_of_the_site_resolve(tmp_path):
    settings = "title: T\nbase_url: https://example.org/ala/\n"
    body = "[home](https://example.org/ala/), [about](/about/) and [gone](https://example.org/ala/gone/#x).\n"
    root = make_site(tmp_path, {**CLEAN, "data/site.yaml": settings, "content/a.md": page("A", body)})
    # /about/ is written as a site path: under the base path it is /ala/about/; the full
    # address of an unbuilt page is left to --external (the domain may serve other things).
    assert findings(root) == []
    root2 = make_site(tmp_path / "two", {**CLEAN, "data/site.yaml": settings, "content/a.md": page("A", "[x](/nope/)\n")})
    assert findings(root2) == [
        "content/a.md:5: link: links to /ala/nope/, which is not in the built site; "
        "link pages by their .md file so the build checks them"
    ]


# --- page rules --------------------------------------------------------------------------


def test_an_image_without_alt_text_is_reported_and_empty_alt_is_decoration(tmp_path):
    body = 'Text.\n\n<img src="/a.png" alt="">\n\n<img src="/b.png">\n'
    root = make_site(tmp_path, {**CLEAN, "content/a.md": page("A", body), "content/a.png": b"x", "content/b.png": b"x"})
    assert findings(root) == [
        "content/a.md:9: img-alt: the image /b.png has no alt text; describe it (![what it shows](/b.png) in "
        'Markdown, alt="..." in HTML), or write alt="" if it is only decoration'
    ]


def test_a_second_h1_in_the_text_is_reported_at_its_line(tmp_path):
    root = make_site(tmp_path, {**CLEAN, "content/a.md": page("A", "Intro.\n\n# Big words\n")})
    assert findings(root) == [
        "content/a.md:7: h1: a second h1 'Big words' (the page's h1 is at line 10 of the built page); "
        "use ## for headings in the text, the title is the only h1"
    ]


def test_a_layout_without_h1_is_reported_at_the_layout(tmp_path):
    layout = '{% extends "base.html" %}\n{% block main %}{{ content }}{% endblock %}\n'
    root = make_site(tmp_path, {**CLEAN, "layouts/page.html": layout, "layouts/home.html": layout})
    assert findings(root) == [
        "layouts/home.html: h1: the page has no h1 heading; its layout should show the page's title as <h1>",
        "layouts/page.html: h1: the page has no h1 heading; its layout should show the page's title as <h1>",
    ]


def test_a_skipped_heading_level_is_reported_at_its_line(tmp_path):
    root = make_site(tmp_path, {**CLEAN, "content/a.md": page("A", "## Part\n\nText.\n\n#### Detail\n")})
    assert findings(root) == [
        "content/a.md:9: heading-order: an h4 comes after an h2, skipping a level; make it h3 (### in Markdown) "
        "or add the missing heading above it"
    ]


def test_a_page_without_lang_or_title_is_reported_at_the_layout(tmp_path):
    base = CLEAN["layouts/base.html"].replace('<html lang="en">', "<html>").replace("{{ page.title }}</title>", "</title>")
    root = make_site(tmp_path, {**CLEAN, "layouts/base.html": base})
    lines = findings(root)
    assert lines == [
        'layouts/base.html:2: lang: the page does not say its language: add lang="en" (or the right code) to <html>',
        "layouts/base.html:5: title: the page has no <title> (or an empty one); its layout should print the page's title",
    ]


def test_an_id_used_twice_is_reported_where_the_editor_wrote_it(tmp_path):
    # A heading's {#main} clashes with the layout's <main id="main">.
    root = make_site(tmp_path, {**CLEAN, "content/a.md": page("A", "Text.\n\n## Main part {#main}\n")})
    assert findings(root) == [
        "content/a.md:7: duplicate-id: the id 'main' is used again (first at line 9 of the built page); "
        "give this one another id, e.g. with {#main-2} after a heading"
    ]


def test_a_page_without_description_is_reported_at_its_front_matter(tmp_path):
    root = make_site(tmp_path, {**CLEAN, "content/a.md": "---\ntitle: A\n---\nText.\n"})
    assert findings(root) == [
        "content/a.md:1: description: the page has no description; "
        "add 'description: one sentence about the page' to its front matter"
    ]


def test_a_layout_that_leaves_out_the_description_is_reported_at_its_head(tmp_path):
    base = CLEAN["layouts/base.html"].replace('<meta name="description" content="{{ page.description }}">\n', "")
    root = make_site(tmp_path, {**CLEAN, "layouts/base.html": base})
    report = checked(root)
    assert [str(f) for f in report.findings] == [
        'layouts/base.html:6: description: the page has a description, but its layout does not print it in '
        '<meta name="description">'
    ]
    assert len(report.findings[0].pages) == 3


def test_html_that_breaks_the_parsing_rules_is_reported_in_the_body(tmp_path):
    root = make_site(tmp_path, {**CLEAN, "content/a.md": page("A", "Text.\n\n<div>\n<span>x</div>\n")})
    lines = findings(root)
    assert lines == ["content/a.md:8: html-parse: End tag (div) seen too early. Expected other end tag."]


def test_parse_errors_outside_the_body_point_at_the_built_file(tmp_path):
    base = CLEAN["layouts/base.html"].replace("</main>", "</main></section>")
    root = make_site(tmp_path, {**CLEAN, "layouts/base.html": base})
    assert findings(root) == [
        "build/404.html:12: html-parse: End tag (section) seen too early. Expected other end tag.",
        "build/about/index.html:13: html-parse: End tag (section) seen too early. Expected other end tag.",
        "build/index.html:12: html-parse: End tag (section) seen too early. Expected other end tag.",
    ]


# --- built files ---------------------------------------------------------------------------


NEWS = {
    "content/news/index.md": page("News", ""),
    "content/news/one.md": page("One", "Text.\n", "date: 2025-02-01\n"),
    "layouts/news.html": '{% extends "page.html" %}\n',
}


def test_a_tampered_sitemap_is_reported_in_the_built_file(tmp_path):
    root = make_site(tmp_path, CLEAN)
    build_at(root)
    sitemap = root / "build/sitemap.xml"
    text = sitemap.read_text().replace("https://example.org/about/", "https://example.org/gone/")
    text = text.replace("</urlset>", "<url><loc>https://other.org/</loc><lastmod>yesterday</lastmod></url>\n</urlset>")
    sitemap.write_text(text)
    assert findings(root, build=False) == [
        "build/sitemap.xml:7: sitemap: https://example.org/gone/ is not in the built site",
        "build/sitemap.xml:9: sitemap: https://other.org/ is not an address of this site (https://example.org/)",
        "build/sitemap.xml:10: sitemap: lastmod 'yesterday' of https://other.org/ is not a W3C date (YYYY-MM-DD)",
    ]
    sitemap.write_text("<urlset><url>")
    assert findings(root, build=False) == ["build/sitemap.xml:1: sitemap: sitemap.xml is not well-formed XML: "
                                           "no element found: line 1, column 13"]


def test_a_broken_feed_is_reported(tmp_path):
    root = make_site(tmp_path, {**CLEAN, **NEWS})
    build_at(root)
    feed = root / "build/news/feed.xml"
    text = feed.read_text()
    assert findings(root, build=False) == []
    feed.write_text(text.replace("https://example.org/news/one/</id>", "</id>", 1).replace(
        'href="https://example.org/news/one/"', 'href="https://example.org/news/two/"'))
    assert findings(root, build=False) == [
        "build/news/feed.xml: feed: the entry 'One' has no <id>",
        "build/news/feed.xml:16: feed: the entry 'One' links to https://example.org/news/two/, which is not in the built site",
    ]
    feed.write_text(text.replace("</feed>", ""))
    assert findings(root, build=False)[0].startswith("build/news/feed.xml:")
    assert "feed: the feed does not parse" in findings(root, build=False)[0]


def test_a_broken_calendar_is_reported(tmp_path):
    events = "- {id: talk, title: Talk, kind: webinar, start: 2025-04-01T10:00, end: 2025-04-01T11:00, summary: A talk.}\n"
    root = make_site(tmp_path, {**CLEAN, "data/events.yaml": events})
    build_at(root)
    assert findings(root, build=False) == []
    ics = root / "build/events/talk.ics"
    data = ics.read_bytes()
    dtstamp = next(line for line in data.split(b"\r\n") if line.startswith(b"DTSTAMP"))
    ics.write_bytes(data.replace(dtstamp + b"\r\n", b"").replace(b"DTEND", b"X-DTEND"))
    assert findings(root, build=False) == ["build/events/talk.ics:36: calendar: the event 'Talk' has no DTSTAMP"]
    ics.write_bytes(data.replace(b"\r\n", b"\n"))
    assert findings(root, build=False) == ["build/events/talk.ics:1: calendar: lines must end with CRLF (\\r\\n)"]


def test_redirects_to_nowhere_and_loops_are_reported(tmp_path):
    files = {"content/a.md": page("A", "Text.\n", "aliases: [/old-a/]\n"), "data/redirects.yaml": "- from: /older/\n  to: a.md\n"}
    root = make_site(tmp_path, {**CLEAN, **files})
    build_at(root)
    assert findings(root, build=False) == []
    redirects = root / "build/_redirects"
    redirects.write_text("/old-a/ /gone/ 301!\n/x/ /y/ 301\n/y/ /x/ 302\n/z/ /a/ 999\n/older/ /a/b/ 301!\n")
    assert findings(root, build=False) == [
        "build/_redirects:2: redirects: /x/ is part of a redirect loop; visitors would never arrive",
        "build/_redirects:3: redirects: /y/ is part of a redirect loop; visitors would never arrive",
        "build/_redirects:4: redirects: '999' is not a redirect status; use 301 (moved for good) or 302",
        # Rules made from a page's aliases or data/redirects.yaml: that is where to look.
        "content/a.md:4: redirects: /old-a/ leads to /gone/, which is not in the built site",
        "data/redirects.yaml:1: redirects: /older/ leads to /a/b/, which is not in the built site",
    ]


# --- external links ----------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):
        if self.path == "/slow":
            threading.Event().wait(2)
        self.send_response(200 if self.path in ("/ok", "/slow") else 404 if self.path == "/gone" else 405)
        self.end_headers()

    def do_GET(self):
        self.send_response(200 if self.path == "/get-only" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def web_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_external_links_are_checked_only_when_asked_and_remembered(tmp_path):
    with web_server() as address:
        body = f"[a]({address}/ok), [b]({address}/gone), [c]({address}/get-only) and [d]({address}/slow).\n"
        menus = f"main:\n  - {{title: Shop, url: '{address}/gone'}}\n"
        root = make_site(tmp_path, {**CLEAN, "content/a.md": page("A", body), "data/menus.yaml": menus,
                                    "layouts/base.html": CLEAN["layouts/base.html"].replace(
                                        "<main", "{% for i in site.menus.main %}<a href=\"{{ i.url }}\">{{ i.title }}</a>{% endfor %}\n<main")})
        assert findings(root) == []  # offline by default
        lines = findings(root, build=False, check_external=True, timeout=0.5)
        assert lines == [
            f"content/a.md:5: external-link: {address}/gone answers 404 Not Found",
            f"content/a.md:5: external-link: {address}/slow did not answer within 0.5 s",
            f"data/menus.yaml:2: external-link: {address}/gone answers 404 Not Found",
        ]
        cache = json.loads((tmp_path / ".alagen-links.json").read_text())
        assert sorted(cache["good"]) == [f"{address}/get-only", f"{address}/ok"]
    # The server is gone: remembered good answers are not asked again; the others are.
    lines = findings(root, build=False, check_external=True, timeout=0.5)
    assert [line.split(": ", 2)[1] for line in lines] == ["external-link"] * 3
    assert not any("/ok" in line or "/get-only" in line for line in lines)


# --- skipping a rule -------------------------------------------------------------------------


def test_a_page_may_skip_a_rule_with_a_reason_that_the_report_lists(tmp_path):
    extra = "check:\n  skip: [h1, heading-order]\n  reason: The vendor's embedded form brings its own headings.\n"
    root = make_site(tmp_path, {**CLEAN, "content/a.md": page("A", "# Form\n\n### Field\n", extra)})
    report = checked(root)
    assert report.findings == ()
    text = as_text(report)
    assert text.splitlines() == [
        "Skipped by front matter:",
        "  content/a.md:5: h1, heading-order: The vendor's embedded form brings its own headings. (2 findings not shown)",
        "",
        f"No findings in {report.files} files.",
    ]


def test_a_skip_needs_a_known_rule_and_a_reason(tmp_path):
    root = make_site(tmp_path, {**CLEAN, "content/a.md": page("A", "Text.\n", "check: {skip: [heading-ordr]}\n")})
    assert problems_of(root) == [
        "content/a.md:4:8: 'reason' is required; add a line 'reason: ...'",
        "content/a.md:4:15: 'skip': 'heading-ordr' is not one of the choices; did you mean 'heading-order'? use any of: "
        + ", ".join(CHECK_RULES),
    ]


# --- output and exit codes -------------------------------------------------------------------


def _broken_site(tmp_path: Path) -> Path:
    body = 'Text with [a 100% "odd", link](/gone:here/).\n\n#### Deep\n'
    return make_site(tmp_path, {**CLEAN, "content/a.md": page("A", body), "content/b.md": "---\ntitle: B\n---\nB.\n"})


def test_text_output_groups_by_file_and_counts_by_rule(tmp_path):
    report = checked(_broken_site(tmp_path))
    assert as_text(report).splitlines() == [
        "content/a.md:5: link: links to /gone:here/, which is not in the built site; "
        "link pages by their .md file so the build checks them",
        "content/a.md:7: heading-order: an h4 comes after an h1, skipping a level; make it h2 (## in Markdown) "
        "or add the missing heading above it",
        "",
        "content/b.md:1: description: the page has no description; add 'description: one sentence about the page' "
        "to its front matter",
        "",
        f"3 findings in {report.files} files: link 1, heading-order 1, description 1",
    ]


def test_json_output(tmp_path):
    report = checked(_broken_site(tmp_path))
    data = json.loads(as_json(report))
    assert data["summary"] == {"files": report.files, "findings": 3, "by_rule": {"link": 1, "heading-order": 1, "description": 1}}
    assert data["findings"][0] == {
        "path": "content/a.md",
        "line": 5,
        "rule": "link",
        "message": "links to /gone:here/, which is not in the built site; link pages by their .md file so the build checks them",
        "pages": ["build/a/index.html"],
    }


def test_github_output_escapes_what_would_break_an_annotation(tmp_path):
    lines = as_github(checked(_broken_site(tmp_path))).splitlines()
    assert lines[0] == (
        "::error file=content/a.md,line=5,title=link::links to /gone:here/, which is not in the built site; "
        "link pages by their .md file so the build checks them"
    )
    from alagen.check.findings import Finding, Report

    odd = Report((Finding("content/a,b:c.md", 2, "link", "100% sure\nnext"),), (), 1)
    assert as_github(odd).splitlines()[0] == "::error file=content/a%2Cb%3Ac.md,line=2,title=link::100%25 sure%0Anext"


def test_exit_codes(tmp_path):
    clean = make_site(tmp_path / "clean", CLEAN)
    result = run_cli("check", "--now", "2025-03-01", cwd=clean)
    assert (result.returncode, result.stdout.strip()) == (0, f"No findings in {_files(clean)} files.")
    broken = _broken_site(tmp_path / "broken")
    result = run_cli("check", "--now", "2025-03-01", "--format", "github", cwd=broken)
    assert result.returncode == 1 and result.stdout.startswith("::error file=content/a.md,line=5,title=link::")
    result = run_cli("check", "--no-build", "--build-dir", "nowhere", cwd=clean)
    assert result.returncode == 2 and "nowhere does not exist; run 'alagen build' first" in result.stderr
    result = run_cli("check", "--now", "2025-02-30", cwd=clean)
    assert result.returncode == 2
    failing = make_site(tmp_path / "failing", {**CLEAN, "content/a.md": "---\ntitel: A\n---\n"})
    result = run_cli("check", "--now", "2025-03-01", cwd=failing)
    assert result.returncode == 1 and "'titel' is not a front matter key" in result.stderr


def _files(root: Path) -> int:
    return sum(1 for p in (root / "build").rglob("*") if p.is_file() and "pagefind" not in p.parts)


def test_the_demo_site_passes_clean(tmp_path):
    out = tmp_path / "build"
    result = run_cli("check", "--now", "2025-03-01", "--build-dir", str(out), cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("No findings in ")
