"""`alagen new` and `alagen init`: what an editor gets, that it builds, and that nothing that
exists is overwritten."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from alagen import schema
from alagen.scaffold import KINDS, ScaffoldError, init, new, place
from conftest import build_at, problems_of, read, run_cli

REPO = Path(__file__).resolve().parent.parent
DAY = dt.date(2025, 3, 1)


def front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


def written_values(root: Path, kind: str, path: str) -> dict:
    text = (root / path).read_text()
    if kind in ("page", "news"):
        return front_matter(text)
    value = yaml.safe_load(text)
    return value[-1] if isinstance(value, list) else value


def commented_keys(text: str, indent: str = "") -> set[str]:
    """Keys written as comments at one indent: '# end: ...' or '  # end: ...'."""
    return set(re.findall(rf"^{indent}# ([a-z_]+):", text, flags=re.M))


@pytest.fixture
def starter(tmp_path) -> Path:
    root = tmp_path / "site"
    init(root)
    return root


TARGETS = {
    "page": "content/about/history.md",
    "news": "content/news/new-board.md",
    "event": "data/events/spring.yaml",
    "job": "data/jobs.yaml",
    "award": "data/awards/new-prize.yaml",
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_required_field_is_written_and_every_optional_one_is_a_comment(starter, kind):
    """Read against the contracts in schema.py, so a new field cannot be forgotten here."""
    written = new(kind, TARGETS[kind], starter, DAY)
    text = (starter / written.path).read_text()
    values = written_values(starter, kind, written.path)
    contract = KINDS[kind].fields
    must = {f.name for f in contract if f.required}
    assert must <= set(values)
    build_at(starter)  # it builds as written
    indent = "  " if kind in ("event", "job") else ""
    optional = {f.name for f in contract} - set(values)
    assert commented_keys(text, indent) == optional
    for field in contract:  # nested fields (an event's location, an award's winners) too
        for inner in field.fields:
            assert re.search(rf"^{indent}#   (- |  )?{inner.name}:", text, flags=re.M), (field.name, inner.name)
    for name in optional:  # each comment says what the field is for
        doc = next(f.doc for f in contract if f.name == name)
        assert re.search(rf"^{indent}# {name}:.*# {re.escape(doc)}", text, flags=re.M)


def _without(root: Path, kind: str, path: str, name: str) -> None:
    """The written file with the field `name` taken out."""
    file = root / path
    text = file.read_text()
    if kind in ("page", "news"):
        head, body = text.split("---\n")[1], text.split("---\n", 2)[2]
        kept = [line for line in head.splitlines() if not line.startswith(f"{name}:")]
        file.write_text("---\n" + "\n".join(kept) + "\n---\n" + body)
        return
    value = yaml.safe_load(text)
    entry = value[-1] if isinstance(value, list) else value
    del entry[name]
    file.write_text(yaml.safe_dump(value, sort_keys=False))


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_field_written_is_one_the_build_requires(tmp_path, kind):
    """The build, not the scaffolder's own list, says what is required: each field a new
    file is written with, taken out, stops the build at that file."""
    root = tmp_path / "site"
    init(root)
    written = new(kind, TARGETS[kind], root, DAY)
    original = (root / written.path).read_text()
    # A news item's summary is written for its card and feed entry, which show nothing
    # without one; the build accepts it (the listing leaves the teaser out).
    recommended = {"summary"} if kind == "news" else set()
    for name in written_values(root, kind, written.path).keys() - recommended:
        _without(root, kind, written.path, name)
        problems = problems_of(root)
        assert any(p.startswith(f"{written.path}:") and (f"'{name}'" in p or f"'{name}:'" in p) for p in problems), (name, problems)
        (root / written.path).write_text(original)


def test_news_and_jobs_get_what_the_build_requires_beyond_the_contract(starter):
    news = new("news", "spring-meeting", starter, DAY)
    assert news.path == "content/news/spring-meeting.md"
    assert front_matter((starter / news.path).read_text())["date"] == DAY  # a news item needs a date
    job = new("job", "jobs", starter, DAY, title="Cataloging librarian")
    values = written_values(starter, "job", job.path)
    assert values["url"].startswith("https://") and values["title"] == "Cataloging librarian"


def test_every_new_file_builds_without_problems_in_a_new_site(starter):
    for kind, target in TARGETS.items():
        new(kind, target, starter, DAY)
    new("event", "data/events/spring.yaml", starter, DAY, title="A second event")  # appended
    report = build_at(starter, now=DAY.isoformat(), strict=True)  # warnings would fail it too
    assert report.warnings == ()
    assert "History" in read(starter, "about/history/index.html")
    assert "New board" in read(starter, "news/new-board/index.html")
    assert ">New event</a>" in read(starter, "events/index.html")  # a list file's name is not a title
    assert "A second event" in read(starter, "events/index.html")
    assert "Name of the employer" in read(starter, "jobs/new-job/index.html")
    assert "New prize" in read(starter, "awards/new-prize/index.html")


def test_new_records_join_the_demo_files_and_the_demo_still_builds(tmp_path):
    root = tmp_path / "demo"
    for folder in ("content", "data", "layouts", "schemas"):
        shutil.copytree(REPO / folder, root / folder)
    before = {name: (root / name).read_text() for name in ("data/jobs.yaml", "data/events/conferences.yaml")}
    job = new("job", "data/jobs.yaml", root, DAY, title="Reference librarian")
    event = new("event", "events/conferences.yaml", root, DAY, title="Spring members meeting")
    award = new("award", "awards/reading-prize", root, DAY)
    page = new("page", "about/our-history", root, DAY)
    assert job.appended and event.appended and not award.appended
    for name, text in before.items():  # every line that was there is still there, unchanged
        after = (root / name).read_text()
        assert after.startswith(text)
        assert after.splitlines()[job.line - 1 if "jobs" in name else event.line - 1].startswith("- title: ")
    assert (root / award.path).read_text().startswith("# yaml-language-server: $schema=../../schemas/award.schema.json\n")
    build_at(root, strict=True)
    assert "Reference librarian" in read(root, "jobs/reference-librarian/index.html")
    assert "Spring members meeting" in read(root, "events/spring-members-meeting-2025-03-01/index.html")
    assert "Reading prize" in read(root, "awards/reading-prize/index.html")
    assert "Our history" in read(root, "about/our-history/index.html")


def test_nothing_is_overwritten(starter):
    page = starter / "content/about.md"
    text = page.read_text()
    with pytest.raises(ScaffoldError, match=r"content/about.md already exists; edit it, or choose another name"):
        new("page", "about.md", starter, DAY)
    assert page.read_text() == text
    new("award", "awards/prize.yaml", starter, DAY)
    award = (starter / "data/awards/prize.yaml").read_text()
    with pytest.raises(ScaffoldError, match=r"holds one award; nothing was written.*its own file"):
        new("award", "awards/prize.yaml", starter, DAY)
    assert (starter / "data/awards/prize.yaml").read_text() == award
    (starter / "data/events").mkdir()
    (starter / "data/events/bad.yaml").write_text("- title: [unclosed\n")
    with pytest.raises(ScaffoldError, match=r"^data/events/bad.yaml:\d+:\d+: .*; fix it first, nothing was written"):
        new("event", "events/bad.yaml", starter, DAY)
    assert (starter / "data/events/bad.yaml").read_text() == "- title: [unclosed\n"


@pytest.mark.parametrize(
    ("kind", "target", "expected"),
    [
        ("page", "about/history", "content/about/history.md"),
        ("page", "./content/about/history.md", "content/about/history.md"),
        ("news", "new-board", "content/news/new-board.md"),
        ("event", "spring", "data/events/spring.yaml"),
        ("event", "events", "data/events.yaml"),
        ("event", "data/events/2025/spring.yml", "data/events/2025/spring.yml"),
        ("job", "jobs", "data/jobs.yaml"),
        ("award", "prize", "data/awards/prize.yaml"),
    ],
)
def test_where_a_new_file_goes(kind, target, expected):
    assert place(KINDS[kind], target) == expected


@pytest.mark.parametrize(
    ("kind", "target", "message"),
    [
        ("page", "../outside.md", "is not a path inside the site"),
        ("page", "about/notes.txt", "should end in .md"),
        ("news", "about/item.md", "news items live in content/news/"),
        ("event", "data/jobs.yaml", "events live in data/events.yaml or data/events/*.yaml, not data/jobs.yaml"),
        ("page", "news/board.md", "content/news/board.md would be a news item; use: alagen new news board.md"),
    ],
)
def test_a_wrong_place_is_explained(kind, target, message):
    with pytest.raises(ScaffoldError, match=re.escape(message)):
        place(KINDS[kind], target)


def test_the_command_says_where_the_new_record_starts(starter):
    first = run_cli("new", "event", "events/spring.yaml", "--date", "2025-03-01", cwd=starter)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "data/events/spring.yaml:2: wrote a new event; fill in its fields, then run: alagen build\n"
    second = run_cli("new", "event", "events/spring.yaml", "--title", "Book fair", cwd=starter)
    assert second.stdout.startswith("data/events/spring.yaml:")
    line = int(second.stdout.split(":")[1])
    assert (starter / "data/events/spring.yaml").read_text().splitlines()[line - 1] == "- title: Book fair"
    again = run_cli("new", "page", "about.md", cwd=starter)
    assert again.returncode == 1
    assert again.stderr == "alagen: content/about.md already exists; edit it, or choose another name\n"
    wrong = run_cli("new", "news", "x", "--date", "3/4/2025", cwd=starter)
    assert wrong.returncode == 2 and "YYYY-MM-DD" in wrong.stderr


def test_init_starts_a_site_that_builds_cleanly_with_search(tmp_path):
    result = run_cli("init", "new-site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "new-site"
    for name in ("content/index.md", "data/site.yaml", "data/menus.yaml", "layouts/base.html",
                 "layouts/page.html", "layouts/list.html", ".gitignore", "schemas/event.schema.json"):
        assert (root / name).is_file(), name
    report = build_at(root, strict=True, search=True)
    assert report.warnings == () and report.indexed >= 2
    home = read(root, "index.html")
    assert '<a href="/about/">About us</a>' in home
    assert (root / "build/search/index.html").is_file()
    assert "/build/" in (root / ".gitignore").read_text()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site/notes.txt").write_text("mine")
    result = run_cli("init", "site", cwd=tmp_path)
    assert result.returncode == 1
    assert "site already exists and is not empty; choose a new folder" in result.stderr
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["notes.txt"]


def test_a_starter_page_with_a_broken_link_is_still_caught(starter):
    """The starter is a real site: its checks work as the demo's do."""
    (starter / "content/about.md").write_text("---\ntitle: About us\n---\nSee [history](history.md).\n")
    assert problems_of(starter) == [
        "content/about.md:4:15: links to content/history.md, which does not exist"
    ]
