"""`alagen check`: every rule over every file of a build, each finding traced to its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from alagen.check import external, file_rules
from alagen.check.findings import Finding, Issue, Report, Skipped
from alagen.check.html_rules import PAGE_RULES
from alagen.check.links import BuiltSite, External, check_links
from alagen.check.parse import HtmlFile, parse_html
from alagen.check.sources import Sources
from alagen.model.pages import Page
from alagen.model.site import Site

SKIPPED_FOLDERS = ("pagefind/",)  # the search index is Pagefind's, not the site's


@dataclass
class Collector:
    """Findings by place: a mistake in a layout or menu is one finding that shows on many pages."""

    sources: Sources
    found: dict[tuple, list[str]] = field(default_factory=dict)
    hidden: dict[str, int] = field(default_factory=dict)  # page source -> findings its skip hid

    def add(self, page: Page | None, output: str, text: str, issue: Issue) -> None:
        if page is not None and issue.rule in page.check.get("skip", ()):
            self.hidden[page.source] = self.hidden.get(page.source, 0) + 1
            return
        if issue.rule == "description" and page is not None and page.description:
            issue = Issue(issue.rule, "the page has a description, but its layout does not print it in "
                          '<meta name="description">', issue.line, issue.col, ('name="description"', "</head>"), "layout")
        path, line = self.sources.locate(page, output, text, issue)
        pages = self.found.setdefault((path, line, issue.rule, issue.message), [])
        built = self.sources.built_path(output)
        if built not in pages:
            pages.append(built)

    def report(self, files: int) -> Report:
        findings = tuple(sorted(Finding(p, l, r, m, tuple(sorted(pages))) for (p, l, r, m), pages in self.found.items()))
        skipped = []
        for page in self.sources.site.pages:
            if page.check.get("skip"):
                where = page.at("check")
                skipped.append(Skipped(where.path, where.line, tuple(page.check["skip"]), page.check.get("reason", ""),
                                       self.hidden.get(page.source, 0)))
        return Report(findings, tuple(sorted(set(skipped))), files)


def check_build(
    root: Path,
    build: Path,
    site: Site,
    *,
    check_external: bool = False,
    a11y: Callable[[Sources], Iterable[tuple[str, Issue]]] | None = None,
    timeout: float = 10.0,
) -> Report:
    """Check the built site in `build`, made from `site` at `root`."""
    sources = Sources(root, build, site)

    @lru_cache(maxsize=512)  # pages are parsed again when asked later: memory stays bounded
    def parse(output: str) -> HtmlFile | None:
        path = build / output
        return parse_html(output, path.read_bytes()) if path.is_file() else None

    built = BuiltSite(build, site.settings.base_url, site.settings.base_path, parse)
    outputs = sorted(f for f in built.files if not f.startswith(SKIPPED_FOLDERS))
    if "_redirects" in built.files:
        built.redirected = _redirect_sources((build / "_redirects").read_text(encoding="utf-8", errors="replace"))
    collector = Collector(sources)
    externals: dict[str, list[tuple[Page | None, str, External]]] = {}
    for output in outputs:
        if output.endswith(".html"):
            doc = parse(output)
            page = sources.page_of(output)
            found: list[External] = []
            for rule in PAGE_RULES:
                for issue in rule(doc):
                    collector.add(page, output, doc.text, issue)
            for issue in check_links(doc, built, found):
                collector.add(page, output, doc.text, issue)
            for link in found:
                externals.setdefault(link.url, []).append((page, output, link))
        else:
            _check_file(output, build, built, sources, collector)
    if check_external and externals:
        problems = external.check_urls(list(externals), external.cache_path(build), timeout)
        for url, problem in problems.items():
            if problem is None:
                continue
            for page, output, link in externals[url]:
                issue = Issue("external-link", f"{url} {problem}", link.line, link.col, (url,))
                collector.add(page, output, _text(parse, output), issue)
    if a11y is not None:
        for output, issue in a11y(sources):
            collector.add(sources.page_of(output), output, _text(parse, output), issue)
    return collector.report(len(outputs))


def _check_file(output: str, build: Path, built: BuiltSite, sources: Sources, collector: Collector) -> None:
    data = (build / output).read_bytes()
    if output == "sitemap.xml":
        rule = file_rules.sitemap
    elif output.endswith(".ics"):
        rule = file_rules.calendar
    elif output == "_redirects":
        rule = file_rules.redirects
    elif file_rules.is_feed(output, data):
        rule = file_rules.feed
    elif output.endswith(".svg"):
        rule = file_rules.svg
    else:
        return
    text = data.decode("utf-8", errors="replace")
    for issue in rule(output, data, built):
        collector.add(None, output, text, issue)


def _text(parse, output: str) -> str:
    doc = parse(output)
    return doc.text if doc else ""


def _redirect_sources(text: str) -> set[str]:
    return {line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#")}
