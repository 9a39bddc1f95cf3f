"""The site's skeleton as editors manage it and visitors see it (issue 5): data/menus.yaml and
division menus validated at their lines, the mega-menu's active trail, breadcrumbs, division
microsites, topic pages and paginated listings. Pages are read with the HTML5 parsing rules
(html5lib) and checked by their elements; the real theme is used wherever it matters (a
fixture site with a copy of layouts/, or the demo built on 2025-03-01)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import html5lib
import pytest

from alagen.model.pages import Pager
from conftest import at, build_at, problems_of, read

REPO = Path(__file__).resolve().parent.parent
LAYOUTS = REPO / "layouts"


# --- Helpers -------------------------------------------------------------------------------------


def _page(title: str, *lines: str, body: str = "") -> str:
    return "---\n" + "\n".join((f"title: {title}", *lines)) + "\n---\n" + body


def themed(site, files: dict) -> Path:
    """A fixture site drawn with the repository's real layouts (menus, breadcrumbs, pager)."""
    root = site(files)
    shutil.rmtree(root / "layouts")
    shutil.copytree(LAYOUTS, root / "layouts")
    return root


def parse(html: str | bytes):
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)


def doc(root: Path, path: str):
    return parse(read(root, path))


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def classes(element) -> list[str]:
    return (element.get("class") or "").split()


def navs(document, label: str) -> list:
    return [n for n in document.iter("nav") if n.get("aria-label") == label]


def the_nav(document, label: str):
    (found,) = navs(document, label)
    return found


def links(element) -> list[tuple[str, str, str | None]]:
    """(href, text, aria-current) of every link under element, in order."""
    return [(a.get("href"), text(a), a.get("aria-current")) for a in element.iter("a")]


def sections(document) -> dict[str, object]:
    """The main menu's sections by their title: the <li class=section> of each."""
    menu = the_nav(document, "Main")
    found = {}
    for li in menu.iter("li"):
        if "section" in classes(li):
            summary = li.find(".//summary")
            label = summary if summary is not None else li.find("a")
            title = "".join(label.text or "").strip()
            found[title] = li
    return found


def json_ld(document) -> list[dict]:
    return [json.loads(s.text) for s in document.iter("script") if s.get("type") == "application/ld+json"]


# --- The demo, built once for the module ---------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_build) -> Path:
    return demo_build


def demo_doc(demo: Path, url: str):
    return parse((demo / url.strip("/") / "index.html").read_bytes())


# --- Menus: data/menus.yaml ----------------------------------------------------------------------

PAGES = {
    "content/index.md": _page("Home"),
    "content/about/index.md": _page("About"),
    "content/about/history.md": _page("History"),
    "content/about/board/index.md": _page("Board"),
    "content/about/board/chair.md": _page("Chair"),
    "content/aboutus.md": _page("About us"),
    "content/programs/index.md": _page("Programs"),
    "content/programs/grants.md": _page("Grants"),
    "content/join.md": _page("Join"),
}

MENUS = """\
utility:
  - {title: About us, page: about/index.md}
  - {title: Shop, url: 'https://shop.example.org/?a=1&b=2'}
main:
  - title: About
    page: about/index.md
    columns:
      - title: People
        links:
          - {title: Board, page: about/board/index.md}
          - {title: History, page: about/history.md}
      - title: Elsewhere
        links:
          - {title: Partner site, url: 'https://partner.example.org/'}
  - title: Programs
    page: programs/index.md
    links:
      - {title: Grants, page: programs/grants.md}
  - {title: Join, page: join.md}
footer:
  - {title: Write to us, url: 'mailto:info@example.org'}
"""


def test_a_menu_item_pointing_at_a_missing_page_fails_at_its_line_with_a_suggestion(site):
    menus = """\
main:
  - title: About
    page: about/index.md
    links:
      - {title: History, page: about/histroy.md}
footer:
  - {title: Join, page: jion.md}
  - {title: Gone, page: nowhere/at-all.md}
"""
    root = site({**PAGES, "data/menus.yaml": menus})
    assert problems_of(root) == [
        f"data/menus.yaml:{at(menus, 'about/histroy.md')}: menu item 'History' points at content/about/histroy.md, "
        "which is not a published page; did you mean 'about/history.md'?",
        f"data/menus.yaml:{at(menus, 'jion.md')}: menu item 'Join' points at content/jion.md, "
        "which is not a published page; did you mean 'join.md'?",
        f"data/menus.yaml:{at(menus, 'nowhere/at-all.md')}: menu item 'Gone' points at content/nowhere/at-all.md, "
        "which is not a published page; the path is relative to content/",
    ]


def test_a_menu_item_pointing_at_a_draft_is_an_error(site):
    menus = "main:\n  - {title: Soon, page: soon.md}\n"
    root = site({**PAGES, "content/soon.md": _page("Soon", "draft: true"), "data/menus.yaml": menus})
    assert problems_of(root) == [
        f"data/menus.yaml:{at(menus, 'soon.md')}: menu item 'Soon' points at content/soon.md, which is not a published page; "
        "it is a draft, not yet published or expired: link to it once it is published"
    ]
    build_at(root, drafts=True)  # a build with drafts has the page, so the menu is fine


def test_a_menu_item_pointing_at_a_broken_page_is_reported_once_at_the_page(site):
    root = site({**PAGES, "content/about/history.md": "---\ntitle: [History\n---\n", "data/menus.yaml": MENUS})
    problems = problems_of(root)
    assert problems and all(p.startswith("content/about/history.md:") for p in problems), problems


