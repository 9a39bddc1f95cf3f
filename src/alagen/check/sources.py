"""Tracing a problem seen in a built file back to the line an editor can fix.

A built page comes from its Page (by output path). A problem inside the page's Markdown
body goes to the body's line (headings and links exactly, from Markdown.trace; other things
by searching their text); anything else to the page's front matter or record, a menu item,
the first layout that contains its text, a data file, and only then to the built file."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from alagen.check.findings import Issue
from alagen.markdown import Markdown
from alagen.model import urls
from alagen.model.pages import Page
from alagen.model.site import Site
from alagen.render.html import link_from, make_resolver

_TEMPLATE_REFS = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")
_MIN_NEEDLE = 3  # shorter texts ('/', '#') would be found everywhere


class Sources:
    """Where each built file came from, for one site and one build folder."""

    def __init__(self, root: Path, build: Path, site: Site):
        self.root = root
        self.build = build
        self.site = site
        self.base = site.settings.base_path
        self.by_output = {p.output: p for p in site.pages}
        # Old addresses (aliases and data/redirects.yaml): their fallback pages and _redirects
        # rules are fixed where the redirect was written.
        self.redirect_at = {urls.output_path(urls.normalize(r.source)): r.location for r in site.redirects}
        self.rule_at = {urls.href(self.base, r.source): r.location for r in site.redirects}
        self._markdown = Markdown(raw_html=site.settings.raw_html, typographer=site.settings.typographer)
        self._resolve = make_resolver(site)
        self._menus = {}
        self._add_menu_items(item for items in site.menus.values() for item in items)
        self._data_files = sorted(
            p.relative_to(root).as_posix() for p in (root / "data").rglob("*") if p.suffix in (".yaml", ".yml")
        ) if (root / "data").is_dir() else []
        self.lines = lru_cache(maxsize=None)(self._read_lines)
        self._bodies: dict[tuple[str, str], tuple[str, dict]] = {}

    def built_path(self, output: str) -> str:
        """How a built file is named in the report: build/x/index.html from the site's folder."""
        path = self.build / output
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def page_of(self, output: str) -> Page | None:
        """The page a built file was made from."""
        return self.by_output.get(output)

    def is_file(self, source: str) -> bool:
        return not source.startswith("(") and (self.root / source).is_file()

    def locate(self, page: Page | None, output: str, text: str, issue: Issue) -> tuple[str, int]:
        """The (path, line) to report `issue` at, seen in the built file `output`."""
        if page is None and output in self.redirect_at:
            return self.redirect_at[output].path, self.redirect_at[output].line
        if output == "_redirects" and issue.needles and issue.needles[0] in self.rule_at:
            return self.rule_at[issue.needles[0]].path, self.rule_at[issue.needles[0]].line
        if page is not None and self.is_file(page.source):
            found = self._in_page(page, text, issue)
            if found:
                return found
        if issue.at == "built":  # only the built file's line is sure (a parse error)
            return self.built_path(output), issue.line
        needles = self._needles(issue.needles)
        for needle in issue.needles:
            if needle in self._menus:
                return self._menus[needle]
        if page is not None:
            for layout in self.layout_chain(page.layout):
                line = self._search(layout, needles)
                if line:
                    return layout, line
        for data in self._data_files:
            line = self._search(data, needles)
            if line:
                return data, line
        if page is not None and issue.at == "layout":
            chain = self.layout_chain(page.layout)
            if chain:
                return chain[0], 0
        return self.built_path(output), issue.line

    def _in_page(self, page: Page, text: str, issue: Issue) -> tuple[str, int] | None:
        html, where = self.body(page)
        first = page.body_line
        region = _region(text, html)
        in_body = region is not None and region[0] <= issue.line <= region[1]
        if in_body or (region is None and issue.line == 0):
            for needle in issue.needles:
                if needle in where:
                    return where[needle].path, where[needle].line
        if in_body:
            last = first + page.body.count("\n")
            return page.source, self._search(page.source, self._needles(issue.needles), first, last) or first
        if issue.at == "source":
            return page.source, page.at("").line
        # Outside the body: the page's own fields (front matter, or the record's YAML).
        start, end = (page.at("").line, 0) if "" in page.where else (1, first - 1)
        line = self._search(page.source, self._needles(issue.needles), start, end)
        return (page.source, line) if line else None

    def body(self, page: Page) -> tuple[str, dict]:
        """The page's body as the build rendered it, and where its headings and links were written."""
        key = (page.source, page.url)
        if key not in self._bodies:
            try:
                self._bodies[key] = self._markdown.trace(
                    page.body, page.source, page.body_line, self._resolve, link_from(page), page.body_col
                )
            except Exception:  # a body the build could not render was reported by the build
                self._bodies[key] = ("", {})
        return self._bodies[key]

    def layout_chain(self, layout: str) -> tuple[str, ...]:
        """layouts/NAME.html, then the templates it extends, imports and includes, nearest first."""
        chain: list[str] = []
        todo = [f"{layout}.html"]
        while todo:
            name = todo.pop(0)
            path = f"layouts/{name}"
            if path in chain or not (self.root / path).is_file():
                continue
            chain.append(path)
            todo += _TEMPLATE_REFS.findall("\n".join(self.lines(path)))
        return tuple(chain)

    def _needles(self, needles: tuple[str, ...]) -> tuple[str, ...]:
        """The needles, and addresses without the base path as layouts write them."""
        result = []
        for needle in needles:
            result.append(needle)
            if self.base != "/" and needle.startswith(self.base):
                result.append("/" + needle[len(self.base):])
        return tuple(n for n in dict.fromkeys(result) if len(n) >= _MIN_NEEDLE)

    def _search(self, path: str, needles: tuple[str, ...], start: int = 1, end: int = 0) -> int:
        lines = self.lines(path)
        stop = end or len(lines)
        for needle in needles:
            for number in range(max(start, 1), stop + 1):
                if needle in lines[number - 1]:
                    return number
        return 0

    def _read_lines(self, path: str) -> tuple[str, ...]:
        try:
            return tuple((self.root / path).read_text(encoding="utf-8-sig").split("\n"))
        except (OSError, UnicodeDecodeError):
            return ()

    def _add_menu_items(self, items) -> None:
        for item in items:
            href = item.url if item.external else urls.href(self.base, item.url)
            self._menus.setdefault(href, (item.location.path, item.location.line))
            self._add_menu_items(item.links)


def _region(text: str, html: str) -> tuple[int, int] | None:
    """The lines of the built page that hold the rendered body, if it is there."""
    if not html.strip():
        return None
    found = text.find(html)
    if found < 0:
        return None
    first = text.count("\n", 0, found) + 1
    return first, first + html.rstrip("\n").count("\n")
