"""A division's home page shows that division's upcoming events, news, awards and
publications, drawn by unit from the shared collections (with the real layouts)."""

from __future__ import annotations

import shutil
from pathlib import Path

import html5lib

from conftest import build_at, read

LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"

EVENTS = """\
- {title: Core webinar, kind: webinar, start: 2025-03-10, summary: For Core., unit: core}
- {title: PLA webinar, kind: webinar, start: 2025-03-11, summary: For PLA., unit: pla}
- {title: Old Core webinar, kind: webinar, start: 2025-02-01, summary: Past., unit: core}
"""
AWARDS = "- {name: Core Prize, category: grant, summary: A Core grant., unit: core}\n- {name: PLA Prize, category: grant, summary: A PLA grant., unit: pla}\n"
PUBLICATIONS = "- {title: Core Book, format: book, summary: By Core., price: 10, unit: core}\n- {title: PLA Book, format: book, summary: By PLA., unit: pla}\n"


def _texts(html: str, selector_class: str) -> list[str]:
    """The text of the links inside each section with this class."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    found = []
    for section in tree.iter("section"):
        if selector_class in (section.get("class") or "").split():
            found += ["".join(a.itertext()).strip() for a in section.iter("a") if "All " not in "".join(a.itertext())]
    return found


def test_a_division_page_shows_only_its_own_records(site, tmp_path):
    root = site({
        "data/events.yaml": EVENTS,
        "data/awards.yaml": AWARDS,
        "data/publications.yaml": PUBLICATIONS,
        "data/divisions.yaml": "- {id: core, name: Core, short_name: Core}\n- {id: pla, name: Public Library Association, short_name: PLA}\n",
        "content/index.md": "---\ntitle: Home\n---\n",
        "content/core/_defaults.yaml": "unit: core\n",
        "content/core/index.md": "---\ntitle: Core\nlayout: division\n---\nAnnouncements.\n",
        "content/news/a.md": "---\ntitle: Core news\ndate: 2025-02-20\n---\n",
        "content/news/b.md": "---\ntitle: PLA news\ndate: 2025-02-21\nunit: pla\n---\n",
        "content/news/c.md": "---\ntitle: Core item\ndate: 2025-02-22\nunit: core\n---\n",
    })
    shutil.rmtree(root / "layouts")
    shutil.copytree(LAYOUTS, root / "layouts")
    build_at(root, now="2025-03-01")
    page = read(root, "core/index.html")
    assert _texts(page, "division-events") == ["Core webinar"]
    assert _texts(page, "division-news") == ["Core item"]
    assert _texts(page, "division-awards") == ["Core Prize"]
    assert _texts(page, "division-publications") == ["Core Book"]
    assert "All Core events" in page