def test_menu_items_need_a_title_and_exactly_one_of_page_or_url(site):
    menus = """\
main:
  - {title: Both, page: join.md, url: 'https://example.org/'}
  - {title: Neither}
  - {page: join.md}
  - {title: Bare, url: www.example.org}
"""
    root = site({**PAGES, "data/menus.yaml": menus})
    assert problems_of(root) == [
        f"data/menus.yaml:{at(menus, '{title: Both')}: menu item 'Both' needs exactly one of 'page' (a file under content/) or 'url'",
        f"data/menus.yaml:{at(menus, '{title: Neither')}: menu item 'Neither' needs exactly one of 'page' (a file under content/) or 'url'",
        f"data/menus.yaml:{at(menus, '{page: join.md}')}: this menu item has no 'title'; add the text to show",
        f"data/menus.yaml:{at(menus, 'www.example.org')}: 'www.example.org' is not a full address; "
        "use 'page:' for a page of this site, or https://...",
    ]


def test_unknown_keys_in_menu_items_and_columns_are_errors_with_a_suggestion(site):
    menus = """\
main:
  - title: About
    page: about/index.md
    columns:
      - title: People
        link:
          - {title: Board, page: about/board/index.md}
      - title: More
        links:
          - {title: History, pages: about/history.md}
"""
    root = site({**PAGES, "data/menus.yaml": menus})
    problems = problems_of(root)
    assert f"data/menus.yaml:{at(menus, 'link:')}: 'link' is not a menu column key; did you mean 'links'?" in problems
    assert f"data/menus.yaml:{at(menus, 'pages:')}: 'pages' is not a menu item key; did you mean 'page'?" in problems
    assert all(p.startswith("data/menus.yaml:") for p in problems)


def test_links_and_columns_together_are_an_error(site):
    menus = """\
main:
  - title: About
    page: about/index.md
    links:
      - {title: History, page: about/history.md}
    columns:
      - title: People
        links:
          - {title: Board, page: about/board/index.md}
"""
    root = site({**PAGES, "data/menus.yaml": menus})
    assert problems_of(root) == [
        f"data/menus.yaml:{at(menus, 'columns')}: menu item 'About' has both 'links' and 'columns'; put every link in a column"
    ]


def test_links_and_columns_together_are_reported_with_the_links_own_errors(site):
    """All mistakes at once: a broken link inside 'links' does not hide that both are given."""
    menus = """\
main:
  - title: About
    page: about/index.md
    links:
      - {title: History, page: about/histroy.md}
    columns:
      - title: People
        links: []
"""
    root = site({**PAGES, "data/menus.yaml": menus})
    problems = problems_of(root)
    assert f"data/menus.yaml:{at(menus, 'columns')}: menu item 'About' has both 'links' and 'columns'; put every link in a column" in problems
    assert (
        f"data/menus.yaml:{at(menus, 'about/histroy.md')}: menu item 'History' points at content/about/histroy.md, "
        "which is not a published page; did you mean 'about/history.md'?"
    ) in problems, problems


def test_a_menu_that_is_not_a_list(site):
    root = site({**PAGES, "data/menus.yaml": "main:\n  title: About\n"})
    assert problems_of(root) == [
        "data/menus.yaml:2:3: a menu must be a list of items, each with 'title' and 'page' or 'url'"
    ]


def test_external_items_are_marked_for_everyone_and_open_safely(site):
    root = themed(site, {**PAGES, "data/menus.yaml": MENUS})
    build_at(root)
    page = doc(root, "join/index.html")
    externals = [a for a in page.iter("a") if (a.get("href") or "").startswith(("https://", "mailto:"))]
    assert [a.get("href") for a in externals] == [
        "https://shop.example.org/?a=1&b=2",
        "https://partner.example.org/",
        "mailto:info@example.org",
    ]
    for a in externals:
        assert a.get("rel") == "external noopener"
        marks = [s for s in a.iter("span") if "external" in classes(s)]
        assert [(text(s), s.get("aria-hidden")) for s in marks] == [("↗", "true")]
        hidden = [s for s in a.iter("span") if "visually-hidden" in classes(s)]
        assert [text(s) for s in hidden] == ["(another website)"]
    # Links to the site's own pages are not marked.
    own = [a for a in the_nav(page, "Main").iter("a") if a.get("href", "").startswith("/")]
    assert own and all(a.get("rel") is None and a.find("span") is None for a in own)


def test_columns_render_in_the_mega_panel_under_their_headings(site):
    root = themed(site, {**PAGES, "data/menus.yaml": MENUS})
    build_at(root)
    about = sections(doc(root, "join/index.html"))["About"]
    details = about.find("details")
    assert details is not None and details.find("summary") is not None
    panel = next(d for d in details.iter("div") if "mega-panel" in classes(d))
    home = next(p for p in panel.iter("p") if "mega-home" in classes(p))
    assert links(home) == [("/about/", "About", None)]
    columns = [d for d in panel.iter("div") if "mega-column" in classes(d)]
    seen = []
    for column in columns:
        heading = next(p for p in column.iter("p") if "mega-heading" in classes(p))
        (ul,) = column.findall("ul")
        assert ul.get("aria-labelledby") == heading.get("id")  # each list is named by its heading
        seen.append((text(heading), [(href, title) for href, title, _ in links(ul)]))
    assert seen == [
        ("People", [("/about/board/", "Board"), ("/about/history/", "History")]),
        ("Elsewhere", [("https://partner.example.org/", "Partner site ↗ (another website)")]),
    ]
    ids = [e.get("id") for e in page_elements(root, "join/index.html") if e.get("id")]
    assert len(ids) == len(set(ids))  # column heading ids are unique on the page
    # A section with plain links has them in one list; a section without links is a plain link.
    programs = sections(doc(root, "join/index.html"))["Programs"]
    assert [(h, t) for h, t, _ in links(programs)] == [("/programs/", "Programs"), ("/programs/grants/", "Grants")]
    join = sections(doc(root, "join/index.html"))["Join"]
    assert join.find("details") is None and links(join) == [("/join/", "Join", "page")]


