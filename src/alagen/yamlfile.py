"""Safe YAML loading that remembers the line and column of every key and item.

Values are built by PyYAML's SafeConstructor (no Python tags, ever); the node tree is walked
alongside to record positions, so a later stage can point at `data/events.yaml:14:5`.
Timestamps are NOT resolved: `2025-02-19` stays a string, and the schema parses dates
itself, because PyYAML reads `2025-02-19T13:00` as a string but `2025-02-19` as a date and
fails on `2025-02-30` with an error that has no position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from alagen.errors import Location, Problem, SourceError

if TYPE_CHECKING:
    import yaml

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_Loader: Any = None  # made with PyYAML on the first parse: a build that reads no YAML never loads it


def _loader() -> Any:
    """PyYAML's safe loader (the C one when there is one), without timestamp resolving."""
    global _Loader, yaml
    if _Loader is None:
        import yaml

        class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
            pass

        Loader.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
        _Loader = Loader
    return _Loader

# Tags the safe constructor knows; anything else (!!python/object, !custom) is refused
# with a message of our own rather than PyYAML's.
_SAFE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "binary", "set", "omap", "pairs", "timestamp")
}

_WORD_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}

# Deeper data is a mistake or an attack (it would exhaust Python's stack further on); the
# deepest real data, a menu of menus, is five levels.
MAX_DEPTH = 50

# Characters a web page, an Atom feed or a calendar cannot carry: C0 and C1 controls but
# tab and newline, lone surrogates and noncharacters. In YAML they come from escapes such as
# "\v" or "\e"; raw ones are refused by load with their position.
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def unsafe_character(char: str) -> str:
    """'U+000B (a vertical tab)', for a message."""
    code = ord(char)
    if char in _CONTROL_NAMES:
        name = _CONTROL_NAMES[char]
    elif 0xD800 <= code <= 0xDFFF:
        name = "half of a surrogate pair"
    elif code >= 0xFDD0:
        name = "a noncharacter"
    else:
        name = "a control character"
    return f"U+{code:04X} ({name})"


_CONTROL_NAMES = {"\x00": "a null character", "\x0b": "a vertical tab", "\x0c": "a form feed", "\x1b": "an escape", "\x7f": "a delete"}

Key = tuple  # a path into the document: ("winners", 0, "year")


@dataclass(frozen=True, slots=True)
class Spot:
    """Where one entry of a document is: its key (None for list items and the root),
    its value, and the value's text as typed when it is a plain scalar."""

    key: Location | None
    value: Location
    raw: str | None
    indent: int | None = None  # for a `|` or `>` block: the indentation of its text lines


@dataclass(frozen=True, slots=True)
class Positions:
    """Line and column of every key and item of one YAML document."""

    path: str
    spots: Mapping[Key, Spot]

    def key(self, *where) -> Location:
        """The location of a key (or of the nearest enclosing entry that has one)."""
        for n in range(len(where), -1, -1):
            spot = self.spots.get(tuple(where[:n]))
            if spot is not None:
                return spot.key or spot.value
        return Location(self.path, 1, 1)

    def value(self, *where) -> Location:
        """The location of a value (or of the nearest enclosing entry)."""
        for n in range(len(where), -1, -1):
            spot = self.spots.get(tuple(where[:n]))
            if spot is not None:
                return spot.value
        return Location(self.path, 1, 1)

    def text_start(self, *where) -> Location:
        """Where a text value's first character is: the line after `body: |` for a block."""
        spot = self.spots.get(tuple(where))
        if spot is not None and spot.indent is not None:
            return Location(self.path, spot.value.line + 1, spot.indent + 1)
        return self.value(*where)

    def raw(self, *where) -> str | None:
        spot = self.spots.get(tuple(where))
        return spot.raw if spot else None

    def under(self, *where) -> "Positions":
        """The positions below one entry, re-rooted so that entry is ()."""
        n = len(where)
        return Positions(
            self.path,
            MappingProxyType({k[n:]: s for k, s in self.spots.items() if k[:n] == tuple(where)}),
        )

    def split(self) -> dict[Any, "Positions"]:
        """`under(x)` for every first key x at once: one pass over a long list, where calling
        `under` for each item would walk every item's spots each time."""
        groups: dict[Any, dict[Key, Spot]] = {}
        for key, spot in self.spots.items():
            if key:
                groups.setdefault(key[0], {})[key[1:]] = spot
        return {first: Positions(self.path, MappingProxyType(spots)) for first, spots in groups.items()}


def parse(text: str, path: str, first_line: int = 1) -> tuple[Any, Positions]:
    """Parse one YAML document. `first_line` is the file line where `text` starts.

    Raises SourceError with the line and column of the first syntax error."""
    offset = first_line - 1
    loader = _loader()(text)
    spots: dict[Key, Spot] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            return None, Positions(path, MappingProxyType(spots))
        _walk(loader, node, (), None, _Document(path, offset, text.split("\n"), spots), {})
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        raise SourceError(_syntax_problem(err, text, path, offset)) from err
    except yaml.YAMLError as err:  # errors without a mark (rare: reader errors)
        raise SourceError(Problem(Location(path, first_line, 1), f"this is not valid YAML: {err}")) from err
    except (ValueError, TypeError, RecursionError) as err:
        raise SourceError(Problem(Location(path, first_line, 1), f"this YAML cannot be read: {err}")) from err
    finally:
        loader.dispose()
    return value, Positions(path, MappingProxyType(spots))


