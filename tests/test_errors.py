"""Every editor mistake, built through the real pipeline: the whole message, at its file:line:col."""

from __future__ import annotations

import pytest

from conftest import build_at, problems_of, read

PAGE_KEYS = (
    "aliases, check, date, description, draft, expires, extra, image, image_alt, layout, paginate, publish, slug, summary, "
    "title, toc, topics, unit, updated, url, weight"
)


# --- Reading a page ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n   \n"])
def test_an_empty_page(site, text):
    root = site({"content/a.md": text})
    assert problems_of(root) == [
        "content/a.md:1:1: this file is empty; a page needs front matter with at least a title: "
        "a line '---', a line 'title: Your page title', and a line '---'"
    ]


def test_front_matter_that_never_closes(site):
    root = site({"content/a.md": "---\ntitle: A\n\nThe body, with no closing line above.\n"})
    assert problems_of(root) == [
        "content/a.md:1:1: the front matter opened with '---' on line 1 never closes; add a line '---' after its last key"
    ]


def test_front_matter_that_is_a_list(site):
    root = site({"content/a.md": "---\n- title\n- About\n---\nBody\n"})
    assert problems_of(root) == [
        "content/a.md:2:1: the front matter must be 'key: value' lines (a mapping), but this is a list; "
        "write it like 'title: About us'"
    ]


def test_a_tab_in_front_matter(site):
    root = site({"content/a.md": "---\ntitle: A\nextra:\n  room: 1\n\tfloor: 2\n---\n"})
    assert problems_of(root) == [
        "content/a.md:5:1: a tab character is not allowed here: YAML is indented with spaces only; "
        "replace the tab with spaces"
    ]


def test_an_unclosed_quote_points_at_the_quote(site):
    root = site({"content/a.md": '---\ntitle: "About us\ndate: 2025-01-01\n---\n'})
    assert problems_of(root) == [
        "content/a.md:2:8: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar)"
    ]


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2025-02-30", "'date': '2025-02-30' is not a date: February 2025 has 28 days; write a day that exists, e.g. 2025-02-28"),
        ("2025-13-01", "'date': '2025-13-01' is not a date: there is no month 13; write dates as YYYY-MM-DD"),
        ("3/4/2025", "'date': '3/4/2025' looks like month/day/year; write 2025-03-04"),
    ],
)
def test_an_invalid_date(site, date, message):
    root = site({"content/a.md": f"---\ntitle: A\ndate: {date}\n---\n"})
    assert problems_of(root) == [f"content/a.md:3:7: {message}"]


def test_an_unknown_layout(site):
    root = site({"content/a.md": "---\ntitle: A\nlayout: fancy\n---\n"})
    assert problems_of(root) == [
        "content/a.md:3:9: layout 'fancy' does not exist; add layouts/fancy.html or use one of: home, list, page"
    ]


def test_a_misspelt_key_is_suggested_and_not_also_reported_as_missing(site):
    root = site({"content/a.md": "---\ntitel: About us\n---\n"})
    assert problems_of(root) == ["content/a.md:2:1: 'titel' is not a front matter key; did you mean 'title'?"]


def test_an_unknown_key_with_no_close_match_lists_the_keys_and_extra(site):
    root = site({"content/a.md": "---\ntitle: A\ncolour: red\n---\n"})
    assert problems_of(root) == [
        f"content/a.md:3:1: 'colour' is not a front matter key; known keys are {PAGE_KEYS}; "
        "put custom values under 'extra:'"
    ]


def test_custom_values_under_extra_are_accepted(site):
    root = site({"content/a.md": "---\ntitle: A\nlayout: card\nextra:\n  colour: red\n---\n", "layouts/card.html": "{{ page.extra.colour }}\n"})
    build_at(root)
    assert read(root, "a/index.html") == "red\n"


def test_a_missing_title(site):
    root = site({"content/a.md": "---\ndate: 2025-01-01\n---\nBody\n"})
    assert problems_of(root) == ["content/a.md:1:1: 'title' is required; add a line 'title: ...' to the front matter"]


