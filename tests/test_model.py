"""The site model: folder defaults, publication by date, the page tree, URL collisions, aliases,
the site settings."""

from __future__ import annotations

import pytest

from conftest import build_at, problems_of, read

# A layout that shows what the model decided about a page.
SHOW = {
    "layouts/page.html": (
        "{{ page.title }}|topics={{ page.topics|join(',') }}|unit={{ page.unit or '' }}|weight={{ page.weight }}"
        "|ancestors={% for a in site.ancestors(page) %}{{ a.title }}/{% endfor %}"
        "|parent={{ site.parent(page).title if site.parent(page) else '' }}\n"
    ),
    "layouts/list.html": "{{ page.title }}|children={% for c in site.children(page) %}{{ c.title }},{% endfor %}\n",
    "layouts/home.html": "sections={% for s in site.sections %}{{ s.title }},{% endfor %}\n",
}


def _page(title: str, *lines: str) -> str:
    return "---\n" + "\n".join((f"title: {title}", *lines)) + "\n---\n"


# --- Folder defaults ------------------------------------------------------------------------------


def test_the_nearest_folder_default_wins_and_the_page_wins_over_all(site):
    root = site(
        {
            **SHOW,
            "content/_defaults.yaml": "topics: [everywhere]\nunit: core\n",
            "content/about/_defaults.yaml": "topics: [about]\nweight: 5\n",
            "content/about/board/_defaults.yaml": "topics: [board]\n",
            "content/about/index.md": _page("About"),
            "content/about/board/index.md": _page("Board"),
            "content/about/board/chair.md": _page("Chair"),
            "content/about/board/clerk.md": _page("Clerk", "topics: [own]", "unit: pla", "weight: 1"),
            "content/join.md": _page("Join"),
            "data/topics.yaml": "".join(f"- {{id: {t}, name: {t}}}\n" for t in ("everywhere", "about", "board", "own")),
        }
    )
    build_at(root)
    assert read(root, "join/index.html").startswith("Join|topics=everywhere|unit=core|weight=0|")
    assert read(root, "about/board/chair/index.html").startswith("Chair|topics=board|unit=core|weight=5|")
    assert read(root, "about/board/clerk/index.html").startswith("Clerk|topics=own|unit=pla|weight=1|")


def test_folder_defaults_apply_below_their_folder_only(site):
    root = site(
        {
            **SHOW,
            "content/about/_defaults.yaml": "unit: core\n",
            "content/about/mission.md": _page("Mission"),
            "content/aboutus.md": _page("About us"),
        }
    )
    build_at(root)
    assert "|unit=core|" in read(root, "about/mission/index.html")
    assert "|unit=|" in read(root, "aboutus/index.html")


# --- Publication by the build date ----------------------------------------------------------------

DATED = {
    "content/index.md": _page("Home"),
    "content/wip.md": _page("WIP", "draft: true"),
    "content/soon.md": _page("Soon", "publish: 2025-03-02"),
    "content/today.md": _page("Today", "publish: 2025-03-01"),
    "content/last-day.md": _page("Last day", "expires: 2025-03-01"),
    "content/gone.md": _page("Gone", "expires: 2025-02-28"),
}


@pytest.mark.parametrize(
    ("now", "drafts", "published"),
    [
        ("2025-03-01", False, ["index", "last-day", "today"]),
        ("2025-03-01", True, ["index", "last-day", "today", "wip"]),
        ("2025-03-02", False, ["index", "soon", "today"]),
        ("2025-02-28", False, ["gone", "index", "last-day"]),
    ],
)
def test_what_is_published_depends_on_the_build_date_and_drafts(site, now, drafts, published):
    root = site(DATED)
    build_at(root, now, drafts=drafts)
    built = sorted(p.parent.name if p.parent != root / "build" else "index" for p in (root / "build").rglob("index.html"))
    assert built == published


def test_hidden_pages_are_left_out_of_the_sitemap(site):
    root = site(DATED)
    build_at(root)
    sitemap = read(root, "sitemap.xml")
    assert "https://example.org/today/" in sitemap
    assert "/soon/" not in sitemap and "/wip/" not in sitemap and "/gone/" not in sitemap


def test_expires_before_publish_is_an_error(site):
    root = site({"content/a.md": _page("A", "publish: 2025-03-01", "expires: 2025-02-01")})
    assert problems_of(root) == ["content/a.md:4:10: 'expires' is before 'publish'; the page would never be shown"]


# --- The page tree --------------------------------------------------------------------------------

TREE = {
    **SHOW,
    "content/index.md": _page("Home"),
    "content/about/index.md": _page("About", "weight: 2"),
    "content/about/zeta.md": _page("Zeta", "weight: -1"),
    "content/about/beta.md": _page("beta"),
    "content/about/Alpha.md": _page("Alpha"),
    "content/about/board/index.md": _page("Board"),
    "content/about/board/chair.md": _page("Chair"),
    "content/about/loose/note.md": _page("Note"),  # no about/loose/index.md
    "content/join.md": _page("Join", "weight: 1"),
    "content/programs/index.md": _page("Programs", "weight: 2"),
}


