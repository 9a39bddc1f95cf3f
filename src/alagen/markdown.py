"""Markdown to HTML: markdown-it.rs parses, this module writes the HTML.

Editors link pages by source path (`[mission](../about/mission.md)`); the link is rewritten to
the page's URL, and a link to nothing becomes an error at its file, line and column. The
parser (markdown-it-pyrs, a compiled port of markdown-it) gives a tree whose nodes carry their
byte range in the text; walking it here is where links are rewritten, headings get ids,
photos get their sizes, callouts (`::: note`) become boxes and `{.class}` lines set a block's
attributes. The HTML is written the way
markdown-it-py writes it.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable
from urllib.parse import unquote

from markdown_it_pyrs import MarkdownIt

from alagen.errors import Location, Problem
from alagen.slugs import slugify

CALLOUTS = {"note": "Note", "tip": "Tip", "warning": "Warning", "important": "Important"}
_TRAILING_ATTRS = re.compile(r"\s*\{([^{}]*)\}\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})")
_CONTAINER = re.compile(r"^( {0,3})(:{3,})[ \t]*(\S*)[ \t]*(.*?)\s*$")
_ATTRS_LINE = re.compile(r"^( {0,3})\{([^{}]*)\}\s*$")
_ATTR = re.compile(r'\s*(?:([#.])([^\s#.="\']+)|([a-zA-Z_][\w:.-]*)=(?:"([^"]*)"|\'([^\']*)\'|([^\s"\']+)))')
# A callout's fence line, or a `{.class}` line, becomes a heading that names what it was: a
# heading ends a paragraph and takes one line, as they do, and parses the same with raw HTML off.
_MARKER = "ALAGENMARK"
_MARKER_LINE = re.compile(rf"^( *)###### {_MARKER}(\d+)$", re.M)
_COMMONMARK = [
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
    "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline",
]  # fmt: skip
_EXTRAS = ["table", "strikethrough", "footnote", "deflist", "tasklist", "replacements", "smartquotes"]
_INLINE = frozenset(
    "text text_special softbreak hardbreak em strong strikethrough link autolink image code_inline "
    "html_inline footnote_ref footnote_inline footnote_ref_anchor todo_checkbox".split()
)

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
        parser = MarkdownIt("zero")
        parser.enable_many(_COMMONMARK + (["html_block", "html_inline"] if raw_html else []) + _EXTRAS)
        self._parser = parser
        self._image = image
        self._raw_html = raw_html

    def render(
        self, text: str, source: str, first_line: int, resolve: Resolver, link_from: str | None = None, first_col: int = 1
    ) -> Rendered:
        """Render `text`, which starts at `first_line` (and, every line, `first_col`) of
        `source`. Relative links start from the folder of `link_from` (default: `source`)."""
        writer = self._writer(text, source, first_line, first_col, resolve, link_from)
        body = writer.write(self._parser)
        return Rendered(body, tuple(writer.headings), tuple(writer.problems))

    def trace(
        self, text: str, source: str, first_line: int, resolve: Resolver, link_from: str | None = None, first_col: int = 1
    ) -> tuple[str, dict[str, Location]]:
        """The HTML `render` gives, and where its parts were written: each heading's id ('#id')
        and each link or image address (as rendered) -> its line and column in `source`.
        `alagen check` uses it to report a problem of the built page at the editor's line."""
        writer = self._writer(text, source, first_line, first_col, resolve, link_from)
        writer.where = {}
        return writer.write(self._parser), writer.where

    def _writer(self, text, source, first_line, first_col, resolve, link_from) -> "_Writer":
        return _Writer(text, source, first_line, first_col, resolve, link_from or source, self._image, self._raw_html)


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    return text


def _attrs(pairs) -> str:
    return "".join(f' {name}="{_escape(str(value))}"' for name, value in pairs)


