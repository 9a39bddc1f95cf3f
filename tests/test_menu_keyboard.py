"""The mega-menu with the keyboard alone, in a real browser (Debian's Chromium) on the built demo:
Tab reaches a section, Enter opens it, Tab reaches its links, Escape closes it and gives focus
back; one section is open at a time; Tab or Shift+Tab out of an open panel closes it (issue 20,
as in the W3C disclosure navigation example); on a phone the menu folds behind one button;
without JavaScript the sections are still disclosures that Enter opens (issue 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser import browser_page, serve

PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser

# What has the keyboard focus: its tag and text, and the menu section (details) it is in.
FOCUS = """() => {
  const e = document.activeElement;
  const details = e && e.closest('details.mega');
  const rect = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(),
    text: e.textContent.trim().replace(/\\s+/g, ' '),
    section: details ? details.querySelector('summary').firstChild.textContent.trim() : null,
    in_panel: !!e.closest('.mega-panel'),
    in_menu: !!e.closest('#main-menu'),
    visible: rect.width > 0 && rect.height > 0,
  };
}"""

# Which sections are open, by their title (the summary's first text, without "(current section)").
OPEN = "() => Array.from(document.querySelectorAll('#main-menu details.mega[open] > summary')).map(s => s.firstChild.textContent.trim())"


@pytest.fixture(scope="module")
def demo(demo_build) -> Path:
    return demo_build


def open_sections(page, expected: list[str]) -> list[str]:
    """The open sections once they are `expected`: menu.js closes the others on the 'toggle'
    event, which the browser fires just after the section opens, not during the key press."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(f"() => JSON.stringify(({OPEN})()) === {json.dumps(json.dumps(expected))}", timeout=3000)
    except PlaywrightTimeout:
        pass  # the assertion below shows what is open instead
    return page.evaluate(OPEN)


def focus(page) -> dict:
    return page.evaluate(FOCUS)


