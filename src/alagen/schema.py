"""Field contracts: the keys an editor may write, their types, and how they are checked.

One definition serves validation, error messages with suggestions, JSON Schema export
(`alagen schema`) and, later, `alagen new`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Mapping

from alagen.errors import Problems
from alagen.yamlfile import Positions


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    # "text", "date", "when" (a date or a local date-time), "bool", "int", "list" (of text),
    # "mapping", "url" (http or https), "email", "price" (a decimal), "monthday" ("09-01"),
    # "record" (a nested mapping of `fields`), "records" (a list of them), "any".
    kind: str
    required: bool = False
    doc: str = ""
    choices: tuple[str, ...] = ()
    max_length: int = 0
    fields: tuple["Field", ...] = ()


# The rules of `alagen check`, named here so a page's `check: {skip: [...]}` is validated
# like every other field (alagen.check implements them under the same names).
CHECK_RULES = (
    "link", "anchor", "external-link", "img-alt", "h1", "heading-order", "lang", "duplicate-id",
    "title", "description", "html-parse", "sitemap", "feed", "calendar", "redirects", "svg", "a11y",
)

CHECK_FIELDS: tuple[Field, ...] = (
    Field("skip", "list", True, "The check rules not to apply to this page.", choices=CHECK_RULES),
    Field("reason", "text", True, "Why, for the report: e.g. 'the embedded form comes from our vendor'."),
)

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
    Field("paginate", "int", doc="On a listing's page (news/index.md): how many items per page (default 20)."),
    Field("image", "text", doc="An image for the page's card and link previews."),
    Field("image_alt", "text", doc="What the image shows, for people who cannot see it."),
    Field("url", "text", doc="The whole URL, e.g. /join/, instead of one from the file path."),
    Field("extra", "mapping", doc="Free-form values for custom templates."),
    Field("check", "record", doc="Rules of `alagen check` to skip on this page, and why.", fields=CHECK_FIELDS),
)

MENU_ITEM_FIELDS: tuple[Field, ...] = (
    Field("title", "text", True, "The words shown."),
    Field("page", "text", doc="The page it leads to: its file under content/, e.g. about/index.md."),
    Field("url", "url", doc="Or the full address of another website."),
    Field("links", "any", doc="The items below this one (in the main menu)."),
    Field("columns", "any", doc="Or the items below this one in titled columns: a list of {title, links}."),
)

MENU_COLUMN_FIELDS: tuple[Field, ...] = (
    Field("title", "text", True, "The column's heading."),
    Field("links", "any", True, "The items in the column."),
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
    Field("job_listing_days", "int", doc="How long a job stays open when it gives no 'closes' (default 60)."),
    Field("warn_expiring_days", "int", doc="How many days before a page expires a link to it is a warning (default 30)."),
    Field("markdown", "mapping", doc="Markdown settings: raw_html and typographer (curly quotes, dashes, ellipses), both default true."),
    Field("share_image", "text", doc="The picture link previews show for a page without its own image: a JPEG, PNG or WebP under content/, at least 1200x630."),
    Field("share_image_alt", "text", doc="What the share image shows, for people who cannot see it."),
    Field("extra", "mapping", doc="Free-form values for custom templates."),
)

# The keys under site.yaml's `markdown:` (read by alagen.model.settings).
MARKDOWN_FIELDS: tuple[Field, ...] = (
    Field("raw_html", "bool", doc="false escapes HTML written in pages (default true)."),
    Field("typographer", "bool", doc="false keeps straight quotes, -- and ... as typed (default true)."),
)

DIVISION_FIELDS: tuple[Field, ...] = (
    Field("id", "text", True, "A short id used as `unit:` everywhere, e.g. core."),
    Field("name", "text", True, "The division's full name."),
    Field("short_name", "text", doc="A short name for menus and labels, e.g. Core."),
    Field("summary", "text", doc="One sentence about the division."),
    Field("folder", "text", doc="The folder of its microsite under content/, e.g. core."),
    Field("share_image", "text", doc="The picture link previews show for the division's pages without their own image (else the site's)."),
    Field("share_image_alt", "text", doc="What the division's share image shows."),
    Field("menu", "any", doc="The microsite's menu: items like data/menus.yaml's."),
    Field("footer", "any", doc="The microsite's footer links: items like data/menus.yaml's."),
)

TOPIC_FIELDS: tuple[Field, ...] = (
    Field("id", "text", True, "A slug used in `topics:` and the URL /topics/<id>/."),
    Field("name", "text", True, "The topic's name."),
    Field("summary", "text", doc="One sentence about the topic."),
)

REDIRECT_FIELDS: tuple[Field, ...] = (
    Field("from", "text", True, "The old path on this site, e.g. /ala/mgrps/divs/core/index.cfm."),
    Field("to", "text", doc="The new place: a page under content/ (core/index.md), a site path (/events/) or https://..."),
    Field("status", "int", doc="301 (moved for good, the default), 302 (moved for now) or 410 (gone: no 'to')."),
)

UNIT_DOC = "The division it belongs to: its id, e.g. core, pla, acrl."
TOPICS_DOC = "Topic ids, e.g. [privacy, literacy]."

PLACE_FIELDS: tuple[Field, ...] = (
    Field("online", "text", doc="The platform of an online event, e.g. zoom."),
    Field("venue", "text", doc="The building, e.g. Minneapolis Convention Center."),
    Field("city", "text", doc="The city."),
    Field("region", "text", doc="The state or region, e.g. MN."),
    Field("country", "text", doc="The country code (default US)."),
)

EVENT_KINDS = ("conference", "webinar", "e-forum", "course", "learning-live", "meeting", "celebration", "other")

EVENT_FIELDS: tuple[Field, ...] = (
    Field("id", "text", doc="A slug, unique among events (default: the title's slug and the start date)."),
    Field("title", "text", True, "The event's name."),
    Field("kind", "text", True, "What sort of event it is.", choices=EVENT_KINDS),
    Field("start", "when", True, "The first day (2025-02-18) or the start time (2025-02-19T13:00)."),
    Field("end", "when", doc="The last day, or the end time; not before start."),
    Field("timezone", "text", doc="IANA time zone of the times given (default: the site's)."),
    Field("summary", "text", True, "One or two sentences of plain text.", max_length=300),
    Field("location", "record", doc="Either online: zoom, or venue, city, region and country.", fields=PLACE_FIELDS),
    Field("unit", "text", doc=UNIT_DOC),
    Field("url", "url", doc="The registration page (http or https)."),
    Field("cost", "text", doc="What it costs, e.g. 'Members $45; non-members $65'."),
    Field("topics", "list", doc=TOPICS_DOC),
    Field("body", "text", doc="More about the event, in Markdown."),
)

JOB_KINDS = ("full-time", "part-time", "contract", "internship")

JOB_FIELDS: tuple[Field, ...] = (
    Field("id", "text", doc="A slug, unique among jobs (default: the title's slug)."),
    Field("title", "text", True, "The position."),
    Field("employer", "text", True, "Who is hiring."),
    Field("city", "text", True, "Where the job is."),
    Field("region", "text", True, "The state or region, e.g. NY."),
    Field("country", "text", doc="The country code (default US)."),
    Field("posted", "date", True, "When the listing was posted."),
    Field("closes", "date", doc="The last day to apply (default: 60 days after posted)."),
    Field("remote", "bool", doc="true if the job can be done remotely."),
    Field("featured", "bool", doc="true to show it first and on the home page."),
    Field("internal", "bool", doc="true for a job at the association itself."),
    Field("url", "url", doc="Where to apply (http or https); this or email is required."),
    Field("email", "email", doc="Where to send applications; this or url is required."),
    Field("salary", "text", doc="The pay, as text, e.g. '$62,000–$70,000'."),
    Field("kind", "text", doc="The kind of appointment.", choices=JOB_KINDS),
    Field("summary", "text", doc="A short description in plain text.", max_length=300),
    Field("body", "text", doc="The full listing, in Markdown."),
)

AWARD_CATEGORIES = ("book-media", "professional-recognition", "scholarship", "grant")

WINNER_FIELDS: tuple[Field, ...] = (
    Field("year", "int", True, "The year of the award."),
    Field("recipient", "text", True, "Who received it."),
    Field("work", "text", doc="The book, project or work honoured."),
    Field("creator", "text", doc="The work's author or creator."),
    Field("honor", "bool", doc="true for an honour rather than the winner."),
    Field("citation", "text", doc="Why it was given."),
)

AWARD_FIELDS: tuple[Field, ...] = (
    Field("id", "text", doc="A slug, unique among awards (default: the name's slug)."),
    Field("name", "text", True, "The award's name."),
    Field("category", "text", True, "The kind of award.", choices=AWARD_CATEGORIES),
    Field("unit", "text", doc=UNIT_DOC),
    Field("summary", "text", True, "What it recognises, in plain text.", max_length=300),
    Field("amount", "text", doc="What it is worth, e.g. '$5,000'."),
    Field("url", "url", doc="More information or the application (http or https)."),
    Field("deadline", "date", doc="The application deadline."),
    Field("opens", "monthday", doc="Applications open each year on this month-day, e.g. '09-01'."),
    Field("closes", "monthday", doc="Applications close each year on this month-day, e.g. '03-01'."),
    Field("winners", "records", doc="Winners and honours by year.", fields=WINNER_FIELDS),
    Field("body", "text", doc="More about the award, in Markdown."),
)

PUBLICATION_FORMATS = ("book", "e-book", "journal", "poster", "merchandise")

PUBLICATION_FIELDS: tuple[Field, ...] = (
    Field("id", "text", doc="A slug, unique among publications (default: the title's slug)."),
    Field("title", "text", True, "The title."),
    Field("price", "price", doc="The price in US dollars, e.g. 64.99."),
    Field("format", "text", True, "What it is.", choices=PUBLICATION_FORMATS),
    Field("url", "url", doc="Where to buy it (http or https)."),
    Field("summary", "text", True, "A short description in plain text.", max_length=300),
    Field("image", "text", doc="A cover image under content/."),
    Field("image_alt", "text", doc="What the image shows."),
    Field("unit", "text", doc=UNIT_DOC),
)

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_MONTHDAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_SLASHED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")  # 02/27/2025, 27.02.2025
_DIGITS = re.compile(r"^\d{8}$")  # 20250227
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


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
            problems.error(positions.key(key), unknown_key(key, fields, what), span=len(str(key)))
            continue
        if value is None:
            if field.required:
                problems.error(positions.value(key), f"'{key}' is empty; give it a value")
            continue
        if field.kind == "record":
            if not isinstance(value, dict):
                problems.error(positions.value(key), f"'{key}' must be 'key: value' lines, not {kind_of(value)}")
            else:
                result[key] = freeze(validate(value, positions.under(key), field.fields, problems, what=f"{key} key"))
            continue
        if field.kind == "records":
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                problems.error(positions.value(key), f"'{key}' must be a list of entries, each with 'key: value' lines")
            else:
                result[key] = tuple(
                    freeze(validate(v, positions.under(key, i), field.fields, problems, what=f"{key} key"))
                    for i, v in enumerate(value)
                )
            continue
        try:
            result[key] = convert(field, value, positions.raw(key))
        except ValueError as err:
            problems.error(positions.value(key), f"'{key}': {err}")
            continue
        if field.required and isinstance(result[key], str) and not result[key].strip():
            problems.error(positions.value(key), f"'{key}' is empty; give it a value")
            del result[key]
    if check_required:
        misspelt = {suggest(key, fields) for key in values}  # `recipent:` is reported once, as a typo
        for field in fields:
            if field.required and field.name not in values and field.name not in misspelt:
                problems.error(positions.value(), f"'{field.name}' is required; add a line '{field.name}: ...'")
    return result


def suggest(key: Any, fields: tuple[Field, ...]) -> str | None:
    """The field an unknown key was probably meant to be ('titel' -> 'title'), or None."""
    if any(f.name == key for f in fields):
        return None
    guess = difflib.get_close_matches(str(key), [f.name for f in fields], n=1, cutoff=0.6)
    return guess[0] if guess else None


def unknown_key(key: Any, fields: tuple[Field, ...], what: str) -> str:
    """The message for a key that is not one of `fields`, with the likeliest one."""
    by_name = {f.name: f for f in fields}
    guess = suggest(key, fields)
    article = "an" if what[:1] in "aeiou" else "a"  # "an event field", "a job field"
    if guess:
        return f"'{key}' is not {article} {what}; did you mean '{guess}'?"
    hint = "; put custom values under 'extra:'" if "extra" in by_name else ""
    return f"'{key}' is not {article} {what}; known keys are {', '.join(sorted(by_name))}{hint}"


def convert(field: Field, value: Any, raw: str | None = None) -> Any:
    """Convert one value to the field's kind, or raise ValueError saying what to write."""
    kind = field.kind
    if kind in ("text", "url", "email"):
        text = _text(value, raw)
        if field.choices and text not in field.choices:
            guess = difflib.get_close_matches(text, field.choices, n=1)
            hint = f"did you mean '{guess[0]}'? " if guess else ""
            raise ValueError(f"'{text}' is not one of the choices; {hint}use one of: {', '.join(field.choices)}")
        if field.max_length and len(text) > field.max_length:
            raise ValueError(f"is {len(text)} characters long; keep it to {field.max_length} (put more in 'body')")
        if kind == "url" and not re.match(r"^https?://[^\s/]+", text):
            raise ValueError(f"'{text}' must be a web address starting with https:// (or http://)")
        if kind == "email" and not _EMAIL.match(text):
            raise ValueError(f"'{text}' is not an email address")
        return text
    if kind == "when":
        return parse_when(value, raw)
    if kind == "price":
        return parse_price(value, raw)
    if kind == "monthday":
        return parse_monthday(value, raw)
    if kind == "date":
        return parse_date(value, raw)
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
            items = (str(value),)
        elif isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            items = tuple(str(v) for v in value)
        else:
            raise ValueError("must be a list of words, e.g. [first, second]")
        for item in items:
            if field.choices and item not in field.choices:
                guess = difflib.get_close_matches(item, field.choices, n=1)
                hint = f"did you mean '{guess[0]}'? " if guess else ""
                raise ValueError(f"'{item}' is not one of the choices; {hint}use any of: {', '.join(field.choices)}")
        return items
    if kind == "mapping":
        if isinstance(value, dict):
            return freeze(value)
        raise ValueError(f"must be 'key: value' lines, not {kind_of(value)}")
    return freeze(value)


