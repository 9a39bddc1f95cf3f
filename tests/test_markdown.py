"""alagen.markdown: the Markdown an editor writes, and the links it checks."""

from __future__ import annotations

import pytest

from alagen.markdown import Heading, Markdown, Rendered
from conftest import build_at, problems_of, read

MD = Markdown()


def fake_resolve(target: str, source: str) -> str:
    """Pages resolve to /R/<target>; anything named 'missing' is a broken link."""
    if "missing" in target:
        raise ValueError(f"links to {target}, which does not exist")
    return "/R/" + target


def render(text: str, first_line: int = 1, markdown: Markdown = MD) -> Rendered:
    return markdown.render(text, "content/a.md", first_line, fake_resolve)


def html(text: str, markdown: Markdown = MD) -> str:
    rendered = render(text, markdown=markdown)
    assert rendered.problems == ()
    return rendered.html


# --- Syntax ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "| Year | Members |\n|------|--------:|\n| 2025 | 49,000 |\n",
            "<table>\n<thead>\n<tr>\n<th>Year</th>\n<th style=\"text-align:right\">Members</th>\n</tr>\n</thead>\n"
            "<tbody>\n<tr>\n<td>2025</td>\n<td style=\"text-align:right\">49,000</td>\n</tr>\n</tbody>\n</table>\n",
        ),
        ("~~closed~~ open\n", "<p><s>closed</s> open</p>\n"),
        ("Term\n: What it means\n", "<dl>\n<dt>Term</dt>\n<dd>What it means</dd>\n</dl>\n"),
        ("\"Hello,\" she said -- it's 'ours'...\n", "<p>“Hello,” she said – it’s ‘ours’…</p>\n"),
        ("*em* **strong** `code`\n", "<p><em>em</em> <strong>strong</strong> <code>code</code></p>\n"),
    ],
    ids=["table", "strikethrough", "definition-list", "typography", "inline"],
)
def test_syntax(text, expected):
    assert html(text) == expected


def test_footnotes():
    out = html("Founded in 1876.[^1]\n\n[^1]: In Philadelphia.\n")
    assert '<p>Founded in 1876.<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup></p>' in out
    assert '<li id="fn1" class="footnote-item"><p>In Philadelphia. <a href="#fnref1" class="footnote-backref">↩︎</a></p>' in out


def test_task_lists():
    out = html("- [ ] book the room\n- [x] send invitations\n")
    assert '<ul class="contains-task-list">' in out
    assert out.count('type="checkbox"') == 2
    assert out.count('checked="checked"') == 1
    assert "book the room</label>" in out and "send invitations</label>" in out


# --- Headings -------------------------------------------------------------------------------------


def test_headings_get_unique_ids():
    out = html("## Events\n\n## Events\n\n## Events\n")
    assert out == '<h2 id="events">Events</h2>\n<h2 id="events-1">Events</h2>\n<h2 id="events-2">Events</h2>\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## Our history {#history}", '<h2 id="history">Our history</h2>\n'),
        ("## Wide {.wide}", '<h2 class="wide" id="wide">Wide</h2>\n'),
        ("## Both {#b .wide}", '<h2 class="wide" id="b">Both</h2>\n'),
        ("## Café & déjà vu!", '<h2 id="café-déjà-vu">Café &amp; déjà vu!</h2>\n'),
        ("## `alagen build` options", '<h2 id="alagen-build-options"><code>alagen build</code> options</h2>\n'),
        ("## Ελληνικά", '<h2 id="ελληνικά">Ελληνικά</h2>\n'),
    ],
)
def test_heading_ids(text, expected):
    assert html(text) == expected


def test_a_custom_id_keeps_later_headings_unique():
    out = html("## A {#events}\n\n## Events\n")
    assert out == '<h2 id="events">A</h2>\n<h2 id="events-1">Events</h2>\n'


def test_the_toc_holds_h2_with_their_h3_only():
    rendered = render("# Title\n\n## One\n\n### One a\n\n#### Deep\n\n## Two\n")
    assert [h.level for h in rendered.headings] == [1, 2, 3, 4, 2]
    assert [(entry.id, entry.text, [c.id for c in entry.children]) for entry in rendered.toc] == [
        ("one", "One", ["one-a"]),
        ("two", "Two", []),
    ]
    assert rendered.headings[2] == Heading(3, "one-a", "One a")


