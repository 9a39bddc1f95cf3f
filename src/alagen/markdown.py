"""Markdown to HTML: markdown-it-py with its plugins, heading ids, callouts and link rewriting.

Editors link pages by source path (`[mission](../about/mission.md)`); the link is rewritten to
the page's URL, and a link to nothing becomes an error at its file, line and column.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from alagen.errors import Location, Problem
from alagen.slugs import slugify

CALLOUTS = {"note": "Note", "tip": "Tip", "warning": "Warning", "important": "Important"}
_TRAILING_ATTRS = re.compile(r"\s*\{([^{}]*)\}\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")

# resolve(target, source) -> href; raises ValueError with a message for the editor.
Resolver = Callable[[str, str], str]
# image(target, link_from, first) -> the <img> attributes (src, srcset, width, ...) of a
# local image; raises ValueError. `first` is true for a page's first image (not lazy).
ImageHook = Callable[[str, str, bool], dict]


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class TocEntry:
    heading: Heading
    children: tuple["TocEntry", ...] = ()

    @property
    def id(self) -> str:
        return self.heading.id

    @property
    def text(self) -> str:
        return self.heading.text


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    headings: tuple[Heading, ...]
    problems: tuple[Problem, ...]

    @property
    def toc(self) -> tuple[TocEntry, ...]:
        """The h2 headings with their h3 headings beneath, for a table of contents."""
        entries: list[tuple[Heading, list[Heading]]] = []
        for heading in self.headings:
            if heading.level == 2 or (heading.level == 3 and not entries):
                entries.append((heading, []))
            elif heading.level == 3:
                entries[-1][1].append(heading)
        return tuple(TocEntry(h, tuple(TocEntry(c) for c in kids)) for h, kids in entries)


class Markdown:
    """One configured parser, reused for every page."""

    def __init__(self, raw_html: bool = True, image: ImageHook | None = None):
        md = MarkdownIt("commonmark", {"typographer": True, "html": raw_html})
        md.enable(["table", "strikethrough", "replacements", "smartquotes"])
        md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin, label=True)
        md.use(attrs_block_plugin).use(attrs_plugin)
        for name in CALLOUTS:
            md.use(container_plugin, name=name, render=_render_callout)
        md.core.ruler.push("alagen_headings", _heading_ids)
        md.core.ruler.push("alagen_links", _rewrite_links)
        self._md = md
        self._image = image

    def render(
        self, text: str, source: str, first_line: int, resolve: Resolver, link_from: str | None = None, first_col: int = 1
    ) -> Rendered:
        """Render `text`, which starts at `first_line` (and, every line, `first_col`) of
        `source`. Relative links start from the folder of `link_from` (default: `source`)."""
        env = _env(text, source, first_line, resolve, link_from, first_col)
        env["image"], env["images"] = self._image, 0
        body = self._md.render(text, env)
        return Rendered(body, tuple(env["headings"]), tuple(env["problems"]))

    def trace(
        self, text: str, source: str, first_line: int, resolve: Resolver, link_from: str | None = None, first_col: int = 1
    ) -> tuple[str, dict[str, Location]]:
        """The HTML `render` gives, and where its parts were written: each heading's id ('#id')
        and each link or image address (as rendered) -> its line and column in `source`.
        `alagen check` uses it to report a problem of the built page at the editor's line."""
        written: dict[str, str] = {}

        def recording(target: str, start: str) -> str:
            href = resolve(target, start)
            written.setdefault(href, target)
            return href

        env = _env(text, source, first_line, recording, link_from, first_col)
        env["image"], env["images"] = self._image, 0
        tokens = self._md.parse(text, env)
        where: dict[str, Location] = {}
        for token in tokens:
            if token.type == "heading_open" and token.map:
                line = first_line + token.map[0]
                where.setdefault("#" + str(token.attrGet("id")), Location(source, line, env["indent"] + 1))
            for child in token.children or () if token.type == "inline" else ():
                attr = "href" if child.type == "link_open" else "src" if child.type == "image" else None
                href = str(child.attrGet(attr) or "") if attr else ""
                if href and href not in where:
                    where[href] = _locate(env, token, written.get(href, unquote(href)))
        return self._md.renderer.render(tokens, self._md.options, env), where


def _env(text: str, source: str, first_line: int, resolve: Resolver, link_from: str | None, first_col: int) -> dict:
    env = {"source": source, "first_line": first_line, "resolve": resolve, "problems": [], "headings": []}
    env["link_from"] = link_from or source
    env["indent"] = first_col - 1
    env["lines"] = text.split("\n")
    return env