def _text(value: Any, raw: str | None) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        # `title: 1876` or `title: No`: the editor meant the words they typed.
        return raw if raw is not None else str(value)
    raise ValueError(f"must be text, not {kind_of(value)}")


def parse_when(value: Any, raw: str | None = None) -> dt.date | dt.datetime:
    """A date ('2025-02-18') or a local date-time ('2025-02-19T13:00'), naive."""
    if isinstance(value, (dict, list)):
        raise ValueError(f"must be a date (YYYY-MM-DD) or a date and time (2025-02-19T13:00), not {kind_of(value)}")
    text = (raw if raw is not None and not isinstance(value, str) else str(value)).strip()
    match = _DATETIME.match(text)
    if not match:
        return parse_date(text)
    day = parse_date(match.group(1))
    hour, minute, second = int(match.group(2)), int(match.group(3)), int(match.group(4) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"'{text}' has no such time of day; write times as 2025-02-19T13:00 (24-hour clock)")
    return dt.datetime(day.year, day.month, day.day, hour, minute, second)


def parse_price(value: Any, raw: str | None = None) -> Decimal:
    """A price in dollars from 64.99 or "64.99" (the typed text, never a binary float)."""
    text = (raw if raw is not None else str(value)).strip().removeprefix("$").replace(",", "")
    if isinstance(value, bool):
        text = "x"
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{value}' is not a price; write the amount in dollars, e.g. 64.99") from None
    if not price.is_finite() or price < 0 or price >= 10**9 or price.as_tuple().exponent < -2:
        raise ValueError(f"'{value}' is not a price; write dollars and at most two decimals, e.g. 64.99")
    return price.quantize(Decimal("0.01"))