def test_an_empty_title(site):
    root = site({"content/a.md": "---\ntitle:\n---\n"})
    assert problems_of(root) == ["content/a.md:2:7: 'title' is empty; give it a value"]


def test_a_page_with_no_front_matter(site):
    root = site({"content/a.md": "# About us\n\nWe are a library association.\n"})
    assert problems_of(root) == [
        "content/a.md:1:1: this page has no front matter; start the file with a line '---', a line 'title: ...', "
        "and a line '---'"
    ]


def test_two_pages_claiming_the_same_url_are_both_named(site):
    root = site({"content/a.md": "---\ntitle: A\nslug: b\n---\n", "content/b.md": "---\ntitle: B\n---\n"})
    assert problems_of(root) == [
        "content/a.md:3:7: content/a.md and content/b.md both claim the URL /b/; "
        "change the file name, 'slug' or 'url' of one of them"
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("url: ../../etc/x", "url '../../etc/x' must be a path on this site starting with one '/', e.g. /about/mission/"),
        ("url: /a/../../x/", "url '/a/../../x/' may not contain '.' or '..' parts: it must stay inside the site"),
        ("url: //evil.example/", "url '//evil.example/' must be a path on this site starting with one '/', e.g. /about/mission/"),
        ("slug: ../x", "slug '../x' must be one part of a URL, without '/'; use 'url:' to set the whole URL"),
        ("slug: a/b", "slug 'a/b' must be one part of a URL, without '/'; use 'url:' to set the whole URL"),
        ("slug: ..", "slug '..' is not a name; use lowercase words joined by hyphens, e.g. 'annual-report'"),
    ],
)
def test_a_url_or_slug_that_would_leave_the_build_folder(site, line, message):
    root = site({"content/a.md": f"---\ntitle: A\n{line}\n---\n"})
    col = line.index(" ") + 2
    assert problems_of(root) == [f"content/a.md:3:{col}: {message}"]
    assert not (root / "build").exists()


def test_python_yaml_tags_are_refused_and_never_run(site, tmp_path, capfd):
    marker = tmp_path / "ran"
    root = site(
        {
            "content/a.md": '---\ntitle: A\nextra: !!python/object/apply:os.system ["echo hi"]\n---\n',
            "data/people.yaml": f'board: !!python/object/apply:os.system ["touch {marker}"]\n',
        }
    )
    assert problems_of(root) == [
        "content/a.md:3:8: the YAML tag '!!python/object/apply:os.system' is not allowed: "
        "alagen reads plain data only; remove the tag",
        "data/people.yaml:1:8: the YAML tag '!!python/object/apply:os.system' is not allowed: "
        "alagen reads plain data only; remove the tag",
    ]
    assert not marker.exists()
    assert "hi" not in capfd.readouterr().out


@pytest.mark.parametrize("path", ["content/a.md", "data/people.yaml"])
def test_a_file_that_is_not_utf8(site, path):
    root = site({path: b"---\ntitle: Caf\xe9\n---\n"})
    assert problems_of(root) == [
        f"{path}:2:11: this file is not UTF-8: byte 0xE9 at offset 14 is not valid UTF-8; "
        "save the file with UTF-8 encoding"
    ]


def test_a_key_given_twice(site):
    root = site({"content/a.md": "---\ntitle: About\ndate: 2025-01-01\ntitle: About us\n---\n"})
    assert problems_of(root) == [
        "content/a.md:4:1: 'title' is given twice in the same mapping (first on line 2); keep one"
    ]


def test_an_unknown_key_in_folder_defaults_is_reported_in_that_file(site):
    root = site({"content/guides/_defaults.yaml": "layout: page\ncolour: red\n", "content/guides/a.md": "---\ntitle: A\n---\n"})
    assert problems_of(root) == [
        f"content/guides/_defaults.yaml:2:1: 'colour' is not a front matter key; known keys are {PAGE_KEYS}; "
        "put custom values under 'extra:'"
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("weight: heavy", "content/a.md:3:9: 'weight': must be a whole number, not 'heavy'"),
        ("draft: maybe", "content/a.md:3:8: 'draft': must be true or false, not 'maybe'"),
        ("title2: x", "content/a.md:3:1: 'title2' is not a front matter key; did you mean 'title'?"),
        ("topics: {a: 1}", "content/a.md:3:9: 'topics': must be a list of words, e.g. [first, second]"),
        ("extra: [a, b]", "content/a.md:3:8: 'extra': must be 'key: value' lines, not a list"),
    ],
)
def test_a_value_of_the_wrong_type(site, line, message):
    root = site({"content/a.md": f"---\ntitle: A\n{line}\n---\n"})
    assert problems_of(root) == [message]