def _render_callout(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if token.nesting != 1:
        return "</div>\n"
    name, _, title = token.info.strip().partition(" ")
    title = title.strip() or CALLOUTS.get(name, name.title())
    return f'<div class="callout callout-{name}" role="note">\n<p class="callout-title">{html.escape(title)}</p>\n'


def _heading_ids(state) -> None:
    """Give every heading a unique id: `{#custom}` if written, else a slug of its text."""
    used: set[str] = set()
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        custom = _take_trailing_attrs(token, inline)
        text = "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))
        base = custom or slugify(text)
        anchor, n = base, 0
        while anchor in used:
            n += 1
            anchor = f"{base}-{n}"
        used.add(anchor)
        token.attrSet("id", anchor)
        state.env.setdefault("headings", []).append(Heading(int(token.tag[1]), anchor, text.strip()))


def _take_trailing_attrs(heading: Token, inline: Token) -> str | None:
    """Strip `{#id .class}` from the end of a heading, applying it; return the id."""
    children = inline.children or []
    if not children or children[-1].type != "text":
        return None
    match = _TRAILING_ATTRS.search(children[-1].content)
    if not match:
        return None
    anchor = None
    for part in match.group(1).split():
        if part.startswith("#") and len(part) > 1:
            anchor = part[1:]
        elif part.startswith(".") and len(part) > 1:
            heading.attrJoin("class", part[1:])
    children[-1].content = children[-1].content[: match.start()]
    return anchor


def _rewrite_links(state) -> None:
    env = state.env
    if "resolve" not in env:
        return
    for index, block in enumerate(state.tokens):
        if block.type == "paragraph_open" and block.map:
            _check_callout_name(state.tokens[index + 1], block, env)
        if block.type != "inline" or not block.children:
            continue
        for token in block.children:
            attr = "href" if token.type == "link_open" else "src" if token.type == "image" else None
            if attr is None:
                continue
            target = str(token.attrGet(attr) or "")
            # markdown-it percent-encodes the target (café.md -> caf%C3%A9.md); files are
            # named as the editor typed them.
            written = unquote(target)
            if token.type == "image" and env.get("image"):
                _image(token, block, written, env)
                continue
            if not target or target.startswith("#") or target.startswith("//") or _SCHEME.match(target):
                continue
            try:
                token.attrSet(attr, env["resolve"](written, env["link_from"]))
            except ValueError as err:
                env["problems"].append(Problem(_locate(env, block, written), str(err), span=len(written)))


def _image(token: Token, block: Token, written: str, env) -> None:
    """`![alt](photo.jpg)`: alt text is required; a local image gets srcset, width, height."""
    first = env["images"] == 0
    env["images"] += 1
    if not token.content.strip():
        message = f"the image {written} has no alt text; say what it shows: ![A reading room]({written})"
        env["problems"].append(Problem(_locate(env, block, written), message, span=len(written)))
    if not written or written.startswith("//") or _SCHEME.match(written):
        return  # another website's image: shown as it is
    try:
        for name, value in env["image"](written, env["link_from"], first).items():
            token.attrSet(name, value)
    except ValueError as err:
        env["problems"].append(Problem(_locate(env, block, written), str(err), span=len(written)))


def _check_callout_name(inline: Token, block: Token, env) -> None:
    """`::: notte` is left as text by the container plugin: say which names exist."""
    if not inline.content.startswith(":::"):
        return
    match = re.match(r"^:::\s*(\S+)", inline.content)
    if match and match.group(1) not in CALLOUTS:
        line = env["first_line"] + block.map[0]
        env["problems"].append(
            Problem(
                Location(env["source"], line, env["indent"] + 1),
                f"'{match.group(1)}' is not a callout; use one of: {', '.join(CALLOUTS)}",
                span=3 + len(match.group(0)) - 3,
            )
        )


def _locate(env, block: Token, target: str) -> Location:
    """The line and column of `target` inside the block that contains it: the link's
    target `](target)` rather than the same words in its text, and the next occurrence
    each time the same target is asked for again; else a reference definition `[x]: target`."""
    lines = env["lines"]
    start, end = block.map or (0, 1)
    end = min(end, len(lines))
    after = env.setdefault("located", {})
    for needle, shift in ((f"](<{target}", 3), (f"]({target}", 2), (target, 0)):
        line, col = after.get((id(block), needle), (start, 0))
        for offset in range(line, end):
            found = lines[offset].find(needle, col if offset == line else 0)
            if found >= 0:
                after[(id(block), needle)] = (offset, found + 1)
                return Location(env["source"], env["first_line"] + offset, env["indent"] + found + shift + 1)
    for offset, text in enumerate(lines):
        match = re.match(r"^ {0,3}\[[^\]]+\]:\s*<?", text)
        if match and text[match.end() :].startswith(target):
            return Location(env["source"], env["first_line"] + offset, env["indent"] + match.end() + 1)
    return Location(env["source"], env["first_line"] + start, 1)
