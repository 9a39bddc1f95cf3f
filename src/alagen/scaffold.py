"""`alagen new` and `alagen init`: files for editors to start from.

A new page or record is written from its field contract in schema.py: the required fields
with a value to change, then every optional field as a comment with what it does, so the
template can never disagree with what the build accepts.

Records go where editors already keep them: a new event or job file is a list (as
data/events/*.yaml and data/jobs.yaml are), and naming an existing list file adds the record
at its end, leaving every line above untouched. An award is one file per award. Nothing that
exists is ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from alagen import schema
from alagen.errors import SourceError
from alagen.schema import Field
from alagen import yamlfile

COMMENT_COLUMN = 30  # where the description of an optional field starts


class ScaffoldError(Exception):
    """What cannot be written, and what to do instead."""


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    fields: tuple[Field, ...]
    folder: str  # where a bare name goes: content/news/, data/events/
    collection: str = ""  # records: events, jobs, awards
    # Fields the model requires beyond the contract's own `required` flags: a news item
    # needs a date (model/pages.py), a job a url or an email (model/records.py).
    also_required: tuple[str, ...] = ()
    one_per_file: bool = False  # awards: data/awards/NAME.yaml holds one mapping


KINDS = {
    "page": Kind("page", schema.PAGE_FIELDS, "content/"),
    "news": Kind("news", schema.PAGE_FIELDS, "content/news/", also_required=("date", "summary")),
    "event": Kind("event", schema.EVENT_FIELDS, "data/events/", "events"),
    "job": Kind("job", schema.JOB_FIELDS, "data/", "jobs", also_required=("url",)),
    "award": Kind("award", schema.AWARD_FIELDS, "data/awards/", "awards", one_per_file=True),
}


@dataclass(frozen=True, slots=True)
class Written:
    path: str  # from the site root, e.g. data/events/spring.yaml
    line: int  # where the new page or record starts
    appended: bool  # added to the end of an existing list file


def new(kind_name: str, target: str, root: Path, today: dt.date, title: str | None = None) -> Written:
    """Write a new page or record for `target` (a path from the site root, or a bare name)."""
    kind = KINDS[kind_name]
    source = place(kind, target)
    path = root / source
    title = title or title_from(source, kind)
    if not kind.collection:
        if path.exists():
            raise ScaffoldError(f"{source} already exists; edit it, or choose another name")
        text = page_text(kind, title, today)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return Written(source, 1, False)
    existing = _existing_records(path, source, kind) if path.exists() else None
    if existing is None:
        header = _schema_line(root, source, kind)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + record_text(kind, title, today, as_item=not kind.one_per_file), encoding="utf-8")
        return Written(source, header.count("\n") + 1, False)
    entry = record_text(kind, title, today, as_item=True)
    separator = ("" if existing.endswith("\n") or not existing else "\n") + ("\n" if existing.strip() else "")
    with path.open("a", encoding="utf-8") as file:
        file.write(separator + entry)
    return Written(source, (existing + separator).count("\n") + 1, True)


def place(kind: Kind, target: str) -> str:
    """The file for `target`: 'about/history' -> content/about/history.md, 'spring' (an
    event) -> data/events/spring.yaml, 'data/jobs.yaml' as it is."""
    text = target.replace("\\", "/").strip()
    while text.startswith("./"):
        text = text[2:]
    if not text or text.startswith("/") or ".." in text.split("/"):
        raise ScaffoldError(f"'{target}' is not a path inside the site; write it like {_example(kind)}")
    top = "content/" if not kind.collection else "data/"
    if not text.startswith(top):
        bare = "/" not in text and not (kind.collection and text.split(".")[0] == kind.collection)
        text = (kind.folder if bare else top) + text
    stem, dot, suffix = text.rpartition("/")[2].partition(".")
    wanted = (".md",) if not kind.collection else (".yaml", ".yml")
    if not dot:
        text += wanted[0]
    elif "." + suffix not in wanted:
        raise ScaffoldError(f"'{target}' should end in {wanted[0]}; write it like {_example(kind)}")
    if kind.name == "news" and not text.startswith("content/news/"):
        raise ScaffoldError(f"news items live in content/news/; write it like {_example(kind)}")
    if kind.name == "page" and text.startswith("content/news/") and not text.endswith("/index.md"):
        raise ScaffoldError(f"{text} would be a news item; use: alagen new news {text.removeprefix('content/news/')}")
    if kind.collection:
        name = posixpath.splitext(text.removeprefix("data/"))[0]
        if name != kind.collection and not name.startswith(kind.collection + "/"):
            raise ScaffoldError(
                f"{kind.collection} live in data/{kind.collection}.yaml or data/{kind.collection}/*.yaml, "
                f"not {text}; write it like {_example(kind)}"
            )
    return text


def _example(kind: Kind) -> str:
    return {
        "page": "content/about/history.md",
        "news": "content/news/new-board.md",
        "event": "data/events/spring-webinars.yaml",
        "job": "data/jobs.yaml",
        "award": "data/awards/new-award.yaml",
    }[kind.name]


def title_from(source: str, kind: Kind) -> str:
    """A first title from the file name: content/news/2025-03-04-new-board.md -> 'New board'."""
    parts = posixpath.splitext(source)[0].split("/")
    stem = parts[-2] if parts[-1] == "index" and len(parts) > 2 else parts[-1]
    if kind.collection and (kind.name != "award" or stem == kind.collection):
        return f"New {kind.name}"  # a list file's name says nothing about the new record
    words = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", stem).replace("-", " ").replace("_", " ").strip()
    return (words[:1].upper() + words[1:]) if words else f"New {kind.name}"


def page_text(kind: Kind, title: str, today: dt.date) -> str:
    """Front matter between '---' lines, then a first paragraph to replace."""
    lines = ["---", *_field_lines(kind, kind.fields, title, today, ""), "---"]
    lines.append("Write the page here, in Markdown. The layout shows the title as the heading,")
    lines.append("so start with text and use ## and ### headings for sections.")
    return "\n".join(lines) + "\n"


def record_text(kind: Kind, title: str, today: dt.date, as_item: bool) -> str:
    """One record: '- title: ...' and its fields indented under it, or a mapping."""
    lines = _field_lines(kind, kind.fields, title, today, "")
    if as_item:
        lines = [("- " if i == 0 else "  ") + line if line else "" for i, line in enumerate(lines)]
    return "\n".join(lines) + "\n"


def required(kind: Kind) -> tuple[str, ...]:
    """The fields a new file of this kind is written with."""
    return tuple(f.name for f in kind.fields if f.required or f.name in kind.also_required)


def _field_lines(kind: Kind, fields: tuple[Field, ...], title: str, today: dt.date, indent: str) -> list[str]:
    needed = required(kind)
    lines = []
    for field in fields:
        if field.name in needed:
            line = f"{indent}{field.name}: {_value(field, title, today)}"
            if field.choices:
                line = _pad(line) + f"# one of: {', '.join(field.choices)}"
            lines.append(line)
    lines.append(f"{indent}# Optional: remove the '# ' before a line to use it.")
    for field in fields:
        if field.name not in needed:
            lines.extend(_commented(field, today, indent))
    return lines


def _commented(field: Field, today: dt.date, indent: str) -> list[str]:
    """An optional field as comment lines: '# end:   # The last day, ...'."""
    doc = field.doc + (f" One of: {', '.join(field.choices)}." if field.choices else "")
    if field.name == "body":
        return [_pad(f"{indent}# body: |") + f"# {doc}", f"{indent}#   More text, in Markdown."]
    example = _example_value(field, today)
    lines = [_pad(f"{indent}# {field.name}:{' ' + example if example else ''}") + f"# {doc}"]
    if field.kind == "record":
        for inner in field.fields:
            lines.append(_pad(f"{indent}#   {inner.name}:{' ' + _example_value(inner, today) if _example_value(inner, today) else ''}") + f"# {inner.doc}")
    elif field.kind == "records":
        for n, inner in enumerate(field.fields):
            lead = "- " if n == 0 else "  "
            value = _value(inner, "", today) if inner.required else _example_value(inner, today)
            note = " (each entry needs it)" if inner.required else ""
            lines.append(_pad(f"{indent}#   {lead}{inner.name}:{' ' + value if value else ''}") + f"# {inner.doc}{note}")
    return lines


def _value(field: Field, title: str, today: dt.date) -> str:
    """A valid first value for a required field, for the editor to change."""
    if field.name in ("title", "name"):
        return _scalar(title)
    if field.choices:
        return field.choices[0]
    if field.name == "summary":
        return _scalar(f"A sentence or two about {title}: what it is and who it is for." if title else "...")
    if field.kind in ("date", "when"):
        return today.isoformat()
    if field.kind == "int":
        return str(today.year)
    if field.kind == "url":
        return "https://www.example.org/"
    if field.kind == "email":
        return "jobs@example.org"
    placeholders = {"employer": "Name of the employer", "city": "City", "region": "IL", "recipient": "Name"}
    return _scalar(placeholders.get(field.name, field.name.replace("_", " ").capitalize()))


def _example_value(field: Field, today: dt.date) -> str:
    """What a commented optional field shows after its key; empty text is valid to uncomment."""
    if field.kind in ("date", "when"):
        return today.isoformat()
    if field.kind == "bool":
        return "true"
    if field.kind == "int":
        return str(today.year) if field.name == "year" else "10"
    if field.kind == "list":
        return "[]"
    if field.kind == "monthday":
        return '"09-01"' if field.name == "opens" else '"03-01"'
    if field.kind == "mapping":
        return "{}"
    return ""


def _pad(text: str) -> str:
    return text.ljust(COMMENT_COLUMN - 1) + " " if len(text) < COMMENT_COLUMN else text + "  "


def _scalar(text: str) -> str:
    """`text` as a YAML value, quoted only where YAML needs it (a ':', a '#', 'yes')."""
    dumped = yaml.safe_dump(text, default_flow_style=True, allow_unicode=True, width=10_000)
    return dumped.removesuffix("\n...\n").rstrip("\n")


def _schema_line(root: Path, source: str, kind: Kind) -> str:
    """The line that gives editors completion (yaml-language-server), when the site has schemas/."""
    schema_file = root / "schemas" / f"{kind.name}.schema.json"
    if not schema_file.is_file():
        return ""
    relative = posixpath.relpath(f"schemas/{kind.name}.schema.json", posixpath.dirname(source))
    return f"# yaml-language-server: $schema={relative}\n"


def _existing_records(path: Path, source: str, kind: Kind) -> str | None:
    """The text of an existing list file to append to; None if it is empty."""
    try:
        text = path.read_text(encoding="utf-8")
        value, _ = yamlfile.parse(text, source)
    except (OSError, UnicodeDecodeError) as err:
        raise ScaffoldError(f"{source} cannot be read ({err}); nothing was written") from err
    except SourceError as err:
        raise ScaffoldError(f"{err}; fix it first, nothing was written") from err
    if value is None and not text.strip():
        return None
    if isinstance(value, list) or value is None:
        return text
    what = f"one {kind.name}" if isinstance(value, dict) else "something other than a list"
    raise ScaffoldError(
        f"{source} already exists and holds {what}; nothing was written. "
        f"Give the new {kind.name} its own file, e.g. alagen new {kind.name} {_example(kind)}"
    )


# --- alagen init ---------------------------------------------------------------------------------

STARTER = "starter"  # src/alagen/starter/: a small site that builds cleanly


def init(folder: Path) -> list[str]:
    """Copy the starter site into `folder` (new or empty); return the files written."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ScaffoldError(f"{folder} already exists and is not empty; choose a new folder")
    starter = resources.files("alagen") / STARTER
    written: list[str] = []
    folder.mkdir(parents=True, exist_ok=True)
    _copy(starter, folder, "", written)
    from alagen.schema_export import write_schemas  # completion in editors for the new site

    written += [p.relative_to(folder).as_posix() for p in write_schemas(folder / "schemas")]
    return sorted(written)


def _copy(source, folder: Path, prefix: str, written: list[str]) -> None:
    for item in sorted(source.iterdir(), key=lambda i: i.name):
        if item.name in ("__pycache__", "__init__.py"):
            continue
        # Packaging drops dotfiles, so the starter keeps 'gitignore' and it is renamed here.
        name = "." + item.name if item.name == "gitignore" else item.name
        target = folder / name
        if item.is_dir():
            target.mkdir(exist_ok=True)
            _copy(item, target, f"{prefix}{name}/", written)
        else:
            with resources.as_file(item) as real:
                shutil.copyfile(real, target)
            written.append(prefix + name)