# --- Markdown bodies ----------------------------------------------------------------------------


def test_a_link_to_a_missing_page_is_reported_where_it_is_written(site):
    root = site({"content/a.md": "---\ntitle: A\n---\nIntro.\n\nSee the [report](missing.md) for more.\n"})
    assert problems_of(root) == ["content/a.md:6:18: links to content/missing.md, which does not exist"]


def test_a_misspelt_link_suggests_the_page(site):
    root = site({"content/a.md": "---\ntitle: A\n---\n[m](about/mision.md)\n", "content/about/mission.md": "---\ntitle: M\n---\n"})
    assert problems_of(root) == [
        "content/a.md:4:5: links to content/about/mision.md, which does not exist; did you mean content/about/mission.md?"
    ]


def test_a_link_to_a_missing_page_suggests_no_unrelated_page(site):
    root = site({"content/a.md": "---\ntitle: A\n---\n[y](y.md)\n"})
    assert problems_of(root) == ["content/a.md:4:5: links to content/y.md, which does not exist"]


@pytest.mark.parametrize(
    ("front", "why"),
    [("draft: true", "is a draft"), ("publish: 2025-04-01", "is not published until 2025-04-01")],
)
def test_a_link_to_a_page_that_is_not_published(site, front, why):
    root = site({"content/a.md": "---\ntitle: A\n---\nSee [b](b.md).\n", "content/b.md": f"---\ntitle: B\n{front}\n---\n"})
    assert problems_of(root) == [f"content/a.md:4:9: links to content/b.md, which {why}; it would be a broken link"]


def test_an_unknown_callout(site):
    root = site({"content/a.md": "---\ntitle: A\n---\nIntro.\n\n::: notte\nRemember this.\n:::\n"})
    assert problems_of(root) == ["content/a.md:6:1: 'notte' is not a callout; use one of: note, tip, warning, important"]


def test_an_unknown_layout_in_folder_defaults_is_reported_once_at_the_defaults_line(site):
    root = site(
        {
            "content/guides/_defaults.yaml": "weight: 1\nlayout: fancy\n",
            "content/guides/a.md": "---\ntitle: A\n---\n",
            "content/guides/b.md": "---\ntitle: B\n---\n",
        }
    )
    assert problems_of(root) == [
        "content/guides/_defaults.yaml:2:9: layout 'fancy' does not exist; add layouts/fancy.html or use one of: home, list, page"
    ]


# --- Data files and settings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "hint"),
    [("contact.md", "the path is relative to content/"), ("abut/index.md", "did you mean 'about/index.md'?")],
)
def test_a_menu_item_pointing_at_a_missing_page(site, page, hint):
    root = site(
        {
            "content/about/index.md": "---\ntitle: About\n---\n",
            "data/menus.yaml": f"main:\n  - title: About\n    page: about/index.md\n  - title: Contact\n    page: {page}\n",
        }
    )
    assert problems_of(root) == [
        f"data/menus.yaml:5:11: menu item 'Contact' points at content/{page}, which is not a published page; {hint}"
    ]


def test_a_bad_base_url_and_an_unknown_time_zone(site):
    root = site({"data/site.yaml": "title: T\nbase_url: example.org\ntimezone: America/Chicag\n"})
    assert problems_of(root) == [
        "data/site.yaml:2:11: base_url 'example.org' must be a full address like https://www.example.org/",
        "data/site.yaml:3:11: timezone 'America/Chicag' is not a known time zone; use a name like America/Chicago",
    ]