# --- Callouts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        ("::: note\nBring a badge.\n:::\n", "note", "Note"),
        ("::: warning Custom title\nBring a badge.\n:::\n", "warning", "Custom title"),
        ("::: tip <b>Bold</b>\nBring a badge.\n:::\n", "tip", "&lt;b&gt;Bold&lt;/b&gt;"),
    ],
)
def test_callouts(text, name, title):
    assert html(text) == (
        f'<div class="callout callout-{name}" role="note">\n<p class="callout-title">{title}</p>\n'
        "<p>Bring a badge.</p>\n</div>\n"
    )


def test_an_unknown_callout_is_a_problem_at_its_line():
    rendered = render("Intro.\n\n::: notte\nText\n:::\n", first_line=4)
    assert [str(p) for p in rendered.problems] == [
        "content/a.md:6:1: 'notte' is not a callout; use one of: note, tip, warning, important"
    ]


# --- Raw HTML -------------------------------------------------------------------------------------


def test_raw_html_is_kept_by_default():
    assert html('<div class="map">x</div>\n\nA <kbd>key</kbd>.\n') == '<div class="map">x</div>\n<p>A <kbd>key</kbd>.</p>\n'


def test_raw_html_is_escaped_when_turned_off():
    out = html('<div class="map">x</div>\n\nA <script>alert(1)</script>.\n', markdown=Markdown(raw_html=False))
    assert "<div" not in out and "<script" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


# --- Links ----------------------------------------------------------------------------------------


def test_md_links_and_relative_files_go_through_the_resolver():
    out = html("[a](about.md) [b](../x/index.md#goals) ![p](photo.png) [c](café.md)\n")
    assert out == (
        '<p><a href="/R/about.md">a</a> <a href="/R/../x/index.md#goals">b</a> '
        '<img src="/R/photo.png" alt="p" /> <a href="/R/café.md">c</a></p>\n'
    )


@pytest.mark.parametrize(
    "target", ["https://example.org/a.md", "http://x.org", "mailto:info@example.org", "tel:+15555550100", "#top", "//cdn.example/a.md"]
)
def test_external_mail_and_anchor_links_are_untouched(target):
    assert html(f"[x]({target})\n") == f'<p><a href="{target}">x</a></p>\n'


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("See [the report](missing.md).", "4:18"),
        ("Intro\nand [missing.md](missing.md) here.", "5:18"),  # the target, not the same words in the text
        ("| a |\n|---|\n| [m](missing.md) |", "6:7"),
        ("> Quote\n> [m](missing.md)", "5:7"),
        ("- one\n- two [m](missing.md)", "5:11"),
        ("![photo](missing.png)", "4:10"),
        ("[m][ref] here.\n\n[ref]: missing.md", "6:8"),
    ],
)
def test_a_broken_link_is_reported_at_its_line_and_column(text, where):
    rendered = render(text, first_line=4)
    target = "missing.png" if "png" in text else "missing.md"
    assert [str(p) for p in rendered.problems] == [f"content/a.md:{where}: links to {target}, which does not exist"]
    assert rendered.problems[0].span == len(target)


def test_the_same_broken_link_twice_is_reported_at_each_place():
    rendered = render("[a](missing.md) and [b](missing.md)\n", first_line=4)
    assert [str(p) for p in rendered.problems] == [
        "content/a.md:4:5: links to missing.md, which does not exist",
        "content/a.md:4:25: links to missing.md, which does not exist",
    ]


# --- The real resolver, through a build -----------------------------------------------------------

LINKED = {
    "content/about/index.md": "---\ntitle: About\n---\n",
    "content/about/mission.md": "---\ntitle: Mission\n---\n## Goals\n",
    "content/reports/photo.svg": '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>',
    "content/reports/files/report.pdf": b"%PDF",
    "content/café.md": "---\ntitle: Café\n---\n",
}