def page_elements(root: Path, path: str):
    return list(doc(root, path).iter())


# --- Division menus: data/divisions.yaml ----------------------------------------------------------

DIVISIONS = """\
- id: core
  name: "Core: Leadership, Infrastructure, Futures"
  short_name: Core
  summary: The division for technology, metadata and buildings.
  folder: core
  menu:
    - {title: About Core, page: core/about.md}
    - {title: Interest sections, page: core/interests/index.md}
  footer:
    - {title: Contact Core, page: contact.md}
    - {title: Core shop, url: 'https://shop.example.org/core'}
- {id: pla, name: Public Library Association, short_name: PLA}
"""

CORE = {
    "content/index.md": _page("Home"),
    "content/contact.md": _page("Contact"),
    "content/core/_defaults.yaml": "unit: core\n",
    "content/core/index.md": _page("Core", "layout: division", body="Announcements from Core.\n"),
    "content/core/about.md": _page("About Core"),
    "content/core/interests/index.md": _page("Interest sections"),
    "content/core/interests/technology.md": _page("Technology"),
    "data/divisions.yaml": DIVISIONS,
}


def test_a_division_menu_item_pointing_at_a_missing_page_fails_at_divisions_yaml(site):
    divisions = DIVISIONS.replace("page: core/about.md", "page: core/abuot.md").replace("page: contact.md", "page: contcat.md")
    root = themed(site, {**CORE, "data/divisions.yaml": divisions})
    assert problems_of(root) == [
        f"data/divisions.yaml:{at(divisions, 'core/abuot.md')}: menu item 'About Core' points at content/core/abuot.md, "
        "which is not a published page; did you mean 'core/about.md'?",
        f"data/divisions.yaml:{at(divisions, 'contcat.md')}: menu item 'Contact Core' points at content/contcat.md, "
        "which is not a published page; did you mean 'contact.md'?",
    ]


def test_a_division_menu_is_validated_like_the_main_menu(site):
    divisions = DIVISIONS.replace("{title: About Core, page: core/about.md}", "{title: About Core, page: core/about.md, icon: star}")
    divisions = divisions.replace("url: 'https://shop.example.org/core'", "url: shop.example.org")
    root = themed(site, {**CORE, "data/divisions.yaml": divisions})
    assert problems_of(root) == [
        f"data/divisions.yaml:{at(divisions, 'icon')}: 'icon' is not a menu item key; known keys are columns, links, page, title, url",
        f"data/divisions.yaml:{at(divisions, 'shop.example.org')}: 'shop.example.org' is not a full address; "
        "use 'page:' for a page of this site, or https://...",
    ]


@pytest.mark.parametrize("index", [None, _page("Core", "draft: true")], ids=["missing", "draft"])
def test_a_division_folder_without_a_home_page_is_an_error(site, index):
    files = {k: v for k, v in CORE.items() if k != "content/core/index.md"}
    if index:
        files["content/core/index.md"] = index
    root = site(files)
    folder = at(DIVISIONS, "core\n  menu")  # the value of 'folder:'
    assert problems_of(root) == [
        f"data/divisions.yaml:{folder}: division 'core' has folder 'core', but content/core/index.md "
        "is not a published page; write that page (the division's home) or fix the folder"
    ]


# --- Active trail ---------------------------------------------------------------------------------


def _current(element) -> list[tuple[str, str]]:
    """(href, aria-current) of every link marked current under element."""
    return [(href, state) for href, _, state in links(element) if state]


def _active(li) -> bool:
    summary = li.find(".//summary")
    return summary is not None and "active" in classes(summary)


def test_the_active_trail_on_a_page_deep_in_a_section(site):
    root = themed(site, {**PAGES, "data/menus.yaml": MENUS})
    build_at(root)
    page = doc(root, "about/board/chair/index.html")
    found = sections(page)
    about = found["About"]
    assert _active(about)
    assert "(current section)" in text(about.find(".//summary"))
    # The chair is not in the menu; its ancestors are: the section's home and the Board.
    assert _current(about) == [("/about/", "true"), ("/about/board/", "true")]
    for title in ("Programs", "Join"):
        assert not _active(found[title]) and _current(found[title]) == [], title
    assert "(current section)" not in text(found["Programs"])
    assert _current(the_nav(page, "Utility")) == [("/about/", "true")]


def test_the_active_trail_on_a_page_in_the_menu(site):
    root = themed(site, {**PAGES, "data/menus.yaml": MENUS})
    build_at(root)
    found = sections(doc(root, "about/history/index.html"))
    assert _active(found["About"])
    assert _current(found["About"]) == [("/about/", "true"), ("/about/history/", "page")]
    found = sections(doc(root, "programs/grants/index.html"))
    assert _active(found["Programs"]) and not _active(found["About"])
    assert _current(found["Programs"]) == [("/programs/", "true"), ("/programs/grants/", "page")]
    assert _current(found["About"]) == []


