"""The Jinja environment: layouts/ as templates, autoescaping, strict undefined, our filters."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import traceback
from pathlib import Path
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from alagen.errors import Location, Problem, SourceError
from alagen.model import urls
from alagen.model.site import Site
from alagen.render import jsonld

LINKS_FROM_ROOT = "content/"  # links in layouts and data start from the content folder
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class _Compiled(jinja2.BytecodeCache):
    """Compiled templates kept in memory by file and source checksum (Jinja's own keys), so
    that `alagen serve`, which makes a new environment for each rebuild, does not compile
    the layouts again: compiling was most of the time to render one changed page. Every
    environment is made here with the same settings and filters, so the code fits each."""

    LIMIT = 200  # templates kept; the oldest go first

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code.pop(bucket.key, None)
        self._code[bucket.key] = bucket.bytecode_to_string()
        while len(self._code) > self.LIMIT:
            del self._code[next(iter(self._code))]


_COMPILED = _Compiled()


def make_environment(
    layouts: Path,
    site: Site,
    assets: Mapping[str, str],
    render_markdown: Callable[[str], str],
    resolve: Callable[[str, str], str],
) -> jinja2.Environment:
    """A Jinja environment for one build. `assets` maps 'css/site.css' to its hashed URL."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(layouts)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=lambda value: "" if value is None else value,  # an unset field prints nothing
        bytecode_cache=_COMPILED,
    )
    settings = site.settings
    today = site.clock.today

    def url(path: str) -> str:
        """A site path under the base path; a page's source path ('about/index.md') works too,
        checked as a link in a page is."""
        path = str(path)
        if path.startswith(("http://", "https://", "mailto:", "tel:", "#")):
            return path
        if path.endswith(".md") or ".md#" in path:
            return resolve(path, LINKS_FROM_ROOT)
        return urls.href(settings.base_path, path if path.startswith("/") else "/" + path)

    def absolute_url(path: str) -> str:
        relative = url(path)
        if relative.startswith(("http://", "https://")):
            return relative
        return settings.base_url.rstrip("/") + relative.removeprefix(settings.base_path.rstrip("/"))

    def asset(name: str) -> str:
        if name not in assets:
            known = ", ".join(sorted(assets)) or "none"
            raise ValueError(f"asset '{name}' is not in layouts/assets/ (there are: {known})")
        return urls.href(settings.base_path, assets[name])

    env.filters.update(
        by_month=by_month,
        monthday=lambda pair: f"{calendar.month_name[pair[0]]} {pair[1]}",
        event_when=event_when,
        unit_name=site.unit_name,
        date=format_date,
        daterange=format_daterange,
        ago=lambda value: ago(value, today),
        markdown=lambda text: Markup(render_markdown(str(text))),
        url=url,
        absolute_url=absolute_url,
        asset=asset,
    )
    env.globals.update(
        site=site,
        now=site.clock.moment,
        asset=asset,
        url=url,
        jsonld=lambda page: jsonld.script(site, page),
        fail=fail,
    )
    return env


def fail(page, key: str, message: str):
    """For a layout that checks an editor's own values (`extra:`): stop the build with
    `message` at the line of `key` in the page's front matter, not at the layout's line."""
    raise SourceError(Problem(page.at(key), message))


def by_month(events) -> list[tuple[dt.date, list]]:
    """Events grouped by the month they start in: [(first day of month, [events])]."""
    groups: dict[dt.date, list] = {}
    for event in events:
        groups.setdefault(event.first_day.replace(day=1), []).append(event)
    return list(groups.items())


def event_when(event) -> str:
    """'Apr 2–5, 2025' for all-day events; 'Feb 19, 2025, 1:00 PM – 2:00 PM CST' for timed ones."""
    if event.all_day:
        return format_daterange(event.start, event.end)
    zone = ZoneInfo(event.timezone)
    start = event.start.replace(tzinfo=zone)
    text = f"{format_date(start)}, {_clock(start)}"
    end = event.end.replace(tzinfo=zone) if isinstance(event.end, dt.datetime) else None
    if end and end.date() == start.date():
        text += f" – {_clock(end)}"
    elif end:
        text += f" – {format_date(end)}, {_clock(end)}"
    elif event.end:
        text += f" – {format_date(event.end)}"
    return f"{text} {(end or start).tzname()}"


def _clock(moment: dt.datetime) -> str:
    return moment.strftime("%-I:%M %p")


def format_date(value: Any, fmt: str = "%b %-d, %Y") -> str:
    """'Feb 18, 2025' by default; any strftime format otherwise."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):  # keep the time: `{{ event.start|date('%-I:%M %p') }}`
        return value.strftime(fmt)
    return _as_date(value).strftime(fmt)


def format_daterange(start: Any, end: Any = None) -> str:
    """'Apr 2–5, 2025', 'Mar 31 – Apr 27, 2025', 'Dec 30, 2025 – Jan 2, 2026'."""
    first = _as_date(start)
    last = _as_date(end) if end else first
    if last == first:
        return f"{MONTHS[first.month - 1]} {first.day}, {first.year}"
    if first.year != last.year:
        return (
            f"{MONTHS[first.month - 1]} {first.day}, {first.year} – "
            f"{MONTHS[last.month - 1]} {last.day}, {last.year}"
        )
    if first.month != last.month:
        return f"{MONTHS[first.month - 1]} {first.day} – {MONTHS[last.month - 1]} {last.day}, {last.year}"
    return f"{MONTHS[first.month - 1]} {first.day}–{last.day}, {last.year}"


def ago(value: Any, today: dt.date) -> str:
    """How long before the build date: 'today', 'yesterday', '3 days ago', '3 months ago'."""
    days = (today - _as_date(value)).days
    if days < 0:
        return "in the future" if days < -1 else "tomorrow"
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    for size, unit in ((365, "year"), (30, "month"), (7, "week"), (1, "day")):
        if days >= size:
            count = days // size
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "today"


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def template_problem(err: BaseException, root: Path, rendering: str | None = None) -> Problem:
    """An error raised while loading or rendering a template, at the template's file and line."""
    if isinstance(err, jinja2.TemplateSyntaxError) and err.filename:
        where = _relative(err.filename, root, err.lineno)
        return Problem(where, f"template syntax error: {err.message}")
    where = None
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if frame.filename.endswith(".html") and _inside(frame.filename, root / "layouts"):
            where = _relative(frame.filename, root, frame.lineno or 0)
            break
    if isinstance(err, jinja2.TemplateNotFound):
        message = f"template '{err.name}' does not exist in layouts/"
    elif isinstance(err, jinja2.UndefinedError):
        # "'alagen.model.pages.Page object' has no attribute 'x'" -> "'Page object' ..."
        message = re.sub(r"'(?:\w+\.)+(\w+ object)'", r"'\1'", err.message or "undefined")
        message = f"{message}; check the name, or guard it with 'is defined'"
    else:
        message = str(err) or type(err).__name__
    if where is None:
        where = Location(rendering or "layouts")
        message = f"while rendering with its layout: {message}"
    return Problem(where, message)


def _inside(filename: str, folder: Path) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _relative(filename: str, root: Path, line: int) -> Location:
    path = Path(filename).resolve()
    try:
        shown = path.relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = filename
    return Location(shown, line or 0, 1 if line else 0)
