"""Stage 1, load: read content/, data/ and layouts/ into raw documents with source positions.

Nothing is validated here beyond what is needed to read a file: UTF-8, front matter that
opens and closes, YAML that parses. Meaning is the model's job.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from alagen import yamlfile
from alagen.errors import Location, Problems, SourceError

DEFAULTS_NAME = "_defaults.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


def skipped(name: str) -> bool:
    """A file or folder name the build never reads: hidden, an editor's backup or lock file."""
    return name.startswith((".", "#")) or name.endswith("~")


@dataclass(frozen=True, slots=True)
class Document:
    """A Markdown page as written: front matter values with positions, and the body text."""

    source: str  # path from the site root, e.g. "content/about/mission.md"
    front: Mapping[str, Any]
    positions: yamlfile.Positions
    body: str
    body_line: int  # the file line where the body starts
    has_front_matter: bool
    head: str = ""  # the text before the body: the front matter between its '---' lines


@dataclass(frozen=True, slots=True)
class DataFile:
    """One YAML file from data/ (or a folder's _defaults.yaml)."""

    source: str
    name: str  # "site" for data/site.yaml, "events/2025" for data/events/2025.yaml
    value: Any
    positions: yamlfile.Positions


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A file published as it is: an image or PDF under content/, a theme asset."""

    source: str
    path: Path  # absolute, to copy from


@dataclass(frozen=True, slots=True)
class Sources:
    root: Path
    documents: tuple[Document, ...]
    defaults: tuple[DataFile, ...]  # content/**/_defaults.yaml; name is the folder
    data: tuple[DataFile, ...]
    statics: tuple[StaticFile, ...]
    assets: tuple[StaticFile, ...]  # layouts/assets/**
    layouts: tuple[str, ...]  # template names a page may pick: "page", "list", ...
    unreadable: tuple[str, ...]  # pages that could not be read (already reported)


def load(root: Path, problems: Problems, reuse: Callable[[str, str], Any] | None = None) -> Sources:
    """Read the site at `root`. Files that cannot be read are reported to `problems` and
    left out; the model stage goes on, so one build reports every mistake. `reuse(source,
    path)` may return a page or data file unchanged since the last build (the cache's), left
    unread."""
    root = root.resolve()
    unreadable = []
    documents, defaults, statics, data, assets = [], [], [], [], []
    for source, location in _files(root, "content", problems):
        name = source.rpartition("/")[2]
        if name == DEFAULTS_NAME:
            loaded = _read_yaml(Path(location), source, problems)
            if loaded:
                folder = source.rpartition("/")[0]
                defaults.append(DataFile(source, folder, *loaded))
        elif name.endswith(".md"):
            document = (reuse and reuse(source, location)) or read_document(Path(location), source, problems)
            if document:
                documents.append(document)
            else:
                unreadable.append(source)
        else:
            statics.append(StaticFile(source, Path(location)))
    for source, location in _files(root, "data", problems):
        if os.path.splitext(source)[1] in YAML_SUFFIXES:
            unchanged = reuse and reuse(source, location)
            if unchanged:
                data.append(unchanged)
                continue
            loaded = _read_yaml(Path(location), source, problems)
            if loaded:
                name = source.removeprefix("data/").rsplit(".", 1)[0]
                data.append(DataFile(source, name, *loaded))
    for source, location in _files(root, "layouts/assets", problems):
        assets.append(StaticFile(source, Path(location)))
    layouts_dir = root / "layouts"
    layouts = tuple(
        sorted(p.stem for p in layouts_dir.glob("*.html") if p.stem != "base" and not p.stem.startswith("_"))
    ) if layouts_dir.is_dir() else ()
    return Sources(
        root, tuple(documents), tuple(defaults), tuple(data), tuple(statics), tuple(assets), layouts, tuple(unreadable)
    )


def _files(root: Path, folder: str, problems: Problems):
    """(source, absolute path as a string) of every file below root/folder, sorted, skipping hidden
    files, editor backups, and links that lead outside the site. Linked folders are not
    entered."""
    top = root / folder
    if top.is_symlink():  # would publish whatever it points to, anywhere on the computer
        problems.error(Location(folder), f"{folder}/ is a link to another folder; make it a real folder of the site")
        return
    if not top.is_dir():
        return
    yield from _walk(top, str(top), folder, problems)


def _walk(root: Path, directory: str, prefix: str, problems: Problems):
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        name = entry.name
        if entry.is_dir():
            if not name.startswith(".") and not entry.is_symlink():
                folders.append(entry)
            continue
        if skipped(name):
            continue
        source = f"{prefix}/{name}"
        if entry.is_symlink() and not _stays_inside(Path(entry.path), root):
            problems.warning(Location(source), f"this link points outside {prefix.split('/')[0]}/ or at a hidden file, and is not published")
            continue
        if entry.is_file():
            yield source, entry.path
    for entry in folders:
        yield from _walk(root, entry.path, f"{prefix}/{entry.name}", problems)


def _stays_inside(link: Path, top: Path) -> bool:
    """A link is followed only to a file inside its own top folder (content/, data/, ...), and
    never to a hidden one: `content/env.txt -> ../.env` would publish the site's secrets."""
    target = link.resolve()
    if not target.is_relative_to(top):
        return False
    return not any(part.startswith(".") for part in target.relative_to(top).parts)


def read_document(path: Path, source: str, problems: Problems) -> Document | None:
    """One Markdown page, or None (with its problems reported)."""
    text = _read_text(path, source, problems)
    return None if text is None else _split_page(text, source, problems)


def read_head_and_body(path: Path, source: str) -> tuple[str, str] | None:
    """A page's head (its front matter, with the '---' lines) and body, without reading the
    YAML: what the build cache compares to tell an edit of the text alone. None when the file
    cannot be read or has no front matter that closes."""
    text = _read_text(path, source, Problems())
    if text is None:
        return None
    lines = text.split("\n")
    index = _closing_line(lines)
    if index is None:
        return None
    body = "\n".join(lines[index + 1 :])
    return text[: len(text) - len(body)], body


def _closing_line(lines: list[str]) -> int | None:
    """The index of the line that closes the front matter opened on the first line."""
    if lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return index
    return None


def _read_text(path: Path, source: str, problems: Problems) -> str | None:
    """The file as text: UTF-8, a BOM dropped, CRLF and CR turned into LF."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        problems.error(Location(source), f"cannot be read: {err.strerror}")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        problems.error(
            Location(source, line, col),
            f"this file is not UTF-8: byte 0x{raw[err.start]:02X} at offset {err.start} is not valid UTF-8; "
            "save the file with UTF-8 encoding",
        )
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def read_data(path: Path, source: str, problems: Problems) -> DataFile | None:
    """One data file, or None (with its problems reported)."""
    loaded = _read_yaml(path, source, problems)
    return DataFile(source, source.removeprefix("data/").rsplit(".", 1)[0], *loaded) if loaded else None


def _read_yaml(path: Path, source: str, problems: Problems):
    text = _read_text(path, source, problems)
    if text is None or _refuse_unsafe(text, source, 1, problems):
        return None
    try:
        return yamlfile.parse(text, source)
    except SourceError as err:
        problems.add(err.problem)
        return None


def _split_page(text: str, source: str, problems: Problems) -> Document | None:
    """Separate the YAML front matter (between two '---' lines) from the Markdown body."""
    if not text.strip():
        problems.error(
            Location(source, 1, 1),
            "this file is empty; a page needs front matter with at least a title: "
            "a line '---', a line 'title: Your page title', and a line '---'",
        )
        return None
    lines = text.split("\n")
    empty = yamlfile.Positions(source, MappingProxyType({}))
    if lines[0].rstrip() != "---":
        return Document(source, MappingProxyType({}), empty, _drop_unsafe(text, source, 1, problems), 1, has_front_matter=False)
    index = _closing_line(lines)
    if index is None:
        problems.error(
            Location(source, 1, 1),
            "the front matter opened with '---' on line 1 never closes; add a line '---' after its last key",
            span=3,
        )
        return None
    if _refuse_unsafe("\n".join(lines[1:index]), source, 2, problems):
        return None
    try:
        front, positions = yamlfile.parse("\n".join(lines[1:index]), source, first_line=2)
    except SourceError as err:
        problems.add(err.problem)
        return None
    if front is None:
        front = {}
    if not isinstance(front, dict):
        kind = "a list" if isinstance(front, list) else "a single value"
        problems.error(
            Location(source, 2, 1),
            f"the front matter must be 'key: value' lines (a mapping), but this is {kind}; "
            "write it like 'title: About us'",
        )
        return None
    body = "\n".join(lines[index + 1 :])
    head = text[: len(text) - len(body)]
    body = _drop_unsafe(body, source, index + 2, problems)
    return Document(source, MappingProxyType(front), positions, body, index + 2, has_front_matter=True, head=head)


def _unsafe(text: str, source: str, first_line: int):
    """(location, description) of each character web pages and feeds cannot carry."""
    line, line_start, counted = first_line, 0, 0  # lines counted as the matches go: linear
    for found in yamlfile.UNSAFE.finditer(text):
        at = found.start()
        newlines = text.count("\n", counted, at)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted, at) + 1
        counted = at
        yield Location(source, line, at - line_start + 1), yamlfile.unsafe_character(found.group())


def _refuse_unsafe(yaml_text: str, source: str, first_line: int, problems: Problems) -> bool:
    """Such a character in YAML is an error at its place (PyYAML's own message has none)."""
    found = False
    for where, what in _unsafe(yaml_text, source, first_line):
        problems.error(where, f"this file holds the character {what}, which web pages and feeds cannot carry; delete it")
        found = True
    return found


def _drop_unsafe(body: str, source: str, first_line: int, problems: Problems) -> str:
    """In a page's text such a character (Word's line break is a vertical tab) becomes a space,
    with a warning: the page is still published."""
    if not yamlfile.UNSAFE.search(body):
        return body
    for where, what in _unsafe(body, source, first_line):
        problems.warning(where, f"the character {what} cannot be shown in a web page; it was replaced by a space")
    return yamlfile.UNSAFE.sub(" ", body)