def test_a_section_home_is_the_current_page_in_its_own_section(site):
    root = themed(site, {**PAGES, "data/menus.yaml": MENUS})
    build_at(root)
    found = sections(doc(root, "about/index.html"))
    assert _active(found["About"])
    assert _current(found["About"]) == [("/about/", "page")]


def test_a_page_outside_every_section_marks_nothing(site):
    root = themed(site, {**PAGES, "data/menus.yaml": MENUS})
    build_at(root)
    # /aboutus/ starts with the letters of /about but is not under it.
    for path in ("aboutus/index.html", "index.html"):
        page = doc(root, path)
        menu = the_nav(page, "Main")
        assert _current(menu) == [], path
        assert not any(_active(li) for li in sections(page).values()), path
    brand = next(a for a in doc(root, "index.html").iter("a") if "brand" in classes(a))
    assert brand.get("aria-current") == "page"


def test_the_active_trail_in_the_demo(demo):
    page = demo_doc(demo, "/advocacy/privacy/")
    found = sections(page)
    assert set(found) == {"Membership", "Advocacy & Issues", "Conferences & Events", "Awards & Grants", "Education & Careers", "Tools & Resources"}
    assert [t for t, li in found.items() if _active(li)] == ["Advocacy & Issues"]
    assert _current(found["Advocacy & Issues"]) == [("/advocacy/", "true"), ("/advocacy/privacy/", "page")]
    assert [t for t, li in found.items() if _current(li)] == ["Advocacy & Issues"]


def test_a_record_page_marks_the_section_of_its_listing_in_the_demo(demo):
    award = next(p.parent.name for p in sorted((demo / "awards").glob("*/index.html")) if not p.parent.name.isdigit())
    found = sections(demo_doc(demo, f"/awards/{award}/"))
    assert [t for t, li in found.items() if _active(li)] == ["Awards & Grants"]
    assert ("/awards/", "true") in _current(found["Awards & Grants"])
    assert not any(state == "page" for _, state in _current(found["Awards & Grants"]))


# --- Breadcrumbs ----------------------------------------------------------------------------------


def _is_stub(document) -> bool:
    """An old URL's redirect page or 'Page removed' page: not a page a visitor reads."""
    refresh = any((m.get("http-equiv") or "").lower() == "refresh" for m in document.iter("meta"))
    return refresh or document.find(".//main") is None


def test_breadcrumbs_on_every_page_but_home_match_the_json_ld(demo):
    checked = 0
    for path in sorted(demo.rglob("*.html")):
        name = path.relative_to(demo).as_posix()
        if name.startswith(("pagefind/", "assets/")) or name == "404.html":
            continue
        document = parse(path.read_bytes())
        if _is_stub(document):
            continue
        trails = navs(document, "Breadcrumb")
        if name == "index.html":
            assert trails == [] and [b for b in json_ld(document) if b["@type"] == "BreadcrumbList"] == []
            continue
        (trail,) = trails
        crumbs = [li.find("a") for li in trail.find("ol").findall("li")]
        url = "/" + name.removesuffix("index.html")
        assert crumbs[-1].get("href") == url and crumbs[-1].get("aria-current") == "page", name
        assert [a.get("aria-current") for a in crumbs[:-1]] == [None] * (len(crumbs) - 1), name
        assert crumbs[0].get("href") == "/" and text(crumbs[0]) == "Home", name
        (ld,) = [b for b in json_ld(document) if b["@type"] == "BreadcrumbList"]
        items = ld["itemListElement"]
        assert [i["item"] for i in items] == ["https://www.ala.org" + a.get("href") for a in crumbs], name
        assert [i["name"] for i in items[1:]] == [text(a) for a in crumbs[1:]], name
        checked += 1
    assert checked > 150


def test_breadcrumbs_follow_the_folders(site):
    root = themed(site, {**PAGES, "data/menus.yaml": MENUS})
    build_at(root)
    trail = the_nav(doc(root, "about/board/chair/index.html"), "Breadcrumb")
    assert links(trail) == [
        ("/", "Home", None),
        ("/about/", "About", None),
        ("/about/board/", "Board", None),
        ("/about/board/chair/", "Chair", "page"),
    ]
    assert navs(doc(root, "index.html"), "Breadcrumb") == []


# --- Divisions ------------------------------------------------------------------------------------


def test_a_page_in_a_division_folder_gets_its_menu_and_footer(site):
    root = themed(site, CORE)
    build_at(root)
    page = doc(root, "core/interests/technology/index.html")
    menu = the_nav(page, "Core")
    assert links(menu) == [
        ("/core/", "Core: Leadership, Infrastructure, Futures", None),
        ("/core/about/", "About Core", None),
        ("/core/interests/", "Interest sections", "true"),
    ]
    # Drawn inside the association's header, beneath its main menu.
    header = next(h for h in page.iter("header") if "site-header" in classes(h))
    assert menu in list(header.iter("nav"))
    footer = next(d for d in page.iter("div") if "division-footer" in classes(d))
    assert "The division for technology, metadata and buildings." in text(footer)
    assert [(h, t) for h, t, _ in links(the_nav(page, "Core footer"))] == [
        ("/contact/", "Contact Core"),
        ("https://shop.example.org/core", "Core shop ↗ (another website)"),
    ]
    label = next(lab for lab in page.iter("label") if lab.get("for") == "site-search-q")
    assert text(label) == "Search Core"


