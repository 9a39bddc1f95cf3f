"""Found and shared: what other people's software reads from a page's <head>. Link previews
(Open Graph and Twitter/X card tags, with the picture's real size), the feeds a feed reader
discovers (<link rel="alternate">), and titles that no two pages share.

The demo is built once for the module on 2025-03-01 and every page the theme draws is read
by the HTML5 parsing rules (html5lib); each picture a preview names is opened with Pillow.
Small sites drawn with the real layouts check escaping, the fallbacks and the settings'
errors at their lines."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import html5lib
import pytest
import yaml
from PIL import Image

from alagen.model.site import title_contexts
from alagen.pipeline import BuildOptions, read_site
from conftest import DIVISIONS_YAML, SITE_YAML, at, build_at, make_site, problems_of, read, write_files
from test_theme import photo

REPO = Path(__file__).resolve().parent.parent
BASE_URL = "https://www.ala.org/"
ATOM = "application/atom+xml"


def parse(data: bytes | str):
    return html5lib.parse(data, treebuilder="etree", namespaceHTMLElements=False)


def head(doc):
    return doc.find("head")


def meta(doc, key: str) -> list[str]:
    """The content of every <meta property=key> (Open Graph) or <meta name=key> in the head."""
    return [m.get("content") for m in head(doc).iter("meta") if key in (m.get("property"), m.get("name"))]


def one_meta(doc, key: str) -> str:
    (found,) = meta(doc, key)
    return found


def canonical(doc) -> str:
    (link,) = [e for e in head(doc).iter("link") if e.get("rel") == "canonical"]
    return link.get("href")


def feed_links(doc) -> list[tuple[str, str]]:
    """(href, title) of each feed the page offers, in order."""
    return [(e.get("href"), e.get("title")) for e in head(doc).iter("link") if e.get("rel") == "alternate" and e.get("type") == ATOM]


def title(doc) -> str:
    return "".join(head(doc).find("title").itertext())


# --- The demo, built once ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_build):
    """(the output folder, the site model, {output path: parsed page}) for every page the
    theme draws. The other HTML files are the redirects' fallback pages (render/redirects.py,
    plain pages without the theme, for hosts without redirect rules)."""
    out = demo_build
    site = read_site(BuildOptions(root=REPO, now=dt.date(2025, 3, 1)))
    pages = {page.output: parse((out / page.output).read_bytes()) for page in site.pages}
    redirects = {r.source.strip("/") + "/index.html" for r in site.redirects}
    html_files = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert html_files - set(pages) <= redirects, "an HTML file that is neither a page nor a redirect"
    return out, site, pages


def published_file(out: Path, url: str) -> Path:
    """The file in build/ that a full address of the site names."""
    assert url.startswith(BASE_URL), url
    path = out / urlsplit(url).path.lstrip("/")
    assert path.is_file(), f"{url} names no file in build/"
    return path


def test_every_page_has_a_link_preview_with_the_real_size_of_its_picture(demo):
    out, site, pages = demo
    sizes: dict[Path, tuple[int, int]] = {}
    for output, doc in pages.items():
        assert one_meta(doc, "og:title"), output
        assert one_meta(doc, "og:description"), output
        assert one_meta(doc, "og:url") == canonical(doc), output
        assert one_meta(doc, "og:site_name") == "American Library Association"
        image = published_file(out, one_meta(doc, "og:image"))
        if image not in sizes:
            with Image.open(image) as opened:
                sizes[image] = opened.size
        assert (int(one_meta(doc, "og:image:width")), int(one_meta(doc, "og:image:height"))) == sizes[image], output
        assert one_meta(doc, "og:image:type") in ("image/jpeg", "image/png", "image/webp")
        assert one_meta(doc, "og:image:alt") and one_meta(doc, "twitter:image:alt") == one_meta(doc, "og:image:alt")
        assert one_meta(doc, "twitter:card") == "summary_large_image", output
        assert min(sizes[image]) >= 630  # large enough for every network's large preview
    assert len(sizes) >= 3  # the site's picture, Core's and a page's own


def test_news_pages_are_articles_and_every_other_page_a_website(demo):
    _, site, pages = demo
    kinds = {page.output: page.kind for page in site.pages}
    types = {output: one_meta(doc, "og:type") for output, doc in pages.items()}
    news = [o for o, kind in kinds.items() if kind == "news"]
    assert news and all(types[o] == "article" for o in news)
    assert {types[o] for o, kind in kinds.items() if kind != "news"} == {"website"}  # events too: OG has no event type
    first = site.news()[0]
    assert meta(pages[first.output], "article:published_time") == [first.date.isoformat()]


def test_previews_say_what_the_page_says_and_show_its_own_picture_first(demo):
    out, site, pages = demo
    settings = yaml.safe_load((REPO / "data/site.yaml").read_text())
    core = next(d for d in yaml.safe_load((REPO / "data/divisions.yaml").read_text()) if d["id"] == "core")
    for page in site.pages:
        doc = pages[page.output]
        assert one_meta(doc, "og:title") == (page.title if page.url != "/" else settings["title"])
        assert one_meta(doc, "og:description") == (page.description or page.summary or settings["tagline"])
    about = pages["about/index.html"]  # its own image: the largest resized copy, not the original
    assert "/assets/img/library-front-1600w." in one_meta(about, "og:image")
    assert one_meta(about, "og:image:alt") == site.page("content/about/index.md").image_alt
    assert (one_meta(about, "og:image:width"), one_meta(about, "og:image:height")) == ("1600", "1067")
    for output in ("core/index.html", "core/about/index.html"):  # Core's own picture on Core's pages
        assert one_meta(pages[output], "og:image:alt") == core["share_image_alt"]
    for output in ("index.html", "jobs/index.html", "events/index.html"):
        assert one_meta(pages[output], "og:image:alt") == settings["share_image_alt"]
        with Image.open(published_file(out, one_meta(pages[output], "og:image"))) as image:
            assert image.size == (1200, 630)
    assert one_meta(pages["core/index.html"], "og:image") != one_meta(pages["index.html"], "og:image")


def test_listings_link_their_own_feeds_and_every_linked_feed_is_written(demo):
    out, _, pages = demo
    jobs = feed_links(pages["jobs/index.html"])
    assert jobs[0] == ("/jobs/feed.xml", "American Library Association: Jobs")
    assert (out / "news/feed-core.xml").is_file()
    core = feed_links(pages["core/index.html"])
    assert core[0] == ("/news/feed-core.xml", "American Library Association: Core news")
    assert ("/news/feed.xml", "American Library Association: News") in core
    assert feed_links(pages["core/interests/preservation/index.html"])[0][0] == "/news/feed-core.xml"
    assert [href for href, _ in feed_links(pages["index.html"])] == ["/news/feed.xml"]
    assert all(href != "/jobs/feed.xml" for doc in (pages["index.html"], pages["core/index.html"]) for href, _ in feed_links(doc))
    titles: dict[str, str] = {}
    for output, doc in pages.items():
        links = feed_links(doc)
        assert links, f"{output} offers no feed"
        assert len({t for _, t in links}) == len(links), output  # each link says which feed it is
        for href, link_title in links:
            titles.setdefault(href, link_title)
            assert titles[href] == link_title
    for href, link_title in titles.items():
        feed = out / href.lstrip("/")
        assert feed.is_file(), f"{href} is linked but not written"
        assert feedparser.parse(feed.read_bytes()).feed.title == link_title  # the feed's own name
    assert {"/jobs/feed.xml", "/news/feed.xml", "/news/feed-core.xml"} <= titles.keys()


def test_no_two_pages_share_a_title(demo):
    _, _, pages = demo
    titles = Counter(title(doc) for doc in pages.values())
    assert [t for t, n in titles.items() if n > 1] == []
    by_output = {output: title(doc) for output, doc in pages.items()}
    suffix = " | American Library Association"
    assert by_output["advocacy/privacy/index.html"] == "Privacy | Advocacy & Issues" + suffix
    assert by_output["topics/privacy/index.html"] == "Privacy | Topics" + suffix
    assert by_output["topics/preservation/index.html"] == "Preservation | Topics" + suffix
    assert by_output["core/interests/preservation/index.html"] == "Preservation | Core" + suffix
    assert by_output["acrl/conference/index.html"] == "ACRL 2025 Conference | ACRL" + suffix
    assert by_output["events/acrl-2025/index.html"] == "ACRL 2025 Conference | Events" + suffix
    assert by_output["events/core-board-of-directors-meeting-2025-06-24/index.html"] == (
        "Core Board of Directors meeting | Events | Jun 24, 2025" + suffix
    )
    assert by_output["about/index.html"] == "About the Association" + suffix  # a title of its own stays as it is
    assert by_output["index.html"] == "American Library Association"


# --- Small sites with the real layouts ------------------------------------------------------------------


def theme_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """A small site drawn with the demo's layouts."""
    made = make_site(root, {"content/index.md": "---\ntitle: Home\n---\nWelcome.\n", **files})
    shutil.rmtree(made / "layouts")
    shutil.copytree(REPO / "layouts", made / "layouts")
    return made