@pytest.mark.parametrize(
    ("link", "href"),
    [
        ("[m](../about/mission.md)", '<a href="/about/mission/">m</a>'),
        ("[m](/about/mission.md)", '<a href="/about/mission/">m</a>'),
        ("[m](../about/mission.md#goals)", '<a href="/about/mission/#goals">m</a>'),
        ("[m](../about/index.md)", '<a href="/about/">m</a>'),
        ("[m](../café.md)", '<a href="/caf%C3%A9/">m</a>'),
        ("![p](photo.svg)", '<img src="/reports/photo.svg" alt="p" decoding="async" />'),
        ("[r](files/report.pdf)", '<a href="/reports/files/report.pdf">r</a>'),
        ("[e](/events/)", '<a href="/events/">e</a>'),
    ],
)
def test_links_resolve_to_page_urls(site, link, href):
    root = site({**LINKED, "content/reports/item.md": f"---\ntitle: Item\ndate: 2025-02-01\n---\n{link}\n"})
    build_at(root)
    assert f"<p>{href}</p>" in read(root, "reports/item/index.html")


def test_links_live_under_the_base_path(site):
    root = site(
        {
            **LINKED,
            "data/site.yaml": "title: T\nbase_url: https://example.org/sub/\n",
            "content/reports/item.md": "---\ntitle: Item\ndate: 2025-02-01\n---\n[m](../about/mission.md#goals) ![p](photo.svg) [h](/)\n",
        }
    )
    build_at(root)
    assert '<p><a href="/sub/about/mission/#goals">m</a> <img src="/sub/reports/photo.svg" alt="p" decoding="async" /> <a href="/sub/">h</a></p>' in read(
        root, "reports/item/index.html"
    )


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("[x](../../outside.md)", "the link '../../outside.md' leads outside content/; link pages by their file under content/"),
        (
            "[p](nowhere.pdf)",
            "links to content/reports/nowhere.pdf, which is not a file under content/; "
            "link a page by its .md file, or put the file next to the page",
        ),
        (
            "![p](nowhere.png)",
            "the image content/reports/nowhere.png does not exist; check the path, or put the file next to the page",
        ),
    ],
)
def test_links_that_lead_nowhere(site, link, message):
    root = site({**LINKED, "content/reports/item.md": f"---\ntitle: Item\ndate: 2025-02-01\n---\n\n{link}\n"})
    assert problems_of(root) == [f"content/reports/item.md:6:{link.index('](') + 3}: {message}"]


# --- What the compiled parser's tree must still give ----------------------------------------------


def test_callouts_nest_and_a_fence_in_code_is_code():
    out = html("::: note\nOuter\n\n::: tip\nInner\n:::\n\n```\n::: warning\n```\n:::\n")
    assert out == (
        '<div class="callout callout-note" role="note">\n<p class="callout-title">Note</p>\n<p>Outer</p>\n'
        '<div class="callout callout-tip" role="note">\n<p class="callout-title">Tip</p>\n<p>Inner</p>\n</div>\n'
        "<pre><code>::: warning\n</code></pre>\n</div>\n"
    )


def test_a_callout_left_open_ends_with_the_page_and_a_stray_fence_is_text():
    assert html("::: warning\nMind the step.\n") == (
        '<div class="callout callout-warning" role="note">\n<p class="callout-title">Warning</p>\n'
        "<p>Mind the step.</p>\n</div>\n"
    )
    assert html(":::\n") == "<p>:::</p>\n"


def test_a_broken_link_inside_a_callout_is_reported_at_its_line():
    rendered = render("::: note\nSee [the report](missing.md).\n:::\n", first_line=4)
    assert [str(p) for p in rendered.problems] == ["content/a.md:5:18: links to missing.md, which does not exist"]


def test_columns_count_characters_not_bytes():
    rendered = render("Café – déjà vu: [m](missing.md)\n", first_line=4)
    assert [str(p) for p in rendered.problems] == ["content/a.md:4:21: links to missing.md, which does not exist"]


def test_a_loose_task_list_keeps_the_label_in_its_paragraph():
    out = html("- [ ] book the room\n\n- [x] send invitations\n")
    assert '<li class="task-list-item">\n<p><label><input class="task-list-item-checkbox" disabled="disabled"' in out
    assert 'checked="checked" disabled="disabled" type="checkbox"> send invitations</label></p>\n</li>' in out


