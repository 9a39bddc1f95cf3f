"""Markdown to HTML: markdown-it-py parses and writes, alagen's rules add what the site needs.

markdown-it-py is CommonMark exactly (the spec's 652 examples are tests/test_commonmark.py);
mdit-py-plugins gives tables' neighbours: footnotes, definition lists, task lists and
`{...}` attributes. The rules here, each a step of the same token stream:

- links and images name files (`[mission](../about/mission.md)`): the resolver turns them into
  addresses, and a link to nothing is an error at its file, line and column;
- headings get unique ids (`## Title {#id}` sets one);
- `::: note` ... `:::` is a callout box (callouts nest);
- the typographer changes prose only: never code, addresses, HTML or an escaped character;
- attributes never carry event handlers (nor anything but ids and classes without raw HTML);
- nesting is bounded, so no page can exhaust the parser's stack.
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
from mdit_py_plugins.attrs.parse import ParseError, parse as parse_attrs
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from alagen.errors import LinkWarning, Location, Problem
from alagen.slugs import slugify

CALLOUTS = {"note": "Note", "tip": "Tip", "warning": "Warning", "important": "Important"}
# Quotes, lists and callouts inside each other, in markdown-it's levels (a list is two: the
# list and its item): deeper than this is a mistake, not a page. markdown-it's own limit
# (maxNesting) is just above, so this one speaks first; it also bounds how far each `[`
# looks ahead for its `]`, which is what long runs of brackets cost.
MAX_DEPTH = 16
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_CALLOUT = re.compile(r"(:{3,})[ \t]*(\S*)[ \t]*(.*?)[ \t]*$")
_FENCE_OPEN = re.compile(r"(`{3,}(?!.*`)|~{3,})")  # a backtick fence's info has no backtick
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?")
# A link that markdown-it's normalizeLink leaves unchanged: no scheme, host, user or escape
# (tests/test_markdown.py compares the two on random addresses).
_PLAIN_LINK = re.compile(r"(?!//)[A-Za-z0-9;/?&=+$,\-_.!~*'()#]*\Z")

# resolve(target, source) -> href; raises ValueError with a message for the editor. `target`
# is the address as written, percent-encoded (`caf%C3%A9.md`); files are looked up unquoted.
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

    def __init__(self, raw_html: bool = True, image: ImageHook | None = None, typographer: bool = True):
        md = MarkdownIt("commonmark", {"typographer": typographer, "html": raw_html, "maxNesting": MAX_DEPTH + 4})
        md.enable(["table", "strikethrough"])
        md.core.ruler.after("inline", "alagen_heading_attrs", _heading_attrs)  # before the typographer
        if typographer:
            md.enable("smartquotes")  # on `text` tokens only: code and escaped quotes stay straight
            md.core.ruler.after("alagen_heading_attrs", "alagen_typography", _typography)
        md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin, label=True)
        # Without raw HTML an attribute may be only an id or a class; with it, never `on...`.
        allowed = None if raw_html else ("id", "class")
        md.use(attrs_block_plugin, allowed=allowed)
        md.use(attrs_plugin, after=("image", "code_inline", "link_close"), allowed=allowed)
        md.block.ruler.before(md.block.ruler.get_all_rules()[0], "alagen_depth", _depth_guard)
        md.block.ruler.before("fence", "alagen_callout", _callout, {"alt": ["paragraph", "reference", "blockquote", "list"]})
        md.core.ruler.before("attr", "alagen_block_attrs", _unsafe_block_attrs)
        md.core.ruler.push("alagen_headings", _heading_ids)
        md.core.ruler.push("alagen_links", _rewrite_links)
        md.add_render_rule("blockquote_open", _render_blockquote)
        md.add_render_rule("alagen_unlinked", lambda self, tokens, idx, options, env: "")
        md.add_render_rule("callout_open", _render_callout)
        md.add_render_rule("callout_close", lambda self, tokens, idx, options, env: "</div>\n")
        # A note referred to twice keeps its number: [1] both times (its ids stay unique).
        md.add_render_rule("footnote_caption", lambda self, tokens, idx, options, env: f"[{tokens[idx].meta['id'] + 1}]")
        normalize = md.normalizeLink  # most links are plain paths, which it returns as they are
        md.normalizeLink = lambda url: url if _PLAIN_LINK.match(url) else normalize(url)
        self._md = md
        self._image = image

    def render(
        self, text: str, source: str, first_line: int, resolve: Resolver, link_from: str | None = None, first_col: int = 1
    ) -> Rendered:
        """Render `text`, which starts at `first_line` (and, every line, `first_col`) of
        `source`. Relative links start from the folder of `link_from` (default: `source`)."""
        env = _env(text, source, first_line, resolve, link_from, first_col, self._image)
        body = self._write(self._parse(text, env), env)
        return Rendered(body, tuple(env["headings"]), tuple(env["problems"]))

    def trace(
        self, text: str, source: str, first_line: int, resolve: Resolver, link_from: str | None = None, first_col: int = 1
    ) -> tuple[str, dict[str, Location]]:
        """The HTML `render` gives, and where its parts were written: each heading's id ('#id')
        and each link or image address (as rendered) -> its line and column in `source`.
        `alagen check` uses it to report a problem of the built page at the editor's line."""
        env = _env(text, source, first_line, resolve, link_from, first_col, self._image)
        env["where"] = where = {}
        return self._write(self._parse(text, env), env), where

    def _parse(self, text: str, env: dict) -> list[Token]:
        try:
            return self._md.parse(text, env)
        except RecursionError:  # images inside images inside images, thousands deep
            _too_deep(env)
            return []

    def _write(self, tokens: list[Token], env: dict) -> str:
        try:
            return self._md.renderer.render(tokens, self._md.options, env) if tokens else ""
        except RecursionError:
            _too_deep(env)
            return ""