SHARED = SITE_YAML + "share_image: images/card.jpg\nshare_image_alt: Our name on red\n"


def test_a_title_with_markup_and_quotes_is_escaped_in_every_tag(tmp_path):
    hostile = """Read "banned" books & <script>alert('x')</script>"""
    page = f"---\ntitle: '{hostile.replace(chr(39), chr(39) * 2)}'\ndescription: A \"quoted\" <b>summary</b>\n---\nText.\n"
    section = "---\ntitle: Topics & \"more\" <i>\n---\n"
    root = theme_site(tmp_path, {"data/site.yaml": SHARED, "content/images/card.jpg": photo(1300, 700),
                                 "content/about.md": page, "content/topics/index.md": section, "content/topics/about.md": page})
    build_at(root)
    html = read(root, "about/index.html")
    assert "<script>alert" not in html and "<b>summary" not in html
    assert "&#34;banned&#34; books &amp; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    doc = parse(html)
    assert one_meta(doc, "og:title") == hostile  # as the editor wrote it, once parsed
    assert one_meta(doc, "og:description") == 'A "quoted" <b>summary</b>'
    made = [e for e in doc.iter("script") if not e.get("src") and e.get("type") != "application/ld+json"]
    assert made == [] and [e.tag for e in doc.iter("b")] == []  # no element came out of the values
    assert one_meta(doc, "og:image:alt") == "Our name on red"
    other = read(root, "topics/about/index.html")  # the same title, told apart by its section's, escaped too
    assert "<title>Read &#34;banned&#34; books &amp; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; | Topics &amp; &#34;more&#34; &lt;i&gt; | " in other
    assert title(parse(other)) == f'{hostile} | Topics & "more" <i> | Test Association' != title(doc)


