"""The incremental build: after any change, a rebuild that uses the cache writes the same
bytes as a clean build, while redoing only what the change touched."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pytest

from alagen import cache as cache_module
from alagen import load as load_module
from alagen import pipeline, state
from alagen.markdown import Markdown
from alagen.pipeline import BuildOptions, build
from conftest import make_site, run_cli

BASE = """<!doctype html>
<html lang="en"><head><title>{{ page.title }}</title><link rel="stylesheet" href="{{ asset('css/site.css') }}"></head>
<body><nav>{% for item in site.menus.main %}<a href="{{ item.url|url }}">{{ item.title }}</a>{% endfor %}</nav>
{% if page.description %}<p class="d">{{ page.description }}</p>{% endif %}
<main{% if page.searchable %} data-pagefind-body{% endif %}>{% block main %}{% endblock %}</main>
<footer>{{ now.year }}</footer></body></html>
"""

FILES = {
    "layouts/base.html": BASE,
    "layouts/page.html": '{% extends "base.html" %}{% block main %}<h1>{{ page.title }}</h1>\n'
    "{% if page.date %}<p>{{ page.date|ago }}</p>{% endif %}{{ content }}{% endblock %}\n",
    "layouts/list.html": '{% extends "base.html" %}{% block main %}<h1>{{ page.title }}</h1>{{ content }}<ul>'
    '{% for c in site.children(page) %}<li><a href="{{ c.url|url }}">{{ c.title }}</a></li>{% endfor %}</ul>{% endblock %}\n',
    "layouts/home.html": '{% extends "base.html" %}{% block main %}<h1>{{ page.title }}</h1><ul>'
    "{% for e in site.upcoming_events() %}<li>{{ e.title }}</li>{% endfor %}</ul>{% endblock %}\n",
    "layouts/people.html": '{% extends "base.html" %}{% block main %}<ul>'
    "{% for p in site.data.people %}<li>{{ p.name }}</li>{% endfor %}</ul>{% endblock %}\n",
    "layouts/events.html": '{% extends "base.html" %}{% block main %}<ul>'
    "{% for e in page.items %}<li>{{ e.title }}</li>{% endfor %}</ul>{% endblock %}\n",
    "layouts/assets/css/site.css": "body { color: black; }\n",
    "data/menus.yaml": "main:\n  - {title: About, page: about/index.md}\n  - {title: Mission, page: about/mission.md}\n",
    "data/people.yaml": "- {name: Ada}\n- {name: Grace}\n",
    "data/events.yaml": (
        "- {id: spring, title: Spring meeting, kind: meeting, start: 2025-04-02, summary: The spring meeting.}\n"
        "- {id: winter, title: Winter meeting, kind: meeting, start: 2025-01-10, summary: The winter meeting.}\n"
    ),
    "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
    "content/people.md": "---\ntitle: People\nlayout: people\n---\n",
    "content/extra.md": "---\ntitle: Extra\n---\nAn extra page.\n",
    "content/about/_defaults.yaml": "description: About the association\n",
    "content/about/index.md": "---\ntitle: About\n---\nAbout us.\n",
    "content/about/mission.md": "---\ntitle: Mission\n---\nOur mission; see [our history](history.md).\n\n![Room](room.svg)\n",
    "content/about/history.md": "---\ntitle: History\ndate: 2024-12-01\n---\nFounded long ago.\n",
    "content/about/room.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
}


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.relative_to(folder).as_posix().startswith("pagefind/")
    }


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.rglob("*") if p.is_file()}


class Site:
    """A fixture site, built incrementally and checked against clean builds."""

    def __init__(self, root: Path, scratch: Path):
        self.root, self.scratch, self.now, self.clean_builds = root, scratch, "2025-03-01", 0

    def build(self, **options):
        return build(BuildOptions(root=self.root, now=dt.date.fromisoformat(self.now), search=False, **options))

    def write(self, name: str, text: str) -> None:
        (self.root / name).parent.mkdir(parents=True, exist_ok=True)
        (self.root / name).write_text(text, encoding="utf-8")

    def edit(self, name: str, old: str, new: str) -> None:
        text = (self.root / name).read_text(encoding="utf-8")
        assert old in text, (name, old)
        self.write(name, text.replace(old, new))

    def rebuild_equals_clean(self):
        """Rebuild with the cache; the output must be a clean build's, byte for byte."""
        report = self.build()
        self.clean_builds += 1
        clean = self.scratch / f"clean-{self.clean_builds}"
        build(BuildOptions(root=self.root, out=clean, now=dt.date.fromisoformat(self.now), search=False, cache=False))
        built, wanted = _tree(self.root / "build"), _tree(clean)
        assert sorted(built) == sorted(wanted)
        for path in wanted:
            assert built[path] == wanted[path], path
        return report


@pytest.fixture
def fixture(tmp_path, monkeypatch):
    # Files are trusted by their stat from the first build on (RACY_NS = 0): the fixture
    # writes them well before, as an editor would. The racy rule is for edits within a tick.
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    site = Site(make_site(tmp_path / "site", FILES), tmp_path)
    site.build()
    return site


