"""Accessibility in a real browser: axe-core (the npm package in node_modules/) runs in
Debian's Chromium, driven by Playwright, over one page of each type of the site. A serious
or critical violation is a finding."""

from __future__ import annotations

import functools
import http.server
import importlib.util
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from alagen.check.findings import Issue
from alagen.check.parse import line_of
from alagen.model import urls
from alagen.model.pages import Page
from alagen.model.site import Site

AXE_FILE = "node_modules/axe-core/axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

# One page of each type, as editors and visitors know them: (name, test on a page).
PAGE_TYPES: tuple[tuple[str, Callable[[Page], bool]], ...] = (
    ("home", lambda p: p.url == "/"),
    ("page", lambda p: p.kind == "page" and p.layout == "page" and not p.toc and p.url != "/404.html"),
    ("long page with table of contents", lambda p: p.kind == "page" and p.toc),
    ("news item", lambda p: p.kind == "news"),
    ("news list", lambda p: p.url == "/news/"),
    ("event", lambda p: p.kind == "event"),
    ("events list", lambda p: p.url == "/events/"),
    ("job", lambda p: p.kind == "job" and not p.noindex),
    ("jobs list", lambda p: p.url == "/jobs/"),
    ("award", lambda p: p.kind == "award"),
    ("award year", lambda p: p.layout == "award-year"),
    ("publication", lambda p: p.kind == "publication"),
    ("publications", lambda p: p.url == "/publications/"),
    ("division home", lambda p: p.layout == "division"),
    ("topics", lambda p: p.layout == "topics"),
    ("topic", lambda p: p.layout == "topic"),
    ("search page", lambda p: p.kind == "search"),
    ("404 page", lambda p: p.url == "/404.html"),
)


def representative_pages(site: Site) -> dict[str, Page]:
    """The first page (by URL) of each type that the site has."""
    found = {}
    for name, test in PAGE_TYPES:
        page = next((p for p in site.pages if test(p)), None)
        if page is not None:
            found[name] = page
    return found


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def unavailable(root: Path) -> str | None:
    """Why the browser check cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "the Python package playwright is not installed (pip install -e '.[test]')"
    if chromium() is None:
        return "Chromium is not installed (apt-get install chromium)"
    if not (root / AXE_FILE).is_file():
        return f"{AXE_FILE} is missing (run 'npm ci' in the site's folder)"
    return None


def axe_violations(browser_page, url: str, axe_source: str) -> list[dict]:
    """Open `url`, run axe-core in it, and return its violations (all impacts)."""
    browser_page.goto(url, wait_until="networkidle")
    browser_page.add_script_tag(content=axe_source)
    result = browser_page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def failing(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v.get("impact") in FAILING_IMPACTS]


def describe(violation: dict) -> str:
    """'color-contrast (serious): Elements must meet ... : .brand-tagline, .lead'"""
    targets = [", ".join(map(str, node.get("target", []))) for node in violation.get("nodes", [])]
    shown = "; ".join(targets[:3]) + (f"; and {len(targets) - 3} more" if len(targets) > 3 else "")
    return f"{violation['id']} ({violation['impact']}): {violation['help']}: {shown} (see {violation.get('helpUrl', '')})"


def runner(root: Path):
    """The a11y rule for check_build: (output, Issue) for each failing violation."""

    def run(sources) -> Iterator[tuple[str, Issue]]:
        from playwright.sync_api import sync_playwright

        axe_source = (root / AXE_FILE).read_text(encoding="utf-8")
        pages = representative_pages(sources.site)
        base = sources.site.settings.base_path
        with serve(sources.build, base) as address, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
            try:
                tab = browser.new_page()
                for page in pages.values():
                    url = address + urls.href(base, page.url)
                    text = (sources.build / page.output).read_text(encoding="utf-8", errors="replace")
                    for violation in failing(axe_violations(tab, url, axe_source)):
                        nodes = violation.get("nodes") or [{}]
                        snippet = (nodes[0].get("html") or "").split("\n")[0][:80]
                        line = line_of(text, snippet) if snippet else 0
                        yield page.output, Issue("a11y", describe(violation), line, 0, at="built")
            finally:
                browser.close()

    return run


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}
    base = "/"

    def translate_path(self, path: str) -> str:
        # The site lives under its base path (/ala/) on the real host; here at the folder's top.
        if self.base != "/" and path.startswith(self.base):
            path = "/" + path[len(self.base):]
        return super().translate_path(path)

    def log_message(self, *args):
        pass


@contextmanager
def serve(folder: Path, base: str = "/") -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 at a free port; yields the address without a trailing /."""
    handler = functools.partial(type("Handler", (QuietHandler,), {"base": base}), directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