def test_without_a_share_image_a_page_has_no_picture_and_a_small_card(tmp_path):
    root = theme_site(tmp_path, {"content/about.md": "---\ntitle: About\n---\nText.\n"})
    build_at(root)
    doc = parse(read(root, "about/index.html"))
    assert meta(doc, "og:image") == [] and meta(doc, "og:image:width") == []
    assert one_meta(doc, "twitter:card") == "summary"
    assert one_meta(doc, "og:title") == "About"
    assert meta(doc, "og:description") == []  # no description, summary or tagline: none made up
    assert feed_links(doc) == []  # no news and no jobs: no feed is written, none is linked


def test_a_drawing_is_not_a_preview_so_the_site_picture_stands_in(tmp_path):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40"/></svg>'
    files = {
        "data/site.yaml": SHARED,
        "content/images/card.jpg": photo(1300, 700),
        "content/images/mark.svg": svg,
        "content/about.md": "---\ntitle: About\nimage: images/mark.svg\nimage_alt: A square\n---\nText.\n",
    }
    root = theme_site(tmp_path, files)
    build_at(root)
    doc = parse(read(root, "about/index.html"))
    assert "/assets/img/card-1300w." in one_meta(doc, "og:image")
    assert (one_meta(doc, "og:image:width"), one_meta(doc, "og:image:height")) == ("1300", "700")
    assert one_meta(doc, "og:image:alt") == "Our name on red"
    assert one_meta(doc, "og:image:type") == "image/jpeg"