def _too_deep(env: dict) -> None:
    message = "this text nests images or links inside each other too deeply to be shown; write it more simply"
    env["problems"].append(Problem(Location(env["source"], env["first_line"], env["indent"] + 1), message))


def _env(text, source, first_line, resolve, link_from, first_col, image) -> dict:
    return {
        "source": source, "first_line": first_line, "indent": first_col - 1, "resolve": resolve,
        "link_from": link_from or source, "image": image, "images": 0, "lines": text.split("\n"),
        "problems": [], "headings": [], "reported": set(),
    }  # fmt: skip


def _problem(env: dict, line: int, col: int, message: str, span: int = 1) -> None:
    """A problem at a line of the text (from 0) and a column (from 0), once."""
    key = (line, col, message)
    if key not in env["reported"]:
        env["reported"].add(key)
        location = Location(env["source"], env["first_line"] + line, env["indent"] + col + 1)
        env["problems"].append(Problem(location, message, span=span))


# --- Block rules ----------------------------------------------------------------------------------


def _depth_guard(state, start: int, end: int, silent: bool) -> bool:
    """Quotes, lists or callouts nested deeper than MAX_DEPTH: an error at the line, and the
    rest of that block is left out (markdown-it would drop it without a word)."""
    if state.level < MAX_DEPTH:
        return False
    if not silent:
        col = state.tShift[start]
        message = (
            f"quotes, lists and callouts are nested more than {MAX_DEPTH} levels deep here (a list counts as two); "
            "the text from this line on is left out: nest them less deeply"
        )
        _problem(state.env, start, col, message)
        state.line = end
    return True


def _callout(state, start: int, end: int, silent: bool) -> bool:
    """`::: note Title` ... `:::`. A `:::` line closes the innermost open callout, so callouts
    nest; one left open closes where its parent block (or the page) ends."""
    begin = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith(":::", begin) or state.is_code_block(start):
        return False  # tried at every line: the cheap test first
    line = state.src[begin : state.eMarks[start]]
    match = _CALLOUT.match(line)
    if not match:
        return False
    name, title = match.group(2), match.group(3)
    if name not in CALLOUTS:
        if name:  # `::: notte`: the line stays text, and the editor is told the names
            message = f"'{name}' is not a callout; use one of: {', '.join(CALLOUTS)}"
            _problem(state.env, start, state.sCount[start], message, span=len(line.strip()))
        return False
    if silent:
        return True
    close, depth, fence, auto_closed = start, 0, None, False
    while True:
        close += 1
        if close >= end:
            break
        at = state.bMarks[close] + state.tShift[close]
        text = state.src[at : state.eMarks[close]]
        if at < state.eMarks[close] and state.sCount[close] < state.blkIndent:
            break  # a line less indented than the callout's block ends it
        if state.is_code_block(close):
            continue
        if fence is not None:  # `:::` inside a fenced code sample is code
            if text.startswith(fence) and not text.strip().strip(fence[0]):
                fence = None
            continue
        opened = _FENCE_OPEN.match(text)
        if opened:
            fence = opened.group(1)
            continue
        inner = _CALLOUT.match(text)
        if inner and inner.group(2) in CALLOUTS:
            depth += 1
        elif inner and not inner.group(2) and not inner.group(3):
            if depth == 0:
                auto_closed = True
                break
            depth -= 1
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType, state.lineMax = "callout", close
    token = state.push("callout_open", "div", 1)
    token.block, token.info, token.meta, token.map = True, name, {"title": title or CALLOUTS[name]}, [start, close]
    state.md.block.tokenize(state, start + 1, close)
    token = state.push("callout_close", "div", -1)
    token.block = True
    state.parentType, state.lineMax = old_parent, old_max
    state.line = close + (1 if auto_closed else 0)
    return True