class _Writer:
    """One page's Markdown: the parsed tree written out as HTML, and what was found on the way."""

    def __init__(self, text, source, first_line, first_col, resolve, link_from, image, raw_html):
        self.source, self.first_line, self.indent = source, first_line, first_col - 1
        self.raw_html = raw_html  # without it, a `{...}` line may set only an id and classes
        self.resolve, self.link_from, self.image = resolve, link_from, image
        self.problems: list[Problem] = []
        self.headings: list[Heading] = []
        self.where: dict[str, Location] | None = None
        self.used: set[str] = set()
        self.images = 0
        # marker number -> ("open", (name, title)) | ("close", None) | ("attrs", {name: value})
        self.markers: list[tuple[str, object]] = []
        self.lines_kept: dict[int, str] = {}
        self.pending: dict[str, str] | None = None  # a `{...}` line's attributes, for the next block
        if "\x00" in text:
            text = text.replace("\x00", "\ufffd")  # as CommonMark asks, for safety
        self.text = self._markers(text)
        self.data = self.text.encode("utf-8")
        self._starts: list[int] | None = None
        self.footnotes: dict[int, int] = {}  # the parser's footnote id -> its number on the page
        self.refs: dict[int, str] = {}  # the parser's reference id -> "1", "1:1", ...
        self.times_cited: dict[int, int] = {}  # a note's number -> how often cited so far
        self.open_callouts = 0

    # --- Callouts and attribute lines ---------------------------------------------------------

    def _markers(self, text: str) -> str:
        """Turn `::: name title` ... `:::` fence lines and `{#id .class}` lines (outside code)
        into marker headings."""
        if ":::" not in text and "{" not in text:
            return text
        lines = text.split("\n")
        fence, depth, blank = None, 0, True
        for number, line in enumerate(lines):
            if fence is not None:
                if line.lstrip(" ").startswith(fence) and not line.strip(" ").strip(fence[0]):
                    fence = None
                continue
            after_blank, blank = blank, not line.strip()
            match = _FENCE.match(line)
            if match:
                fence = match.group(2)
                continue
            marker = self._marker(line, number, depth, after_blank)
            if marker is None:
                continue
            depth += {"open": 1, "close": -1}.get(marker[0], 0)
            self.markers.append(marker)
            self.lines_kept[len(self.markers) - 1] = line
            spaces = line[: len(line) - len(line.lstrip(" "))]
            lines[number] = f"{spaces}###### {_MARKER}{len(self.markers) - 1}"
            blank = marker[0] == "attrs"  # the block after a `{...}` line starts afresh
        return "\n".join(lines)

    def _marker(self, line: str, number: int, depth: int, after_blank: bool) -> tuple[str, object] | None:
        match = _CONTAINER.match(line)
        if match:
            spaces, _, name, title = match.groups()
            if not name:
                return ("close", None) if depth else None
            if name in CALLOUTS:
                return ("open", (name, title or CALLOUTS[name]))
            message = f"'{name}' is not a callout; use one of: {', '.join(CALLOUTS)}"
            self.problems.append(Problem(self._at_line(number, len(spaces)), message, span=len(match.group(0).strip())))
            return None
        match = _ATTRS_LINE.match(line) if after_blank else None
        attrs = _parse_attrs(match.group(2)) if match else None
        if attrs and not self.raw_html and set(attrs) - {"id", "class"}:
            return None
        return ("attrs", attrs) if attrs else None

    def _kept(self, content: str) -> str:
        """Code or raw HTML shows a marked line as the editor wrote it."""
        if _MARKER not in content:
            return content
        return _MARKER_LINE.sub(lambda m: self.lines_kept.get(int(m.group(2)), m.group(0)), content)

    # --- Positions --------------------------------------------------------------------------

    def _at_line(self, line: int, col: int) -> Location:
        return Location(self.source, self.first_line + line, self.indent + col + 1)

    def _at(self, offset: int) -> Location:
        """The location of a byte offset in the text."""
        if self._starts is None:
            starts, at = [0], self.data.find(b"\n")
            while at >= 0:
                starts.append(at + 1)
                at = self.data.find(b"\n", at + 1)
            self._starts = starts
        line = bisect_right(self._starts, offset) - 1
        col = len(self.data[self._starts[line] : offset].decode("utf-8", "replace"))
        return self._at_line(line, col)

    def _locate(self, node, target: str) -> Location:
        """Where the link `target` was written: inside the link's own `](target)`, else in the
        reference definition `[label]: target`, else the link's start."""
        start, end = node.srcmap or (0, 0)
        span = self.data[start:end]
        written = target.encode("utf-8")
        for needle in (b"](<" + written, b"](" + written, written):
            found = span.find(needle)
            if found >= 0:
                return self._at(start + found + len(needle) - len(written))
        for number, text in enumerate(self.text.split("\n")):
            match = re.match(r"^ {0,3}\[[^\]]+\]:\s*<?", text)
            if match and text[match.end() :].startswith(target):
                return self._at_line(number, match.end())
        return self._at(start)

    # --- Writing ----------------------------------------------------------------------------

    def write(self, parser: MarkdownIt) -> str:
        out: list[str] = []
        self._blocks(parser.tree(self.text).children, out)
        out.extend("</div>\n" for _ in range(self.open_callouts))  # a callout left open ends with the page
        return "".join(out)

    def _blocks(self, nodes, out: list[str]) -> None:
        """Block nodes. A tight list item holds its words without a paragraph around them."""
        run: list = []
        for node in nodes:
            if node.name in _INLINE:
                run.append(node)
                continue
            if run:
                self._run(run, out)
                out.append("\n")
                run = []
            pending, self.pending, first = self.pending, None, len(out)
            if node.name == "paragraph":
                out.append("<p>")
                self._run(node.children, out)
                out.append("</p>\n")
            elif node.name in ("heading", "lheading"):
                self._heading(node, out, pending)
                pending = None
            else:
                _BLOCKS.get(node.name, _Writer._blocks_of)(self, node, out)
            if pending and len(out) > first:  # a `{...}` line's attributes: on this block's first tag
                tag = out[first]
                cut = next((i for i, ch in enumerate(tag) if i and not ch.isalnum()), len(tag))
                out[first] = tag[:cut] + _attrs(pending.items()) + tag[cut:]
        if run:
            self._run(run, out)

    def _run(self, nodes, out: list[str]) -> None:
        """A run of inline nodes; a task's words are the label of its checkbox."""
        if nodes and nodes[0].name == "todo_checkbox":
            out.append("<label>")
            self._inlines(nodes, out)
            out.append("</label>")
        else:
            self._inlines(nodes, out)

    def _container(self, node, out: list[str], open_tag: str, close_tag: str) -> None:
        """A list item or definition: loose ones hold paragraphs, tight ones bare words."""
        out.append(open_tag)
        children = node.children
        if len(children) > 1 and children[0].name == "todo_checkbox" and children[1].name == "paragraph":
            # a loose task: its checkbox belongs inside the paragraph, with the words
            out.append("\n<p><label>")
            self._inlines((children[0], *children[1].children), out)
            out.append("</label></p>\n")
            children = children[2:]
        elif children and children[0].name not in _INLINE:
            out.append("\n")
        self._blocks(children, out)
        out.append(close_tag)

    def _blocks_of(self, node, out: list[str]) -> None:
        self._blocks(node.children, out)  # a kind of node this module does not know: its content

    def _heading(self, node, out: list[str], given: dict | None) -> None:
        """A heading with its id; a marker heading does what it stands for (and leaves a
        `{...}` line's attributes to the block after it)."""
        level = node.meta["level"]
        children = node.children
        if level == 6 and len(children) == 1 and children[0].name == "text":
            content = children[0].meta.get("content", "")
            if content.startswith(_MARKER) and content[len(_MARKER) :].isdigit():
                self.pending = given
                self._marked(int(content[len(_MARKER) :]), out)
                return
        given = given or {}
        classes: list[str] = given["class"].split() if "class" in given else []
        anchor = self._trailing_attrs(children, classes) or given.get("id")
        text = "".join(_plain(children, words_only=True)).strip()
        base = anchor or slugify(text)
        anchor, n = base, 0
        while anchor in self.used:
            n += 1
            anchor = f"{base}-{n}"
        self.used.add(anchor)
        self.headings.append(Heading(level, anchor, text))
        if self.where is not None and node.srcmap:
            line = self._at(node.srcmap[0]).line
            self.where.setdefault("#" + anchor, Location(self.source, line, self.indent + 1))
        extra = tuple((k, v) for k, v in given.items() if k not in ("class", "id"))
        attrs = ((("class", " ".join(classes)),) if classes else ()) + (("id", anchor),) + extra
        out.append(f"<h{level}{_attrs(attrs)}>")
        self._inlines(children, out)
        out.append(f"</h{level}>\n")

    def _trailing_attrs(self, children, classes: list[str]) -> str | None:
        """`## Title {#id .class}`: strip the braces from the heading's text; return the id."""
        if not children or children[-1].name != "text":
            return None
        last = children[-1]
        content = last.meta.get("content", "")
        match = _TRAILING_ATTRS.search(content)
        if not match:
            return None
        anchor = None
        for part in match.group(1).split():
            if part.startswith("#") and len(part) > 1:
                anchor = part[1:]
            elif part.startswith(".") and len(part) > 1:
                classes.append(part[1:])
        meta = dict(last.meta)
        meta["content"] = content[: match.start()]
        last.meta = meta
        return anchor

    def _marked(self, number: int, out: list[str]) -> None:
        kind, value = self.markers[number]
        if kind == "attrs":  # for the next block; two such lines in a row add up
            earlier = self.pending or {}
            merged = {**earlier, **value}
            if "class" in earlier and "class" in value:
                merged["class"] = f"{earlier['class']} {value['class']}"
            self.pending = merged
            return
        if kind == "close":
            if self.open_callouts:
                self.open_callouts -= 1
                out.append("</div>\n")
            return
        name, title = value
        self.open_callouts += 1
        out.append(f'<div class="callout callout-{name}" role="note">\n<p class="callout-title">{html.escape(title)}</p>\n')

    def _inlines(self, nodes, out: list[str]) -> None:
        for node in nodes:
            self._inline(node, out)

    def _inline(self, node, out: list[str]) -> None:
        name = node.name
        if name == "text" or name == "text_special":
            out.append(_escape(node.meta.get("content", "")))
        elif name == "softbreak":
            out.append("\n")
        elif name in _WRAPS:
            tag = _WRAPS[name]
            out.append(f"<{tag}>")
            self._inlines(node.children, out)
            out.append(f"</{tag}>")
        elif name == "link":
            self._link(node, out)
        elif name == "code_inline":
            out.append(f"<code>{_escape(''.join(_plain(node.children)))}</code>")
        else:
            _INLINES.get(name, _Writer._inlines_of)(self, node, out)

    def _inlines_of(self, node, out: list[str]) -> None:
        self._inlines(node.children, out)  # a kind of node this module does not know: its content

    def _link(self, node, out: list[str]) -> None:
        href = self._href(node, node.meta.get("url", ""))
        title = node.meta.get("title")
        attrs = (("href", href),) + ((("title", title),) if title else ())
        out.append(f"<a{_attrs(attrs + tuple(node.attrs.items()))}>")
        self._inlines(node.children, out)
        out.append("</a>")

    def _href(self, node, url: str) -> str:
        """A link to a page or file of the site becomes its address; an error if it has none."""
        if not url or url.startswith("#") or url.startswith("//") or _SCHEME.match(url):
            self._record(node, url, url)
            return url
        written = unquote(url)  # the parser percent-encodes (café.md -> caf%C3%A9.md); files are named as typed
        try:
            href = self.resolve(written, self.link_from)
        except ValueError as err:
            self.problems.append(Problem(self._locate(node, written), str(err), span=len(written)))
            return url
        self._record(node, href, written)
        return href

    def _record(self, node, href: str, written: str) -> None:
        if self.where is not None and href and href not in self.where:
            self.where[href] = self._locate(node, written or unquote(href))

    def _image(self, node, out: list[str]) -> None:
        """`![alt](photo.jpg)`: alt text is required; a local image gets srcset, width, height."""
        url = node.meta.get("url", "")
        written = unquote(url)
        alt = "".join(_plain(node.children))
        attrs = {"src": url, "alt": alt}
        if node.meta.get("title"):
            attrs["title"] = node.meta["title"]
        if self.image is None:
            attrs["src"] = self._href(node, url)
        else:
            first = self.images == 0
            self.images += 1
            if not alt.strip():
                message = f"the image {written} has no alt text; say what it shows: ![A reading room]({written})"
                self.problems.append(Problem(self._locate(node, written), message, span=len(written)))
            if written and not written.startswith("//") and not _SCHEME.match(written):
                try:
                    attrs.update(self.image(written, self.link_from, first))
                except ValueError as err:
                    self.problems.append(Problem(self._locate(node, written), str(err), span=len(written)))
            self._record(node, str(attrs["src"]), written)
        out.append(f"<img{_attrs(attrs.items())} />")

    def _footnote_ref(self, node, out: list[str]) -> None:
        number = self.footnotes.setdefault(node.meta["def_id"], len(self.footnotes) + 1)
        seen = self.times_cited.get(number, 0)
        self.times_cited[number] = seen + 1
        ref = f"{number}:{seen}" if seen else str(number)
        self.refs[node.meta["ref_id"]] = ref
        out.append(f'<sup class="footnote-ref"><a href="#fn{number}" id="fnref{ref}">[{number}]</a></sup>')

    def _footnote_anchor(self, node, out: list[str]) -> None:
        for ref_id in node.meta.get("ref_ids", ()):
            out.append(f' <a href="#fnref{self.refs.get(ref_id, ref_id)}" class="footnote-backref">↩︎</a>')

    def _footnotes(self, node, out: list[str]) -> None:
        """The notes, numbered in the order they are first referred to."""
        notes = sorted(node.children, key=lambda n: self.footnotes.get(n.meta["def_id"], len(self.footnotes) + 1))
        out.append('<hr class="footnotes-sep" />\n<section class="footnotes">\n<ol class="footnotes-list">\n')
        for note in notes:
            number = self.footnotes.get(note.meta["def_id"])
            out.append(f'<li id="fn{number}" class="footnote-item">')
            self._blocks(note.children, out)
            out.append("</li>\n")
        out.append("</ol>\n</section>\n")

    def _list(self, node, out: list[str]) -> None:
        tag = "ol" if node.name == "ordered_list" else "ul"
        attrs = list(node.attrs.items())
        start = node.meta.get("start", 1)
        if tag == "ol" and start != 1:
            attrs.insert(0, ("start", start))
        out.append(f"<{tag}{_attrs(attrs)}>\n")
        for item in node.children:
            self._container(item, out, f"<li{_attrs(item.attrs.items())}>", "</li>\n")
        out.append(f"</{tag}>\n")

    def _checkbox(self, node, out: list[str]) -> None:
        checked = ' checked="checked"' if node.meta.get("checked") else ""
        out.append(f'<input class="task-list-item-checkbox"{checked} disabled="disabled" type="checkbox">')

    def _table(self, node, out: list[str]) -> None:
        aligns = node.meta.get("alignments", ())
        out.append("<table>\n")
        for part in node.children:
            cell = "th" if part.name == "thead" else "td"
            out.append(f"<{part.name}>\n")
            for row in part.children:
                out.append("<tr>\n")
                for column, item in enumerate(row.children):
                    align = aligns[column] if column < len(aligns) else "none"
                    style = f' style="text-align:{align}"' if align != "none" else ""
                    out.append(f"<{cell}{style}>")
                    self._inlines(item.children, out)
                    out.append(f"</{cell}>\n")
                out.append("</tr>\n")
            out.append(f"</{part.name}>\n")
        out.append("</table>\n")

    def _fence(self, node, out: list[str]) -> None:
        info = html.unescape(node.meta.get("info", "")).strip()
        lang = info.split(maxsplit=1)[0] if info else ""
        attrs = f' class="language-{_escape(lang)}"' if lang else ""
        out.append(f"<pre><code{attrs}>{_escape(self._kept(node.meta.get('content', '')))}</code></pre>\n")