def test_a_division_picture_is_shown_on_its_pages_and_its_news_feed_linked(tmp_path):
    divisions = DIVISIONS_YAML.replace(
        "- {id: core, name: CORE division, short_name: CORE}\n",
        "- {id: core, name: CORE division, short_name: CORE, folder: core, share_image: core/card.png,"
        " share_image_alt: The division's name}\n",
    )
    png = Image.new("RGB", (2000, 1000), (90, 20, 40))
    path = tmp_path / "card.png"
    png.save(path)
    news = "---\ntitle: {title}\ndate: 2025-02-0{day}\nsummary: News.\nunit: {unit}\n---\nText.\n"
    files = {
        "data/site.yaml": SHARED,
        "data/divisions.yaml": divisions,
        "content/images/card.jpg": photo(1300, 700),
        "content/core/card.png": path.read_bytes(),
        "content/core/_defaults.yaml": "unit: core\n",
        "content/core/index.md": "---\ntitle: CORE home\n---\nText.\n",
        "content/news/index.md": "---\ntitle: News\n---\n",
        "content/news/one.md": news.format(title="Core news item", day=1, unit="core"),
        "content/news/two.md": news.format(title="PLA news item", day=2, unit="pla"),
        "content/about.md": "---\ntitle: About\nunit: alsc\n---\nText.\n",
    }
    root = theme_site(tmp_path / "site", files)
    build_at(root)
    core = parse(read(root, "core/index.html"))
    assert "/assets/img/card-1600w." in one_meta(core, "og:image")  # the largest resized copy of the PNG
    assert (one_meta(core, "og:image:width"), one_meta(core, "og:image:height")) == ("1600", "800")
    assert one_meta(core, "og:image:alt") == "The division's name"
    assert feed_links(core) == [("/news/feed-core.xml", "Test Association: CORE news"), ("/news/feed.xml", "Test Association: News")]
    pla_item = parse(read(root, "news/two/index.html"))  # a unit's page: its division's news first
    assert [href for href, _ in feed_links(pla_item)] == ["/news/feed-pla.xml", "/news/feed.xml"]
    assert one_meta(pla_item, "og:type") == "article"
    about = parse(read(root, "about/index.html"))  # ALSC has no news: no feed of its own is linked
    assert [href for href, _ in feed_links(about)] == ["/news/feed.xml"]
    assert one_meta(about, "og:image:alt") == "Our name on red"
    assert not (root / "build/news/feed-alsc.xml").exists()


@pytest.mark.parametrize(
    ("settings", "needle", "message"),
    [
        ("share_image: images/nothing.png\nshare_image_alt: Nothing\n", "images/nothing.png",
         "the share image content/images/nothing.png does not exist; put the picture under content/ and give its path from there"),
        ("share_image: images/card.jpg\n", "images/card.jpg", "the share image needs 'share_image_alt:' saying what it shows"),
        ("share_image: images/mark.svg\nshare_image_alt: A mark\n", "images/mark.svg",
         "content/images/mark.svg cannot be a share image: link previews need a JPEG, PNG or WebP photo (1200x630 or larger)"),
        ("share_image: images/broken.jpg\nshare_image_alt: Broken\n", "images/broken.jpg",
         "content/images/broken.jpg cannot be read as an image"),
        ("share_imag: images/card.jpg\n", "share_imag", "'share_imag' is not a site setting; did you mean 'share_image'?"),
    ],
)
def test_a_wrong_share_image_stops_the_build_at_its_line(tmp_path, settings, needle, message):
    text = SITE_YAML + settings
    files = {
        "data/site.yaml": text,
        "content/images/card.jpg": photo(),
        "content/images/mark.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
        "content/images/broken.jpg": b"not a picture",
    }
    root = theme_site(tmp_path, files)
    problems = problems_of(root)
    assert any(p.startswith(f"data/site.yaml:{at(text, needle)}: {message}") for p in problems), problems


