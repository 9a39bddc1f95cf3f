"""The default theme without a browser: the home page's feature cards (written by editors in
content/index.md, escaped, and checked so that a mistake stops the build at its file and
line), date badges for one-day and multi-day events, and what the site's
Content-Security-Policy forbids in layouts (inline scripts and style attributes)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import html5lib
import pytest
from PIL import Image

from conftest import build_at, make_site, problems_of, read, run_cli

REPO = Path(__file__).resolve().parent.parent
LAYOUTS = REPO / "layouts"


def theme_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """A small site drawn with the real layouts of the default theme."""
    made = make_site(root, {"content/about.md": "---\ntitle: About us\n---\nWho we are.\n", **files})
    shutil.rmtree(made / "layouts")
    shutil.copytree(LAYOUTS, made / "layouts")
    return made


def photo(width: int = 800, height: int = 500) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 40, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def home(front: str, body: str = "Welcome.\n") -> str:
    return f"---\ntitle: Home\n{front}---\n{body}"


def parse(html: str):
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def by_class(root, tag: str, cls: str) -> list:
    return [e for e in root.iter(tag) if cls in (e.get("class") or "").split()]


# --- Feature cards ---------------------------------------------------------------------------------

FEATURES = """\
extra:
  features:
    - title: Read <b>banned</b> books & more
      teaser: "Shelves <script>alert(1)</script> for everyone"
      link: about.md
      link_text: Find out more
      image: images/photo.jpg
      image_alt: A "red" wall
    - title: Our shop
      teaser: Posters and totes.
      link: https://shop.example.org/
