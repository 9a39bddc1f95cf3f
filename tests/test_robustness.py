"""Bad input never crashes the tool: every malformed site below ends in a clean list of
problems at file:line (or builds), never in another exception, and never writes outside
build/."""

from __future__ import annotations

import os

import pytest

from alagen.errors import BuildFailed
from conftest import build_at

ALIASES = "a: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcde", "bcdef")
)

CASES = {
    "site settings are a list": ({"data/site.yaml": "- a\n"}, "data/site.yaml:1:1: 'title' is required; add a line 'title: ...'"),
    "stylesheet not UTF-8": ({"layouts/assets/css/site.css": b"body{}\xff"}, 'layouts/assets/css/site.css: this stylesheet is not UTF-8 (byte 6); save it as UTF-8'),
    "menu page is a number": ({"data/menus.yaml": "main:\n  - {title: A, page: 5}\n"}, "data/menus.yaml:2:22: menu item 'A' points at content/5, which is not a published page; the path is relative to content/"),
    "menu is a number": ({"data/menus.yaml": "main: 5\n"}, "data/menus.yaml:1:7: a menu must be a list of items, each with 'title' and 'page' or 'url'"),
    "winner year is text": (
        {"data/awards.yaml": "- {name: A, category: grant, summary: S, winners: [{year: x, recipient: B}]}\n"},
        "data/awards.yaml:1:59: 'year': must be a whole number, not 'x'",
    ),
    "location is a word": (
        {"data/events.yaml": "- {title: A, kind: webinar, start: 2025-01-01, summary: S, location: zoom}\n"},
        "data/events.yaml:1:70: 'location' must be 'key: value' lines, not 'zoom'",
    ),
    "events file is a word": ({"data/events.yaml": "hello\n"}, 'data/events.yaml:1:1: data/events.yaml must hold an event or a list of them'),
    "blank title": ({"content/a.md": "---\ntitle: '   '\n---\n"}, "content/a.md:2:8: 'title' is empty; give it a value"),
    "title is a list": ({"content/a.md": "---\ntitle: [a]\n---\n"}, "content/a.md:2:8: 'title': must be text, not a list"),
    "binary page": ({"content/b.md": b"\x00\x01\x02"}, "content/b.md:1:1: this page has no front matter; start the file with a line '---', a line 'title: ...', and a line '---'"),
    "key is a list": ({"content/a.md": "---\n[a]: 1\ntitle: A\n---\n"}, 'content/a.md:2:1: a key must be a plain word, not a list or mapping'),
    "price out of range": (
        {"data/publications.yaml": "- {title: A, format: book, summary: S, price: 1e400}\n"},
        "data/publications.yaml:1:47: 'price': '1e400' is not a price; write dollars and at most two decimals, e.g. 64.99",
    ),
    "record id climbs out": (
        {"data/events.yaml": "- {id: ../../x, title: A, kind: webinar, start: 2025-01-01, summary: S}\n"},
        "data/events.yaml:1:8: id '../../x' must be one part of a URL, without '/'",
    ),
    "record id with a space": (
        {"data/jobs.yaml": "- {id: 'a b', title: A, employer: E, city: C, region: R, posted: 2025-01-01, url: 'https://x.org'}\n"},
        "data/jobs.yaml:1:8: id 'a b' has characters a URL cannot hold; use lowercase words joined by hyphens",
    ),
    "layout divides by zero": ({"layouts/page.html": "{{ 1/0 }}"}, "layouts/page.html:1:1: division by zero"),
    "alias bomb": ({"data/x.yaml": ALIASES, "layouts/page.html": "{{ site.data.x.f|length }}"}, None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_malformed_site_is_reported_not_crashed(site, tmp_path, name):
    files, expected = CASES[name]
    root = site({"content/index.md": "---\ntitle: Home\n---\n", "content/p.md": "---\ntitle: P\n---\n", **files})
    before = sorted(p for p in tmp_path.rglob("*"))
    try:
        build_at(root)
    except BuildFailed as failed:
        assert expected is not None, [str(p) for p in failed.problems]
        assert expected in [str(p) for p in failed.problems]  # the whole message, at its place
        assert not (root / "build").exists()
        assert sorted(p for p in tmp_path.rglob("*")) == before
    else:
        assert expected is None, "the site built, but should have failed"


def test_a_link_to_a_hidden_file_or_out_of_its_folder_is_not_published(site):
    import os

    from conftest import build_at

    root = site({"content/index.md": "---\ntitle: Home\n---\nHi.\n", "content/real.txt": "fine\n"})
    (root / ".env").write_text("SECRET=1\n")
    (root / "content/env.txt").symlink_to("../.env")
    (root / "content/site.yaml").symlink_to("../data/site.yaml")
    (root / "content/also.txt").symlink_to("real.txt")
    report = build_at(root)
    assert [str(w) for w in report.warnings] == [
        "content/env.txt: warning: this link points outside content/ or at a hidden file, and is not published",
        "content/site.yaml: warning: this link points outside content/ or at a hidden file, and is not published",
    ]
    assert not (root / "build/env.txt").exists() and not (root / "build/site.yaml").exists()
    assert (root / "build/also.txt").read_text() == "fine\n"
    assert os.path.islink(root / "content/env.txt")


def test_a_content_folder_that_is_a_link_is_refused(site, tmp_path):
    from conftest import problems_of

    root = site({"content/index.md": "---\ntitle: Home\n---\nHi.\n"})
    elsewhere = tmp_path / "elsewhere"
    (root / "content").rename(elsewhere)
    (root / "content").symlink_to(elsewhere)
    assert problems_of(root) == ["content: content/ is a link to another folder; make it a real folder of the site"]


def test_the_builds_own_addresses_are_refused_at_the_line_that_claims_them(site):
    from conftest import problems_of

    root = site(
        {
            "content/index.md": "---\ntitle: Home\naliases: [/_redirects]\n---\nHi.\n",
            "content/trap.md": "---\ntitle: Trap\nurl: /pagefind/pagefind.js\n---\nHi.\n",
        }
    )
    assert problems_of(root) == [
        "content/index.md:3:10: /_redirects/ is kept for Netlify's redirect rules; choose another address",
        "content/trap.md:3:6: /pagefind/pagefind.js/ is kept for the search index (Pagefind); choose another address",
    ]


def _chain_of_aliases() -> str:
    """Each anchor nests the one before 20 levels deeper: short to write, 80 levels deep."""
    lines = ["x0: &x0 " + "[" * 20 + "1" + "]" * 20]
    lines += [f"x{n}: &x{n} " + "[" * 20 + f"*x{n - 1}" + "]" * 20 for n in range(1, 4)]
    return "\n".join(lines) + "\n"


TOO_DEEP = "this entry is nested more than 50 levels deep, more than alagen reads; flatten it"


def _unsafe(code: str) -> str:
    return f"this text holds the character {code}, which web pages and feeds cannot carry; remove it (or the escape that writes it)"


HOSTILE = {
    "a list 600 deep": ({"data/x.yaml": "a: " + "[" * 600 + "]" * 600 + "\n"}, f"data/x.yaml:1:53: {TOO_DEEP}"),
    "a mapping 60 deep": (
        {"data/x.yaml": "".join("  " * n + f"k{n}:\n" for n in range(60)) + "  " * 60 + "v: 1\n"},
        f"data/x.yaml:50:99: {TOO_DEEP}",
    ),
    "aliases nesting aliases": ({"data/x.yaml": _chain_of_aliases()}, f"data/x.yaml:3:1: {TOO_DEEP}"),
    "front matter 600 deep": (
        {"content/p.md": "---\ntitle: P\nextra: {a: " + "[" * 600 + "]" * 600 + "}\n---\n"},
        f"content/p.md:3:60: {TOO_DEEP}",
    ),
    "a vertical tab escaped in a title": (
        {"content/p.md": '---\ntitle: "A\\vB"\n---\n'},
        "content/p.md:2:8: " + _unsafe("U+000B (a vertical tab)"),
    ),
    "a null escaped in an employer": (
        {"data/jobs.yaml": '- {title: A, employer: "E\\0", city: C, region: R, posted: 2025-01-01, url: "https://x.org"}\n'},
        "data/jobs.yaml:1:24: " + _unsafe("U+0000 (a null character)"),
    ),
    "a terminal colour in an event": (
        {"data/events.yaml": '- {title: "\\e[31mRed", kind: webinar, start: 2025-04-01, summary: S}\n'},
        "data/events.yaml:1:11: " + _unsafe("U+001B (an escape)"),
    ),
    "a noncharacter in a summary": (
        {"data/events.yaml": '- {title: A, kind: webinar, start: 2025-04-01, summary: "S\\uFFFE"}\n'},
        "data/events.yaml:1:57: " + _unsafe("U+FFFE (a noncharacter)"),
    ),
    "a control character in a key": ({"data/x.yaml": '"c\\x01": 2\n'}, "data/x.yaml:1:1: " + _unsafe("U+0001 (a control character)")),
    "a raw control character in front matter": (
        {"content/p.md": "---\ntitle: A\x0bB\n---\n"},
        "content/p.md:2:9: this file holds the character U+000B (a vertical tab), which web pages and feeds cannot carry; delete it",
    ),
    "a raw C1 control in a data file": (
        {"data/x.yaml": "a: 1\nb: x\x85y\n"},
        "data/x.yaml:2:5: this file holds the character U+0085 (a control character), which web pages and feeds cannot carry; delete it",
    ),
    "a language of 45 letters": (
        {"data/site.yaml": "title: T\nbase_url: https://example.org/\nlanguage: " + "e" * 45 + "\n"},
        "data/site.yaml:3:11: language '" + "e" * 40 + "' is not a language tag; use one like en, en-US, es or fr-CA",
    ),
    "a language with an underscore": (
        {"data/site.yaml": "title: T\nbase_url: https://example.org/\nlanguage: en_US\n"},
        "data/site.yaml:3:11: language 'en_US' is not a language tag; write 'en-US'",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_refused_at_its_place(site, name):
    from conftest import problems_of

    files, expected = HOSTILE[name]
    root = site({"content/index.md": "---\ntitle: Home\n---\nHi.\n", **files})
    assert problems_of(root) == [expected]


def _png_claiming(width: int, height: int) -> bytes:
    """A valid PNG of a few hundred bytes whose header claims width x height pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_an_image_too_large_to_decode_is_refused_from_its_header(site):
    from conftest import problems_of

    root = site(
        {
            "content/index.md": "---\ntitle: Home\n---\n![A bomb](bomb.png)\n",
            "content/bomb.png": _png_claiming(60_000, 60_000),
        }
    )
    assert problems_of(root) == [
        "content/index.md:4:11: content/bomb.png is 60,000 x 60,000 pixels, more than the 120 megapixels alagen "
        "resizes; save it smaller (4,000 pixels wide is plenty for a web page)"
    ]


def test_a_control_character_in_a_pages_text_is_replaced_with_a_warning(site):
    root = site({"content/index.md": "---\ntitle: Home\n---\nPasted\x0bfrom Word\x1b.\n"})
    report = build_at(root)
    assert [str(w) for w in report.warnings] == [
        "content/index.md:4:7: warning: the character U+000B (a vertical tab) cannot be shown in a web page; it was replaced by a space",
        "content/index.md:4:17: warning: the character U+001B (an escape) cannot be shown in a web page; it was replaced by a space",
    ]
    assert "<p>Pasted from Word .</p>" in (root / "build/index.html").read_text()


def test_a_build_under_the_c_locale_reads_and_writes_non_ascii_names(site):
    """LC_ALL=C with Python's UTF-8 mode off reads 'café.md' as undecodable bytes and
    Pagefind's output as ASCII; the command starts again in UTF-8 mode."""
    import subprocess
    import sys

    root = site(
        {
            "content/index.md": "---\ntitle: Café\n---\nSí, ñandú.\n",
            "content/café.md": "---\ntitle: Été\n---\nÀ bientôt.\n",
            "layouts/page.html": '{% extends "base.html" %}\n{% block main %}<h1>{{ page.title }}</h1>'
            "<div data-pagefind-body>{{ content }}</div>{% endblock %}\n",
        }
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONUTF8", "PYTHONIOENCODING"))}
    env.update(LC_ALL="C", PYTHONUTF8="0")
    done = subprocess.run(
        [sys.executable, "-m", "alagen", "build", "--now", "2025-03-01"],
        cwd=root, env=env, capture_output=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert "Été" in (root / "build/café/index.html").read_text(encoding="utf-8")
    assert "3 pages searchable" in done.stdout.decode("utf-8")


def test_a_file_name_with_a_backslash_or_a_newline_is_named_in_one_line(site):
    from conftest import problems_of

    root = site({"content/index.md": "---\ntitle: Home\n---\nHi.\n", "content/a\\b.md": "---\ntitle: A\n---\n"})
    (root / "content/x\ny.md").write_text("---\ntitle: X\n---\n")
    unsafe = "has characters a URL path cannot hold (spaces, quotes, '?', '#', '%', '\\'); use hyphens; rename the file"
    assert problems_of(root) == [
        f"content/a\\b.md: the file name '/a\\b/' {unsafe}",
        f"content/x\\x0ay.md: the file name '/x\\x0ay/' {unsafe}",
    ]