def test_a_note_referred_to_twice_keeps_its_number():
    out = html("One[^a] two[^b] three[^a].\n\n[^a]: A.\n[^b]: B.\n[^c]: Never referred to.\n")
    assert out.startswith(
        '<p>One<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup> '
        'two<sup class="footnote-ref"><a href="#fn2" id="fnref2">[2]</a></sup> '
        'three<sup class="footnote-ref"><a href="#fn1" id="fnref1:1">[1]</a></sup>.</p>\n'
    )
    assert (
        '<li id="fn1" class="footnote-item"><p>A. <a href="#fnref1" class="footnote-backref">↩︎</a>'
        ' <a href="#fnref1:1" class="footnote-backref">↩︎</a></p>\n</li>' in out
    )
    assert "Never referred" not in out


def test_text_is_escaped_and_a_nul_is_replaced():
    assert html('Fish & "chips" <3 \x00\n') == "<p>Fish &amp; “chips” &lt;3 \ufffd</p>\n"


def test_trace_says_where_headings_and_links_were_written():
    text = "Intro\n\n## Visit us {#visit}\n\n- [Map](map.md)\n- ![Hall](hall.png)\n"
    body, where = MD.trace(text, "content/a.md", 10, fake_resolve, first_col=3)
    assert '<h2 id="visit">Visit us</h2>' in body
    assert {key: (loc.line, loc.col) for key, loc in where.items()} == {
        "#visit": (12, 3),
        "/R/map.md": (14, 11),
        "/R/hall.png": (15, 13),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{.lead}\nOur year in review.\n", '<p class="lead">Our year in review.</p>\n'),
        ("{.lead}\n\nOur year in review.\n", '<p class="lead">Our year in review.</p>\n'),
        ("{.wide}\n- a\n- b\n", '<ul class="wide">\n<li>a</li>\n<li>b</li>\n</ul>\n'),
        ("{#plan .wide}\n## Our plan\n", '<h2 class="wide" id="plan">Our plan</h2>\n'),
        ("{.a}\n{.b}\nText\n", '<p class="a b">Text</p>\n'),
        ('{data-year="2025"}\n> Quote\n', '<blockquote data-year="2025">\n<p>Quote</p>\n</blockquote>\n'),
        ("Text\n{.lead}\nmore\n", "<p>Text\n{.lead}\nmore</p>\n"),  # inside a paragraph: words
        ('{onclick="steal()"}\nText\n', "<p>{onclick=“steal()”}\nText</p>\n"),  # no event handlers
        ("```\n{.lead}\n```\n", "<pre><code>{.lead}\n</code></pre>\n"),
    ],
)
def test_an_attribute_line_sets_the_next_blocks_attributes(text, expected):
    assert html(text) == expected


def test_any_mix_of_markdown_renders_and_reports_inside_the_text():
    """Seeded random documents from the pieces editors write (and mistype): never a crash,
    every problem on a line of the text, no raw HTML or NUL through when HTML is off."""
    import random

    pieces = [
        "# ", "## x {#a}", "::: note", ":::", "::: bad", "{.x}", "{#y}", "- ", "1. ", "> ", "```", "    ",
        "[a](b.md)", "[a](missing.md)", "![i](p.png)", "![](q.png)", "[^1]", "[^1]: n", "^[in]", "| a | b |",
        "|---|---|", "Term", ": def", "- [ ] t", "<div>", "</div>", "<!--", "*", "**", "`", "~~", "\\",
        "&amp;", "\x00", "\t", "é", "\"", "{", "}", "<https://x.org>", "\n", "\n\n", "text", "---", "[r]: /u",
    ]  # fmt: skip
    plain = Markdown(raw_html=False, image=lambda target, start, first: {"src": "/" + target, "width": 10})
    chance = random.Random(1876)
    for _ in range(1500):
        doc = "".join(chance.choice(pieces) + chance.choice(["", " ", "\n"]) for _ in range(chance.randint(1, 30)))
        lines = doc.count("\n") + 1
        for markdown in (MD, plain):
            rendered = markdown.render(doc, "content/a.md", 4, fake_resolve, first_col=3)
            for problem in rendered.problems:
                assert 4 <= problem.location.line < 4 + lines and problem.location.col >= 3, (doc, str(problem))
        assert "\x00" not in rendered.html and "<div>" not in rendered.html, doc


def test_without_raw_html_an_attribute_line_sets_only_ids_and_classes():
    plain = Markdown(raw_html=False)
    assert html("{#a .lead}\nText\n", markdown=plain) == '<p id="a" class="lead">Text</p>\n'
    assert html('{style="color:red"}\nText\n', markdown=plain) == "<p>{style=“color:red”}\nText</p>\n"