def test_every_kind_of_change_rebuilds_to_a_clean_builds_bytes(fixture):
    site = fixture
    steps = [
        ("nothing", lambda: None),
        ("a page's text", lambda: site.edit("content/about/mission.md", "Our mission", "Our new mission")),
        ("a title shown in menus and lists", lambda: site.edit("content/about/mission.md", "title: Mission", "title: Our aim")),
        ("a title shown in a parent's list", lambda: site.edit("content/about/history.md", "title: History", "title: Our past")),
        ("the address of a page another links to", lambda: site.edit("content/about/history.md", "date:", "slug: past\ndate:")),
        ("a layout", lambda: site.edit("layouts/page.html", "<h1>", '<h1 class="t">')),
        ("a template every layout extends", lambda: site.edit("layouts/base.html", "<nav>", '<nav class="m">')),
        ("a data file", lambda: site.edit("data/people.yaml", "Grace", "Grace Hopper")),
        ("a record", lambda: site.edit("data/events.yaml", "Spring meeting", "Spring assembly")),
        ("a new record file", lambda: site.write("data/events/more.yaml", "- {id: fall, title: Fall meeting, kind: meeting, start: 2025-10-01, summary: The fall meeting.}\n")),
        ("the site settings", lambda: site.edit("data/site.yaml", "title: Test Association", "title: Test Society")),
        ("the menus", lambda: site.edit("data/menus.yaml", "title: About", "title: Who we are")),
        ("folder defaults", lambda: site.edit("content/about/_defaults.yaml", "About the", "All about the")),
        ("a copied file", lambda: site.write("content/about/room.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="2"/>\n')),
        ("an asset", lambda: site.edit("layouts/assets/css/site.css", "black", "navy")),
        ("the build date, same year", lambda: setattr(site, "now", "2025-06-01")),
        ("the build date, next year", lambda: setattr(site, "now", "2026-01-02")),
        ("a deleted page", lambda: (site.root / "content/extra.md").unlink()),
        ("an added page", lambda: site.write("content/about/new.md", "---\ntitle: New\n---\nNew here.\n")),
        ("a page that becomes a draft", lambda: site.edit("content/about/new.md", "title: New", "title: New\ndraft: true")),
    ]
    for what, change in steps:
        change()
        try:
            site.rebuild_equals_clean()
        except AssertionError as err:
            raise AssertionError(f"after changing {what}: {err}") from err
    assert not (site.root / "build/extra").exists()


def test_a_changed_page_is_the_only_one_read_and_rendered(fixture, monkeypatch):
    site = fixture
    read, rendered = [], []
    real_read, real_render = load_module._read_text, Markdown.render
    monkeypatch.setattr(load_module, "_read_text", lambda path, source, problems: read.append(source) or real_read(path, source, problems))
    monkeypatch.setattr(Markdown, "render", lambda self, text, source, *a, **k: rendered.append(source) or real_render(self, text, source, *a, **k))
    site.edit("content/about/history.md", "Founded long ago.", "Founded in 1876.")
    report = site.rebuild_equals_clean()
    # The clean comparison build reads and renders everything; the incremental one came first.
    first = read[: read.index("content/about/history.md") + 1]
    assert first == ["content/about/history.md"]
    assert rendered[: rendered.index("content/about/history.md") + 1] == ["content/about/history.md"]
    assert report.kept == report.pages - 1


def test_unchanged_outputs_keep_their_time_and_file(fixture):
    site = fixture
    before = _stamps(site.root / "build")
    site.edit("content/about/history.md", "Founded long ago.", "Founded in 1876.")
    site.rebuild_equals_clean()
    after = _stamps(site.root / "build")
    changed = sorted(p for p in after if after[p] != before.get(p))
    assert changed == ["about/history/index.html"]


def test_a_new_build_date_renders_only_what_shows_the_date(fixture):
    site = fixture
    before = _stamps(site.root / "build")
    site.now = "2025-03-02"  # history shows "3 months ago" either way; no page shows the day
    report = site.rebuild_equals_clean()
    after = _stamps(site.root / "build")
    changed = sorted(p for p in after if after[p] != before.get(p))
    assert changed == ["events/calendar.ics", "events/spring.ics", "events/winter.ics"]  # DTSTAMP: the build day
    # Rendered again: the 6 pages whose layout can show the date (page.html's |ago: mission,
    # history, extra, 404 and the two events); same bytes, so not written. Kept: the rest.
    assert report.kept == report.pages - 6
    site.now = "2025-04-10"  # the spring meeting is over: home, the events listing and the calendars change
    site.rebuild_equals_clean()
    again = _stamps(site.root / "build")
    changed = sorted(p for p in again if again[p] != after.get(p))
    assert "index.html" in changed and "events/index.html" in changed and "events/calendar.ics" in changed
    assert "about/mission/index.html" not in changed and "people/index.html" not in changed


def test_nothing_changed_means_nothing_is_read(fixture, monkeypatch):
    site = fixture
    monkeypatch.setattr(pipeline, "load", lambda *a, **k: pytest.fail("the site was read again"))
    report = site.build()
    assert report.kept == report.pages
    assert [name for name, _ in report.timings] == ["check"]


def test_a_file_changed_by_hand_in_the_output_is_made_again(fixture):
    site = fixture
    (site.root / "build/about/mission/index.html").write_text("vandalised")
    (site.root / "build/stray.txt").write_text("not ours")
    (site.root / "build/people/index.html").unlink()
    site.rebuild_equals_clean()


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda f: f.write_bytes(f.read_bytes()[:200]), "is damaged"),
        (lambda f: f.write_bytes(b"garbage\n" * 10), "is damaged"),
        (lambda f: f.write_bytes(f.read_bytes().replace(b"alagen-cache %d " % state.FORMAT, b"alagen-cache 99 ", 1)), "was made by another version of alagen"),
    ],
    ids=["truncated", "garbage", "other-version"],
)
def test_a_damaged_cache_is_ignored_with_a_warning(tmp_path, damage, message):
    root = make_site(tmp_path / "site", FILES)
    assert run_cli("build", "--now", "2025-03-01", "--no-search", cwd=root).returncode == 0
    damage(root / ".alagen-cache/build.state")
    (root / "content/about/mission.md").write_text("---\ntitle: Mission\n---\nChanged.\n")
    result = run_cli("build", "--now", "2025-03-01", "--no-search", cwd=root)
    assert result.returncode == 0, result.stderr
    assert f"alagen: warning: the build cache .alagen-cache/build.state {message}; it was ignored and everything was built" in result.stderr
    clean = run_cli("build", "--now", "2025-03-01", "--no-search", "--no-cache", "--out", str(tmp_path / "clean"), cwd=root)
    assert clean.returncode == 0
    assert _tree(root / "build") == _tree(tmp_path / "clean")
    again = run_cli("build", "--now", "2025-03-01", "--no-search", cwd=root)  # the cache was written anew
    assert "warning" not in again.stderr and "pages unchanged" in again.stdout