def press_until(page, key: str, wanted, limit: int = 60) -> dict:
    """Press `key` until the focused element is what `wanted(focus)` looks for; fail after `limit`."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focus(page)
        if wanted(now):
            return now
    pytest.fail(f"{key} x{limit} never reached the element; focus is on {focus(page)}")


def is_summary(now: dict) -> bool:
    return now["tag"] == "summary" and now["in_menu"]


def test_tab_and_enter_open_a_section_tab_reaches_a_link_escape_closes_it(demo):
    with serve(demo) as base, browser_page() as page:
        page.goto(f"{base}/")
        page.wait_for_load_state("load")
        assert page.evaluate(OPEN) == []
        first = press_until(page, "Tab", is_summary)
        assert first["section"] == "Membership" and first["visible"]
        panel = page.locator("#main-menu details.mega").first.locator(".mega-panel")
        assert not panel.is_visible()

        page.keyboard.press("Enter")
        assert page.evaluate(OPEN) == ["Membership"]
        assert panel.is_visible()

        page.keyboard.press("Tab")
        link = focus(page)
        assert link["tag"] == "a" and link["in_panel"] and link["section"] == "Membership" and link["visible"], link
        assert link["text"] == "Membership"  # the section's own page comes first
        page.keyboard.press("Tab")
        assert focus(page)["text"] == "Member center"

        page.keyboard.press("Escape")
        assert page.evaluate(OPEN) == []
        assert not panel.is_visible()
        back = focus(page)
        assert back["tag"] == "summary" and back["section"] == "Membership"
        assert page.problems == []


def test_opening_a_second_section_closes_the_first(demo):
    with serve(demo) as base, browser_page() as page:
        page.goto(f"{base}/")
        page.wait_for_load_state("load")
        press_until(page, "Tab", is_summary)
        page.keyboard.press("Enter")
        assert page.evaluate(OPEN) == ["Membership"]
        # Through Membership's links to the next section, as a keyboard user goes.
        second = press_until(page, "Tab", lambda now: is_summary(now) and now["section"] != "Membership")
        assert second["section"] == "Advocacy & Issues"
        page.keyboard.press("Enter")
        assert open_sections(page, ["Advocacy & Issues"]) == ["Advocacy & Issues"]
        page.keyboard.press("Enter")  # Enter again closes it
        assert page.evaluate(OPEN) == []
        assert page.problems == []


def test_escape_from_a_link_deep_in_the_panel_returns_to_the_summary(demo):
    with serve(demo) as base, browser_page() as page:
        page.goto(f"{base}/advocacy/privacy/")
        page.wait_for_load_state("load")
        current = press_until(page, "Tab", lambda now: is_summary(now) and now["section"] == "Advocacy & Issues")
        assert "(current section)" in current["text"]
        page.keyboard.press("Enter")
        link = press_until(page, "Tab", lambda now: now["tag"] == "a" and now["text"] == "Privacy")
        assert link["in_panel"]
        assert page.evaluate("() => document.activeElement.getAttribute('aria-current')") == "page"
        page.keyboard.press("Escape")
        assert page.evaluate(OPEN) == []
        assert focus(page)["section"] == "Advocacy & Issues" and focus(page)["tag"] == "summary"
        assert page.problems == []


def expanded(page, section: str) -> bool | None:
    """The expanded state Chromium's accessibility tree gives the summary of `section` (what a
    screen reader hears as its aria-expanded: a summary takes it from its details' `open`, and
    ARIA in HTML allows no aria-expanded attribute on it); None if it has none."""
    cdp = page.context.new_cdp_session(page)
    try:
        found = cdp.send(
            "Runtime.evaluate",
            {
                "expression": "Array.from(document.querySelectorAll('#main-menu details.mega > summary'))"
                f".find(s => s.firstChild.textContent.trim() === {json.dumps(section)})"
            },
        )
        assert "objectId" in found["result"], f"no section {section!r}"
        node = cdp.send("Accessibility.getPartialAXTree", {"objectId": found["result"]["objectId"], "fetchRelatives": False})["nodes"][0]
        states = {prop["name"]: prop["value"].get("value") for prop in node.get("properties", [])}
        return states.get("expanded")
    finally:
        cdp.detach()


def open_with_the_keyboard(page, section: str) -> None:
    """Tab to `section`'s summary, Enter opens it, Tab reaches its first link."""
    press_until(page, "Tab", lambda now: is_summary(now) and now["section"] == section)
    page.keyboard.press("Enter")
    assert open_sections(page, [section]) == [section]
    assert expanded(page, section) is True
    page.keyboard.press("Tab")
    assert focus(page)["in_panel"] and focus(page)["section"] == section


def panel(page, section: str):
    return page.locator("#main-menu details.mega").filter(has=page.locator("summary", has_text=section)).locator(".mega-panel")


@pytest.mark.parametrize("section", ["Membership", "Tools & Resources"], ids=["first", "last"])
def test_tab_out_of_an_open_panel_closes_it(demo, section):
    """The last section's panel is the one Tab leaves for the page itself, which it covered."""
    with serve(demo) as base, browser_page() as page:
        page.goto(f"{base}/")
        page.wait_for_load_state("load")
        open_with_the_keyboard(page, section)
        assert panel(page, section).is_visible()
        # Through the panel's links until focus is somewhere else: the next section, or the page.
        out = press_until(page, "Tab", lambda now: now["section"] != section)
        assert out["visible"], out
        if section == "Tools & Resources":
            assert not out["in_menu"], out
        assert page.evaluate(OPEN) == []
        assert not panel(page, section).is_visible()
        assert expanded(page, section) is False
        assert page.problems == []