def test_a_division_share_image_that_is_missing_is_an_error_at_its_line(tmp_path):
    divisions = DIVISIONS_YAML + "- id: ppo\n  name: Public Policy\n  share_image: ppo/card.jpg\n  share_image_alt: Its name\n"
    root = theme_site(tmp_path, {"data/divisions.yaml": divisions})
    assert problems_of(root) == [
        f"data/divisions.yaml:{at(divisions, 'ppo/card.jpg')}: the share image content/ppo/card.jpg does not exist; "
        "put the picture under content/ and give its path from there"
    ]


# --- Titles told apart --------------------------------------------------------------------------------


def _page(url: str, title: str, source: str | None = None, date: dt.date | None = None):
    from alagen.model.pages import Page

    return Page(source=source or f"content{url.rstrip('/')}.md", url=url, output=url.lstrip("/") + "index.html",
                title=title, layout="page", body="", body_line=1, date=date)


def test_titles_are_told_apart_by_section_then_date_then_parent():
    pages = [
        _page("/", "Home", "content/index.md"),
        _page("/advocacy/", "Advocacy", "content/advocacy/index.md"),
        _page("/advocacy/privacy/", "Privacy"),
        _page("/topics/", "Topics", "content/topics/index.md"),
        _page("/topics/privacy/", "privacy"),  # letter case aside, the same title
        _page("/events/", "Events", "content/events/index.md"),
        _page("/events/board-1/", "Board meeting", "data/events.yaml", dt.date(2025, 6, 24)),
        _page("/events/board-2/", "Board meeting", "data/events.yaml", dt.date(2026, 1, 20)),
        _page("/events/annual/", "Annual", "content/events/annual/index.md"),
        _page("/events/annual/minutes/", "Minutes"),
        _page("/events/midwinter/", "Midwinter", "content/events/midwinter/index.md"),
        _page("/events/midwinter/minutes/", "Minutes"),
        _page("/core/", "Core home", "content/core/index.md"),
        _page("/core/minutes/", "Minutes"),
        _page("/about/", "About"),
    ]
    core = type("Division", (), {"folder": "core", "short_name": "Core"})()
    found = title_contexts(pages, {p.url: p for p in pages}, (core,))
    assert found["/advocacy/privacy/"] == ("Advocacy",)
    assert found["/topics/privacy/"] == ("Topics",)
    assert found["/events/board-1/"] == ("Events", "Jun 24, 2025")  # the same section: the date too
    assert found["/events/board-2/"] == ("Events", "Jan 20, 2026")
    assert found["/events/annual/minutes/"] == ("Events", "Annual")  # no date: the parent's title
    assert found["/events/midwinter/minutes/"] == ("Events", "Midwinter")
    assert found["/core/minutes/"] == ("Core",)  # a division's microsite: its short name
    assert "/about/" not in found and "/" not in found and "/events/" not in found  # a title of its own gets nothing