def test_another_sites_cache_is_not_trusted(tmp_path):
    """A cache is used by what it says of the files' bytes, never by where it was made: one
    site's cache and build/ put into another site make that site's pages, all of them."""
    import shutil

    first = make_site(tmp_path / "one", FILES)
    second = make_site(tmp_path / "two", {**FILES, "content/about/mission.md": "---\ntitle: Other\n---\nOther.\n"})
    run_cli("build", "--now", "2025-03-01", "--no-search", cwd=first)
    run_cli("build", "--now", "2025-03-01", "--no-search", "--no-cache", "--out", str(tmp_path / "clean"), cwd=second)
    (second / ".alagen-cache/build.state").parent.mkdir()
    shutil.copy(first / ".alagen-cache/build.state", second / ".alagen-cache/build.state")
    result = run_cli("build", "--now", "2025-03-01", "--no-search", cwd=second)
    assert "is damaged; it was ignored" in result.stderr  # its record without its parts
    shutil.rmtree(second / ".alagen-cache")
    shutil.rmtree(second / "build")
    shutil.copytree(first / ".alagen-cache", second / ".alagen-cache")
    shutil.copytree(first / "build", second / "build")
    result = run_cli("build", "--now", "2025-03-01", "--no-search", cwd=second)
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr
    assert "<h1>Other</h1>" in (second / "build/about/mission/index.html").read_text()
    built = {p.relative_to(second / "build").as_posix(): p.read_bytes() for p in (second / "build").rglob("*") if p.is_file()}
    clean = {p.relative_to(tmp_path / "clean").as_posix(): p.read_bytes() for p in (tmp_path / "clean").rglob("*") if p.is_file()}
    assert built == clean