def test_a_division_home_marks_itself_in_the_division_menu(site):
    root = themed(site, CORE)
    build_at(root)
    name = the_nav(doc(root, "core/index.html"), "Core").find(".//a")
    assert name.get("aria-current") == "page"
    assert _current(the_nav(doc(root, "core/about/index.html"), "Core")) == [("/core/about/", "page")]


def test_a_page_elsewhere_has_no_division_menu_or_footer(site):
    root = themed(site, CORE)
    build_at(root)
    page = doc(root, "contact/index.html")
    assert navs(page, "Core") == [] and navs(page, "Core footer") == []
    assert not any("division-footer" in classes(d) or "division-menu" in classes(d) for d in page.iter())
    label = next(lab for lab in page.iter("label") if lab.get("for") == "site-search-q")
    assert text(label) == "Search the site"


def test_an_unknown_unit_in_a_page_is_an_error_with_a_suggestion(site):
    source = _page("A", "unit: cor")
    root = site({"content/a.md": source})
    assert problems_of(root) == [
        f"content/a.md:{at(source, 'cor')}: unit 'cor' is not a division in data/divisions.yaml; did you mean 'core'?"
    ]


def test_an_unknown_unit_with_nothing_like_it_lists_the_divisions(site):
    source = _page("A", "unit: zzz")
    root = site({"content/a.md": source})
    assert problems_of(root) == [
        f"content/a.md:{at(source, 'zzz')}: unit 'zzz' is not a division in data/divisions.yaml; "
        "the divisions are: aasl, acrl, alsc, core, pla, rusa, yalsa"
    ]


def test_an_unknown_unit_in_folder_defaults_is_reported_once_at_the_defaults_file(site):
    defaults = "weight: 2\nunit: plaa\n"
    root = site({
        "content/x/_defaults.yaml": defaults,
        "content/x/one.md": _page("One"),
        "content/x/two.md": _page("Two"),
    })
    assert problems_of(root) == [
        f"content/x/_defaults.yaml:{at(defaults, 'plaa')}: unit 'plaa' is not a division in data/divisions.yaml; did you mean 'pla'?"
    ]


def test_an_unknown_unit_in_folder_defaults_without_pages_is_an_error(site):
    root = site({"content/x/_defaults.yaml": "unit: plaa\n", "content/x/wip.md": _page("Draft", "draft: true")})
    assert problems_of(root) == [
        "content/x/_defaults.yaml:1:7: unit 'plaa' is not a division in data/divisions.yaml; did you mean 'pla'?"
    ]


@pytest.mark.parametrize(
    ("name", "yaml"),
    [
        ("events", "- title: E\n  kind: webinar\n  start: 2025-04-01\n  summary: An event.\n  unit: acrll\n"),
        ("awards", "- name: Prize\n  category: grant\n  summary: A prize.\n  unit: acrll\n"),
        ("publications", "- title: Book\n  format: book\n  summary: A book.\n  unit: acrll\n"),
    ],
)
def test_an_unknown_unit_in_a_record_is_an_error_at_its_line(site, name, yaml):
    root = site({f"data/{name}.yaml": yaml})
    assert problems_of(root) == [
        f"data/{name}.yaml:{at(yaml, 'acrll')}: unit 'acrll' is not a division in data/divisions.yaml; did you mean 'acrl'?"
    ]


def _section_links(document, cls: str) -> list[str]:
    """The titles linked in <section class=cls>, without its 'All …' link."""
    found = [s for s in document.iter("section") if cls in classes(s)]
    return [text(a) for s in found for a in s.iter("a") if not text(a).startswith("All ")]


def test_a_division_home_shows_the_latest_few_of_its_own_records(site):
    """Extends test_division_pages: only the soonest four events and newest three news items of
    the unit, the unit taken from the folder's _defaults.yaml, and 'All Core events' leading to
    a listing of the unit's events only."""
    events = "".join(
        f"- {{title: Core event {n}, kind: webinar, start: 2025-03-{10 + n}, summary: Core {n}., unit: core}}\n" for n in (5, 3, 1, 6, 2, 4)
    ) + "- {title: PLA event, kind: webinar, start: 2025-03-09, summary: For PLA., unit: pla}\n"
    news = {
        f"content/news/core-{n}.md": _page(f"Core news {n}", f"date: 2025-02-0{n}", "unit: core", f"summary: Core news {n}.") for n in range(1, 6)
    }
    root = themed(site, {
        **CORE,
        **news,
        "content/news/pla.md": _page("PLA news", "date: 2025-02-09", "unit: pla", "summary: PLA news."),
        "content/pla/index.md": _page("PLA", "layout: division", "unit: pla"),
        "data/events.yaml": events,
        "data/divisions.yaml": DIVISIONS.replace("- {id: pla, name: Public Library Association, short_name: PLA}", "- {id: pla, name: Public Library Association, short_name: PLA, folder: pla}"),
    })
    build_at(root)
    home = doc(root, "core/index.html")
    assert _section_links(home, "division-events") == ["Core event 1", "Core event 2", "Core event 3", "Core event 4"]
    assert _section_links(home, "division-news") == ["Core news 5", "Core news 4", "Core news 3"]
    (all_events,) = [a for s in home.iter("section") if "division-events" in classes(s) for a in s.iter("a") if text(a) == "All Core events"]
    assert all_events.get("href") == "/events/core/"
    listed = [text(h.find("a")) for h in doc(root, "events/core/index.html").iter("h3") if "event-card-title" in classes(h)]
    assert listed == [f"Core event {n}" for n in range(1, 7)]
    # PLA has one event and one news item; no awards or publications: those sections are left out.
    pla = doc(root, "pla/index.html")
    assert _section_links(pla, "division-events") == ["PLA event"]
    assert _section_links(pla, "division-news") == ["PLA news"]
    assert not [s for s in pla.iter("section") if {"division-awards", "division-publications"} & set(classes(s))]


