"""What the rules find, and the report that `alagen check` prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from alagen.schema import CHECK_RULES

RULES = CHECK_RULES  # every rule's stable name, as a page's `check: {skip: [...]}` names it


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule saw in one built file, before it is traced back to its source.

    `needles` are texts to look for in the sources, most telling first: a link's address,
    '#id' of a heading, a tag like '<h1'. `at` says where the editor fixes it when no needle
    is found: "layout" (the page's layout), "source" (the page's own file) or "" (the built file)."""

    rule: str
    message: str
    line: int = 0  # in the built file
    col: int = 0
    needles: tuple[str, ...] = ()
    at: str = ""


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One problem at one place; `pages` are the built files where it shows (a layout or menu
    mistake shows on many)."""

    path: str  # relative to the site root: content/x.md, layouts/base.html, build/x/index.html
    line: int
    rule: str
    message: str
    pages: tuple[str, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.rule}: {self.message}"


@dataclass(frozen=True, slots=True, order=True)
class Skipped:
    """A page's `check: {skip: [...], reason: ...}`, and how many findings it hid."""

    path: str
    line: int
    rules: tuple[str, ...]
    reason: str
    hidden: int = 0


@dataclass(frozen=True, slots=True)
class Report:
    findings: tuple[Finding, ...]
    skipped: tuple[Skipped, ...]
    files: int  # built files checked

    @property
    def counts(self) -> dict[str, int]:
        """Findings per rule, in the order of RULES."""
        counts = {rule: 0 for rule in RULES}
        for finding in self.findings:
            counts[finding.rule] = counts.get(finding.rule, 0) + 1
        return {rule: n for rule, n in counts.items() if n}