def test_search_runs_again_only_when_an_indexed_page_changed(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = make_site(tmp_path / "site", FILES)
    calls = []
    real = pipeline.index_site
    monkeypatch.setattr(pipeline, "index_site", lambda folder, **kw: calls.append(folder) or real(folder, **kw))
    options = BuildOptions(root=root, now=dt.date(2025, 3, 1), search=True)
    first = build(options)
    assert len(calls) == 1 and first.indexed
    events = root / "layouts/events.html"
    events.write_text(events.read_text().replace("<ul>", "<ul class='x'>"))  # the events listing: not indexed
    report = build(options)
    assert len(calls) == 1 and report.indexed == first.indexed and report.kept == report.pages - 1
    assert (root / "build/pagefind/pagefind.js").is_file()
    (root / "content/about/mission.md").write_text("---\ntitle: Mission\n---\nA new mission.\n")
    build(options)
    assert len(calls) == 2
    build(BuildOptions(root=root, now=dt.date(2025, 3, 1), search=False))
    assert not (root / "build/pagefind").exists()  # as a clean build without search


@pytest.mark.parametrize("part", ["stats", "model", "documents", "texts", "renders"])
def test_a_damaged_part_of_the_cache_is_ignored_with_a_warning(fixture, part):
    site = fixture
    parts = sorted((site.root / ".alagen-cache/build.parts").glob(f"{part}*.part"))
    assert parts
    for damaged in parts:
        data = bytearray(damaged.read_bytes())
        data[-10:] = bytes(10)  # the record still reads; the part does not match its checksum
        damaged.write_bytes(bytes(data))
    cache_module._memory.clear()  # as a new process: this one remembers the cache it wrote
    site.edit("content/about/mission.md", "Our mission", "Our aim")
    report = site.rebuild_equals_clean()
    assert report.notes == ("warning: the build cache .alagen-cache/build.state is damaged; it was ignored and everything was built",)
    assert report.kept == 0
    site.edit("content/about/mission.md", "Our aim", "Our mission")
    assert site.rebuild_equals_clean().notes == ()  # written anew


def test_a_list_page_renders_again_when_its_own_children_change_only(fixture):
    site = fixture
    before = _stamps(site.root / "build")
    site.edit("content/extra.md", "title: Extra", "title: Something else")  # a child of home, not of /about/
    site.rebuild_equals_clean()
    after = _stamps(site.root / "build")
    assert after["about/index.html"] == before["about/index.html"]
    site.edit("content/about/history.md", "title: History", "title: Our past")  # a child of /about/
    site.rebuild_equals_clean()
    assert _stamps(site.root / "build")["about/index.html"] != after["about/index.html"]


def test_page_named_otherwise_in_a_template_is_not_taken_for_the_page(fixture):
    # Here `page` in the inner loop is a child: the list shows its grandchildren too.
    site = fixture
    site.write(
        "layouts/list.html",
        '{% extends "base.html" %}{% block main %}<ul>{% for page in site.children(page) %}<li>{{ page.title }}:'
        "{% for c in site.children(page) %} {{ c.title }}{% endfor %}</li>{% endfor %}</ul>{% endblock %}\n",
    )
    site.write("content/about/team/index.md", "---\ntitle: Team\n---\n")
    site.write("content/about/team/ada.md", "---\ntitle: Ada\n---\n")
    site.rebuild_equals_clean()
    site.edit("content/about/team/ada.md", "title: Ada", "title: Ada Lovelace")  # shown on /about/, a grandchild
    site.rebuild_equals_clean()
    assert "Ada Lovelace" in (site.root / "build/about/index.html").read_text()


def test_the_demo_site_rebuilds_to_a_clean_builds_bytes(tmp_path, monkeypatch):
    """The real layouts: macros, JSON-LD breadcrumbs, news, events, divisions."""
    site = _demo(tmp_path, monkeypatch)
    root = site.root
    news = sorted((root / "content/news").glob("*.md"))[1].relative_to(root).as_posix()
    event = sorted((root / "data/events").glob("*.yaml"))[0].relative_to(root).as_posix()
    site.edit(news, "\n---\n", "\n---\nA new first line.\n\n")
    report = site.rebuild_equals_clean()
    assert 0 < report.pages - report.kept < 20  # the item, its listings, the feeds' pages: not the site
    site.edit(event, "title: ", "title: Renamed ")
    site.rebuild_equals_clean()
    site.now = "2025-04-15"
    site.rebuild_equals_clean()


def _demo(tmp_path: Path, monkeypatch) -> Site:
    import shutil

    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    repo = Path(__file__).resolve().parent.parent
    root = tmp_path / "demo"
    for folder in ("content", "data", "layouts"):
        shutil.copytree(repo / folder, root / folder)
    site = Site(root, tmp_path)
    site.build()
    return site


def test_the_demos_navigation_data_and_photos_rebuild_to_a_clean_builds_bytes(tmp_path, monkeypatch):
    """Topics, divisions (microsite menus), redirects, social links, a page's topics and a
    photo: each change rebuilt with the cache equals a clean build, and shows where it should."""
    from test_images import photo

    site = _demo(tmp_path, monkeypatch)
    built = site.root / "build"

    def shows(path: str, text: str) -> bool:
        return text in (built / path).read_text(encoding="utf-8")

    site.edit("data/topics.yaml", "name: Leadership and management", "name: Leading and managing")
    site.rebuild_equals_clean()
    assert shows("topics/leadership/index.html", "Leading and managing")
    assert shows("membership/committees/index.html", "Leading and managing")  # the page's topic tag

    site.edit("data/divisions.yaml", "{title: ACRL 2025 Conference, page: acrl/conference.md}", "{title: The ACRL conference, page: acrl/conference.md}")
    report = site.rebuild_equals_clean()
    assert shows("acrl/about/index.html", "The ACRL conference")  # the division menu on its microsite
    assert not shows("about/index.html", "The ACRL conference")
    assert report.kept > report.pages / 2  # pages outside the microsite are kept

    site.edit("data/redirects.yaml", "- from: /ala/mgrps/divs/core/about/index.cfm\n  to: core/about.md", "- from: /ala/mgrps/divs/core/about/index.cfm\n  to: core/advocacy.md")
    site.write("data/redirects.yaml", (site.root / "data/redirects.yaml").read_text() + "- from: /old/feed.cfm\n  to: /news/feed.xml\n")
    site.rebuild_equals_clean()
    assert shows("_redirects", "/ala/mgrps/divs/core/about/index.cfm /core/advocacy/ 301!")
    assert shows("old/feed.cfm/index.html", "/news/feed.xml")

    site.edit("data/menus.yaml", "{title: Bluesky, url: https://bsky.app/profile/ala.org}", "{title: Bluesky social, url: https://bsky.app/profile/ala.org.example}")
    site.rebuild_equals_clean()
    assert shows("privacy/index.html", "https://bsky.app/profile/ala.org.example")

    site.edit("content/membership/committees.md", "topics: [leadership]", "topics: [leadership, awards]")
    report = site.rebuild_equals_clean()
    assert shows("topics/awards/index.html", "Committees")
    assert report.kept > report.pages / 2

    (site.root / "content/about/images/reading-room.jpg").write_bytes(photo(900, 600, colour=(10, 120, 200)))
    report = site.rebuild_equals_clean()
    assert 0 < report.pages - report.kept < 10  # the pages that show it: history, the home page's card
    assert shows("about/history/index.html", 'width="900" height="600"')


def test_photos_of_kept_pages_stay_published(tmp_path, monkeypatch):
    site = _demo(tmp_path, monkeypatch)
    photos = sorted(p.name for p in (site.root / "build/assets/img").iterdir())
    assert photos
    before = _stamps(site.root / "build")
    site.edit("content/feedback.md", "We read every message.", "We read all messages.")  # its text only: no photo on it
    report = site.rebuild_equals_clean()
    assert report.kept == report.pages - 1
    after = _stamps(site.root / "build")
    for shows_photos in ("index.html", "about/index.html", "about/history/index.html"):
        assert after[shows_photos] == before[shows_photos]  # kept, not rendered again
    assert sorted(p.name for p in (site.root / "build/assets/img").iterdir()) == photos


def test_a_macro_taken_from_a_file_of_macros_brings_only_what_that_macro_reads(fixture, monkeypatch):
    site = fixture
    site.write(
        "layouts/_bits.html",
        "{% macro heading(p) %}<h1>{{ p.title }}</h1>{% endmacro %}\n"
        "{% macro coming() %}<ul>{% for e in site.upcoming_events() %}<li>{{ e.title }}</li>{% endfor %}</ul>{% endmacro %}\n"
        "{% macro outer() %}<div>{{ coming() }}</div>{% endmacro %}\n",
    )
    site.write("layouts/page.html", '{% extends "base.html" %}{% from "_bits.html" import heading %}{% block main %}{{ heading(page) }}{{ content }}{% endblock %}\n')
    site.write("layouts/people.html", '{% extends "base.html" %}{% from "_bits.html" import outer %}{% block main %}{{ outer() }}{% endblock %}\n')
    site.rebuild_equals_clean()
    rendered = []
    real = cache_module.Cache.rendered
    monkeypatch.setattr(cache_module.Cache, "rendered", lambda self, page, *a: rendered.append(page.output) or real(self, page, *a))
    site.edit("data/events.yaml", "Spring meeting", "Spring assembly")
    site.rebuild_equals_clean()
    assert "Spring assembly" in (site.root / "build/people/index.html").read_text()
    assert "people/index.html" in rendered  # outer() calls coming(), which lists the events
    assert "extra/index.html" not in rendered and "about/index.html" not in rendered  # heading() does not
    site.edit("layouts/_bits.html", "<h1>", '<h1 class="t">')  # the file itself changed: all its users
    site.rebuild_equals_clean()
    assert '<h1 class="t">Extra' in (site.root / "build/extra/index.html").read_text()


def test_a_template_named_by_a_variable_that_appears_later_is_used(fixture):
    site = fixture
    site.write("layouts/page.html", '{% extends "base.html" %}{% block main %}{% include "_" ~ page.layout ~ "_extra.html" ignore missing %}{{ content }}{% endblock %}\n')
    site.rebuild_equals_clean()
    site.write("layouts/_page_extra.html", "<aside>Extra for every page</aside>\n")  # no template changed, one appeared
    site.rebuild_equals_clean()
    assert "<aside>Extra for every page</aside>" in (site.root / "build/extra/index.html").read_text()


def test_a_rebuild_in_a_new_process_renders_only_the_changed_page(tmp_path):
    """The next `alagen build` reads the cache from disk: pages from it share strings that
    pages read anew do not, and listings of both must still get the same key."""
    import shutil
    import subprocess
    import sys

    repo = Path(__file__).resolve().parent.parent
    root = tmp_path / "demo"
    for folder in ("content", "data", "layouts"):
        shutil.copytree(repo / folder, root / folder)
    # `alagen build`, with files trusted by their stat at once (see the fixture above).
    command = [sys.executable, "-c", "import sys; from alagen import cache, cli; cache.RACY_NS = 0; sys.argv[0] = 'alagen'; cli.run()",
               "build", "--now", "2025-03-01", "--no-search"]
    environ = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    first = subprocess.run(command, cwd=root, env=environ, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    page = root / "content/feedback.md"
    page.write_text(page.read_text().replace("We read every message.", "We read all messages."))
    second = subprocess.run(command, cwd=root, env=environ, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    pages = int(second.stdout.split("\n")[2].split()[0])
    assert f"{pages - 1} pages unchanged" in second.stdout, second.stdout


def test_a_redirect_to_a_calendar_the_cache_keeps_is_no_error(fixture):
    site = fixture
    site.write("data/redirects.yaml", "- from: /old/calendar.ics\n  to: /events/calendar.ics\n")
    site.rebuild_equals_clean()
    site.edit("content/about/history.md", "Founded long ago.", "Founded in 1876.")  # the calendars stay as they are
    report = site.rebuild_equals_clean()
    assert report.kept == report.pages - 1
    assert "/old/calendar.ics /events/calendar.ics 301!" in (site.root / "build/_redirects").read_text()


# ---------------------------------------------------------------- only texts changed --

NEWS = {
    "layouts/news.html": '{% extends "base.html" %}{% block main %}{{ content }}<ul>'
    "{% for item in page.items %}<li>{{ item.title }}: {{ item.body }}</li>{% endfor %}</ul>{% endblock %}\n",
    "layouts/digest.html": '{% extends "base.html" %}{% block main %}'
    "{% for p in site.news() %}<section>{{ p.body|markdown }}</section>{% endfor %}{% endblock %}\n",
    "content/news/index.md": "---\ntitle: News\npaginate: 1\n---\nThe latest from us.\n",
    "content/news/first.md": "---\ntitle: First\ndate: 2025-01-02\n---\nThe first item.\n",
    "content/news/second.md": "---\ntitle: Second\ndate: 2025-02-02\n---\nThe second item.\n",
    "content/digest.md": "---\ntitle: Digest\nlayout: digest\n---\n",
    "content/draft.md": "---\ntitle: Not yet\ndraft: true\n---\nUnfinished.\n",
}


@pytest.fixture
def news(fixture):
    for name, text in NEWS.items():
        fixture.write(name, text)
    fixture.rebuild_equals_clean()
    return fixture


def _loads(monkeypatch) -> list:
    """Count the builds that load the site's files (the clean comparison builds too)."""
    calls = []
    real = pipeline.load
    monkeypatch.setattr(pipeline, "load", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_a_changed_text_is_built_on_the_last_model_without_loading_the_site(news, monkeypatch):
    site = news
    loads = _loads(monkeypatch)
    for what, change in [
        ("a page's text", lambda: site.edit("content/about/history.md", "Founded long ago.", "Founded in 1876.")),
        ("a news item's text, shown whole by another page", lambda: site.edit("content/news/first.md", "The first item.", "The very first item.")),
        ("the text of a listing's own page", lambda: site.edit("content/news/index.md", "The latest from us.", "Our latest.")),
        ("a draft's text", lambda: site.edit("content/draft.md", "Unfinished.", "Still unfinished.")),
        ("two texts at once", lambda: (site.edit("content/extra.md", "An extra", "One more"), site.edit("content/news/second.md", "second", "2nd"))),
        ("an empty text given words", lambda: site.edit("content/people.md", "layout: people\n---\n", "layout: people\n---\nOur people.\n")),
        ("a text emptied", lambda: site.edit("content/about/history.md", "Founded in 1876.\n", "")),
    ]:
        change()
        before = len(loads)
        try:
            report = site.rebuild_equals_clean()
        except AssertionError as err:
            raise AssertionError(f"after changing {what}: {err}") from err
        assert len(loads) == before + 1, what  # the clean build's load only
        assert [name for name, _ in report.timings][0] == "reuse", what
    assert "Our latest." in (site.root / "build/news/index.html").read_text()
    assert "Our latest." not in (site.root / "build/news/page/2/index.html").read_text()  # its later pages have no text
    assert "The very first item." in (site.root / "build/digest/index.html").read_text()


def test_a_changed_front_matter_loads_and_models_the_site(news, monkeypatch):
    site = news
    loads = _loads(monkeypatch)
    site.edit("content/news/first.md", "title: First", "title: The first")
    site.rebuild_equals_clean()
    assert len(loads) == 2
    assert "The first" in (site.root / "build/news/page/2/index.html").read_text()


def test_only_the_changed_text_and_what_shows_it_are_rendered(news, monkeypatch):
    site = news
    rendered = []
    real = cache_module.Cache.rendered
    monkeypatch.setattr(cache_module.Cache, "rendered", lambda self, page, *a: rendered.append(page.output) or real(self, page, *a))
    site.edit("content/extra.md", "An extra page.", "An extra page, again.")
    report = site.build()
    # The page, and those whose layouts show other pages' texts: the digest and the news listing.
    assert sorted(rendered) == ["digest/index.html", "extra/index.html", "news/index.html", "news/page/2/index.html"]
    assert report.kept == report.pages - 4
    site.write("layouts/news.html", NEWS["layouts/news.html"].replace(": {{ item.body }}", ""))
    site.build()
    rendered.clear()
    site.edit("content/news/second.md", "The second item.", "The second item, again.")
    site.build()
    # The item, the listing page that lists it (its items' texts count), and the digest.
    assert sorted(rendered) == ["digest/index.html", "news/index.html", "news/second/index.html"]


def test_a_text_saved_just_before_the_last_build_is_read_again_though_its_stat_is_the_same(fixture, monkeypatch):
    """The 2-second rule: the clock that stamps files is coarse, so a second save in the same
    tick can leave the same stat. A file saved within RACY_NS before the last build began is
    read again; one saved before that is trusted by its stat."""
    site = fixture
    page = "content/about/history.md"
    recorded = cache_module.filestats.sig(site.root / page)
    real = cache_module.filestats.sources

    def same_stat(root):  # the second save in the same tick: the stat shows nothing new
        found = real(root)
        if page in found:
            found[page] = recorded
        return found

    monkeypatch.setattr(cache_module.filestats, "sources", same_stat)
    site.edit(page, "Founded long ago.", "Founded in 1876.")
    monkeypatch.setattr(cache_module, "RACY_NS", 10**18)  # the last build began just after the first save
    site.rebuild_equals_clean()
    assert "Founded in 1876." in (site.root / "build/about/history/index.html").read_text()
    site.edit(page, "Founded in 1876.", "Founded in 1877.")
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # now long before: the stat is trusted
    site.build()
    assert "Founded in 1876." in (site.root / "build/about/history/index.html").read_text()


def _cli_build(root: Path, *options: str):
    """`alagen build` in a new process, with files trusted by their stat at once (see fixture)."""
    import subprocess
    import sys

    command = [sys.executable, "-c", "import sys; from alagen import cache, cli; cache.RACY_NS = 0; sys.argv[0] = 'alagen'; cli.run()",
               "build", "--now", "2025-03-01", "--no-search", *options]
    environ = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run(command, cwd=root, env=environ, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def test_a_new_process_reads_the_texts_a_changed_text_needs(tmp_path):
    """A new `alagen build` reads only the texts it renders from the cache, and all of them
    when a page shows other pages' texts."""
    root = make_site(tmp_path / "site", {**FILES, **NEWS})
    _cli_build(root)
    for name, old, new in [
        ("content/about/mission.md", "Our mission", "Our aim"),
        ("content/news/second.md", "The second item.", "The second item, again."),  # the digest shows every news text
        ("content/news/index.md", "The latest from us.", "Our latest."),
        ("content/people.md", "layout: people\n---\n", "layout: people\n---\nOur people.\n"),
    ]:
        (root / name).write_text((root / name).read_text().replace(old, new))
        again = _cli_build(root)
        assert "reuse" in again.stdout, again.stdout
        _cli_build(root, "--no-cache", "--out", str(tmp_path / "clean"))
        assert _tree(root / "build") == _tree(tmp_path / "clean"), name


# ---------------------------------------------------------------- serve's watcher paths --


def test_a_rebuild_told_what_changed_by_the_watcher_equals_a_clean_build(tmp_path, monkeypatch):
    """`alagen serve` passes the paths its watcher saw; the build looks at those alone."""
    import shutil

    from alagen.serve.builder import Builder

    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = make_site(tmp_path / "site", {**FILES, **NEWS})
    builder = Builder(root, tmp_path / "work" / "site", dt.date(2025, 3, 1), False)
    assert builder.rebuild().ok
    walks = []
    real = cache_module.filestats.sources
    monkeypatch.setattr(cache_module.filestats, "sources", lambda r: walks.append(r) or real(r))

    def changed(*paths: str):
        result = builder.rebuild(paths)
        assert result.ok, result.problems
        clean = tmp_path / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build(BuildOptions(root=root, out=clean, now=dt.date(2025, 3, 1), search=False, cache=False))
        assert _tree(tmp_path / "work/site") == _tree(clean), paths
        return result.report

    def write(name: str, text: str) -> str:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
        return name

    report = changed(write("content/about/mission.md", "---\ntitle: Mission\n---\nOur aim.\n"))
    assert report.kept == report.pages - 4  # the page, and those whose layouts show texts: digest, news 1 and 2
    changed(write("content/team/ada.md", "---\ntitle: Ada\n---\nAda is here.\n"))  # a file added, in a new folder
    (root / "content/extra.md").unlink()
    changed("content/extra.md")  # a file removed
    changed(write("data/people.yaml", "- {name: Ada}\n- {name: Grace Hopper}\n"))  # a data file
    changed(write("layouts/page.html", FILES["layouts/page.html"].replace("<h1>", '<h1 class="t">')))  # a layout
    (root / "content/team").rename(root / "content/crew")  # a folder moved: the watcher sees the folders
    changed("content/team", "content/crew")
    assert (tmp_path / "work/site/crew/ada/index.html").is_file() and not (tmp_path / "work/site/team").exists()
    assert not walks  # never a walk of the site's folders


def test_a_failed_rebuild_keeps_its_changes_for_the_next(tmp_path, monkeypatch):
    """The watcher's paths of a build that failed count again in the next one."""
    from alagen.serve.builder import Builder

    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = make_site(tmp_path / "site", FILES)
    builder = Builder(root, tmp_path / "work" / "site", dt.date(2025, 3, 1), False)
    assert builder.rebuild().ok
    (root / "content/extra.md").write_text("---\ntitle: Extra, again\n---\nSee [nothing](nowhere.md).\n")
    assert not builder.rebuild(("content/extra.md",)).ok  # a broken link
    (root / "content/about/history.md").write_text("---\ntitle: History\ndate: 2024-12-01\n---\nFounded in 1876.\n")
    (root / "content/extra.md").write_text("---\ntitle: Extra, again\n---\nFixed.\n")
    assert builder.rebuild(("content/about/history.md",)).ok  # the extra page's fix was seen in the failed build
    assert "Fixed." in (tmp_path / "work/site/extra/index.html").read_text()
    assert "Founded in 1876." in (tmp_path / "work/site/about/history/index.html").read_text()


def test_a_build_on_the_wall_clock_reuses_the_site_within_the_same_days(tmp_path, monkeypatch):
    """Without --now (as `alagen serve` builds) the clock's moment differs every build: the
    last site is reused with the new moment while every day the model reads is the same (the
    build date, and the date where each event is); otherwise the site is made again."""
    import zoneinfo

    from alagen import clock as clock_module
    from alagen.model import site as site_module

    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    files = {**FILES, "data/events.yaml": FILES["data/events.yaml"] + (
        "- {id: tokyo, title: Tokyo meeting, kind: meeting, start: 2025-03-01, timezone: Asia/Tokyo, summary: In Tokyo.}\n"
    )}
    root = make_site(tmp_path / "site", files)
    moment = [dt.datetime(2025, 3, 1, 8, 0, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))]  # 23:00 in Tokyo

    def make_clock(timezone, now=None, environ=os.environ):
        return clock_module.make_clock(timezone, now or moment[0], environ)

    monkeypatch.setattr(cache_module, "make_clock", make_clock)
    monkeypatch.setattr(site_module, "make_clock", make_clock)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    loads = _loads(monkeypatch)

    def rebuild_equals_clean(scratch: str):
        report = build(BuildOptions(root=root, search=False))
        build(BuildOptions(root=root, out=tmp_path / scratch, search=False, cache=False))
        assert _tree(root / "build") == _tree(tmp_path / scratch)
        return report

    rebuild_equals_clean("clean-1")
    (root / "content/extra.md").write_text("---\ntitle: Extra\n---\nAn extra page, later.\n")
    moment[0] = moment[0].replace(hour=8, minute=45)  # the same days everywhere
    before = len(loads)
    calendar_written = (root / "build/events/calendar.ics").stat().st_mtime_ns
    report = rebuild_equals_clean("clean-2")
    assert (root / "build/events/calendar.ics").stat().st_mtime_ns == calendar_written
    assert len(loads) == before + 1 and report.timings[0][0] == "reuse"  # the clean build's load only
    # DTSTAMP is the start of the build day (midnight in Chicago): later the same day, the
    # calendars are the same bytes, so a rebuild (in serve, say) need not make them again
    assert "DTSTAMP:20250301T060000Z" in (root / "build/events/calendar.ics").read_text()
    moment[0] = moment[0].replace(hour=10)  # 01:00 in Tokyo: that meeting is over there
    before = len(loads)
    rebuild_equals_clean("clean-3")
    assert len(loads) == before + 2  # loaded and modelled again
    assert "Tokyo meeting" not in (root / "build/index.html").read_text()  # home lists upcoming events


def test_the_model_reads_the_clock_only_as_days_seen_says():
    """The demo site modelled at moments of one day: wherever days_seen agrees, the sites are
    the same but for their clocks (what a wall-clock rebuild relies on)."""
    import zoneinfo

    from alagen.model.site import days_seen
    from alagen.pipeline import read_site

    repo = Path(__file__).resolve().parent.parent
    zone = zoneinfo.ZoneInfo("America/Chicago")
    sites = [
        read_site(BuildOptions(root=repo, now=dt.datetime(2025, 3, 1, hour, 30, tzinfo=zone)))
        for hour in (0, 6, 12, 18, 23)
    ]
    compared = 0
    for one in sites:
        for other in sites:
            if one is not other and days_seen(one, one.clock) == days_seen(other, other.clock):
                assert dataclasses.replace(one, clock=other.clock) == other
                compared += 1
    assert compared >= 2


def test_pages_read_back_from_the_cache_keep_their_keys(fixture):
    """A new process models the site from pages and records read back from the cache: their
    render keys are the ones they had when they were made, so nothing is rendered again."""
    site = fixture
    cache_module._memory.clear()  # as a new process
    site.write("data/menus.yaml", (site.root / "data/menus.yaml").read_text() + "# saved again\n")  # the same menus
    report = site.rebuild_equals_clean()
    assert [name for name, _ in report.timings][:2] == ["load", "model"]
    assert report.kept == report.pages


def _copy_as_a_clone(source: Path, target: Path, names=("content", "data", "layouts", ".alagen-cache", "build")) -> None:
    """What CI has: a fresh checkout (every file new: other mtimes, ctimes and inodes) at
    another place, with .alagen-cache/ and build/ restored from its cache."""
    import shutil

    for name in names:
        shutil.copytree(source / name, target / name, copy_function=shutil.copyfile)


def _files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_fresh_clone_elsewhere_with_its_cache_restored_builds_only_what_changed(tmp_path):
    """The demo (photos, static files, records) built once; then cloned to another folder
    with the cache and build/ copied as a CI cache restores them; one page edited. The
    clone's build renders that page (and what lists it), not the site, and its output is
    the bytes of a clean build of the clone."""
    repo = Path(__file__).resolve().parent.parent
    first = tmp_path / "ci-run-1" / "site"
    _copy_as_a_clone(repo, first, names=("content", "data", "layouts"))
    options = dict(now=dt.date(2025, 3, 1), search=False)
    built = build(BuildOptions(root=first, **options))
    clone = tmp_path / "ci-run-2" / "checkout"
    _copy_as_a_clone(first, clone)
    page = clone / "content/about/index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    report = build(BuildOptions(root=clone, **options))
    assert report.notes == ()
    assert report.pages == built.pages and 0 < report.pages - report.kept < 10
    clean = tmp_path / "clean" / "site"
    _copy_as_a_clone(clone, clean, names=("content", "data", "layouts"))
    build(BuildOptions(root=clean, cache=False, **options))
    assert _files_of(clone / "build") == _files_of(clean / "build")
    # And the clone's own cache is right for its next build: nothing changed, nothing made.
    again = build(BuildOptions(root=clone, **options))
    assert again.kept == again.pages


def test_a_restored_file_whose_bytes_changed_is_built_again_even_with_the_same_size(tmp_path):
    """The digest, not the size or the stat, says a clone's file is the one recorded."""
    site = make_site(tmp_path / "one" / "site", {**FILES, "content/index.md": "---\ntitle: Home\n---\nHome.\n",
                                                  "content/a.md": "---\ntitle: A\n---\nWord one.\n"})
    options = dict(now=dt.date(2025, 3, 1), search=False)
    build(BuildOptions(root=site, **options))
    clone = tmp_path / "two" / "site"
    _copy_as_a_clone(site, clone)
    (clone / "content/a.md").write_text("---\ntitle: A\n---\nWord two.\n")
    report = build(BuildOptions(root=clone, **options))
    assert "Word two." in (clone / "build/a/index.html").read_text()
    assert report.kept == report.pages - 1