# --- Topics ---------------------------------------------------------------------------------------

TOPICS = """\
- {id: privacy, name: Privacy, summary: Keeping what readers read to themselves.}
- {id: literacy, name: Literacy, summary: Reading for everyone.}
- {id: funding, name: Funding}
"""

TOPIC_SITE = {
    "content/index.md": _page("Home"),
    "content/advocacy/privacy.md": _page("Privacy work", "topics: [privacy]", "description: What we do."),
    "content/news/recent.md": _page("Privacy news", "date: 2025-01-10", "topics: [privacy]", "summary: Recent."),
    "content/news/older.md": _page("Older news", "date: 2024-05-01", "topics: [privacy, literacy]", "summary: Older."),
    "content/wip.md": _page("Draft on privacy", "draft: true", "topics: [privacy]"),
    "content/gone.md": _page("Expired on privacy", "expires: 2025-01-01", "topics: [privacy]"),
    "content/later.md": _page("Not yet on privacy", "publish: 2025-06-01", "topics: [privacy]"),
    "data/topics.yaml": TOPICS,
    "data/events.yaml": (
        "- {title: Privacy webinar, kind: webinar, start: 2025-04-01, summary: Soon., topics: [privacy]}\n"
        "- {title: Past privacy talk, kind: webinar, start: 2025-02-01, summary: Past., topics: [privacy]}\n"
        "- {title: Unrelated webinar, kind: webinar, start: 2025-03-05, summary: Other.}\n"
    ),
    "data/jobs.yaml": "- {title: Closed job, employer: E, city: C, region: IL, posted: 2024-01-01, summary: Old job., url: 'https://jobs.example.org/'}\n",
}


def _topic_items(document) -> list[tuple[str, str]]:
    """(kind, title) of each item listed on a topic page."""
    items = [li for li in document.iter("li") if "topic-item" in classes(li)]
    return [(text(next(p for p in li.iter("p") if "topic-kind" in classes(p))), text(li.find("h2"))) for li in items]


def test_a_topic_page_lists_everything_on_it_across_types_newest_first(site):
    root = themed(site, TOPIC_SITE)
    build_at(root)
    page = doc(root, "topics/privacy/index.html")
    assert text(page.find(".//h1")) == "Privacy"
    assert _topic_items(page) == [
        ("Event", "Privacy webinar"),  # 2025-04-01
        ("Event", "Past privacy talk"),  # 2025-02-01
        ("News", "Privacy news"),  # 2025-01-10
        ("News", "Older news"),  # 2024-05-01
        ("Page", "Privacy work"),  # undated pages last
    ]
    hrefs = [li.find("h2").find("a").get("href") for li in page.iter("li") if "topic-item" in classes(li)]
    assert hrefs[2:] == ["/news/recent/", "/news/older/", "/advocacy/privacy/"]
    assert all((root / "build" / h.strip("/") / "index.html").is_file() for h in hrefs)
    assert "Keeping what readers read to themselves." in text(page.find(".//main"))
    assert _topic_items(doc(root, "topics/literacy/index.html")) == [("News", "Older news")]
    assert "Nothing is filed under this topic yet." in text(doc(root, "topics/funding/index.html").find(".//main"))


def test_drafts_and_unpublished_pages_are_not_listed_on_a_topic(site):
    root = themed(site, TOPIC_SITE)
    build_at(root)
    titles = [t for _, t in _topic_items(doc(root, "topics/privacy/index.html"))]
    assert not {"Draft on privacy", "Expired on privacy", "Not yet on privacy"} & set(titles)
    build_at(root, drafts=True)
    assert "Draft on privacy" in [t for _, t in _topic_items(doc(root, "topics/privacy/index.html"))]


def test_the_topics_page_lists_every_topic_by_name_with_its_count(site):
    root = themed(site, TOPIC_SITE)
    build_at(root)
    page = doc(root, "topics/index.html")
    cards = [li for li in page.iter("li") if "card" in classes(li)]
    found = [(links(li)[0][:2], text(next(p for p in li.iter("p") if "topic-count" in classes(p)))) for li in cards]
    assert found == [
        (("/topics/funding/", "Funding"), "0 items"),
        (("/topics/literacy/", "Literacy"), "1 item"),
        (("/topics/privacy/", "Privacy"), "5 items"),
    ]


def test_a_page_links_to_its_topics(site):
    root = themed(site, TOPIC_SITE)
    build_at(root)
    tags = next(p for p in doc(root, "news/older/index.html").iter("p") if "page-topics" in classes(p))
    assert [(h, t) for h, t, _ in links(tags)] == [("/topics/privacy/", "Privacy"), ("/topics/literacy/", "Literacy")]