def _parse_attrs(text: str) -> dict[str, str] | None:
    """`#id .a .b key=value key="a value"` -> attributes; None if it is not all of that, or
    names an event handler (`onclick=`): such a line stays text."""
    attrs: dict[str, str] = {}
    at = 0
    for match in _ATTR.finditer(text):
        if match.start() != at:
            return None
        at = match.end()
        mark, word, key = match.group(1), match.group(2), match.group(3)
        if mark == "#":
            attrs["id"] = word
        elif mark == ".":
            attrs["class"] = f"{attrs['class']} {word}" if "class" in attrs else word
        elif key.lower().startswith("on"):
            return None
        else:
            attrs[key] = next(v for v in match.group(4, 5, 6) if v is not None)
    return attrs if attrs and not text[at:].strip() else None


def _plain(nodes, words_only: bool = False):
    """The text of inline nodes, without markup (an image's alt, a heading's words)."""
    for node in nodes:
        if node.name in ("text", "text_special"):
            yield node.meta.get("content", "")
        elif node.name == "softbreak" and not words_only:
            yield "\n"
        elif node.name == "code_inline":
            yield from _plain(node.children)
        elif node.name != "image" or not words_only:
            yield from _plain(node.children, words_only)


_WRAPS = {"em": "em", "strong": "strong", "strikethrough": "s"}
_INLINES: dict[str, Callable] = {
    "hardbreak": lambda w, n, out: out.append("<br />\n"),
    "html_inline": lambda w, n, out: out.append(n.meta.get("content", "")),
    "autolink": lambda w, n, out: out.append(f'<a href="{_escape(n.meta.get("url", ""))}">{_escape("".join(_plain(n.children)))}</a>'),
    "image": _Writer._image,
    "footnote_ref": _Writer._footnote_ref,
    "footnote_inline": lambda w, n, out: w._inlines(n.children, out),
    "footnote_ref_anchor": _Writer._footnote_anchor,
    "todo_checkbox": _Writer._checkbox,
}
_BLOCKS: dict[str, Callable] = {
    "bullet_list": _Writer._list,
    "ordered_list": _Writer._list,
    "blockquote": lambda w, n, out: (out.append("<blockquote>\n"), w._blocks(n.children, out), out.append("</blockquote>\n")),
    "hr": lambda w, n, out: out.append("<hr />\n"),
    "code_block": lambda w, n, out: out.append(f"<pre><code>{_escape(w._kept(n.meta.get('content', '')))}</code></pre>\n"),
    "fence": _Writer._fence,
    "html_block": lambda w, n, out: out.append(w._kept(n.meta.get("content", ""))),
    "table": _Writer._table,
    "definition_list": lambda w, n, out: (out.append("<dl>\n"), w._blocks(n.children, out), out.append("</dl>\n")),
    "definition_term": lambda w, n, out: (out.append("<dt>"), w._inlines(n.children, out), out.append("</dt>\n")),
    "definition_description": lambda w, n, out: w._container(n, out, "<dd>", "</dd>\n"),
    "definition": lambda w, n, out: None,  # a link reference: nothing to show
    "footnote_container": _Writer._footnotes,
}
