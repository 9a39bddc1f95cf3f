"""The default theme in a real browser (Debian's Chromium, headless) on the demo built with its
search index: screenshots of the home page, an event, a job, an award, a division's home and
a search, at desktop and phone widths, saved for review in screenshots/ at the repository's
root (git-ignored; the folder is printed at the end). A page fails on any console error,
failed request or error response, and on a phone on anything wider than the screen.
Then what the theme promises beyond looks: the search page's sort order with the keyboard,
visible focus, reduced motion, and print without menus."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from browser import browser_page, serve

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "screenshots"
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
PAGES = {
    "home": "/",
    "event": "/events/acrl-2025/",
    "job": "/jobs/youth-services-librarian/",
    "award": "/awards/john-cotton-dana-library-public-relations-award/",
    "division": "/core/",
    "search": "/search/?q=library",
}


@pytest.fixture(scope="module")
def site(demo_build):
    with serve(demo_build) as base:
        yield base


@pytest.fixture(scope="module")
def tab():
    """One Chromium tab; error responses are problems too (a 404 is not a failed request)."""
    with browser_page() as page:
        page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status}: {r.url}"))
        yield page


@pytest.fixture(scope="module")
def shots(request):
    SHOTS.mkdir(exist_ok=True)
    saved: list[Path] = []
    yield saved
    if saved:  # said even when pytest captures the output
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled():
            print(f"\n{len(saved)} screenshots of the theme saved in {SHOTS}/")


def results_settled(page) -> None:
    """Pagefind says how many results there are, and every result shown has been filled in
    (it draws empty placeholders first and loads each result's fragment after)."""
    # Generous limits: on a loaded 2-core machine Pagefind's second start (after a change of
    # sort) can take many seconds to load its WebAssembly and index again.
    page.locator(".pagefind-ui__result-title").first.wait_for(timeout=45000)
    state = ""
    for _ in range(450):
        state = page.evaluate(
            """() => {
              const message = document.querySelector('.pagefind-ui__message')?.textContent || '';
              const shown = document.querySelectorAll('.pagefind-ui__result').length;
              const filled = document.querySelectorAll('.pagefind-ui__result > .pagefind-ui__result-inner > .pagefind-ui__result-title').length;
              return /\\d+ results? for/.test(message) && shown > 0 && shown === filled ? '' : `${message} (${filled}/${shown})`;
            }"""
        )
        if not state:
            break
        page.wait_for_timeout(100)
    else:
        pytest.fail(f"the results on {page.url} never settled: {state!r}")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_screenshot(site, tab, shots, name, width):
    tab.problems.clear()
    w, h = WIDTHS[width]
    tab.set_viewport_size({"width": w, "height": h})
    tab.goto(site + PAGES[name], wait_until="networkidle")
    if name == "search":
        results_settled(tab)
    path = SHOTS / f"{name}-{width}.png"
    tab.screenshot(path=str(path), full_page=True)
    shots.append(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert tab.problems == [], PAGES[name]
    assert tab.evaluate("document.documentElement.scrollWidth") <= w, f"{PAGES[name]} is wider than {w}px"
    assert tab.locator("h1").count() == 1


# --- Search: sort order ------------------------------------------------------------------------


def result_dates(page) -> list[dt.date]:
    """The 'Date: Feb 3, 2025' of each result, in the order shown."""
    dates = []
    for tags in page.locator(".pagefind-ui__result > .pagefind-ui__result-inner > .pagefind-ui__result-tags").all_inner_texts():
        found = re.search(r"Date: (\w{3} \d{1,2}, \d{4})", tags)
        if found:
            dates.append(dt.datetime.strptime(found.group(1), "%b %d, %Y").date())
    return dates


def focused(page) -> dict:
    return page.evaluate("() => ({tag: document.activeElement.tagName.toLowerCase(), name: document.activeElement.name, value: document.activeElement.value})")


def test_search_results_sort_newest_first_with_the_keyboard(site, tab):
    tab.problems.clear()
    tab.set_viewport_size({"width": 1280, "height": 800})
    tab.goto(site + "/search/?q=award")
    results_settled(tab)
    by_relevance = result_dates(tab)
    assert by_relevance != sorted(by_relevance, reverse=True)  # otherwise sorting shows nothing
    assert tab.is_checked("input[name=sort][value=relevance]")
    assert tab.locator("#search-sort legend").inner_text() == "Sort"

    for _ in range(80):  # Tab from the top of the page to the sort choice
        tab.keyboard.press("Tab")
        if focused(tab)["name"] == "sort":
            break
    assert focused(tab) == {"tag": "input", "name": "sort", "value": "relevance"}
    tab.keyboard.press("ArrowRight")  # the page loads again, sorted, with the choice in its address
    tab.wait_for_url(lambda url: "sort=date" in url)
    results_settled(tab)
    assert focused(tab)["value"] == "date" and tab.is_checked("input[name=sort][value=date]")
    newest_first = result_dates(tab)
    assert len(newest_first) >= 5 and newest_first == sorted(newest_first, reverse=True)
    assert tab.inner_text("#search-sort-status") == "Results sorted newest first"
    assert tab.input_value(".pagefind-ui__search-input") == "award"  # the words are kept

    tab.keyboard.press("ArrowLeft")
    tab.wait_for_url(lambda url: "sort=" not in url)
    results_settled(tab)
    assert "q=award" in tab.url and tab.is_checked("input[name=sort][value=relevance]")
    assert tab.problems == []


def test_a_sorted_search_keeps_its_filters_and_a_link_keeps_the_order(site, tab):
    tab.problems.clear()
    tab.goto(site + "/search/?q=library&unit=Core&sort=date")
    results_settled(tab)
    assert tab.is_checked("input[name=sort][value=date]")
    dates = result_dates(tab)
    assert dates and dates == sorted(dates, reverse=True)
    assert tab.locator("input.pagefind-ui__filter-checkbox:checked").count() == 1
    tab.check("input[name=sort][value=relevance]")
    tab.wait_for_url(lambda url: "sort=" not in url)
    results_settled(tab)
    assert "unit=Core" in tab.url and "q=library" in tab.url
    assert tab.locator("input.pagefind-ui__filter-checkbox:checked").count() == 1  # still only Core
    assert tab.problems == []


def test_without_javascript_there_is_no_sort_choice(demo_build):
    html = (demo_build / "search/index.html").read_text(encoding="utf-8")
    assert re.search(r'<fieldset class="search-sort" id="search-sort" hidden>', html)


# --- Focus, motion, print ----------------------------------------------------------------------------


def test_the_keyboard_focus_is_visible(site, tab):
    tab.set_viewport_size({"width": 1280, "height": 800})
    tab.goto(site + "/")
    tab.keyboard.press("Tab")
    skip = tab.evaluate(
        "() => { const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();"
        " return {text: e.textContent, outline: s.outlineStyle, width: s.outlineWidth, top: r.top}; }"
    )
    assert skip["text"] == "Skip to main content" and skip["top"] >= 0  # on screen once focused
    assert skip["outline"] == "solid" and skip["width"] == "3px"
    tab.focus(".feature-link")
    tab.keyboard.press("Shift+Tab")
    tab.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    assert tab.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"


def test_reduced_motion_turns_transitions_off(site, tab):
    tab.goto(site + "/")
    tab.emulate_media(reduced_motion="no-preference")
    assert tab.evaluate("getComputedStyle(document.querySelector('.feature-link')).transitionDuration") != "0s"
    tab.emulate_media(reduced_motion="reduce")
    assert tab.evaluate("getComputedStyle(document.querySelector('.feature-link')).transitionDuration") == "0s"
    assert tab.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
    tab.emulate_media(reduced_motion=None)


def test_print_leaves_out_menus_search_and_footer(site, tab):
    tab.goto(site + "/core/")
    tab.emulate_media(media="print")
    try:
        for hidden in ("#main-menu", ".utility-bar", ".division-menu", ".site-search", ".breadcrumbs", ".site-footer"):
            assert not tab.is_visible(hidden), hidden
        assert tab.is_visible("main h1")
    finally:
        tab.emulate_media(media="screen")
    assert tab.is_visible("#main-menu")
