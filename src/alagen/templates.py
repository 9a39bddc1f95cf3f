"""The Jinja environment: layouts/ as templates, autoescaping, strict undefined, our filters."""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import functools
import os
import re
import traceback
from pathlib import Path
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

import jinja2
from jinja2.filters import FILTERS
from jinja2.tests import TESTS
from jinja2.utils import missing
from markupsafe import Markup

from alagen.errors import LinkWarning, Location, Problem, SourceError
from alagen.model import urls
from alagen.model.site import Site

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
    """A Jinja environment for one build. `assets` maps 'css/site.css' to its hashed URL.
    What the templates render through render's own modules (`jsonld`) render adds itself:
    this module is below render, and never imports it."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(layouts)),
        autoescape=True,
        undefined=Undefined,  # StrictUndefined, saying what was missing where
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
            try:
                return resolve(path, LINKS_FROM_ROOT)
            except LinkWarning as note:  # a layout's link that still works works; a gone one is an error
                if note.href is None:
                    raise ValueError(str(note)) from None
                return note.href
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
    def expired(path) -> bool:
        """`link is expired`: a page's file whose page expired (a card drops its button;
        the model has warned at the card's line)."""
        path = str(path)
        if not (path.endswith(".md") or ".md#" in path):
            return False
        try:
            resolve(path, LINKS_FROM_ROOT)
        except LinkWarning as note:
            return note.href is None
        except ValueError:
            return False  # a broken link: the `url` filter says so where it is used
        return False

    env.tests["expired"] = expired
    env.globals.update(
        site=site,
        now=site.clock.moment,
        asset=asset,
        url=url,
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


def template_problem(
    err: BaseException, root: Path, rendering: str | None = None, env: jinja2.Environment | None = None
) -> Problem:
    """An error raised while loading or rendering a template, at the template's file, line and
    column, with the fix: for an unclosed block tag the tag that opened it, for an unknown
    filter, test, tag, template, variable or attribute the name meant ('did you mean')."""
    if isinstance(err, jinja2.TemplateSyntaxError) and err.filename:
        source = getattr(err, "source", None)
        if source is None:
            source = _source(err.filename)
        where, message, span = _syntax(err, source, env)
        line, col = where or _column(source, err.lineno or 0)
        return Problem(Location(_shown(err.filename, root), line, col if line else 0), message, span=span)
    found = None
    for frame, line in reversed(list(traceback.walk_tb(err.__traceback__))):
        filename = frame.f_code.co_filename
        if filename.endswith(".html") and _inside(filename, root / "layouts"):
            found = (filename, line or 0, frame.f_locals)
            break
    source = _source(found[0]) if found else ""
    line = found[1] if found else 0
    text = _line(source, line)
    col, span = 0, 1
    unknown = _UNKNOWN_NAME.fullmatch(str(err)) if isinstance(err, jinja2.TemplateRuntimeError) else None
    if unknown:  # a filter or test inside an {% if %}: Jinja looks for it only when it is used
        col, message, span = _unknown_name(unknown.group(1), unknown.group(2), text, env)
    elif isinstance(err, jinja2.TemplateNotFound):
        name = str(err.name)
        col, span = _find(text, rf"""['"]({re.escape(name)})['"]""")
        message = f"template '{name}' does not exist in layouts/"
        guess = _guess(name, _templates(env)) if env is not None else None
        if guess:
            message += f"; did you mean '{guess}'?"
    elif isinstance(err, jinja2.UndefinedError):
        col, message, span = _undefined(err, text, found[2] if found else {}, env)
    else:
        message = str(err) or type(err).__name__
    if not found:
        where = Location(rendering or "layouts")
        message = f"while rendering with its layout: {message}"
    else:
        col = col or _column(source, line)[1]
        where = Location(_shown(found[0], root), line, col if line else 0)
    return Problem(where, message, span=span)


def _source(filename: str) -> str:
    """A template's text as the editor sees it ('' if it cannot be read): a mistake that breaks
    every page is looked up once per version of the file, not once per page."""
    try:
        stat = os.stat(filename)
    except OSError:
        return ""
    return _read(filename, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _read(filename: str, _mtime: int, _size: int) -> str:
    try:
        return Path(filename).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""


def _templates(env: jinja2.Environment) -> list[str]:
    try:
        return env.list_templates(extensions=["html"])
    except TypeError:  # a loader that cannot list its templates
        return []


_HINTS = ("; did you mean '", "; check the name, or guard it with 'is defined'")


def same_mistake(problem: Problem) -> tuple:
    """What makes two pages' template problems one mistake: the place and the message, but
    for the name it suggests (which may come from one page's values, such as `extra:`)."""
    message = problem.message
    for hint in _HINTS:
        message = message.split(hint, 1)[0]
    return problem.location, message


class Missing(jinja2.UndefinedError):
    """A name or attribute a layout uses that does not exist, with what was asked of what:
    `obj` (jinja2's `missing` for a plain name) and `name`, for 'did you mean'."""

    def __init__(self, message: str, obj: Any, name: Any) -> None:
        super().__init__(message)
        self.obj, self.name = obj, name


class Undefined(jinja2.StrictUndefined):
    """StrictUndefined whose error says what was missing where (`Missing`)."""

    __slots__ = ()

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any):
        if self._undefined_exception is not jinja2.UndefinedError:  # a sandbox's SecurityError
            raise self._undefined_exception(self._undefined_message)
        raise Missing(self._undefined_message, self._undefined_obj, self._undefined_name)


# Undefined's operators are its _fail_with_undefined_error itself: point them at ours.
for _name, _value in {**vars(jinja2.Undefined), **vars(jinja2.StrictUndefined)}.items():
    if _value is jinja2.Undefined._fail_with_undefined_error and _name != "_fail_with_undefined_error":
        setattr(Undefined, _name, Undefined._fail_with_undefined_error)
del _name, _value

# Block tags, each closed by its end tag ({% set x %}...{% endset %} only without '=').
BLOCK_TAGS = ("autoescape", "block", "call", "filter", "for", "if", "macro", "set", "with")
TAGS = (
    *BLOCK_TAGS, *(f"end{tag}" for tag in BLOCK_TAGS),
    "break", "continue", "do", "elif", "else", "endraw", "extends", "from", "import", "include", "print", "raw",
)
_UNKNOWN_NAME = re.compile(r"No (filter|test) named '([^']*)'(?: found)?\.")
_UNKNOWN_TAG = re.compile(r"Encountered unknown tag '(\w+)'\.")
_INNERMOST = re.compile(r"The innermost block that needs to be closed is '(\w+)'\.")
_LOOKING = re.compile(r"looking for (?:the following tags: )?((?:'\w+'(?: or )?)+)")
_TAG = re.compile(r"\{%[-+]?\s*(\w+)(.*?)[-+]?%\}", re.S)
_OPAQUE = re.compile(
    r"\{#.*?#\}|\{%[-+]?\s*raw\s*[-+]?%\}.*?\{%[-+]?\s*endraw\s*[-+]?%\}|\{\{.*?\}\}", re.S
)  # comments, raw blocks and expressions, whose text may look like tags


def _syntax(err: jinja2.TemplateSyntaxError, source: str, env) -> tuple[tuple[int, int] | None, str, int]:
    """((line, column) or None for the error's line, message, span) of a syntax error."""
    text = err.message or ""
    unknown = _UNKNOWN_NAME.fullmatch(text)
    if unknown:
        line = _line(source, err.lineno)
        col, message, span = _unknown_name(unknown.group(1), unknown.group(2), line, env)
        return (err.lineno, col or _column(source, err.lineno)[1]), message, span
    tags = _tags(source)
    tag = _UNKNOWN_TAG.match(text)
    innermost = _INNERMOST.search(text)
    looking = _LOOKING.search(text)
    expected = [f"{{% {name} %}}" for name in re.findall(r"'(\w+)'", looking.group(1))] if looking else []
    culprit = next((t for t in tags if t[1] == err.lineno and t[0] == tag.group(1)), None) if tag else None
    stop = tags.index(culprit) if culprit else len(tags)
    opened = _open_blocks(tags[:stop])
    if innermost and (text.startswith("Unexpected end of template") or tag and "nesting mistake" in text):
        name = innermost.group(1)
        opener = next((t for t in reversed(opened) if t[0] == name), None)
        if opener:
            message = f"the {{% {name} %}} here is never closed; add {{% end{name} %}} where it should end"
            if culprit:
                message += f", before the {{% {culprit[0]} %}} on line {culprit[1]}"
            return (opener[1], opener[2]), message, opener[3]
    if tag:
        name = tag.group(1)
        where = (culprit[1], culprit[2]) if culprit else None
        span = culprit[3] if culprit else 1
        extra = tuple(sorted({t for ext in (env.extensions.values() if env is not None else ()) for t in ext.tags}))
        if name not in TAGS + extra:
            guess = _guess(name, [e[3:-3] for e in expected] + list(TAGS + extra))
            hint = f"did you mean {{% {guess} %}}?" if guess else "check its name"
            return where, f"there is no tag {{% {name} %}}; {hint}", span
        if name.startswith("end") and name[3:] in BLOCK_TAGS and not innermost:
            return where, f"this {{% {name} %}} closes nothing: no {{% {name[3:]} %}} is open here; remove it", span
        if innermost:
            opener = next((t for t in reversed(opened) if t[0] == innermost.group(1)), None)
            inside = f" on line {opener[1]}" if opener else ""
            needs = " or ".join(expected) or f"{{% end{innermost.group(1)} %}}"
            return where, f"{{% {name} %}} cannot come here: the {{% {innermost.group(1)} %}}{inside} needs {needs} first", span
        return where, f"{{% {name} %}} cannot come here", span
    return None, f"template syntax error: {text}", 1


def _tags(source: str) -> list[tuple[str, int, int, int, bool]]:
    """Every {% tag %} of a template, in order: (name, line, column, length on its line,
    whether it opens a block). Comments, raw blocks and expressions are passed over."""
    blank = _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)
    found = []
    for match in _TAG.finditer(blank):
        name, body = match.group(1), match.group(2)
        start = match.start()
        line = blank.count("\n", 0, start) + 1
        col = start - (blank.rfind("\n", 0, start) + 1) + 1
        first_line = match.group(0).split("\n", 1)[0]
        opens = name in BLOCK_TAGS and not (name == "set" and "=" in body)
        found.append((name, line, col, len(first_line), opens))
    return found