def parse_monthday(value: Any, raw: str | None = None) -> tuple[int, int]:
    """(month, day) from '09-01': a date that recurs every year."""
    text = (raw if raw is not None else str(value)).strip()
    match = _MONTHDAY.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a month and day; write it in quotes as \"MM-DD\", e.g. \"09-01\"")
    month, day = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2024, month)[1]:
        raise ValueError(f"'{text}' is not a day of the year; write it as \"MM-DD\", e.g. \"09-01\"")
    return (month, day)


def parse_date(value: Any, raw: str | None = None) -> dt.date:
    """A date from 'YYYY-MM-DD', with a message that says exactly what is wrong and how to
    write it. `raw` is the text as typed (`date: 20250227` is a number to YAML)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return _in_range(value, value.isoformat())
    if isinstance(value, (dict, list)):
        raise ValueError(f"must be a date (YYYY-MM-DD), not {kind_of(value)}")
    text = (raw if raw is not None and not isinstance(value, str) else str(value)).strip()
    match = _DATE.match(text)
    if not match:
        raise ValueError(_not_a_date(text))
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' is not a date: there is no month {month}; write dates as YYYY-MM-DD")
    if day == 0:
        raise ValueError(f"'{text}' is not a date: there is no day 0; write dates as YYYY-MM-DD")
    days = calendar.monthrange(year, month)[1]
    if day > days:
        name = calendar.month_name[month]
        last = f"{year:04d}-{month:02d}-{days:02d}"
        raise ValueError(f"'{text}' is not a date: {name} {year} has {days} days; write a day that exists, e.g. {last}")
    return _in_range(dt.date(year, month, day), text)


# Dates far from now are mistakes, and a date near the ends of Python's calendar (year 1 or
# 9999) cannot be moved into another time zone or have days added for a calendar or a feed.
FIRST_YEAR, LAST_YEAR = 1000, 9000


def _in_range(day: dt.date, text: str) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"'{text}' is not a date alagen can use: the year must be from {FIRST_YEAR} to {LAST_YEAR}")
    return day


def _not_a_date(text: str) -> str:
    """Why `text` (not YYYY-MM-DD) is not a date, with the date it likely means."""
    if not text:
        return "is empty; write a date as YYYY-MM-DD, e.g. 2025-03-04, or leave the line out"
    slashed = _SLASHED.match(text)
    if slashed:
        first, second, year = (int(g) for g in slashed.groups())
        order, (month, day) = ("day/month/year", (second, first)) if first > 12 else ("month/day/year", (first, second))
        try:
            meant = _in_range(dt.date(year, month, day), text)
        except ValueError:
            pass
        else:
            return f"'{text}' looks like {order}; write {meant.isoformat()}"
    if _DIGITS.match(text):
        try:
            meant = _in_range(dt.date(int(text[:4]), int(text[4:6]), int(text[6:])), text)
        except ValueError:
            pass
        else:
            return f"'{text}' is not a date; write it with hyphens, as {meant.isoformat()}"
    return f"'{text}' is not a date; write dates as YYYY-MM-DD, e.g. 2025-03-04"


def is_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone (America/Chicago). Not every wrong name is
    ZoneInfoNotFoundError: one too long for a file name is an OSError, '/etc/x' a ValueError."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True


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


def kind_of(value: Any) -> str:
    """A value's kind for a message: 'a mapping', 'a list', or the value itself."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
