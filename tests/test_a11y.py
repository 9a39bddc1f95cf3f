"""Accessibility in a real browser: axe-core (npm, in node_modules/) in Debian's Chromium, over
one page of every type of the demo. Any serious or critical violation fails."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from alagen.check import a11y
from alagen.pipeline import BuildOptions, read_site
from browser import browser_page, serve
from conftest import make_site, run_cli

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
ALL_TYPES = [name for name, _ in a11y.PAGE_TYPES]


def axe_source() -> str:
    path = REPO / a11y.AXE_FILE
    if not path.is_file():
        pytest.fail(f"{a11y.AXE_FILE} is missing: bash scripts/test installs it with npm ci")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo(demo_build):
    """The demo, built with its search index (the search page loads Pagefind's UI)."""
    out = demo_build
    site = read_site(BuildOptions(root=REPO, now=dt.date(2025, 3, 1)))
    return out, a11y.representative_pages(site)


@pytest.fixture(scope="module")
def tab():
    with browser_page() as page:
        yield page


def test_the_demo_has_a_page_of_every_type(demo):
    _, pages = demo
    assert list(pages) == ALL_TYPES


@pytest.mark.parametrize("kind", ALL_TYPES)
def test_no_serious_or_critical_violation(demo, tab, kind):
    out, pages = demo
    with serve(out) as address:
        violations = a11y.axe_violations(tab, address + pages[kind].url, axe_source())
    assert [a11y.describe(v) for v in a11y.failing(violations)] == [], pages[kind].url


def test_axe_finds_what_it_should_and_check_reports_it(tmp_path):
    """`alagen check --a11y` on a site with text too pale to read: a finding at its line."""
    axe_source()
    files = {
        "content/index.md": "---\ntitle: Home\ndescription: Home.\n---\n"
        '<p style="color:#eee;background:#fff">Pale words.</p>\n',
        "node_modules/axe-core/axe.min.js": (REPO / a11y.AXE_FILE).read_text(encoding="utf-8"),
    }
    root = make_site(tmp_path, files)
    result = run_cli("check", "--a11y", "--now", "2025-03-01", cwd=root)
    assert result.returncode == 1, result.stdout + result.stderr
    a11y_lines = [line for line in result.stdout.splitlines() if ": a11y: " in line]
    assert len(a11y_lines) == 1 and a11y_lines[0].startswith(
        "content/index.md:5: a11y: color-contrast (serious): Elements must meet minimum color contrast ratio thresholds"
    ), result.stdout


def test_the_cli_runs_axe_on_the_demo(tmp_path):
    axe_source()
    result = run_cli("check", "--a11y", "--now", "2025-03-01", "--build-dir", str(tmp_path / "build"), cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("No findings")


def test_without_axe_the_cli_says_what_is_missing(tmp_path):
    root = make_site(tmp_path, {"content/index.md": "---\ntitle: Home\n---\n"})
    result = run_cli("check", "--a11y", cwd=root)
    assert result.returncode == 2
    assert "--a11y cannot run: node_modules/axe-core/axe.min.js is missing (run 'npm ci' in the site's folder)" in result.stderr


def test_a_missing_browser_fails_under_scripts_test_and_skips_elsewhere(monkeypatch):
    """scripts/test installs Chromium and sets ALAGEN_TESTS_NEED_BROWSER: there, and in CI,
    a browser test that cannot find it fails instead of passing as skipped."""
    import shutil

    import pytest

    import browser

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("ALAGEN_TESTS_NEED_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="chromium is not installed"):
        browser.chromium_path()
    monkeypatch.delenv("ALAGEN_TESTS_NEED_BROWSER")
    with pytest.raises(pytest.skip.Exception):
        browser.chromium_path()