@pytest.mark.parametrize("key", ["raw_html", "typographer"])
def test_a_markdown_setting_that_is_not_true_or_false(site, key):
    root = site({"data/site.yaml": f"title: T\nbase_url: https://example.org/\nmarkdown:\n  {key}: maybe\n"})
    assert problems_of(root) == [f"data/site.yaml:4:{len(key) + 5}: markdown.{key} must be true or false"]


def test_a_misspelt_markdown_setting(site):
    root = site({"data/site.yaml": "title: T\nbase_url: https://example.org/\nmarkdown: {typografer: false, smart: no}\n"})
    assert problems_of(root) == [
        "data/site.yaml:3:12: 'typografer' is not a markdown setting; did you mean 'typographer'?",
        "data/site.yaml:3:31: 'smart' is not a markdown setting; known keys are raw_html, typographer",
    ]


# --- Templates ----------------------------------------------------------------------------------

PAGE = {"content/a.md": "---\ntitle: A\n---\n"}


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("{{ subtitle }}", "4:4: 'subtitle' is undefined; check the name, or guard it with 'is defined'"),
        ("{{ page.subtitle }}", "4:9: 'Page object' has no attribute 'subtitle'; did you mean 'title'?"),
    ],
)
def test_an_undefined_variable_in_a_template(site, expression, message):
    layout = '{% extends "base.html" %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n' + expression + "\n{% endblock %}\n"
    root = site({**PAGE, "layouts/page.html": layout})
    assert problems_of(root) == [f"layouts/page.html:{message}"]


def test_a_template_syntax_error(site):
    layout = '{% extends "base.html" %}\n{% block main %}\n<h1>{{ page.title }</h1>\n{% endblock %}\n'
    root = site({**PAGE, "layouts/page.html": layout})
    assert problems_of(root) == ["layouts/page.html:3:5: template syntax error: unexpected '}'"]


def test_a_template_error_is_reported_once_for_all_the_pages_it_breaks(site):
    root = site(
        {
            "content/a.md": "---\ntitle: A\n---\n",
            "content/b.md": "---\ntitle: B\n---\n",
            "layouts/page.html": "<h1>{{ page.title }}</h1>\n{{ missing }}\n",
        }
    )
    assert problems_of(root) == ["layouts/page.html:2:4: 'missing' is undefined; check the name, or guard it with 'is defined'"]


# --- The build as a whole -----------------------------------------------------------------------


def test_all_mistakes_of_a_build_are_reported_together_sorted_by_path(site):
    root = site(
        {
            "content/z.md": "---\ntitle: Z\ndate: [2025\n---\n",  # found first, while reading
            "content/a.md": "---\ntitle: A\ndesciption: Ours\n---\n",
            "data/site.yaml": "title: T\nbase_url: https://example.org/\ntimezone: Chicago\n",
        }
    )
    assert problems_of(root) == [
        "content/a.md:3:1: 'desciption' is not a front matter key; did you mean 'description'?",
        "content/z.md:3:7: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)",
        "data/site.yaml:3:11: timezone 'Chicago' is not a known time zone; use a name like America/Chicago",
    ]


@pytest.mark.parametrize(
    "broken",
    [
        {"content/a.md": "---\ntitle: A\ndate: 2025-02-30\n---\n"},
        {"layouts/page.html": "{{ oops }}\n"},
    ],
    ids=["page", "template"],
)
def test_a_failed_build_leaves_the_previous_build_untouched(site, broken):
    root = site({"content/index.md": "---\ntitle: Home\n---\n", "content/a.md": "---\ntitle: A\n---\nText.\n"})
    build_at(root)
    before = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "build").rglob("*")) if p.is_file()}
    assert "build/a/index.html" in before

    site(broken)
    assert problems_of(root)

    after = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "build").rglob("*")) if p.is_file()}
    assert after == before
    assert sorted(p.name for p in root.iterdir()) == [".alagen-cache", "build", "content", "data", "layouts"]


# --- Inputs that look odd but are fine ----------------------------------------------------------