"""


def test_feature_cards_show_the_editors_cards_escaped_in_order(tmp_path):
    root = theme_site(tmp_path, {"content/index.md": home(FEATURES), "content/images/photo.jpg": photo()})
    build_at(root)
    html = read(root, "index.html")
    assert "<script>alert(1)" not in html and "<b>banned</b>" not in html
    assert "Read &lt;b&gt;banned&lt;/b&gt; books &amp; more" in html
    doc = parse(html)
    (section,) = by_class(doc, "section", "features")
    cards = by_class(section, "li", "feature-card")
    assert [text(by_class(c, "h3", "feature-title")[0]) for c in cards] == ["Read <b>banned</b> books & more", "Our shop"]
    assert text(by_class(cards[0], "p", "feature-teaser")[0]) == "Shelves <script>alert(1)</script> for everyone"

    first, second = (by_class(c, "a", "feature-link")[0] for c in cards)
    assert first.get("href") == "/about/" and text(first) == "Find out more"
    assert first.get("aria-describedby") == by_class(cards[0], "h3", "feature-title")[0].get("id")
    assert second.get("href") == "https://shop.example.org/" and second.get("rel") == "external noopener"
    assert text(second) == "Read more ↗ (another website)"  # the default words, marked as leaving the site

    (image,) = cards[0].iter("img")
    assert image.get("alt") == 'A "red" wall'
    assert image.get("width") == "800" and image.get("height") == "500"
    assert image.get("loading") is None  # at the top of the page: not lazy
    assert list(cards[1].iter("img")) == []  # a card without an image has none


def test_a_home_page_without_features_has_no_feature_section(tmp_path):
    root = theme_site(tmp_path, {"content/index.md": home("")})
    build_at(root)
    assert 'class="features"' not in read(root, "index.html")


def test_the_demo_home_page_shows_its_feature_cards(tmp_path):
    out = tmp_path / "build"
    result = run_cli("build", "--now", "2025-03-01", "--out", str(out), "--no-search", cwd=REPO)
    assert result.returncode == 0, result.stderr
    doc = parse((out / "index.html").read_text(encoding="utf-8"))
    cards = by_class(doc, "li", "feature-card")
    assert [by_class(c, "a", "feature-link")[0].get("href") for c in cards] == [
        "/membership/give/",
        "/awards/book-media-awards/",
        "/awards/grants/",
    ]
    assert "February 10, 2025" in text(cards[0])
    assert all(img.get("width") and img.get("height") and img.get("alt") for c in cards for img in c.iter("img"))


@pytest.mark.parametrize(
    ("features", "messages"),
    [
        (
            "    - title: No link\n      teaser: Where to?\n",
            ["5:7: feature 1 ('No link') has no 'link'; add 'link: ...' to the card"],
        ),
        (
            "    - teaser: Nameless\n      link: about.md\n",
            ["5:7: feature 1 has no 'title'; add 'title: ...' to the card"],
        ),
        (
            "    - title: Typo\n      teasr: Oops\n      link: about.md\n",
            [
                "5:7: feature 1 ('Typo') has no 'teaser'; add 'teaser: ...' to the card",
                "6:7: feature 1 ('Typo'): 'teasr' is not a feature field; use title, teaser, link, link_text, image, image_alt",
            ],
        ),
        (
            "    - title: 2025\n      teaser: A year\n      link: about.md\n",
            ["5:7: feature 1: 'title' must be text; put it in quotes"],
        ),
        (
            "    - title: Gone\n      teaser: A page that is not there\n      link: abuot.md\n",
            ["7:7: feature 1 ('Gone'): the link leads to content/abuot.md, which is not a published page"],
        ),
        (
            "    - title: Odd link\n      teaser: Neither a file nor an address\n      link: www.example.org\n",
            [
                "7:7: feature 1 ('Odd link'): the link 'www.example.org' should be a page's file under content/ "
                "(awards/index.md), a path on this site (/events/) or a full https:// address"
            ],
        ),
        (
            "    - title: No picture\n      teaser: Missing file\n      link: about.md\n      image: images/none.jpg\n      image_alt: Nothing\n",
            ["8:7: feature 1 ('No picture'): the image content/images/none.jpg does not exist"],
        ),
        (
            "    - title: Silent picture\n      teaser: No alt\n      link: about.md\n      image: images/photo.jpg\n",
            ["8:7: feature 1 ('Silent picture') needs 'image_alt:' saying what its image shows"],
        ),
        (
            "    - Just a sentence\n",
            ["5:7: feature 1 must be a card with 'title:', 'teaser:' and 'link:'"],
        ),
    ],
)
def test_a_mistake_in_a_feature_stops_the_build_at_its_line(tmp_path, features, messages):
    files = {"content/index.md": home("extra:\n  features:\n" + features), "content/images/photo.jpg": photo()}
    root = theme_site(tmp_path, files)
    assert problems_of(root) == [f"content/index.md:{message}" for message in messages]


def test_every_mistake_of_every_card_is_named_at_once(tmp_path):
    features = "extra:\n  features:\n    - title: One\n      teaser: First\n    - title: Two\n      link: about.md\n"
    root = theme_site(tmp_path, {"content/index.md": home(features)})
    assert problems_of(root) == [
        "content/index.md:5:7: feature 1 ('One') has no 'link'; add 'link: ...' to the card",
        "content/index.md:7:7: feature 2 ('Two') has no 'teaser'; add 'teaser: ...' to the card",
    ]


def test_features_must_be_a_list(tmp_path):
    root = theme_site(tmp_path, {"content/index.md": home("extra:\n  features: Our news\n")})
    assert problems_of(root) == [
        "content/index.md:4:3: 'features' (under 'extra') must be a list of cards, each starting with '- title:'"
    ]


def test_the_cli_shows_the_feature_mistake_and_keeps_the_last_good_build(tmp_path):
    root = theme_site(tmp_path, {"content/index.md": home(FEATURES), "content/images/photo.jpg": photo()})
    assert run_cli("build", "--now", "2025-03-01", cwd=root).returncode == 0
    good = (root / "build/index.html").read_text(encoding="utf-8")
    (root / "content/index.md").write_text(home(FEATURES.replace("      link: about.md\n", "")), encoding="utf-8")
    result = run_cli("build", "--now", "2025-03-01", cwd=root)
    assert result.returncode == 1
    assert "content/index.md:5:7: feature 1 ('Read <b>banned</b> books & more') has no 'link'" in result.stderr
    assert "Traceback" not in result.stderr
    assert (root / "build/index.html").read_text(encoding="utf-8") == good


# --- Date badges -----------------------------------------------------------------------------------

EVENTS = """\
- {id: one-day, title: One afternoon, kind: webinar, start: 2025-03-10T13:00, end: 2025-03-10T14:00, summary: An hour.}
- {id: same-month, title: Four days, kind: conference, start: 2025-04-02, end: 2025-04-05, summary: A conference.}
- {id: two-months, title: Four weeks, kind: course, start: 2025-03-31, end: 2025-04-27, summary: A course.}
- {id: new-year, title: Over new year, kind: conference, start: 2025-12-30, end: 2026-01-02, summary: A long meeting.}
"""


def badges(html: str) -> dict[str, tuple[str, str, str]]:
    """Each event card's title -> (its badge's text, the badge's kind of range, the card's date text)."""
    found = {}
    for card in by_class(parse(html), "li", "event-card"):
        (badge,) = by_class(card, "span", "date-badge")
        kind = next((c for c in badge.get("class").split() if c != "date-badge"), "day")
        assert badge.get("aria-hidden") == "true"  # the card's <time> says it in words
        found[text(by_class(card, "h3", "event-card-title")[0])] = (text(badge), kind, text(card.find(".//time")))
    return found


def test_date_badges_show_one_day_or_the_range_of_a_multi_day_event(tmp_path):
    root = theme_site(tmp_path, {"content/index.md": home(""), "data/events.yaml": EVENTS})
    build_at(root)
    assert badges(read(root, "index.html")) == {
        "One afternoon": ("Mar 10", "day", "Mar 10, 2025, 1:00 PM – 2:00 PM CDT"),
        "Four weeks": ("Mar 31 to Apr 27", "date-badge-span", "Mar 31 – Apr 27, 2025"),
        "Four days": ("Apr 2–5", "date-badge-range", "Apr 2–5, 2025"),
        "Over new year": ("Dec 30 to Jan 2", "date-badge-span", "Dec 30, 2025 – Jan 2, 2026"),
    }


# --- What the Content-Security-Policy forbids ----------------------------------------------------------


def test_layouts_have_no_inline_scripts_or_style_attributes():
    """netlify.toml allows scripts and styles from the site's own files only."""
    for path in sorted(LAYOUTS.glob("*.html")):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"\sstyle\s*=", source), path.name
        assert "<style" not in source, path.name
        for tag in re.findall(r"<script\b[^>]*>", source):
            assert "src=" in tag, f"{path.name}: {tag}"