def _render_blockquote(self, tokens, idx, options, env) -> str:
    """An empty quote (`>` alone) is `<blockquote>\n</blockquote>`, as CommonMark writes it."""
    if idx + 1 < len(tokens) and tokens[idx + 1].type == "blockquote_close":
        return "<blockquote" + self.renderAttrs(tokens[idx]) + ">\n"
    return self.renderToken(tokens, idx, options, env)


def _render_callout(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    title = html.escape(token.meta["title"])
    return f'<div class="callout callout-{token.info}" role="note">\n<p class="callout-title">{title}</p>\n'


# --- Core rules -----------------------------------------------------------------------------------


def _unsafe_block_attrs(state) -> None:
    """A `{...}` line that sets what it may not (`onclick=`, or `style=` without raw HTML) is
    an error at its line; the rest of its attributes still apply."""
    raw_html = state.md.options.get("html")
    for token in state.tokens:
        if token.type != "attrs_block":
            continue
        refused = [key for key in token.attrs if _refused(key, raw_html)]
        if refused and token.map:
            line = token.map[0]
            col = len(state.env["lines"][line]) - len(state.env["lines"][line].lstrip())
            _problem(state.env, line, col, _refusal(refused, raw_html))
        for key in refused:
            del token.attrs[key]


def _refused(key: str, raw_html: bool) -> bool:
    return key.lower().startswith("on") or (not raw_html and key not in ("id", "class"))


def _refusal(keys: list[str], raw_html: bool) -> str:
    names = ", ".join(f"{k}=" for k in keys)
    if raw_html:
        return f"{names} is an event handler, which an attribute may not set; use {{#id}} or {{.class}} and the site's scripts"
    return f"{names} may not be set with raw HTML off (markdown.raw_html in data/site.yaml); only {{#id}} and {{.class}}"


# Typographic replacements as markdown-it's, written with look-arounds so that a match is exactly
# the characters it replaces: a match that takes in an escaped character is left as written.
_REPLACEMENTS = (
    (re.compile(r"\((c|tm|r)\)", re.I), lambda m: {"c": "©", "r": "®", "tm": "™"}[m.group(1).lower()]),
    (re.compile(r"\+-"), "±"),
    (re.compile(r"\.{2,}"), "…"),
    (re.compile(r"(?<=[?!])…"), ".."),
    (re.compile(r"([?!]){4,}"), lambda m: m.group(1) * 3),
    (re.compile(r",{2,}"), ","),
    (re.compile(r"(?<!-)---(?!-)"), "\u2014"),
    (re.compile(r"(?<!\S)--(?!\S)"), "\u2013"),
    (re.compile(r"(?<![-\s])--(?![-\s])"), "\u2013"),
)
_MAYBE = re.compile(r"\+-|\.\.|\?\?\?\?|!!!!|,,|--|\((?:c|tm|r)\)", re.I)


def _typography(state) -> None:
    """Dashes, ellipses and © in prose: `text` tokens only (code spans, HTML and addresses are
    other tokens), never in an autolink's text, and never through an escaped character."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        if not _MAYBE.search(block.content) and "<" not in block.content:
            continue
        children, autolink = block.children, 0
        for index, token in enumerate(children):
            if token.type == "link_open" and token.info == "auto":
                autolink += 1
            elif token.type == "link_close" and token.info == "auto":
                autolink -= 1
            elif token.type == "text" and autolink:
                token.type = "text_special"  # smartquotes passes it by; text_join makes it text again
            elif token.type == "text":
                before, after = _escaped_beside(children, index)
                if _MAYBE.search(before + token.content + after):
                    token.content = _replaced(token.content, before, after)


def _escaped_beside(children, index: int) -> tuple[str, str]:
    """The escaped characters (`\\-`) just before and after a text token: context for the
    replacements, which no match may take in."""
    before = children[index - 1].content[-1:] if index and children[index - 1].type == "text_special" else ""
    following = children[index + 1] if index + 1 < len(children) else None
    after = following.content[:1] if following is not None and following.type == "text_special" else ""
    return before, after


def _replaced(content: str, before: str, after: str) -> str:
    """`content` with each replacement made, seeing `before` and `after` as context only."""
    text, lo, hi = before + content + after, len(before), len(after)
    for pattern, replacement in _REPLACEMENTS:

        def one(match, replacement=replacement):
            if match.start() < lo or match.end() > len(text) - hi:
                return match.group(0)
            return replacement if isinstance(replacement, str) else replacement(match)

        text = pattern.sub(one, text)
    return text[lo : len(text) - hi]


def _heading_attrs(state) -> None:
    """`## Title {#id .class}`: taken off the heading's words before the typographer runs,
    so that an attribute's value keeps its quotes and dashes."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            token.meta["trailing"] = _take_trailing_attrs(tokens[index + 1], state)


def _heading_ids(state) -> None:
    """Give every heading a unique id: `{#custom}` if written, else a slug of its text."""
    used: set[str] = set()
    tried: dict[str, int] = {}  # base -> the last number tried, so 20,000 `## Same` stay linear
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        trailing = token.meta.get("trailing", {})
        given = {**token.attrs, **trailing}
        if "class" in token.attrs and "class" in trailing:
            given["class"] = f"{token.attrs['class']} {trailing['class']}"
        text = "".join(c.content for c in inline.children or () if c.type in ("text", "text_special", "code_inline"))
        base = str(given.get("id") or slugify(text))
        anchor, n = base, tried.get(base, 0)
        while anchor in used:
            n += 1
            anchor = f"{base}-{n}"
        tried[base] = n
        used.add(anchor)
        # class first, then id, then the rest: the order the theme's pages have always had
        attrs = {"class": given["class"]} if "class" in given else {}
        attrs["id"] = anchor
        attrs.update((k, v) for k, v in given.items() if k not in ("class", "id"))
        token.attrs = attrs
        text = text.strip()
        state.env["headings"].append(Heading(int(token.tag[1]), anchor, text))
        if "where" in state.env and token.map:
            line = state.env["first_line"] + token.map[0]
            state.env["where"].setdefault("#" + anchor, Location(state.env["source"], line, state.env["indent"] + 1))


def _take_trailing_attrs(inline: Token, state) -> dict:
    """`## Title {#id .class}`: the attributes, taken off the heading's text. Braces that are
    not an attribute list (`## Using ${HOME}`, `## Returns {}`) stay words of the heading."""
    children = inline.children or []
    if not children or children[-1].type != "text" or not children[-1].content.rstrip().endswith("}"):
        return {}
    content = children[-1].content.rstrip()
    brace = content.rfind("{")
    if brace < 0:
        return {}
    try:
        end, attrs = parse_attrs(content[brace:])
    except ParseError:
        return {}
    if end != len(content) - brace - 1 or not attrs:
        return {}
    raw_html = state.md.options.get("html")
    refused = [key for key in attrs if _refused(key, raw_html)]
    if refused and inline.map:
        line, col = _find(state.env, inline.map, content[brace:]) or (inline.map[0], 0)
        _problem(state.env, line, col, _refusal(refused, raw_html))
    children[-1].content = content[:brace].rstrip()
    return {k: v for k, v in attrs.items() if k not in refused}


def _rewrite_links(state) -> None:
    env = state.env
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for token in block.children:
            if token.meta and "insecure_attrs" in token.meta:
                _inline_refusal(env, block, token, state.md.options.get("html"))
            attr = "href" if token.type == "link_open" else "src" if token.type == "image" else None
            if attr is None:
                continue
            target = str(token.attrGet(attr) or "")
            if token.type == "image" and env["image"]:
                _image(token, block, target, env)
                continue
            if token.type == "link_open" and token.info == "auto" or _foreign(target):
                _record(env, block, target, target)
                continue
            try:
                href = env["resolve"](target, env["link_from"])
            except LinkWarning as note:
                written = _written(target)
                env["problems"].append(Problem(_locate(env, block, written), str(note), "warning", len(written)))
                if note.href is None:
                    _unlink(block.children, token)
                    continue
                href = note.href
            except ValueError as err:
                written = _written(target)
                env["problems"].append(Problem(_locate(env, block, written), str(err), span=len(written)))
                continue
            token.attrSet(attr, href)
            _record(env, block, href, _written(target))


def _unlink(children: list[Token], opening: Token) -> None:
    """The link's words stay; its <a> and </a> go (an image is never a link's opening)."""
    if opening.type != "link_open":
        return
    start = next(i for i, child in enumerate(children) if child is opening)
    depth = 0
    for child in children[start:]:
        depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
        if child.type in ("link_open", "link_close") and (child is opening or depth == 0):
            child.type, child.hidden = "alagen_unlinked", True
            if depth == 0:
                break


def _foreign(target: str) -> bool:
    """Another website, mail, or a place on this page: not a file of the site."""
    return not target or target.startswith("#") or target.startswith("//") or bool(_SCHEME.match(target))


def _written(target: str) -> str:
    """The address as the editor typed it: markdown-it percent-encodes (café.md -> caf%C3%A9.md)."""
    return unquote(target)


def _record(env, block, href: str, written: str) -> None:
    if "where" in env and href and href not in env["where"]:
        env["where"][href] = _locate(env, block, written)


def _inline_refusal(env, block: Token, token: Token, raw_html: bool) -> None:
    refused = list(token.meta.pop("insecure_attrs"))
    span = block.map or (0, 1)
    line, col = _find(env, span, refused[0] + "=") or (span[0], 0)
    _problem(env, line, col, _refusal(refused, raw_html))


def _image(token: Token, block: Token, target: str, env) -> None:
    """`![alt](photo.jpg)`: alt text is required; a local image gets srcset, width, height."""
    written = _written(target)
    first = env["images"] == 0
    env["images"] += 1
    if not token.content.strip():
        message = f"the image {written} has no alt text; say what it shows: ![A reading room]({written})"
        env["problems"].append(Problem(_locate(env, block, written), message, span=len(written)))
    if written and not written.startswith("//") and not _SCHEME.match(written):
        try:
            for name, value in env["image"](written, env["link_from"], first).items():
                token.attrSet(name, value)
        except ValueError as err:
            env["problems"].append(Problem(_locate(env, block, written), str(err), span=len(written)))
    _record(env, block, str(token.attrGet("src")), written)


def _find(env, span, needle: str) -> tuple[int, int] | None:
    """The first (line, column) of `needle` in the lines `span` of the text."""
    lines = env["lines"]
    for offset in range(span[0], min(span[1], len(lines))):
        found = lines[offset].find(needle)
        if found >= 0:
            return offset, found
    return None


def _locate(env, block: Token, target: str) -> Location:
    """The line and column of `target` inside the block that contains it: the link's
    target `](target)` rather than the same words in its text, and the next occurrence
    each time the same target is asked for again; else a reference definition `[x]: target`."""
    lines = env["lines"]
    start, end = block.map or (0, len(lines))  # a note's inline text (`^[...]`) has no map
    end = min(end, len(lines))
    after = env.setdefault("located", {})
    needles = ((f"](<{target}", 3), (f"]({target}", 2), (target, 0))
    for needle, shift in needles:
        line, col = after.get((id(block), needle), (start, 0))
        for offset in range(line, end):
            found = lines[offset].find(needle, col if offset == line else 0)
            if found >= 0:
                after[(id(block), needle)] = (offset, found + 1)
                return Location(env["source"], env["first_line"] + offset, env["indent"] + found + shift + 1)
    for offset, text in enumerate(lines):
        match = _REFERENCE.match(text)
        if match and text[match.end() :].startswith(target):
            return Location(env["source"], env["first_line"] + offset, env["indent"] + match.end() + 1)
    return Location(env["source"], env["first_line"] + start, env["indent"] + 1)