@pytest.mark.parametrize("encode", [lambda t: "\ufeff" + t.replace("\n", "\r\n"), lambda t: t.replace("\n", "\r")], ids=["bom-crlf", "cr"])
def test_a_bom_and_windows_or_old_mac_line_endings_build(site, encode):
    text = "---\ntitle: A\n---\nHello\n\nSee [b](b.md).\n"
    root = site({"content/a.md": encode(text), "content/b.md": "---\ntitle: B\n---\n"})
    build_at(root)
    assert "<h1>A</h1>\n<p>Hello</p>\n<p>See <a href=\"/b/\">b</a>.</p>\n" in read(root, "a/index.html")


def test_positions_in_a_file_with_a_bom_and_crlf_count_as_the_editor_sees_them(site):
    root = site({"content/a.md": "\ufeff---\r\ntitle: A\r\n---\r\n\r\nSee [b](missing.md).\r\n"})
    assert problems_of(root) == ["content/a.md:5:9: links to content/missing.md, which does not exist"]


@pytest.mark.parametrize("title", ["1876", "No", "yes", "1.50", "2025-03-01"])
def test_a_title_is_the_text_typed(site, title):
    root = site({"content/a.md": f"---\ntitle: {title}\n---\n"})
    build_at(root)
    assert f"<h1>{title}</h1>" in read(root, "a/index.html")


def test_an_unknown_menu_item_key_suggests_the_right_one(site):
    menus = "main:\n  - title: About\n    page: a.md\n    lnks: []\n  - {title: B, page: a.md, shade: red}\n"
    root = site({"content/a.md": "---\ntitle: A\n---\n", "data/menus.yaml": menus})
    assert problems_of(root) == [
        "data/menus.yaml:4:5: 'lnks' is not a menu item key; did you mean 'links'?",
        "data/menus.yaml:5:28: 'shade' is not a menu item key; known keys are columns, links, page, title, url",
    ]


# --- Layout mistakes: at the tag or name that is wrong, with the name meant -----------------------
# (templates.py: template_problem)

BLOCK = '{% extends "base.html" %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n'


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        (  # Jinja names the {% endblock %}, lines later: the mistake is the {% if %}
            BLOCK + "  {% if page.date %}\n<p>{{ page.date|date }}</p>\n\n\n{% endblock %}\n",
            "layouts/page.html:4:3: the {% if %} here is never closed; add {% endif %} where it should end, "
            "before the {% endblock %} on line 8",
        ),
        (
            "<h1>{{ page.title }}</h1>\n{# {% for x in y %} #}\n{% raw %}{% for x in y %}{% endraw %}\n"
            "<ul>{% for child in site.pages %}\n<li>{{ child.title }}</li>\n",
            "layouts/page.html:4:5: the {% for %} here is never closed; add {% endfor %} where it should end",
        ),
        (
            "{% set greeting = 'Hi' %}{% set note %}\n{{ greeting }}\n",
            "layouts/page.html:1:26: the {% set %} here is never closed; add {% endset %} where it should end",
        ),
        ("<h1>{{ page.title }}</h1>\n  {% endif %}\n", "layouts/page.html:2:3: this {% endif %} closes nothing: no {% if %} is open here; remove it"),
        ("{% if page.date %}\n{{ page.date }}\n  {% endfi %}\n", "layouts/page.html:3:3: there is no tag {% endfi %}; did you mean {% endif %}?"),
        ('{% extends "base.html" %}\n  {% blok main %}x{% endblock %}\n', "layouts/page.html:2:3: there is no tag {% blok %}; did you mean {% block %}?"),
        (
            "{% if page.date %}a{% else %}b\n  {% else %}c{% endif %}\n",
            "layouts/page.html:2:3: {% else %} cannot come here: the {% if %} on line 1 needs {% endif %} first",
        ),
        ("<p>{{ page.title }}</p>\n<p>{{ page.date|datee }}</p>\n", "layouts/page.html:2:17: there is no filter 'datee'; did you mean 'date'?"),
        (  # inside an {% if %}, Jinja looks for the filter only when it is used
            "{% if page.title %}\n  <p>{{ page.title|uper }}</p>\n{% endif %}\n",
            "layouts/page.html:2:20: there is no filter 'uper'; did you mean 'upper'?",
        ),
        (
            "<p>{{ page.date|frobnicate }}</p>\n",
            "layouts/page.html:1:17: there is no filter 'frobnicate'; alagen's filters are absolute_url, ago, asset, by_month, "
            "date, daterange, event_when, markdown, monthday, unit_name, url, besides Jinja's own",
        ),
        ("{% if page.weight is od %}odd{% endif %}\n", "layouts/page.html:1:22: there is no test 'od'; did you mean 'odd'?"),
        ("<h1>{{ page.title }}</h1>\n<p>pgae: {{ pgae.title }}</p>\n", "layouts/page.html:2:13: 'pgae' is undefined; did you mean 'page'?"),
        (
            "{% for child in site.pages %}\n  <p>{{ chlid.title }}</p>\n{% endfor %}\n",
            "layouts/page.html:2:9: 'chlid' is undefined; did you mean 'child'?",
        ),
        ("<h1>{{ page.titel }}</h1>\n", "layouts/page.html:1:13: 'Page object' has no attribute 'titel'; did you mean 'title'?"),
        ("<p>{{ site.setings.title }}</p>\n", "layouts/page.html:1:12: 'Site object' has no attribute 'setings'; did you mean 'settings'?"),
        (
            '<h1>{{ page.title }}</h1>\n{% include "_macro.html" %}\n',
            "layouts/page.html:2:13: template '_macro.html' does not exist in layouts/; did you mean '_macros.html'?",
        ),
    ],
    ids=[
        "unclosed-if", "unclosed-for", "unclosed-set", "stray-endif", "misspelt-end", "misspelt-tag", "second-else",
        "filter", "filter-in-if", "filter-unlike-any", "test", "variable", "loop-variable", "attribute",
        "site-attribute", "include",
    ],
)
def test_a_layout_mistake_is_reported_at_its_tag_with_the_name_meant(site, layout, message):
    root = site({**PAGE, "layouts/page.html": layout, "layouts/_macros.html": "{% macro card(x) %}{{ x }}{% endmacro %}\n"})
    assert problems_of(root) == [message]


