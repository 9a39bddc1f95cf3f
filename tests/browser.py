"""Helpers for tests in a real browser: Debian's Chromium driven by Playwright, and the
built site served on 127.0.0.1. No browser is ever downloaded."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager

import pytest

from alagen.check import a11y

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Debian's Chromium; scripts/test installs it. Missing under scripts/test (which sets
    ALAGEN_TESTS_NEED_BROWSER) or in CI is a failure, not a skip: a browser test that skips
    there would pass without having run."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("CI") or os.environ.get("ALAGEN_TESTS_NEED_BROWSER"):
            pytest.fail("chromium is not installed: scripts/test installs it with apt-get")
        pytest.skip("chromium is not installed (bash scripts/test installs it)")
    return found


# The site served as `alagen check --a11y` serves it: a quiet static server on 127.0.0.1.
Quiet = a11y.QuietHandler
serve = a11y.serve


@contextmanager
def browser_page():
    """A fresh Chromium page; console errors and failed requests are collected on it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.problems = []
            page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
            # A request aborted because the page navigated away is not a failure of the site.
            page.on(
                "requestfailed",
                lambda r: r.failure != "net::ERR_ABORTED" and page.problems.append(f"failed: {r.url} {r.failure}"),
            )
            yield page
        finally:
            browser.close()
