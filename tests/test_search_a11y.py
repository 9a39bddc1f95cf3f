"""The search page heard with a screen reader (WCAG 4.1.3, status messages): a polite live
region says how many results there are and for what, after typing settles, after a filter
and after "Load more results", in Debian's Chromium on the demo built with its index."""

from __future__ import annotations

import re
import time

import pytest

from browser import browser_page, serve

pytestmark = pytest.mark.browser

LIVE = "#search-results-status"


@pytest.fixture(scope="module")
def site(demo_build):
    with serve(demo_build) as base:
        yield base


@pytest.fixture(scope="module")
def tab():
    with browser_page() as page:
        yield page


def announced(page, pattern: str, seconds: float = 20) -> re.Match:
    """The live region's text once it matches `pattern`."""
    deadline = time.monotonic() + seconds
    while True:
        text = page.text_content(LIVE) or ""
        found = re.search(pattern, text)
        if found:
            return found
        assert time.monotonic() < deadline, f"the live region says {text!r}, not {pattern!r}"
        page.wait_for_timeout(100)


def pagefind_count(page) -> int:
    """The count in Pagefind's visible "N results for …" line."""
    return int(re.match(r"(\d+) results? for", page.inner_text(".pagefind-ui__message")).group(1))


def record_announcements(page) -> None:
    """Keep every text the live region takes, in window.said."""
    page.evaluate(
        """() => {
          const live = document.querySelector('#search-results-status');
          window.said = [];
          new MutationObserver(() => window.said.push(live.textContent)).observe(live, {childList: true, characterData: true, subtree: true});
        }"""
    )


def focused(page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " const item = e.closest('.pagefind-ui__results > .pagefind-ui__result');"
        " return {cls: e.className, index: item ? [...item.parentNode.children].indexOf(item) : -1}; }"
    )


def test_the_live_region_is_polite_and_hidden_but_not_from_screen_readers(demo_build):
    html = (demo_build / "search/index.html").read_text(encoding="utf-8")
    tag = re.search(r'<p [^>]*id="search-results-status"[^>]*>', html).group(0)
    assert 'role="status"' in tag and 'aria-live="polite"' in tag and 'class="visually-hidden"' in tag
    assert "aria-hidden" not in tag


def test_typing_is_announced_once_it_settles_and_focus_stays_in_the_field(site, tab):
    tab.problems.clear()
    tab.goto(f"{site}/search/")
    field = tab.locator(".pagefind-ui__search-input")
    field.wait_for()
    record_announcements(tab)
    field.click()
    # Slower than Pagefind's 300 ms pause, so it searches "f", "fo", … on the way: none of
    # those is said, only the words once typing stops.
    field.press_sequentially("forum", delay=450)
    found = announced(tab, r"^Showing (\d+) of (\d+) results for “forum”$")
    assert int(found.group(1)) == 5 and int(found.group(2)) == pagefind_count(tab) > 5
    assert tab.evaluate("window.said") == [found.group(0)]
    assert "pagefind-ui__search-input" in focused(tab)["cls"]  # focus never moved
    assert tab.problems == []


def test_a_filter_is_announced_with_the_new_count(site, tab):
    tab.problems.clear()
    tab.goto(f"{site}/search/?q=forum")
    before = int(announced(tab, r"^Showing 5 of (\d+) results for “forum”$").group(1))
    tab.locator("summary.pagefind-ui__filter-name", has_text="type").click()
    tab.locator("label.pagefind-ui__filter-label", has_text=re.compile(r"^event")).click()
    found = announced(tab, r"^(?:Showing \d+ of )?(\d+) results? for “forum”, filtered by type: event$")
    after = int(found.group(1))
    assert after == pagefind_count(tab) and 0 < after < before
    assert tab.problems == []


def test_load_more_is_announced_and_focus_goes_to_the_first_new_result(site, tab):
    tab.problems.clear()
    tab.goto(f"{site}/search/?q=forum")
    total = int(announced(tab, r"^Showing 5 of (\d+) results for “forum”$").group(1))
    assert total > 10
    tab.click("button.pagefind-ui__button")
    announced(tab, rf"^Showing 10 of {total} results for “forum”$")
    where = focused(tab)  # the sixth result: the first of those just added
    assert "pagefind-ui__result-link" in where["cls"] and where["index"] == 5
    assert tab.locator("button.pagefind-ui__button").count() == 1  # more to come
    assert tab.problems == []


def test_the_last_load_more_says_all_are_shown_and_focus_is_not_lost(site, tab):
    tab.problems.clear()
    tab.goto(f"{site}/search/?q=Denver")
    total = int(announced(tab, r"^Showing 5 of (\d+) results for “Denver”$").group(1))
    assert 5 < total <= 10
    tab.focus("button.pagefind-ui__button")
    tab.keyboard.press("Enter")  # the button goes away: all results are shown
    announced(tab, rf"^Showing all {total} results for “Denver”$")
    assert tab.locator("button.pagefind-ui__button").count() == 0
    where = focused(tab)
    assert "pagefind-ui__result-link" in where["cls"] and where["index"] == 5
    assert tab.problems == []