def test_children_are_ordered_by_weight_then_title_ignoring_case(site):
    root = site(TREE)
    build_at(root)
    assert read(root, "about/index.html") == "About|children=Zeta,Alpha,beta,Board,Note,"
    assert read(root, "about/board/index.html") == "Board|children=Chair,"


def test_parent_and_ancestors_skip_folders_without_an_index(site):
    root = site(TREE)
    build_at(root)
    assert read(root, "about/board/chair/index.html").endswith("|ancestors=Home/About/Board/|parent=Board\n")
    assert read(root, "about/loose/note/index.html").endswith("|ancestors=Home/About/|parent=About\n")
    assert read(root, "join/index.html").endswith("|ancestors=Home/|parent=Home\n")


def test_sections_are_the_pages_below_home_without_the_404_page(site):
    root = site(TREE)
    build_at(root)
    assert read(root, "index.html") == "sections=Join,About,Programs,"
    assert (root / "build/404.html").is_file()


# --- Collisions -----------------------------------------------------------------------------------

HINT = "change the file name, 'slug' or 'url' of one of them"


def test_urls_that_differ_only_by_case_collide(site):
    root = site({"content/About.md": _page("A"), "content/about.md": _page("B")})
    assert problems_of(root) == [f"content/about.md:1:1: content/about.md and content/About.md both claim the URL /about/; {HINT}"]


def test_a_url_that_differs_only_by_case_from_a_page_collides(site):
    root = site({"content/a.md": _page("A", "url: /Join/"), "content/join.md": _page("J")})
    assert problems_of(root) == [f"content/a.md:3:6: content/a.md and content/join.md both claim the URL /join/; {HINT}"]


def test_a_static_file_colliding_with_a_page(site):
    root = site({"content/about.md": _page("About"), "content/about/index.html": "<p>old</p>\n"})
    assert problems_of(root) == [
        f"content/about/index.html: content/about/index.html and content/about.md both claim the URL /about/; {HINT}"
    ]


def test_a_page_url_that_is_a_static_file_name_collides(site):
    root = site({"content/a.md": _page("A", "url: /photo.png"), "content/photo.png": b"\x89PNG"})
    assert problems_of(root) == [f"content/a.md:3:6: content/a.md and content/photo.png both claim the URL /photo.png; {HINT}"]


def test_an_alias_colliding_with_a_page(site):
    root = site({"content/a.md": _page("A", "aliases: [/b/]"), "content/b.md": _page("B")})
    assert problems_of(root) == [
        "content/a.md:3:10: the redirect from /b/ would hide the page content/b.md at that URL; "
        "remove the redirect, or move the page first"
    ]


# --- Aliases --------------------------------------------------------------------------------------


def test_aliases_become_forced_redirects_and_fallback_pages(site):
    root = site({"content/about/mission.md": _page("Mission", "aliases: [/old/mission.cfm, /mission]")})
    build_at(root)
    assert read(root, "_redirects") == "/mission /about/mission/ 301!\n/old/mission.cfm /about/mission/ 301!\n"
    fallback = read(root, "old/mission.cfm/index.html")
    assert fallback == read(root, "mission/index.html")
    assert '<link rel="canonical" href="https://example.org/about/mission/">' in fallback
    assert '<meta http-equiv="refresh" content="0; url=/about/mission/">' in fallback
    assert '<meta name="robots" content="noindex">' in fallback
    assert '<a href="/about/mission/">https://example.org/about/mission/</a>' in fallback


def test_aliases_under_a_base_path(site):
    root = site({"data/site.yaml": "title: T\nbase_url: https://example.org/sub/\n", "content/a.md": _page("A", "aliases: [/old/]")})
    build_at(root)
    assert read(root, "_redirects") == "/sub/old/ /sub/a/ 301!\n"
    assert '<link rel="canonical" href="https://example.org/sub/a/">' in read(root, "old/index.html")


def test_no_aliases_no_redirects_file(site):
    root = site({"content/a.md": _page("A")})
    build_at(root)
    assert not (root / "build/_redirects").exists()


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        ("old/page.cfm", "alias 'old/page.cfm' must be a path on this site starting with one '/', e.g. /about/mission/"),
        ("/x/../../y", "alias '/x/../../y' may not contain '.' or '..' parts: it must stay inside the site"),
    ],
)
def test_an_alias_that_is_not_a_site_path(site, alias, message):
    root = site({"content/a.md": _page("A", f"aliases: [{alias}]")})
    assert problems_of(root) == [f"content/a.md:3:10: {message}"]


