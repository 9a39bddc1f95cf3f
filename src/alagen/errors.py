"""Where a value came from, and the problems an editor is told about.

Every stage collects problems into a `Problems` list and raises once with all of them, so an
editor sees every mistake of a build together, sorted by file and line.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a source file: path relative to the site root, 1-based line and column."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        path = visible(self.path)
        if not self.line:
            return path
        return f"{path}:{self.line}:{self.col or 1}"


_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}


def visible(name: str) -> str:
    """A file name with control characters written as escapes: a name holding a newline
    must not break the one-problem-a-line report (or fake a line of its own)."""
    return name.translate(_CONTROLS)


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    location: Location
    message: str
    severity: str = "error"  # "error" or "warning"
    span: int = 1  # how many characters to underline in the excerpt

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.location}: {prefix}{self.message}"


class BuildFailed(Exception):
    """A stage found errors; carries every problem of the build so far."""

    def __init__(self, problems: tuple[Problem, ...]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class OptionError(ValueError):
    """A wrong command-line option or setting of the environment (--out pointing at the
    sources, a bad SOURCE_DATE_EPOCH): the command says so and exits 2. Any other exception
    out of a build is a bug in alagen (exit 3), whatever its type."""


class SourceError(Exception):
    """One problem found deep inside a stage (a Markdown link, a template filter)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


class Problems:
    """Collects errors and warnings; `check()` raises once with all of them."""

    def __init__(self, strict: bool = False) -> None:
        self._items: list[Problem] = []
        self.strict = strict  # warnings count as errors (`alagen build --strict`)
        self._holding = 0

    def error(self, location: Location, message: str, span: int = 1) -> None:
        self._items.append(Problem(location, message, "error", max(span, 1)))

    def warning(self, location: Location, message: str, span: int = 1) -> None:
        severity = "error" if self.strict else "warning"
        self._items.append(Problem(location, message, severity, max(span, 1)))

    def add(self, problem: Problem) -> None:
        self._items.append(problem)

    def extend(self, problems) -> None:
        self._items.extend(problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(sorted(p for p in set(self._items) if p.severity == "error"))

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(sorted(p for p in set(self._items) if p.severity == "warning"))

    def check(self) -> None:
        """Raise BuildFailed with every problem (warnings too, all sorted by file, line and
        column) if there is any error; not while held()."""
        if self.errors and not self._holding:
            raise BuildFailed(self.all())

    def all(self) -> tuple[Problem, ...]:
        """Every problem, errors and warnings together, sorted by file, line and column."""
        return tuple(sorted(set(self._items)))

    @contextmanager
    def held(self):
        """Within it, check() raises nothing: a stage that found errors goes on and returns
        what is valid, so that a later stage can check that too (pipeline.py); the caller
        calls check() afterwards."""
        self._holding += 1
        try:
            yield self
        finally:
            self._holding -= 1


def excerpt(problem: Problem, root: Path) -> str:
    """The problem, then its source line with a caret under the column, like a compiler."""
    loc = problem.location
    text = str(problem)
    if not loc.line:
        return text
    try:
        lines = (root / loc.path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return text
    if not 0 < loc.line <= len(lines):
        return text
    source = lines[loc.line - 1].replace("\t", " ")
    number = str(loc.line)
    pad = " " * len(number)
    caret = " " * (max(loc.col, 1) - 1) + "^" * problem.span
    return f"{text}\n  {number} | {source}\n  {pad} | {caret}"


class LinkWarning(ValueError):
    """What a resolver raises for a link that time is about to break, or has broken: with
    `href`, the link works today and a warning says until when; without, its page is gone
    (it expired), so the words are shown without the link, with a warning, and the build
    goes on (a scheduled build must not stop because a date passed)."""

    def __init__(self, message: str, href: str | None = None):
        super().__init__(message)
        self.href = href