def test_shift_tab_out_of_an_open_panel_closes_it(demo):
    with serve(demo) as base, browser_page() as page:
        page.goto(f"{base}/")
        page.wait_for_load_state("load")
        open_with_the_keyboard(page, "Advocacy & Issues")
        page.keyboard.press("Shift+Tab")  # back on its own summary: still open
        back = focus(page)
        assert back["tag"] == "summary" and back["section"] == "Advocacy & Issues"
        assert page.evaluate(OPEN) == ["Advocacy & Issues"] and expanded(page, "Advocacy & Issues") is True
        page.keyboard.press("Shift+Tab")  # out of it, to the section before
        out = focus(page)
        assert out["tag"] == "summary" and out["section"] == "Membership", out
        assert page.evaluate(OPEN) == []
        assert not panel(page, "Advocacy & Issues").is_visible()
        assert expanded(page, "Advocacy & Issues") is False
        assert page.problems == []


def test_focus_moving_within_a_panel_or_clicking_its_text_keeps_it_open(demo):
    """Only focus leaving the section closes it: not Tab between its links, nor a click on the
    panel where nothing takes focus (no relatedTarget); a click outside still closes it."""
    with serve(demo) as base, browser_page() as page:
        page.goto(f"{base}/")
        page.wait_for_load_state("load")
        open_with_the_keyboard(page, "Membership")
        page.keyboard.press("Tab")
        assert focus(page)["in_panel"] and page.evaluate(OPEN) == ["Membership"]
        box = panel(page, "Membership").bounding_box()
        page.mouse.click(box["x"] + box["width"] - 5, box["y"] + box["height"] - 5)  # its padding
        assert page.evaluate(OPEN) == ["Membership"]
        page.mouse.click(5, 700)  # the page below
        assert page.evaluate(OPEN) == []
        assert expanded(page, "Membership") is False
        assert page.problems == []


def test_on_a_phone_the_menu_folds_behind_one_button(demo):
    with serve(demo) as base, browser_page() as page:
        page.set_viewport_size(PHONE)
        page.goto(f"{base}/")
        page.wait_for_load_state("load")
        button = page.locator("#main-menu .menu-button")
        sections = page.locator("#main-menu-sections")
        assert button.is_visible() and not sections.is_visible()
        assert button.get_attribute("aria-expanded") == "false"

        now = press_until(page, "Tab", lambda now: now["tag"] == "button" and now["in_menu"])
        assert now["text"] == "Menu"
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true"
        assert sections.is_visible()

        section = press_until(page, "Tab", is_summary, limit=3)
        assert section["section"] == "Membership" and section["visible"]
        page.keyboard.press("Enter")
        assert page.evaluate(OPEN) == ["Membership"]
        page.keyboard.press("Tab")
        assert focus(page)["in_panel"] and focus(page)["visible"]

        page.keyboard.press("Escape")  # first the section closes
        assert page.evaluate(OPEN) == [] and sections.is_visible()
        assert focus(page)["tag"] == "summary"
        page.keyboard.press("Escape")  # then the menu folds, focus back on its button
        assert button.get_attribute("aria-expanded") == "false"
        assert not sections.is_visible()
        assert focus(page)["tag"] == "button" and focus(page)["text"] == "Menu"
        assert page.problems == []


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_without_javascript_enter_still_opens_a_section(demo, viewport):
    with serve(demo) as base, browser_page() as page:
        context = page.context.browser.new_context(java_script_enabled=False, viewport=viewport or {"width": 1280, "height": 720})
        try:
            plain = context.new_page()
            plain.goto(f"{base}/")
            plain.wait_for_load_state("load")
            # No script to unfold it: the button stays hidden and every section is there.
            assert not plain.locator("#main-menu .menu-button").is_visible()
            assert plain.locator("#main-menu-sections").is_visible()
            now = press_until(plain, "Tab", is_summary)
            assert now["section"] == "Membership"
            plain.keyboard.press("Enter")
            assert plain.evaluate(OPEN) == ["Membership"]
            plain.keyboard.press("Tab")
            assert focus(plain)["in_panel"] and focus(plain)["visible"]
        finally:
            context.close()