def _open_blocks(tags) -> list[tuple]:
    """The block tags still open after these tags, outermost first."""
    stack: list[tuple] = []
    for tag in tags:
        if tag[4]:
            stack.append(tag)
        elif tag[0].startswith("end") and stack and stack[-1][0] == tag[0][3:]:
            stack.pop()
    return stack


def _unknown_name(kind: str, name: str, line: str, env) -> tuple[int, str, int]:
    """(column, message, span) for a filter or test that does not exist."""
    known = (env.filters if kind == "filter" else env.tests) if env is not None else {}
    if kind == "filter":
        col, _ = _find(line, rf"\|\s*({re.escape(name)})\b")
    else:
        col, _ = _find(line, rf"\bis\s+(?:not\s+)?({re.escape(name)})\b|['\"]({re.escape(name)})['\"]")
    guess = _guess(name, known)
    if guess:
        return col, f"there is no {kind} '{name}'; did you mean '{guess}'?", len(name)
    builtin = FILTERS if kind == "filter" else TESTS
    ours = sorted(set(known) - set(builtin))
    hint = f"; alagen's {kind}s are {', '.join(ours)}, besides Jinja's own" if ours else f"; see Jinja's list of {kind}s"
    return col, f"there is no {kind} '{name}'{hint}", len(name)