def test_a_topic_listing_is_paginated(site):
    news = {
        f"content/news/n{n:02}.md": _page(f"News {n:02}", f"date: 2025-01-{n:02}", "topics: [funding]", f"summary: Item {n}.")
        for n in range(1, 22)
    }
    root = themed(site, {**TOPIC_SITE, **news})
    build_at(root)
    first, second = doc(root, "topics/funding/index.html"), doc(root, "topics/funding/page/2/index.html")
    assert [t for _, t in _topic_items(first)] == [f"News {n:02}" for n in range(21, 1, -1)]
    assert [t for _, t in _topic_items(second)] == ["News 01"]
    assert _rel(first) == {"next": "/topics/funding/page/2/"} and _rel(second) == {"prev": "/topics/funding/"}
    assert not (root / "build/topics/funding/page/1").exists()


def test_an_unknown_topic_is_an_error_at_its_list_item(site):
    flow = _page("A", "topics: [privacy, litracy]")
    block = _page("B", "topics:", "  - privacy", "  - privcy")
    events = "- title: E\n  kind: webinar\n  start: 2025-04-01\n  summary: S.\n  topics: [literacy, privasy]\n"
    root = site({
        "content/a.md": flow,
        "content/b.md": block,
        "content/c.md": _page("C", "topics: [zoology]"),
        "data/topics.yaml": TOPICS,
        "data/events.yaml": events,
    })
    assert problems_of(root) == [
        f"content/a.md:{at(flow, 'litracy')}: topic 'litracy' is not in data/topics.yaml; did you mean 'literacy'?",
        f"content/b.md:{at(block, 'privcy')}: topic 'privcy' is not in data/topics.yaml; did you mean 'privacy'?",
        "content/c.md:3:10: topic 'zoology' is not in data/topics.yaml; add it to data/topics.yaml (id, name, summary) or fix the id",
        f"data/events.yaml:{at(events, 'privasy')}: topic 'privasy' is not in data/topics.yaml; did you mean 'privacy'?",
    ]


def test_an_unknown_topic_in_folder_defaults_is_an_error_at_its_list_item(site):
    defaults = "topics: [privacy, zoology]\n"
    root = site({"content/x/_defaults.yaml": defaults, "content/x/a.md": _page("A"), "data/topics.yaml": TOPICS})
    assert problems_of(root) == [
        f"content/x/_defaults.yaml:{at(defaults, 'zoology')}: topic 'zoology' is not in data/topics.yaml; "
        "add it to data/topics.yaml (id, name, summary) or fix the id"
    ]


def test_an_unknown_topic_in_folder_defaults_is_an_error_at_its_line(site):
    defaults = "weight: 1\ntopics: [privacy, zoology]\n"
    root = site({
        "content/x/_defaults.yaml": defaults,
        "content/x/a.md": _page("A"),
        "content/x/b.md": _page("B"),
        "data/topics.yaml": TOPICS,
    })
    problems = problems_of(root)
    assert len(problems) == 1 and problems[0].startswith("content/x/_defaults.yaml:2:"), problems
    assert problems[0].endswith("topic 'zoology' is not in data/topics.yaml; add it to data/topics.yaml (id, name, summary) or fix the id")


# --- Pagination -----------------------------------------------------------------------------------


def _news_site(site, count: int, *index_lines: str, files: dict | None = None) -> Path:
    """content/news/index.md and `count` news items, one a day from 2025-01-01 (Item 01 oldest)."""
    news = {
        f"content/news/item-{n:02}.md": _page(f"Item {n:02}", f"date: 2025-{1 + (n - 1) // 28:02}-{1 + (n - 1) % 28:02}", f"summary: Item {n}.")
        for n in range(1, count + 1)
    }
    return themed(site, {
        "content/index.md": _page("Home"),
        "content/news/index.md": _page("News", *index_lines),
        **news,
        **(files or {}),
    })


def _rel(document) -> dict[str, str]:
    return {link.get("rel"): link.get("href") for link in document.find("head").iter("link") if link.get("rel") in ("prev", "next")}


def _items(document) -> list[str]:
    return [text(next(e for e in li.iter() if "item-title" in classes(e))) for li in document.iter("li") if "news-item" in classes(li)]


def _pager(document) -> list[tuple[str | None, str, str | None]] | None:
    """The numbered links of the pager, (href, text, aria-current), '…' for a gap; None without one."""
    found = navs(document, "Pages")
    if not found:
        return None
    result = []
    for li in found[0].find("ul").findall("li"):
        a = li.find("a")
        if a is None:
            assert li.get("aria-hidden") == "true"
            result.append((None, text(li), None))
        else:
            result.append((a.get("href"), text(a), a.get("aria-current")))
    return result


