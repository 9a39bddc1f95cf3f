"""Time must not break the daily build: a link to a page that expires is a warning before the
date, and plain words with a warning after it; --strict still fails."""

from __future__ import annotations

from conftest import build_at, problems_of, read

FILES = {
    "content/index.md": "---\ntitle: Home\n---\nHome.\n",
    "content/offer.md": "---\ntitle: Offer\nexpires: 2025-03-03\n---\nUntil Monday.\n",
    "content/news.md": "---\ntitle: News\n---\nIntro.\n\nSee [the *spring* offer](offer.md) today.\n",
}
LINK = "content/news.md:6:26"


def test_a_link_to_a_page_that_expires_soon_is_a_warning_naming_the_date(site):
    root = site(FILES)
    report = build_at(root, "2025-03-01")
    assert [str(w) for w in report.warnings] == [
        f"{LINK}: warning: links to content/offer.md, which expires on 2025-03-03; from then on this link is "
        "shown as plain words: link another page, or change that page's 'expires:'"
    ]
    assert '<a href="/offer/">the <em>spring</em> offer</a>' in read(root, "news/index.html")


def test_a_link_far_from_its_expiry_says_nothing(site):
    root = site({**FILES, "content/offer.md": "---\ntitle: Offer\nexpires: 2025-06-30\n---\nLater.\n"})
    assert build_at(root, "2025-03-01").warnings == ()


def test_after_the_date_the_link_is_plain_words_and_the_build_passes(site):
    root = site(FILES)
    build_at(root, "2025-03-01")  # the daily build before, with its cache
    report = build_at(root, "2025-03-06")
    assert [str(w) for w in report.warnings] == [
        f"{LINK}: warning: links to content/offer.md, which expired on 2025-03-03; the link is shown as plain "
        "words: remove it or link another page"
    ]
    page = read(root, "news/index.html")
    assert "<p>See the <em>spring</em> offer today.</p>" in page and "/offer/" not in page
    # the next day's build says it again, and shows the same
    assert [str(w) for w in build_at(root, "2025-03-07").warnings] == [str(w) for w in report.warnings]
    assert read(root, "news/index.html") == page


def test_strict_still_fails_on_it(site):
    root = site(FILES)
    assert problems_of(root, "2025-03-06", strict=True) == [
        f"{LINK}: links to content/offer.md, which expired on 2025-03-03; the link is shown as plain "
        "words: remove it or link another page"
    ]


def test_the_warning_starts_when_the_date_comes_near_with_the_cache_too(site):
    root = site(FILES)
    assert build_at(root, "2025-01-01").warnings == ()  # 61 days before
    report = build_at(root, "2025-02-10")  # 21 days before, nothing else changed
    assert [str(w) for w in report.warnings] == [
        f"{LINK}: warning: links to content/offer.md, which expires on 2025-03-03; from then on this link is "
        "shown as plain words: link another page, or change that page's 'expires:'"
    ]


def test_the_warning_window_is_a_setting(site):
    root = site({**FILES, "data/site.yaml": "title: T\nbase_url: https://example.org/\nwarn_expiring_days: 1\n"})
    assert build_at(root, "2025-03-01").warnings == ()  # two days before: outside a one-day window


MENU = "main:\n  - {title: Home, page: index.md}\n  - {title: Spring offer, page: offer.md}\n"


def test_a_menu_item_for_a_page_that_expires_is_a_warning_then_left_out(site):
    root = site({**FILES, "data/menus.yaml": MENU})
    before = build_at(root, "2025-03-01")
    assert [str(w) for w in before.warnings if "menus.yaml" in str(w)] == [
        "data/menus.yaml:3:33: warning: menu item 'Spring offer' points at content/offer.md, which expires on "
        "2025-03-03; from then on the item is left out of the menu: point it at another page, or change that "
        "page's 'expires:'"
    ]
    after = build_at(root, "2025-03-06")
    assert [str(w) for w in after.warnings if "menus.yaml" in str(w)] == [
        "data/menus.yaml:3:33: warning: menu item 'Spring offer' points at content/offer.md, which expired on "
        "2025-03-03; it is left out of the menu: remove it or point it at another page"
    ]


def test_a_feature_card_for_an_expired_page_stays_without_its_link(tmp_path):
    import shutil
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    for name in ("content", "data", "layouts"):
        shutil.copytree(repo / name, tmp_path / name)
    grants = tmp_path / "content/awards/grants.md"
    grants.write_text(grants.read_text().replace("weight: 20\n", "weight: 20\nexpires: 2025-03-03\n", 1))
    index = (tmp_path / "content/index.md").read_text()
    line = index[: index.index("link: awards/grants.md")].count("\n") + 1
    col = index.split("\n")[line - 1].index("link:") + 1
    report = build_at(tmp_path, "2025-03-06")
    card = [str(w) for w in report.warnings if w.location.path == "content/index.md"]
    assert card == [
        f"content/index.md:{line}:{col}: warning: feature 3 ('$7 million for small and rural libraries'): the link "
        "leads to content/awards/grants.md, "
        "which expired on 2025-03-03; the card is shown without its link: remove the card or link another page"
    ]
    home = read(tmp_path, "index.html")
    assert home.count('class="feature-card') == 3 and home.count('class="feature-link"') == 2
    assert "/awards/grants/" not in home.split('class="feature-list"')[1].split("</ul>")[0]
