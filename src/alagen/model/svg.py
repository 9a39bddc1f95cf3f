"""SVG files are published on the site's own origin, where a script in one runs as the site:
an SVG under content/ may draw, and do nothing else. Refused, at the line that does it: a
script, an event handler (`onload=`), an embedded page (`<foreignObject>`, `<iframe>`), and
a reference to anything outside the file (`href="https://..."`, `url(https://...)`).

lxml parses it (it is installed for the feeds), without entities, DTDs or the network, so a
crafted file cannot make the parser fetch or expand anything.
"""

from __future__ import annotations

import re
from pathlib import Path

from alagen.errors import Location, Problem

_FORBIDDEN = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
_LOCAL = re.compile(r"\s*(#|data:image/(png|jpeg|gif|webp);)", re.I)
_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)([^'\")\s]+)", re.I)
_IMPORT = re.compile(r"@import", re.I)


def svg_problems(path: Path, source: str) -> list[Problem]:
    """What in the SVG at `path` (named `source` in messages) may not be published."""
    try:
        data = path.read_bytes()
    except OSError as err:
        return [Problem(Location(source, 1, 1), f"cannot read this SVG ({err.strerror or err})")]
    return problems_in(data, source)


def problems_in(data: bytes, source: str) -> list[Problem]:
    """What in these SVG bytes may not be published."""
    from lxml import etree

    lines = data.decode("utf-8", "replace").split("\n")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        line, col = err.position if err.position else (1, 1)
        message = f"this SVG is not well-formed XML ({err.msg}); open it in a drawing program and save it again"
        return [Problem(Location(source, max(line, 1), max(col, 1)), message)]
    if root.getroottree().docinfo.internalDTD is not None:
        return [_at(source, lines, 1, "<!DOCTYPE", "this SVG declares a DTD or entities; save it again without a DOCTYPE")]
    problems: list[Problem] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        name = etree.QName(element).localname
        line = element.sourceline or 1
        if name.lower() in _FORBIDDEN:
            article = "an" if name[0].lower() in "aeiou" else "a"
            message = f"an SVG may not hold {article} <{name}> (it would run on the site); remove it"
            problems.append(_at(source, lines, line, f"<{name}", message))
        for attribute, value in element.attrib.items():
            key = etree.QName(attribute).localname
            if key.lower().startswith("on"):
                message = f"an SVG may not hold the event handler {key}= (it would run on the site); remove it"
                problems.append(_at(source, lines, line, key, message))
            elif key in ("href", "src") and value.strip() and not _LOCAL.match(value):
                message = f"this SVG refers to {value.strip()}, outside the file; draw it in, or link it from the page instead"
                problems.append(_at(source, lines, line, value, message))
            elif key == "style":
                problems.extend(_css(source, lines, line, value))
        if name == "style" and element.text:
            problems.extend(_css(source, lines, line, element.text))
    return problems


def _css(source: str, lines: list[str], line: int, css: str) -> list[Problem]:
    found = []
    for match in _URL.finditer(css):
        target = match.group(1)
        if not _LOCAL.match(target):
            found.append(_at(source, lines, line, target, f"this SVG's style loads {target}, outside the file; remove it"))
    if _IMPORT.search(css):
        found.append(_at(source, lines, line, "@import", "this SVG's style imports another file (@import); remove it"))
    return found


def _at(source: str, lines: list[str], line: int, needle: str, message: str) -> Problem:
    """The problem at the first line from `line` on that holds `needle` (lxml gives lines only)."""
    for number in range(line, min(line + 50, len(lines) + 1)):
        col = lines[number - 1].find(needle)
        if col >= 0:
            return Problem(Location(source, number, col + 1), message, span=len(needle))
    return Problem(Location(source, line, 1), message)