def test_a_misspelt_key_of_extra_is_reported_once_with_the_key_meant(site):
    root = site(
        {
            "content/a.md": "---\ntitle: A\nextra:\n  colour: red\n---\n",
            "content/b.md": "---\ntitle: B\n---\n",
            "layouts/page.html": "<h1 class=\"{{ page.extra.color }}\">{{ page.title }}</h1>\n",
        }
    )
    assert problems_of(root) == ["layouts/page.html:1:26: 'mappingproxy object' has no attribute 'color'; did you mean 'colour'?"]


def test_a_layout_mistake_is_shown_with_its_line_and_a_caret(site):
    from conftest import run_cli

    root = site({**PAGE, "layouts/page.html": BLOCK + "  {% if page.date %}\n{{ page.date }}\n{% endblock %}\n"})
    result = run_cli("build", "--now", "2025-03-01", cwd=root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:3] == [
        "layouts/page.html:4:3: the {% if %} here is never closed; add {% endif %} where it should end, "
        "before the {% endblock %} on line 6",
        "  4 |   {% if page.date %}",
        "    |   ^^^^^^^^^^^^^^^^^^",
    ]


# --- News dates: each wrong date at its line, and the item left out of the news -----------------
# (Before, any of these ended in "internal error: TypeError: '<' not supported between
# instances of 'datetime.date' and 'NoneType'", sorting the news.)

