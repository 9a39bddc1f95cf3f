"""Rules over one built HTML page: parse errors, lang, title, description, headings, ids,
alt text. Each is a plain function from a parsed page to the issues it finds."""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterator

from alagen.check.findings import Issue
from alagen.check.parse import HtmlFile, text_of

_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def html_parse(doc: HtmlFile) -> Iterator[Issue]:
    """Errors under the HTML5 parsing rules: what browsers repair, each in its own way."""
    for error in doc.errors:
        needles = (f"</{error.name}", f"<{error.name}") if error.name else ()
        yield Issue("html-parse", error.message, error.line, error.col, needles, at="built")


def lang(doc: HtmlFile) -> Iterator[Issue]:
    """<html lang> names the language, so screen readers pronounce the page right."""
    value = (doc.root.get("lang") or "").strip()
    line, col = doc.where(doc.root)
    if not value:
        yield Issue("lang", "the page does not say its language: add lang=\"en\" (or the right code) to <html>", line, col, ("<html",), "layout")
    elif not _LANG.match(value):
        yield Issue("lang", f"'{value}' is not a language code; use one like en or en-US", line, col, ("<html",), "layout")


def title(doc: HtmlFile) -> Iterator[Issue]:
    """A non-empty <title>: the browser tab, bookmarks and search results show it."""
    found = [t for t in doc.iter("title") if text_of(t)]
    if not found:
        yield Issue("title", "the page has no <title> (or an empty one); its layout should print the page's title", needles=("<title",), at="layout")


def description(doc: HtmlFile) -> Iterator[Issue]:
    """<meta name="description">: the text under the link in search results and previews
    (not needed on a page that asks search engines to leave it out)."""
    if doc.is_redirect() or doc.noindex():
        return
    for meta in doc.iter("meta"):
        if (meta.get("name") or "").lower() == "description" and (meta.get("content") or "").strip():
            return
    yield Issue(
        "description",
        "the page has no description; add 'description: one sentence about the page' to its front matter",
        at="source",
    )


def h1(doc: HtmlFile) -> Iterator[Issue]:
    """Exactly one h1: the page's title. Headings in the text start at ## (h2)."""
    if doc.is_redirect():
        return
    found = list(doc.iter("h1"))
    if not found:
        yield Issue("h1", "the page has no h1 heading; its layout should show the page's title as <h1>", at="layout")
        return
    first_line = doc.where(found[0])[0]
    for extra in found[1:]:
        line, col = doc.where(extra)
        text = text_of(extra)
        yield Issue(
            "h1",
            f"a second h1 '{text}' (the page's h1 is at line {first_line} of the built page); "
            "use ## for headings in the text, the title is the only h1",
            line,
            col,
            _heading_needles(extra, text, "h1"),
        )


def heading_order(doc: HtmlFile) -> Iterator[Issue]:
    """Headings go down one level at a time (h2 then h3, never h2 then h4): screen reader
    users move through a page by its headings."""
    if doc.is_redirect():
        return
    previous = 0
    for element, hidden in _walk(doc.root):
        if hidden or element.tag not in _HEADINGS:
            continue
        level = int(element.tag[1])
        if previous and level > previous + 1:
            line, col = doc.where(element)
            text = text_of(element)
            yield Issue(
                "heading-order",
                f"an h{level} comes after an h{previous}, skipping a level; make it h{previous + 1} "
                f"({'#' * (previous + 1)} in Markdown) or add the missing heading above it",
                line,
                col,
                _heading_needles(element, text, element.tag),
            )
        previous = level


def duplicate_id(doc: HtmlFile) -> Iterator[Issue]:
    """An id names one element: links to #id and form labels reach only the first."""
    seen: Counter = Counter()
    first: dict[str, int] = {}
    for element in doc.iter():
        value = element.get("id") if isinstance(element.tag, str) else None
        if value is None:
            continue
        seen[value] += 1
        if seen[value] == 1:
            first[value] = doc.where(element)[0]
            continue
        line, col = doc.where(element)
        yield Issue(
            "duplicate-id",
            f"the id '{value}' is used again (first at line {first[value]} of the built page); "
            f"give this one another id, e.g. with {{#{value}-2}} after a heading",
            line,
            col,
            ("#" + value, f'id="{value}"', "{#" + value + "}"),
        )


def img_alt(doc: HtmlFile) -> Iterator[Issue]:
    """Every image says what it shows (alt text), or alt="" when it is only decoration."""
    for img in doc.iter("img"):
        if img.get("alt") is None:
            line, col = doc.where(img)
            src = img.get("src") or ""
            yield Issue(
                "img-alt",
                f"the image {src or '(no src)'} has no alt text; describe it (![what it shows]({src or 'file'}) in "
                "Markdown, alt=\"...\" in HTML), or write alt=\"\" if it is only decoration",
                line,
                col,
                (src,) if src else (),
            )


PAGE_RULES = (html_parse, lang, title, description, h1, heading_order, duplicate_id, img_alt)


def _heading_needles(element, text: str, tag: str) -> tuple[str, ...]:
    needles = []
    if element.get("id"):
        needles.append("#" + element.get("id"))
    if text:
        needles.append(text)
    needles.append(f"<{tag}")
    return tuple(needles)


def _walk(element, hidden: bool = False) -> Iterator[tuple]:
    """Every element in document order, and whether it is inside a `hidden` one (which no
    one reads: Pagefind's data block)."""
    if not isinstance(element.tag, str):
        return
    hidden = hidden or element.get("hidden") is not None
    yield element, hidden
    for child in element:
        yield from _walk(child, hidden)
