"""Built HTML parsed by the HTML5 rules (html5lib), with the line of every element."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import html5lib
from html5lib.constants import E as ERROR_MESSAGES
from html5lib.treebuilders import getTreeBuilder

_ETreeBuilder = getTreeBuilder("etree")


@dataclass(frozen=True, slots=True)
class ParseError:
    line: int
    col: int
    message: str
    name: str  # the tag named by the error, if any ('div' for a stray </div>)


@dataclass(frozen=True, slots=True)
class HtmlFile:
    """One built HTML file: its path under build/, text, tree, element lines, parse errors."""

    path: str  # "about/mission/index.html"
    text: str
    root: ET.Element
    lines: dict  # element -> (line, col) where its start tag ends
    errors: tuple[ParseError, ...]

    def where(self, element: ET.Element) -> tuple[int, int]:
        return self.lines.get(element, (0, 0))

    def iter(self, tag: str | None = None):
        return self.root.iter(tag)

    def ids(self) -> set[str]:
        """Every fragment a link may point at: ids, and names of <a name>."""
        found = {e.get("id") for e in self.root.iter() if e.get("id")}
        found |= {e.get("name") for e in self.root.iter("a") if e.get("name")}
        return found

    def noindex(self) -> bool:
        """The page asks search engines to leave it out (<meta name="robots" content="noindex">)."""
        return any(
            (m.get("name") or "").lower() == "robots" and "noindex" in (m.get("content") or "").lower()
            for m in self.root.iter("meta")
        )

    def is_redirect(self) -> bool:
        """A page that only sends visitors on (an alias's fallback page)."""
        return any((m.get("http-equiv") or "").lower() == "refresh" for m in self.root.iter("meta"))


def parse_html(path: str, data: bytes) -> HtmlFile:
    """Parse like a browser; every conformance error html5lib reports is kept with its place."""
    lines: dict = {}
    parser: html5lib.HTMLParser

    class Builder(_ETreeBuilder):  # records where each element was opened
        def __init__(self, namespaceHTMLElements):
            super().__init__(namespaceHTMLElements)
            make = self.elementClass

            def element(name, namespace=None):
                made = make(name, namespace)
                tokenizer = getattr(parser, "tokenizer", None)
                lines[made._element] = tokenizer.stream.position() if tokenizer else (0, 0)
                return made

            self.elementClass = element

    parser = html5lib.HTMLParser(tree=Builder, namespaceHTMLElements=False)
    text = data.decode("utf-8", errors="replace")
    root = parser.parse(text)
    errors = []
    for (line, col), code, data_vars in parser.errors:
        data_vars = data_vars or {}
        try:
            message = ERROR_MESSAGES.get(code, code) % data_vars
        except (TypeError, KeyError, ValueError):
            message = code
        errors.append(ParseError(line, col + 1, message, str(data_vars.get("name", ""))))
    return HtmlFile(path, text, root, lines, tuple(errors))


def text_of(element: ET.Element) -> str:
    """The element's text content, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


def line_of(text: str, needle: str, start: int = 0) -> int:
    """The 1-based line of the first `needle` in `text` from `start`, or 0."""
    found = text.find(needle, start)
    return text.count("\n", 0, found) + 1 if found >= 0 else 0