def _loc(mark, path: str, offset: int) -> Location:
    return Location(path, mark.line + 1 + offset, mark.column + 1)


@dataclass(slots=True)
class _Document:
    """What every step of the walk over one document needs."""

    path: str
    offset: int  # file lines before the document's first line
    lines: list[str]
    spots: dict


def _walk(loader, node, where: Key, key_loc, doc: _Document, seen: dict, inside=frozenset(), near=None) -> int:
    """Record the positions below `node`; return its height (1 for a scalar). `seen` holds
    the height of every node walked, so an alias counts as deep as what it repeats. `near` is
    the nearest key above: an alias's own place is not kept by PyYAML (its node is the
    anchor's)."""
    path, offset, lines, spots = doc.path, doc.offset, doc.lines, doc.spots
    if len(where) >= MAX_DEPTH:
        raise SourceError(_too_deep(key_loc or _loc(node.start_mark, path, offset)))
    if node.tag not in _SAFE_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise SourceError(
            Problem(
                _loc(node.start_mark, path, offset),
                f"the YAML tag '{tag}' is not allowed: alagen reads plain data only; remove the tag",
                span=len(tag),
            )
        )
    raw = node.value if isinstance(node, yaml.ScalarNode) and not node.style else None
    if isinstance(node, yaml.ScalarNode):
        _refuse_unsafe(node, key_loc, doc)
    if id(node) in inside:  # `a: &a [1, *a]`: a value that contains itself never ends
        raise SourceError(
            Problem(
                key_loc or _loc(node.start_mark, path, offset),
                "this alias repeats an entry that contains it, which would never end; remove the alias",
            )
        )
    indent = None
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        below = lines[node.start_mark.line + 1] if node.start_mark.line + 1 < len(lines) else ""
        indent = len(below) - len(below.lstrip(" "))
    spots[where] = Spot(key_loc, _loc(node.start_mark, path, offset), raw, indent)
    if id(node) in seen:  # an alias: its entries were recorded once, under the anchor
        height = seen[id(node)]
        if len(where) + height > MAX_DEPTH:
            raise SourceError(_too_deep(key_loc or near or _loc(node.start_mark, path, offset)))
        return height
    seen[id(node)] = 1
    inside = inside | {id(node)}
    height = 1
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            height = max(height, 1 + _walk(loader, item, where + (index,), None, doc, seen, inside, key_loc or near))
    elif isinstance(node, yaml.MappingNode):
        first_seen: dict[Any, Location] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise SourceError(
                    Problem(_loc(key_node.start_mark, path, offset), "a key must be a plain word, not a list or mapping")
                )
            _refuse_unsafe(key_node, None, doc)
            if key_node.tag in _WORD_TAGS and not key_node.style:
                key_node.tag = "tag:yaml.org,2002:str"  # `on:` / `no:` are words as keys
            key = loader.construct_object(key_node)
            here = _loc(key_node.start_mark, path, offset)
            if key in first_seen:
                raise SourceError(
                    Problem(
                        here,
                        f"'{key}' is given twice in the same mapping (first on line {first_seen[key].line}); keep one",
                        span=len(str(key)),
                    )
                )
            first_seen[key] = here
            height = max(height, 1 + _walk(loader, value_node, where + (key,), here, doc, seen, inside))
    seen[id(node)] = height
    return height


def _too_deep(where: Location) -> Problem:
    return Problem(where, f"this entry is nested more than {MAX_DEPTH} levels deep, more than alagen reads; flatten it")


def _refuse_unsafe(node, key_loc, doc: _Document) -> None:
    """A scalar written with an escape such as "\\v" that puts a control character in it."""
    found = UNSAFE.search(node.value)
    if found:
        raise SourceError(
            Problem(
                _loc(node.start_mark, doc.path, doc.offset),
                f"this text holds the character {unsafe_character(found.group())}, which web pages and feeds "
                "cannot carry; remove it (or the escape that writes it)",
            )
        )


def _syntax_problem(err: yaml.MarkedYAMLError, text: str, path: str, offset: int) -> Problem:
    problem = err.problem or "invalid YAML"
    mark = err.problem_mark or err.context_mark
    if ("end of stream" in problem or "expected ',' or" in problem) and err.context_mark:
        mark = err.context_mark  # point at the quote or bracket left open, not at the end
    where = _loc(mark, path, offset) if mark else Location(path, offset + 1, 1)
    lines = text.split("\n")
    if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
        tab = lines[mark.line].index("\t")
        return Problem(
            Location(path, mark.line + 1 + offset, tab + 1),
            "a tab character is not allowed here: YAML is indented with spaces only; replace the tab with spaces",
        )
    if "\t" in problem:
        return Problem(where, "a tab character is not allowed here: YAML is indented with spaces only; replace the tab with spaces")
    if "could not determine a constructor" in problem or "tag" in problem and "!" in str(err):
        return Problem(where, f"this YAML tag is not allowed: alagen reads plain data only; remove the tag ({problem})")
    hint = ""
    if "mapping values are not allowed" in problem:
        hint = "; if the value contains ': ', put it in quotes"
    elif "could not find expected ':'" in problem:
        hint = "; each line needs 'key: value' (is a colon missing, or a quote left open?)"
    context = f" {err.context}" if err.context and err.context != problem else ""
    return Problem(where, f"YAML syntax error: {problem}{context and ' (' + context.strip() + ')'}{hint}")