def test_the_built_demo_has_no_inline_script_or_style_either(tmp_path):
    out = tmp_path / "build"
    assert run_cli("build", "--now", "2025-03-01", "--out", str(out), "--no-search", cwd=REPO).returncode == 0
    for page in sorted(out.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<[^>]+\sstyle\s*=", html), page
        assert "<style" not in html, page
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/ld+json"' in tag, f"{page}: {tag}"


# --- Publication cards ------------------------------------------------------------------------------

PUBLICATIONS = """\
- {id: with-cover, title: A book with a cover, format: e-book, summary: Pictured., price: 64.99, image: images/photo.jpg, image_alt: "The cover, red"}
- {id: plain, title: A plain poster, format: poster, summary: Not pictured., price: 18}
"""


def test_publication_cards_show_price_format_and_a_lazy_cover(tmp_path):
    root = theme_site(tmp_path, {
        "content/index.md": home(""),
        "content/publications/index.md": "---\ntitle: Publications\n---\n",
        "content/images/photo.jpg": photo(600, 800),
        "data/publications.yaml": PUBLICATIONS,
    })
    build_at(root)
    cards = {text(c.find(".//a")): c for c in by_class(parse(read(root, "publications/index.html")), "li", "publication-card")}
    assert list(cards) == ["A book with a cover", "A plain poster"]
    assert [text(by_class(c, "p", "price")[0]) for c in cards.values()] == ["$64.99", "$18.00"]
    assert text(by_class(cards["A book with a cover"], "p", "pub-meta")[0]) == "E-book"
    (cover,) = cards["A book with a cover"].iter("img")
    assert (cover.get("alt"), cover.get("width"), cover.get("height"), cover.get("loading")) == ("The cover, red", "600", "800", "lazy")
    assert list(cards["A plain poster"].iter("img")) == []
    (on_its_page,) = parse(read(root, "publications/with-cover/index.html")).find(".//main").iter("img")
    assert on_its_page.get("loading") is None and on_its_page.get("alt") == "The cover, red"


def test_a_feature_card_link_with_two_slashes_is_another_website_not_a_path(tmp_path):
    from conftest import problems_of

    cards = "extra:\n  features:\n    - title: Offer\n      teaser: Cheap.\n      link: //evil.example/\n"
    root = theme_site(tmp_path, {"content/index.md": home(cards)})
    assert problems_of(root) == [
        "content/index.md:7:7: feature 1 ('Offer'): the link '//evil.example/' leads to another website; "
        "write it in full (https://...), or give a path on this site with one '/'"
    ]