def _undefined(err: jinja2.UndefinedError, line: str, scope: Mapping[str, Any], env) -> tuple[int, str, int]:
    """(column, message, span) for a name or attribute that does not exist."""
    # "'alagen.model.pages.Page object' has no attribute 'x'" -> "'Page object' ..."
    message = re.sub(r"'(?:\w+\.)+(\w+ object)'", r"'\1'", err.message or "undefined")
    obj, name = (err.obj, err.name) if isinstance(err, Missing) else (missing, None)
    col, span, guess = 0, 1, None
    if isinstance(name, str):
        if obj is missing:
            col, span = _find(line, rf"(?<![\w.'\"])({re.escape(name)})\b", inside_tags=True)
            names = {*scope, *(env.globals if env is not None else ()), "page", "content", "toc"}
        else:
            col, span = _find(line, rf"\.\s*({re.escape(name)})\b|\[\s*['\"]({re.escape(name)})['\"]\s*\]")
            names = obj.keys() if isinstance(obj, Mapping) else dir(obj)
        guess = _guess(name, [n for n in names if isinstance(n, str) and not n.startswith("_")])
    if guess:
        return col, f"{message}; did you mean '{guess}'?", span
    return col, f"{message}; check the name, or guard it with 'is defined'", span


def _guess(name: str, names) -> str | None:
    found = difflib.get_close_matches(name, [n for n in names if n != name], n=1, cutoff=0.7)
    return found[0] if found else None


def _find(line: str, pattern: str, inside_tags: bool = False) -> tuple[int, int]:
    """(column, length) of the first group of `pattern` that matched in the line (inside its
    {{ }} and {% %} when asked), or (0, 1)."""
    regions = [(m.start(), m.end()) for m in re.finditer(r"\{[{%].*?(?:[}%]\}|$)", line)] if inside_tags else [(0, len(line))]
    for start, end in regions:
        match = re.compile(pattern).search(line, start, end)
        if match:
            group = next(i for i in range(1, (match.re.groups or 0) + 1) if match.group(i) is not None)
            return match.start(group) + 1, len(match.group(group))
    return 0, 1


def _column(source: str, line: int) -> tuple[int, int]:
    """(line, column) for an error known by its line only: the column of the line's one
    Jinja tag or expression when it has just one, else 1."""
    text = _line(source, line)
    starts = [m.start() for m in re.finditer(r"\{[{%#]", text)]
    return line, starts[0] + 1 if len(starts) == 1 else 1


def _line(source: str, line: int) -> str:
    lines = source.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _inside(filename: str, folder: Path) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _shown(filename: str, root: Path) -> str:
    """The file's path from the site's root, as an editor opens it."""
    path = Path(filename).resolve()
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return filename