def test_a_page_renamed_to_anothers_title_tells_them_apart_in_the_next_build(tmp_path):
    """The build cache renders the other page again too: its title changed though it did not."""
    layouts = {"layouts/base.html": (
        "<!doctype html>\n<html lang=\"en\">\n<head><title>{{ page.title }}"
        "{% for words in site.title_context(page) %} | {{ words }}{% endfor %}</title></head>\n"
        "<body>\n<main>\n{% block main %}{% endblock %}\n</main>\n</body>\n</html>\n"
    )}
    files = {
        **layouts,
        "content/index.md": "---\ntitle: Home\n---\n",
        "content/advocacy/index.md": "---\ntitle: Advocacy\n---\n",
        "content/advocacy/privacy.md": "---\ntitle: Privacy\n---\n",
        "content/topics/index.md": "---\ntitle: Topics\n---\n",
        "content/topics/secrecy.md": "---\ntitle: Secrecy\n---\n",
    }
    root = make_site(tmp_path, files)
    build_at(root)
    assert "<title>Privacy</title>" in read(root, "advocacy/privacy/index.html")
    write_files(root, {"content/topics/secrecy.md": "---\ntitle: Privacy\n---\n"})
    build_at(root)
    assert "<title>Privacy | Advocacy</title>" in read(root, "advocacy/privacy/index.html")
    assert "<title>Privacy | Topics</title>" in read(root, "topics/secrecy/index.html")
    write_files(root, {"content/topics/secrecy.md": "---\ntitle: Secrecy\n---\n"})
    build_at(root)
    assert "<title>Privacy</title>" in read(root, "advocacy/privacy/index.html")


def test_previews_feeds_and_titles_rebuild_with_the_cache_to_a_clean_builds_bytes(tmp_path, monkeypatch):
    """What each page's head shows from other files (its division's picture, the feeds that
    are written, the titles of other pages) is rebuilt where it changes, and only there."""
    from alagen import cache as cache_module
    from test_incremental import Site

    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    divisions = DIVISIONS_YAML.replace(
        "- {id: core, name: CORE division, short_name: CORE}\n",
        "- {id: core, name: CORE division, short_name: CORE, folder: core, share_image: core/card.jpg,"
        " share_image_alt: Core's card}\n",
    )
    files = {
        "data/site.yaml": SHARED,
        "data/divisions.yaml": divisions,
        "content/images/card.jpg": photo(1300, 700),
        "content/core/card.jpg": photo(1400, 800),
        "content/core/_defaults.yaml": "unit: core\n",
        "content/core/index.md": "---\ntitle: CORE home\n---\nText.\n",
        "content/core/privacy.md": "---\ntitle: Privacy\n---\nText.\n",
        "content/news/index.md": "---\ntitle: News\n---\n",
        "content/news/one.md": "---\ntitle: One\ndate: 2025-02-01\nsummary: News.\nunit: core\n---\nText.\n",
        **{f"content/about/page-{n}.md": f"---\ntitle: Page {n}\n---\nText.\n" for n in range(12)},
    }
    site = Site(theme_site(tmp_path / "site", files), tmp_path)
    site.build()

    def head_of(path: str):
        return parse((site.root / "build" / path).read_text(encoding="utf-8"))

    site.edit("data/divisions.yaml", "share_image_alt: Core's card", "share_image_alt: The card of Core")
    report = site.rebuild_equals_clean()
    assert one_meta(head_of("core/index.html"), "og:image:alt") == "The card of Core"
    assert report.pages - report.kept <= 3  # Core's pages, not the others

    (site.root / "content/images/card.jpg").write_bytes(photo(1500, 800))  # the site's picture, replaced
    report = site.rebuild_equals_clean()
    about = head_of("about/page-1/index.html")
    assert (one_meta(about, "og:image:width"), one_meta(about, "og:image:height")) == ("1500", "800")
    assert "/assets/img/card-1500w." in one_meta(about, "og:image")
    assert one_meta(head_of("core/index.html"), "og:image:width") == "1400"  # Core's own, as it was

    site.edit("content/news/one.md", "unit: core", "unit: pla")  # Core has no news now: its feed is not written
    site.rebuild_equals_clean()
    assert [href for href, _ in feed_links(head_of("core/index.html"))] == ["/news/feed.xml"]
    assert [href for href, _ in feed_links(head_of("news/one/index.html"))] == ["/news/feed-pla.xml", "/news/feed.xml"]

    site.edit("content/about/page-3.md", "title: Page 3", "title: Privacy")  # now two pages have one title
    report = site.rebuild_equals_clean()
    assert title(head_of("core/privacy/index.html")) == "Privacy | CORE | Test Association"
    assert report.pages - report.kept <= 4  # the two pages, and the list of /about/'s pages