def _page_urls(root: Path, listing: str = "news") -> list[str]:
    """The URLs of every page of the listing that was written."""
    found = [f"/{listing}/"] if (root / "build" / listing / "index.html").is_file() else []
    pages = root / "build" / listing / "page"
    if pages.is_dir():
        found += [f"/{listing}/page/{p.name}/" for p in sorted(pages.iterdir(), key=lambda p: int(p.name))]
    return found


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (20, 1), (21, 2)])
def test_pagination_edges(site, count, pages):
    root = _news_site(site, count)
    build_at(root)
    urls = _page_urls(root)
    assert urls == ["/news/"] + [f"/news/page/{n}/" for n in range(2, pages + 1)]
    shown = [_items(doc(root, url.strip("/") + "/index.html")) for url in urls]
    # Every item once, newest first across the pages, twenty to a page.
    assert [item for page in shown for item in page] == [f"Item {n:02}" for n in range(count, 0, -1)]
    assert [len(page) for page in shown] == ([min(20, count - 20 * i) for i in range(pages)] if count else [0])
    first = doc(root, "news/index.html")
    if pages == 1:
        assert _rel(first) == {} and _pager(first) is None
    else:
        second = doc(root, "news/page/2/index.html")
        assert _rel(first) == {"next": "/news/page/2/"}
        assert _rel(second) == {"prev": "/news/"}  # never /news/page/1/
        assert _pager(first) == [("/news/", "Page 1", "page"), ("/news/page/2/", "Page 2", None), ("/news/page/2/", "Next page", None)]
        assert _pager(second) == [("/news/", "Previous page", None), ("/news/", "Page 1", None), ("/news/page/2/", "Page 2", "page")]
        assert text(second.find(".//title")).startswith("News (page 2 of 2) | ")
        canonical = next(link.get("href") for link in second.iter("link") if link.get("rel") == "canonical")
        assert canonical == "https://example.org/news/page/2/"
    assert not (root / "build/news/page/1").exists()
    assert "/page/1/" not in "".join(p.read_text(encoding="utf-8") for p in (root / "build").rglob("*.html"))


def test_paginate_in_the_listings_page_sets_the_page_size(site):
    root = _news_site(site, 21, "paginate: 5")
    build_at(root)
    urls = _page_urls(root)
    assert urls == ["/news/", "/news/page/2/", "/news/page/3/", "/news/page/4/", "/news/page/5/"]
    assert [len(_items(doc(root, u.strip("/") + "/index.html"))) for u in urls] == [5, 5, 5, 5, 1]
    middle = doc(root, "news/page/3/index.html")
    assert _rel(middle) == {"prev": "/news/page/2/", "next": "/news/page/4/"}
    assert [(h, t, c) for h, t, c in _pager(middle) if t.startswith("Page")] == [
        ("/news/", "Page 1", None),
        ("/news/page/2/", "Page 2", None),
        ("/news/page/3/", "Page 3", "page"),
        ("/news/page/4/", "Page 4", None),
        ("/news/page/5/", "Page 5", None),
    ]


def test_a_long_listing_leaves_gaps_in_its_numbered_links(site):
    root = _news_site(site, 21, "paginate: 1")
    build_at(root)
    assert len(_page_urls(root)) == 21
    numbers = [t.removeprefix("Page ") for _, t, _ in _pager(doc(root, "news/page/10/index.html")) if t.startswith(("Page", "…"))]
    assert numbers == ["1", "…", "8", "9", "10", "11", "12", "…", "21"]
    current = [t for _, t, c in _pager(doc(root, "news/page/10/index.html")) if c == "page"]
    assert current == ["Page 10"]
    last = [t.removeprefix("Page ") for _, t, _ in _pager(doc(root, "news/page/21/index.html")) if t.startswith(("Page", "…"))]
    assert last == ["1", "…", "19", "20", "21"]


@pytest.mark.parametrize("value", ["0", "-3"])
def test_paginate_below_one_is_an_error(site, value):
    source = _page("News", f"paginate: {value}")
    root = _news_site(site, 3, f"paginate: {value}")
    assert problems_of(root) == [
        f"content/news/index.md:{at(source, value)}: 'paginate' is how many items go on one page of a listing; give a number of 1 or more"
    ]


def test_paginate_that_is_not_a_number_is_an_error(site):
    source = _page("News", "paginate: lots")
    root = _news_site(site, 3, "paginate: lots")
    (problem,) = problems_of(root)
    assert problem == f"content/news/index.md:{at(source, 'lots')}: 'paginate': must be a whole number, not 'lots'"


def test_pagination_under_a_base_path(site):
    root = _news_site(site, 21, files={"data/site.yaml": "title: T\nbase_url: https://example.org/sub/\n"})
    build_at(root)
    assert _rel(doc(root, "news/index.html")) == {"next": "/sub/news/page/2/"}
    assert _rel(doc(root, "news/page/2/index.html")) == {"prev": "/sub/news/"}
    assert ("/sub/news/", "Page 1", None) in _pager(doc(root, "news/page/2/index.html"))


@pytest.mark.parametrize(
    ("number", "count", "window"),
    [
        (1, 1, (1,)),
        (1, 2, (1, 2)),
        (2, 5, (1, 2, 3, 4, 5)),
        (1, 20, (1, 2, 3, None, 20)),
        (4, 20, (1, 2, 3, 4, 5, 6, None, 20)),
        (10, 20, (1, None, 8, 9, 10, 11, 12, None, 20)),
        (18, 20, (1, None, 16, 17, 18, 19, 20)),
        (20, 20, (1, None, 18, 19, 20)),
    ],
)
def test_pager_window_shows_the_ends_and_the_neighbours_with_gaps(number, count, window):
    urls = tuple("/news/" if n == 1 else f"/news/page/{n}/" for n in range(1, count + 1))
    pager = Pager(number, count, urls)
    assert pager.window() == window
    assert pager.prev_url == (urls[number - 2] if number > 1 else None)
    assert pager.next_url == (urls[number] if number < count else None)


def test_a_division_id_that_is_not_text_is_reported_not_a_crash(site):
    root = site({"content/index.md": _page("Home"), "data/divisions.yaml": "- id: [core]\n  name: Core\n"})
    problems = problems_of(root)
    assert problems == ["data/divisions.yaml:1:7: 'id': must be text, not a list"]
