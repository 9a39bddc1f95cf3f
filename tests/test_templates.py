"""alagen.templates: the date filters, and what a layout can use (url, asset, site.data, now)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from alagen.templates import ago, format_date, format_daterange
from conftest import build_at, problems_of, read

TODAY = dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (dt.date(2025, 2, 18), None, "Feb 18, 2025"),
        ("2025-02-05", None, "Feb 5, 2025"),
        (dt.datetime(2025, 2, 19, 13, 0), None, "Feb 19, 2025"),
        (dt.datetime(2025, 2, 19, 13, 5), "%-I:%M %p", "1:05 PM"),
        (dt.date(2025, 2, 18), "%Y-%m-%d", "2025-02-18"),
        (dt.date(2025, 2, 18), "%A %-d %B", "Tuesday 18 February"),
        (None, None, ""),
        ("", None, ""),
    ],
)
def test_format_date(value, fmt, text):
    assert (format_date(value, fmt) if fmt else format_date(value)) == text


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ("2025-04-02", "2025-04-05", "Apr 2–5, 2025"),
        ("2025-03-31", "2025-04-27", "Mar 31 – Apr 27, 2025"),
        ("2025-12-30", "2026-01-02", "Dec 30, 2025 – Jan 2, 2026"),
        ("2025-04-02", "2025-04-02", "Apr 2, 2025"),
        ("2025-04-02", None, "Apr 2, 2025"),
        (dt.datetime(2025, 4, 2, 9, 0), dt.datetime(2025, 4, 2, 17, 0), "Apr 2, 2025"),
    ],
)
def test_format_daterange(start, end, text):
    assert format_daterange(start, end) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("2025-03-01", "today"),
        ("2025-02-28", "yesterday"),
        ("2025-02-26", "3 days ago"),
        ("2025-02-22", "1 week ago"),
        ("2025-02-15", "2 weeks ago"),
        ("2025-01-30", "1 month ago"),
        ("2024-12-01", "3 months ago"),
        ("2024-03-01", "1 year ago"),
        ("2022-02-01", "3 years ago"),
        ("2025-03-02", "tomorrow"),
        ("2025-04-01", "in the future"),
        (dt.datetime(2025, 2, 28, 23, 0), "yesterday"),
    ],
)
def test_ago(value, text):
    assert ago(value, TODAY) == text


# --- In a layout ----------------------------------------------------------------------------------


def _render(site, expression: str, files: dict | None = None, site_yaml: str | None = None, now: str = "2025-03-01") -> str:
    """Build a page whose layout is just `expression`; return what it rendered."""
    extra = {"data/site.yaml": site_yaml} if site_yaml else {}
    root = site(
        {
            "content/about/index.md": "---\ntitle: About\n---\n",
            "content/t.md": "---\ntitle: T\nlayout: t\ndate: 2025-02-18\n---\n",
            "layouts/t.html": expression + "\n",
            **extra,
            **(files or {}),
        }
    )
    build_at(root, now)
    return read(root, "t/index.html").removesuffix("\n")


SUB = "title: T\nbase_url: https://example.org/sub/\n"


@pytest.mark.parametrize(
    ("expression", "site_yaml", "text"),
    [
        ("{{ 'about/index.md'|url }}", None, "/about/"),
        ("{{ 'about/index.md#board'|url }}", None, "/about/#board"),
        ("{{ '/join/'|url }}", None, "/join/"),
        ("{{ 'about/index.md'|url }}", SUB, "/sub/about/"),
        ("{{ '/join/'|url }}", SUB, "/sub/join/"),
        ("{{ 'https://example.com/x'|url }}", SUB, "https://example.com/x"),
        ("{{ 'about/index.md'|absolute_url }}", None, "https://example.org/about/"),
        ("{{ '/join/'|absolute_url }}", SUB, "https://example.org/sub/join/"),
    ],
)
def test_url_filters(site, expression, site_yaml, text):
    assert _render(site, expression, site_yaml=site_yaml) == text


def test_url_of_a_missing_page_is_an_error_at_the_template_line(site):
    root = site({"content/t.md": "---\ntitle: T\nlayout: t\n---\n", "layouts/t.html": "<p>\n{{ 'about/nope.md'|url }}\n"})
    assert problems_of(root) == ["layouts/t.html:2:1: links to content/about/nope.md, which does not exist"]


def test_asset_gives_a_hashed_name_that_follows_the_file(site):
    css = "layouts/assets/css/site.css"
    first = _render(site, "{{ asset('css/site.css') }}", {css: "body { color: black }\n"})
    digest = hashlib.sha256(b"body { color: black }\n").hexdigest()[:10]
    assert first == f"/assets/css/site.{digest}.css"
    root = site()
    assert (root / "build" / first.lstrip("/")).read_bytes() == b"body { color: black }\n"

    second = _render(site, "{{ asset('css/site.css') }}", {css: "body { color: navy }\n"})
    assert second != first
    assert (root / "build" / second.lstrip("/")).is_file()
    assert not (root / "build" / first.lstrip("/")).exists()


def test_an_unknown_asset_is_an_error_that_lists_the_assets(site):
    root = site(
        {
            "content/t.md": "---\ntitle: T\nlayout: t\n---\n",
            "layouts/t.html": "{{ asset('css/main.css') }}\n",
            "layouts/assets/css/site.css": "body {}\n",
        }
    )
    assert problems_of(root) == ["layouts/t.html:1:1: asset 'css/main.css' is not in layouts/assets/ (there are: css/site.css)"]


def test_site_data_holds_every_data_file(site):
    files = {"data/people.yaml": "board:\n  - name: Ada\n  - name: Bo\n", "data/minutes/2025.yaml": "- title: Midwinter\n"}
    text = _render(site, "{% for p in site.data.people.board %}{{ p.name }};{% endfor %}{{ site.data['minutes/2025'][0].title }}", files)
    assert text == "Ada;Bo;Midwinter"


def test_titles_are_escaped(site):
    root = site({"content/t.md": "---\ntitle: <script>alert(1)</script>\n---\n"})
    build_at(root)
    html = read(root, "t/index.html")
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html
    assert "<script>" not in html


def test_now_is_the_build_date_in_the_site_time_zone(site):
    assert _render(site, "{{ now|date('%Y-%m-%d %H:%M %Z') }} {{ page.date|ago }}", now="2025-02-19") == "2025-02-19 00:00 CST yesterday"


def test_markdown_filter(site):
    assert _render(site, "{{ '*Ours*'|markdown }}") == "<p><em>Ours</em></p>\n"


# --- The module on its own ------------------------------------------------------------------------


def test_templates_can_be_imported_before_the_render_stage():
    # alagen.render imports alagen.templates: a test module (or tool) that imports
    # alagen.templates first must not meet the half-loaded module.
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", "import alagen.templates"], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, "")


def test_undefined_is_still_strict():
    import jinja2

    from alagen.templates import Missing, Undefined

    env = jinja2.Environment(undefined=Undefined)
    assert env.from_string("{{ x is defined }} {{ x|default('none') }}").render() == "False none"
    for expression in ("{{ x }}", "{{ x + 1 }}", "{% for i in x %}{% endfor %}", "{{ x == 1 }}", "{% if x %}{% endif %}", "{{ x.y }}"):
        with pytest.raises(Missing) as missing:
            env.from_string(expression).render()
        assert (missing.value.message, missing.value.name) == ("'x' is undefined", "x")