# --- Site settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "paragraph"),
    [
        ("", "<p>“Quotes” – it’s ‘single’…</p>"),
        ("markdown: {typographer: false}\n", "<p>&quot;Quotes&quot; -- it's 'single'...</p>"),
    ],
    ids=["default", "off"],
)
def test_typographer_false_keeps_straight_quotes_and_dashes(site, settings, paragraph):
    root = site(
        {
            "data/site.yaml": "title: T\nbase_url: https://example.org/\n" + settings,
            "content/a.md": _page("A") + "\"Quotes\" -- it's 'single'...\n",
        }
    )
    build_at(root)
    assert paragraph in read(root, "a/index.html").splitlines()


# --- Divisions: an id is read as written, and must be one part of a URL ---------------------------


def test_a_division_id_that_yaml_reads_as_a_boolean_is_the_word_written(site):
    # `id: yes` is true to YAML; it was a KeyError ('yes') when the division's menu was read.
    root = site(
        {
            "data/divisions.yaml": "- id: yes\n  name: Young Emerging Scholars\n  short_name: YES\n  folder: yes\n",
            "content/yes/index.md": _page("YES home", "unit: yes"),
            "layouts/list.html": "{{ page.title }}|{{ site.unit_name(page.unit) }}|{{ site.microsite(page).id }}\n",
        }
    )
    build_at(root)
    assert read(root, "yes/index.html") == "YES home|YES|yes\n"


def test_a_division_whose_id_is_a_number_is_checked_like_any_other(site):
    root = site({"data/divisions.yaml": "- id: 2025\n  name: Class of 2025\n  folder: class\n"})
    assert problems_of(root) == [
        "data/divisions.yaml:3:11: division '2025' has folder 'class', but content/class/index.md is not a published page; "
        "write that page (the division's home) or fix the folder"
    ]


def test_a_division_id_that_cannot_be_part_of_a_url(site):
    root = site({"data/divisions.yaml": "- {id: core/pla, name: Core}\n"})
    assert problems_of(root) == ["data/divisions.yaml:1:8: division id 'core/pla' must be one part of a URL, without '/'"]


def test_a_division_home_with_errors_of_its_own_is_not_reported_twice(site):
    root = site(
        {
            "data/divisions.yaml": "- {id: core, name: Core, folder: core}\n",
            "content/core/index.md": _page("Core", "weight: heavy"),
        }
    )
    assert problems_of(root) == ["content/core/index.md:3:9: 'weight': must be a whole number, not 'heavy'"]


# --- Values the file system and the calendar cannot hold ------------------------------------------


def test_a_slug_too_long_for_a_folder_name(site):
    root = site({"content/a.md": _page("A", "slug: " + "a" * 201)})
    assert problems_of(root) == [
        "content/a.md:3:7: slug 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is 201 characters long; a part of a URL "
        "becomes a folder name, which may have at most 200: shorten it"
    ]


def test_job_listing_days_out_of_range(site):
    root = site({"data/site.yaml": "title: T\nbase_url: https://example.org/\njob_listing_days: 123456789012345678901234567890\n"})
    assert problems_of(root) == [
        "data/site.yaml:3:19: 'job_listing_days' is how many days a job stays open; give a number from 1 to 3650"
    ]


def test_a_redirect_to_a_page_with_errors_of_its_own_is_not_reported_twice(site):
    root = site(
        {
            "content/a.md": _page("A", "weight: heavy"),
            "data/redirects.yaml": "- {from: /old/, to: a.md}\n",
        }
    )
    assert problems_of(root) == ["content/a.md:3:9: 'weight': must be a whole number, not 'heavy'"]


def test_a_menu_title_that_yaml_reads_as_a_number_is_the_words_typed(site):
    root = site(
        {
            "content/a.md": _page("A"),
            "data/menus.yaml": "main:\n  - {title: 2025, page: a.md}\n",
            "layouts/page.html": "{% for item in site.menus.main %}{{ item.title }}{% endfor %}",
        }
    )
    build_at(root)
    assert read(root, "a/index.html") == "2025"


def test_a_menu_title_that_is_a_list(site):
    root = site({"content/a.md": _page("A"), "data/menus.yaml": "main:\n  - {title: [A], page: a.md}\n"})
    assert problems_of(root) == ["data/menus.yaml:2:13: a menu item's 'title' must be text, not a list"]


def test_a_time_zone_too_long_for_a_file_name(site):
    # It was "internal error: OSError: [Errno 36] File name too long" looking the zone up.
    zone = "Chicago" * 40
    root = site({"data/site.yaml": f"title: T\nbase_url: https://example.org/\ntimezone: {zone}\n"})
    assert problems_of(root) == [
        f"data/site.yaml:3:11: timezone '{zone}' is not a known time zone; use a name like America/Chicago"
    ]