NEWS = {
    "content/news/index.md": "---\ntitle: News\n---\n",
    "content/news/first.md": "---\ntitle: First\ndate: 2025-02-01\n---\n",
    "content/news/third.md": "---\ntitle: Third\ndate: 2025-02-20\n---\n",
}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("date: 2025-02-30", "3:7: 'date': '2025-02-30' is not a date: February 2025 has 28 days; write a day that exists, e.g. 2025-02-28"),
        ("date: 02/27/2025", "3:7: 'date': '02/27/2025' looks like month/day/year; write 2025-02-27"),
        ("date: 27.02.2025", "3:7: 'date': '27.02.2025' looks like day/month/year; write 2025-02-27"),
        ("date: 20250227", "3:7: 'date': '20250227' is not a date; write it with hyphens, as 2025-02-27"),
        ("date: 2025", "3:7: 'date': '2025' is not a date; write dates as YYYY-MM-DD, e.g. 2025-03-04"),
        ("date: yes", "3:7: 'date': 'yes' is not a date; write dates as YYYY-MM-DD, e.g. 2025-03-04"),
        ("date: [2025-02-27]", "3:7: 'date': must be a date (YYYY-MM-DD), not a list"),
        ("date: 9999-12-31", "3:7: 'date': '9999-12-31' is not a date alagen can use: the year must be from 1000 to 9000"),
        ("date: ''", "3:7: 'date': is empty; write a date as YYYY-MM-DD, e.g. 2025-03-04, or leave the line out"),
        ("date:", "3:6: 'date' is empty; a news item needs the day it was published, as YYYY-MM-DD"),
        ("summary: No date.", "1:1: a news item needs 'date:' (YYYY-MM-DD), the day it was published"),
    ],
    ids=["impossible", "us-style", "day-month-year", "digits", "a-number", "a-boolean", "a-list", "too-far", "empty", "null", "missing"],
)
def test_a_news_item_with_a_wrong_date(site, line, message):
    from alagen.errors import BuildFailed

    root = site({**NEWS, "content/news/second.md": f"---\ntitle: Second\n{line}\n---\nText.\n"})
    with pytest.raises(BuildFailed) as failed:
        build_at(root)
    assert [str(p) for p in failed.value.problems] == [f"content/news/second.md:{message}"]
    assert failed.value.__cause__ is None  # nothing crashed behind the error either


def test_a_news_item_with_a_wrong_date_is_left_out_of_the_news(site):
    import datetime as dt

    from alagen.errors import Problems
    from alagen.load import load
    from alagen.model.site import build_site

    root = site({**NEWS, "content/news/second.md": "---\ntitle: Second\ndate: 2025-02-30\n---\n"})
    problems = Problems()
    with problems.held():
        model = build_site(load(root, problems), dt.date(2025, 3, 1), False, problems)
    assert [p.title for p in model.news()] == ["Third", "First"]
    assert "content/news/second.md" not in model.by_source


def test_an_unknown_layout_gets_the_likeliest_name(site):
    root = site({"content/a.md": "---\ntitle: A\nlayout: pagee\n---\nText.\n"})
    assert problems_of(root) == ["content/a.md:3:9: layout 'pagee' does not exist; did you mean 'page'? (or add layouts/pagee.html)"]


def test_warn_expiring_days_must_be_a_number_of_days(site):
    root = site({"data/site.yaml": "title: T\nbase_url: https://example.org/\nwarn_expiring_days: -3\n"})
    assert problems_of(root) == [
        "data/site.yaml:3:21: 'warn_expiring_days' is how many days before a page expires a link to it is a warning; "
        "give a number from 0 to 3650"
    ]


def test_exit_codes_tell_a_wrong_option_from_a_bug(site, monkeypatch, capsys):
    """2 for what the operator must change (an --out over the sources), 3 and "internal
    error" for a bug, whatever its exception's type: a ValueError from deep
    in a build once passed for a wrong option."""
    from alagen import cli, pipeline

    root = site({"content/index.md": "---\ntitle: Home\n---\nHi.\n"})
    monkeypatch.chdir(root)
    assert cli.main(["build", "--no-search", "--now", "2025-03-01", "--out", "content/x"]) == 2
    assert capsys.readouterr().err == f"alagen: --out {root}/content/x is inside content/, which would be replaced; choose a folder like build/\n"

    def bug(*args, **kwargs):
        raise ValueError("a bug, not an option")

    monkeypatch.setattr(pipeline, "build", bug)
    assert cli.main(["build", "--no-search", "--now", "2025-03-01"]) == 3
    assert capsys.readouterr().err.startswith("alagen: internal error: ValueError: a bug, not an option\n")
    assert cli.main(["check", "--now", "2025-03-01"]) == 3
    assert capsys.readouterr().err.startswith("alagen: internal error: ValueError: a bug, not an option\n")
