"""alagen.markdown: the Markdown an editor writes, and the links it checks."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from alagen.markdown import Heading, Markdown, Rendered
from conftest import build_at, problems_of, read

MD = Markdown()


def fake_resolve(target: str, source: str) -> str:
    """Pages resolve to /R/<target>, looked up by the name as typed (targets come
    percent-encoded, as markdown-it normalises them); anything named 'missing' is a broken link."""
    target = unquote(target)
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
        # percent-escapes in a written-out address are kept, in path, query and fragment
        ("[s](/search/?q=a%26b#r%2F1)", '<a href="/search/?q=a%26b#r%2F1">s</a>'),
        ("[s](/a%2Fb)", '<a href="/a%2Fb">s</a>'),
        ("[m](../about/mission.md?from=a%26b#goals)", '<a href="/about/mission/?from=a%26b#goals">m</a>'),
        ("[m](../caf%C3%A9.md)", '<a href="/caf%C3%A9/">m</a>'),
        ("[Join](../about/mission.md){.button #cta}", '<a href="/about/mission/" id="cta" class="button">Join</a>'),
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
    rendered = render('Intro\n\n  {style="color:red" .lead}\nText\n', markdown=plain)
    assert rendered.html == '<p>Intro</p>\n<p class="lead">Text</p>\n'
    assert [str(p) for p in rendered.problems] == [
        "content/a.md:3:3: style= may not be set with raw HTML off (markdown.raw_html in data/site.yaml); "
        "only {#id} and {.class}"
    ]


def test_an_attribute_line_never_sets_an_event_handler():
    rendered = render('{onclick="steal()" .lead}\nText\n', first_line=7)
    assert rendered.html == '<p class="lead">Text</p>\n'
    assert [str(p) for p in rendered.problems] == [
        "content/a.md:7:1: onclick= is an event handler, which an attribute may not set; "
        "use {#id} or {.class} and the site's scripts"
    ]


# --- What editors paste stays as they wrote it -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Run `--force` or `x = \"a\"`, `a...b`, `(c)`.\n", "<p>Run <code>--force</code> or <code>x = &quot;a&quot;</code>, <code>a...b</code>, <code>(c)</code>.</p>\n"),
        ("## Use `--force` -- now\n", '<h2 id="use-force-now">Use <code>--force</code> – now</h2>\n'),
        ("[`a--b` and (c)](x.md)\n", '<p><a href="/R/x.md"><code>a--b</code> and ©</a></p>\n'),
        ("```\n\"a\" -- b...\n```\n", "<pre><code>&quot;a&quot; -- b...\n</code></pre>\n"),
        ("    \"a\" -- (c)\n", "<pre><code>&quot;a&quot; -- (c)\n</code></pre>\n"),
        ("See <https://x.org/a--b...>.\n", '<p>See <a href="https://x.org/a--b...">https://x.org/a--b...</a>.</p>\n'),
        ("[x](https://x.org/a--b?q=\"c\")\n", '<p><a href="https://x.org/a--b?q=%22c%22">x</a></p>\n'),
        ('<span title="a -- \'b\'">x</span>\n', '<p><span title="a -- \'b\'">x</span></p>\n'),
        ('{data-x="a -- \'b\'..."}\nText\n', '<p data-x="a -- \'b\'...">Text</p>\n'),
        ("\\--- and \\-- and \\(c) and \\... and \\\"q\\\"\n", '<p>--- and -- and (c) and ... and &quot;q&quot;</p>\n'),
        ("a \\--- b---c\n", "<p>a --- b—c</p>\n"),
        ("See <https://x.org/it's--\"here\">.\n", '<p>See <a href="https://x.org/it\'s--%22here%22">https://x.org/it\'s--&quot;here&quot;</a>.</p>\n'),
        ('## Plan {data-x="a -- \'b\'"}\n', '<h2 id="plan" data-x="a -- \'b\'">Plan</h2>\n'),
    ],
    ids=[
        "code-spans", "code-in-heading", "code-in-link", "fence", "indented-code", "autolink", "destination",
        "raw-html", "attribute", "escapes", "escape-beside-prose", "autolink-quotes", "heading-attribute",
    ],  # fmt: skip
)
def test_the_typographer_changes_prose_only(text, expected):
    assert html(text) == expected


def test_without_the_typographer_quotes_and_dashes_stay_as_typed():
    straight = Markdown(typographer=False)
    assert html("\"Hello,\" she said -- it's 'ours'... (c)\n", markdown=straight) == (
        "<p>&quot;Hello,&quot; she said -- it's 'ours'... (c)</p>\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## Using ${HOME}\n", '<h2 id="using-home">Using ${HOME}</h2>\n'),
        ("## Returns {}\n", '<h2 id="returns">Returns {}</h2>\n'),
        ("## Set {x} to 1 {y}\n", '<h2 id="set-x-to-1-y">Set {x} to 1 {y}</h2>\n'),
        ("## Our plan {#plan .wide}\n", '<h2 class="wide" id="plan">Our plan</h2>\n'),
        ("## Plan {data-n=2}\n", '<h2 id="plan" data-n="2">Plan</h2>\n'),
    ],
)
def test_a_heading_keeps_braces_that_are_not_attributes(text, expected):
    assert html(text) == expected


def test_a_callout_after_a_line_that_starts_with_inline_code():
    assert html("```a``` b\n::: tip\nInside\n:::\n") == (
        "<p><code>a</code> b</p>\n"
        '<div class="callout callout-tip" role="note">\n<p class="callout-title">Tip</p>\n<p>Inside</p>\n</div>\n'
    )


def test_comments_with_dashes_and_escaped_fence_info():
    assert html("foo <!-- a -- comment -->\n") == "<p>foo <!-- a -- comment --></p>\n"
    assert html("```foo\\+bar\nx\n```\n") == '<pre><code class="language-foo+bar">x\n</code></pre>\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[Join](join.md){.button}\n", '<p><a href="/R/join.md" class="button">Join</a></p>\n'),
        ("[Join](join.md){.button #cta data-track=join}\n", '<p><a href="/R/join.md" id="cta" data-track="join" class="button">Join</a></p>\n'),
        ("![A hall](hall.png){.wide}\n", '<p><img src="/R/hall.png" alt="A hall" class="wide" /></p>\n'),
        ("Type `ls`{.cmd} here\n", '<p>Type <code class="cmd">ls</code> here</p>\n'),
        ("[Join](join.md) {.button}\n", '<p><a href="/R/join.md">Join</a> {.button}</p>\n'),
        ("[a](b.md){not attributes}\n", '<p><a href="/R/b.md">a</a>{not attributes}</p>\n'),
    ],
)
def test_inline_attributes_after_links_images_and_code(text, expected):
    assert html(text) == expected


def test_inline_attributes_follow_the_same_safety_rules():
    rendered = render('Say\n[hi](x.md){.a onclick="steal()"}\n', first_line=3)
    assert rendered.html == '<p>Say\n<a href="/R/x.md" class="a">hi</a></p>\n'
    assert [str(p) for p in rendered.problems] == [
        "content/a.md:4:15: onclick= is an event handler, which an attribute may not set; "
        "use {#id} or {.class} and the site's scripts"
    ]
    plain = Markdown(raw_html=False)
    rendered = render('[hi](x.md){#a .b style="color:red"}\n', markdown=plain)
    assert rendered.html == '<p><a href="/R/x.md" id="a" class="b">hi</a></p>\n'
    assert [str(p) for p in rendered.problems] == [
        "content/a.md:1:18: style= may not be set with raw HTML off (markdown.raw_html in data/site.yaml); "
        "only {#id} and {.class}"
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Intro\n\n" + "> " * 500 + "deep\n", 3),
        ("Intro\n\n" + "".join("  " * i + "- item\n" for i in range(330)), 10),  # the 8th list
        ("Intro\n\n" + "> " * 50_000 + "deep\n", 3),
        ("Intro\n\n" + "::: note\n" * 60 + "deep\n", 19),
    ],
    ids=["500-quotes", "330-lists", "50000-quotes", "60-callouts"],
)
def test_nesting_too_deep_is_an_error_at_its_line(text, line):
    rendered = render(text, first_line=1)
    assert [(p.location.line, p.message) for p in rendered.problems] == [
        (
            line,
            "quotes, lists and callouts are nested more than 16 levels deep here (a list counts as two); "
            "the text from this line on is left out: nest them less deeply",
        )
    ]
    assert rendered.html.startswith("<p>Intro</p>\n")


@pytest.mark.parametrize(
    "text",
    [
        "*a **a " * 250 + "b" + " a** a*" * 250,
        "**" * 16_000 + "a" + "**" * 16_000,
        "[" * 5_000 + "a" + "]" * 5_000,
        "![" * 2_000 + "a" + "](b.png)" * 2_000,
        "[a](" * 3_000 + "b" + ")" * 3_000,
        "`" * 3_000 + "a" + "``" * 3_000,
    ],
    ids=["emphasis-250", "strong-16000", "brackets-5000", "images-2000", "links-3000", "backticks"],
)
def test_deeply_nested_inline_markup_renders_without_a_crash(text):
    rendered = MD.render(text + "\n", "content/a.md", 1, lambda target, source: "/" + target)
    assert rendered.html.startswith("<p>") or rendered.problems
    for problem in rendered.problems:
        assert problem.location.line == 1


def test_plain_links_skip_normalising_only_where_it_would_change_nothing():
    import random

    from markdown_it.common.normalize_url import normalizeLink

    from alagen.markdown import _PLAIN_LINK

    chance, taken = random.Random(2025), 0
    for _ in range(20_000):
        url = chance.choice(["", "../", "/", "#", "x.md", "//"]) + "".join(
            chance.choice("aZ09;/?:@&=+$,-_.!~*'()#%é[] ") for _ in range(chance.randint(0, 20))
        )
        if _PLAIN_LINK.match(url):
            taken += 1
            assert normalizeLink(url) == url, url
    assert taken > 1000


def test_a_broken_link_in_an_inline_note_is_reported_at_its_line():
    rendered = render("Intro.\n\nFounded^[See [the report](missing.md).] in 1876.\n", first_line=5)
    assert [str(p) for p in rendered.problems] == ["content/a.md:7:27: links to missing.md, which does not exist"]


def test_a_link_that_time_broke_keeps_its_words_with_a_warning():
    from alagen.markdown import LinkWarning

    def resolve(target: str, source: str) -> str:
        if target == "gone.md":
            raise LinkWarning("links to content/gone.md, which expired on 2025-02-01; shown as plain text")
        if target == "soon.md":
            raise LinkWarning("links to content/soon.md, which expires on 2025-03-20", "/soon/")
        return "/" + target

    rendered = MD.render("See [the *old* page](gone.md), [soon](soon.md) and [ok](ok.md).\n", "content/a.md", 3, resolve)
    assert rendered.html == '<p>See the <em>old</em> page, <a href="/soon/">soon</a> and <a href="/ok.md">ok</a>.</p>\n'
    assert [str(p) for p in rendered.problems] == [
        "content/a.md:3:22: warning: links to content/gone.md, which expired on 2025-02-01; shown as plain text",
        "content/a.md:3:39: warning: links to content/soon.md, which expires on 2025-03-20",
    ]
