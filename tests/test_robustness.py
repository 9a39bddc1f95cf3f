"""Bad input never crashes the tool: every malformed site below ends in a clean list of
problems at file:line (or builds), never in another exception, and never writes outside
build/."""

from __future__ import annotations

import pytest

from alagen.errors import BuildFailed
from conftest import build_at

ALIASES = "a: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcde", "bcdef")
)

CASES = {
    "site settings are a list": ({"data/site.yaml": "- a\n"}, "data/site.yaml:1:1: 'title' is required"),
    "stylesheet not UTF-8": ({"layouts/assets/css/site.css": b"body{}\xff"}, "layouts/assets/css/site.css: this stylesheet is not UTF-8"),
    "menu page is a number": ({"data/menus.yaml": "main:\n  - {title: A, page: 5}\n"}, "data/menus.yaml:2:22: menu item 'A' points at content/5"),
    "menu is a number": ({"data/menus.yaml": "main: 5\n"}, "data/menus.yaml:1:7: a menu must be a list"),
    "winner year is text": (
        {"data/awards.yaml": "- {name: A, category: grant, summary: S, winners: [{year: x, recipient: B}]}\n"},
        "data/awards.yaml:1:59: 'year': must be a whole number, not 'x'",
    ),
    "location is a word": (
        {"data/events.yaml": "- {title: A, kind: webinar, start: 2025-01-01, summary: S, location: zoom}\n"},
        "data/events.yaml:1:70: 'location' must be 'key: value' lines",
    ),
    "events file is a word": ({"data/events.yaml": "hello\n"}, "data/events.yaml:1:1: data/events.yaml must hold an event"),
    "blank title": ({"content/a.md": "---\ntitle: '   '\n---\n"}, "content/a.md:2:8: 'title' is empty; give it a value"),
    "title is a list": ({"content/a.md": "---\ntitle: [a]\n---\n"}, "content/a.md:2:8: 'title': must be text, not a list"),
    "binary page": ({"content/b.md": b"\x00\x01\x02"}, "content/b.md:1:1: this page has no front matter"),
    "key is a list": ({"content/a.md": "---\n[a]: 1\ntitle: A\n---\n"}, "content/a.md:2:1: a key must be a plain word"),
    "price out of range": (
        {"data/publications.yaml": "- {title: A, format: book, summary: S, price: 1e400}\n"},
        "data/publications.yaml:1:47: 'price': '1e400' is not a price",
    ),
    "record id climbs out": (
        {"data/events.yaml": "- {id: ../../x, title: A, kind: webinar, start: 2025-01-01, summary: S}\n"},
        "data/events.yaml:1:8: id '../../x' must be one part of a URL, without '/'",
    ),
    "record id with a space": (
        {"data/jobs.yaml": "- {id: 'a b', title: A, employer: E, city: C, region: R, posted: 2025-01-01, url: 'https://x.org'}\n"},
        "data/jobs.yaml:1:8: id 'a b' has characters a URL cannot hold",
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
        assert any(str(p).startswith(expected) for p in failed.problems), [str(p) for p in failed.problems]
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
