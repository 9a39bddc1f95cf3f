"""Field contracts: the keys an editor may write, their types, and how they are checked.

One definition serves validation, error messages with suggestions, and (later) JSON Schema
export and `alagen new`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from alagen.errors import Problems
from alagen.yamlfile import Positions


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str  # "text", "date", "bool", "int", "list" (of text), "mapping"
    required: bool = False
    doc: str = ""


PAGE_FIELDS: tuple[Field, ...] = (
    Field("title", "text", True, "The page title: its heading, browser tab and search result."),
    Field("description", "text", doc="One sentence for search engines, listings and link previews."),
    Field("summary", "text", doc="A teaser for lists and cards (plain text); news items need one."),
    Field("layout", "text", doc="The template in layouts/ to use, e.g. page, list or home."),
    Field("slug", "text", doc="The last part of the URL instead of the file name."),
    Field("date", "date", doc="The date the page was written (YYYY-MM-DD)."),
    Field("updated", "date", doc="The date of the last real change (YYYY-MM-DD)."),
    Field("draft", "bool", doc="true keeps the page out of the build (shown with --drafts)."),
    Field("publish", "date", doc="The page is left out before this date."),
    Field("expires", "date", doc="The page is left out after this date."),
    Field("aliases", "list", doc="Old URLs that redirect to this page, e.g. /old/page.cfm."),
    Field("weight", "int", doc="Order among sibling pages: lower comes first."),
    Field("topics", "list", doc="Topic ids, e.g. [privacy, literacy]."),
    Field("unit", "text", doc="The division the page belongs to, e.g. core."),
    Field("toc", "bool", doc="true shows a table of contents of the page's headings."),
    Field("image", "text", doc="An image for the page's card and link previews."),
    Field("image_alt", "text", doc="What the image shows, for people who cannot see it."),
    Field("url", "text", doc="The whole URL, e.g. /join/, instead of one from the file path."),
    Field("extra", "mapping", doc="Free-form values for custom templates."),
)

SITE_FIELDS: tuple[Field, ...] = (
    Field("title", "text", True, "The association's name."),
    Field("tagline", "text", doc="A short line under the name."),
    Field("base_url", "text", True, "The public address, e.g. https://www.example.org/."),
    Field("timezone", "text", doc="IANA time zone for dates and events (default America/Chicago)."),
    Field("language", "text", doc="The site's language tag (default en)."),
    Field("address", "list", doc="The postal address, one line per item."),
    Field("phone", "text", doc="The main phone number."),
    Field("copyright_start", "int", doc="The first year of the copyright line."),
    Field("social", "any", doc="Social links: a list of {name, url}."),
    Field("markdown", "mapping", doc="Markdown settings: raw_html (default true)."),
    Field("extra", "mapping", doc="Free-form values for custom templates."),
)

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def validate(
    values: Mapping[str, Any],
    positions: Positions,
    fields: tuple[Field, ...],
    problems: Problems,
    *,
    what: str = "front matter key",
    check_required: bool = True,
) -> dict[str, Any]:
    """The known fields of `values` converted to their types; every problem reported."""
    by_name = {f.name: f for f in fields}
    result: dict[str, Any] = {}
    for key, value in values.items():
        field = by_name.get(key)
        if field is None:
            problems.error(positions.key(key), _unknown(key, by_name, what), span=len(str(key)))
            continue
        if value is None:
            if field.required:
                problems.error(positions.value(key), f"'{key}' is empty; give it a value")
            continue
        try:
            result[key] = convert(field, value, positions.raw(key))
        except ValueError as err:
            problems.error(positions.value(key), f"'{key}': {err}")
    if check_required:
        for field in fields:
            if field.required and field.name not in values:
                problems.error(positions.value(), f"'{field.name}' is required; add a line '{field.name}: ...'")
    return result


def suggest(key: Any, fields: tuple[Field, ...]) -> str | None:
    """The field an unknown key was probably meant to be ('titel' -> 'title'), or None."""
    if any(f.name == key for f in fields):
        return None
    guess = difflib.get_close_matches(str(key), [f.name for f in fields], n=1, cutoff=0.6)
    return guess[0] if guess else None


def _unknown(key: Any, by_name: Mapping[str, Field], what: str) -> str:
    guess = suggest(key, tuple(by_name.values()))
    if guess:
        return f"'{key}' is not a {what}; did you mean '{guess}'?"
    hint = "; put custom values under 'extra:'" if "extra" in by_name else ""
    return f"'{key}' is not a {what}; known keys are {', '.join(sorted(by_name))}{hint}"


def convert(field: Field, value: Any, raw: str | None = None) -> Any:
    """Convert one value to the field's kind, or raise ValueError saying what to write."""
    kind = field.kind
    if kind == "text":
        if isinstance(value, str):
            return value
        if isinstance(value, (bool, int, float)):
            # `title: 1876` or `title: No`: the editor meant the words they typed.
            return raw if raw is not None else str(value)
        raise ValueError(f"must be text, not {_kind_of(value)}")
    if kind == "date":
        return parse_date(value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise ValueError(f"must be true or false, not {value!r}")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ValueError(f"must be a whole number, not {value!r}")
    if kind == "list":
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return (str(value),)
        if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            return tuple(str(v) for v in value)
        raise ValueError("must be a list of words, e.g. [first, second]")
    if kind == "mapping":
        if isinstance(value, dict):
            return freeze(value)
        raise ValueError(f"must be 'key: value' lines, not {_kind_of(value)}")
    return freeze(value)


def parse_date(value: Any) -> dt.date:
    """A date from 'YYYY-MM-DD', with a message that says exactly what is wrong."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = str(value).strip()
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a date; write dates as YYYY-MM-DD, e.g. 2025-03-04")
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' is not a date: there is no month {month}; write dates as YYYY-MM-DD")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        name = calendar.month_name[month]
        raise ValueError(f"'{text}' is not a date: {name} {year} has {days} days")
    return dt.date(year, month, day)


_EMPTY: Mapping[str, Any] = MappingProxyType({})


def empty() -> Mapping[str, Any]:
    """A shared read-only empty mapping, for dataclass defaults."""
    return _EMPTY


def freeze(value: Any, _done: dict[int, Any] | None = None) -> Any:
    """A read-only copy: dicts become mapping proxies, lists become tuples.

    A YAML alias is the same object as its anchor, so it is frozen once and shared: a
    "billion laughs" document (aliases of aliases) stays as small as it was written."""
    if not isinstance(value, (dict, list)):
        return value
    done = {} if _done is None else _done
    if id(value) not in done:
        if isinstance(value, dict):
            done[id(value)] = MappingProxyType({k: freeze(v, done) for k, v in value.items()})
        else:
            done[id(value)] = tuple(freeze(v, done) for v in value)
    return done[id(value)]


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
