"""Photos: resized into a few widths, served with srcset, sizes, width and height, lazy after
the first; cached between builds under content-hash names; missing files and alt text are
errors at their line."""

from __future__ import annotations

import io
import re
from pathlib import Path

import html5lib
import pytest
from PIL import Image

from alagen.render import images as images_module
from conftest import build_at, problems_of, read, run_cli

REPO = Path(__file__).resolve().parent.parent
NAME = re.compile(r"^/assets/img/([\w-]+)-(\d+)w\.([0-9a-f]{10})\.(jpg|png|webp)$")


def photo(width: int, height: int, colour=(200, 40, 40), fmt: str = "JPEG", orientation: int | None = None) -> bytes:
    """A generated picture, with camera metadata as a phone would leave it."""
    image = Image.new("RGB", (width, height), colour)
    for x in range(0, width, max(1, width // 8)):  # some detail, so it is not one flat colour
        image.paste((x % 255, 90, 160), (x, 0, x + max(1, width // 16), height))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes()) if fmt == "JPEG" else image.save(out, fmt)
    return out.getvalue()


def imgs(html: str) -> list[dict]:
    main = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    return [dict(img.attrib) for img in main.iter("img")]


def page(body: str, front: str = "") -> str:
    return f"---\ntitle: Photos\n{front}---\n{body}"


def test_a_photo_is_served_in_several_widths_with_its_size(site):
    root = site({
        "content/about/index.md": page("![A red room](images/room.jpg)\n\nText.\n\n![A red room again](/about/images/room.jpg)\n"),
        "content/about/images/room.jpg": photo(2000, 1000),
    })
    build_at(root)
    first, second = imgs(read(root, "about/index.html"))
    assert first["alt"] == "A red room"
    assert first["width"] == "1600" and first["height"] == "800"
    assert first["sizes"] == "(min-width: 48rem) 45rem, 100vw"
    assert first["decoding"] == "async"
    assert "loading" not in first  # the first image of a page loads at once
    assert second["loading"] == "lazy"
    candidates = [c.strip().rsplit(" ", 1) for c in first["srcset"].split(",")]
    assert [w for _, w in candidates] == ["480w", "800w", "1200w", "1600w"]
    assert first["src"] == candidates[-1][0]
    for url, w in candidates:
        name = NAME.match(url)
        assert name and name.group(1) == "room" and name.group(2) + "w" == w
        with Image.open(root / "build" / url.lstrip("/")) as resized:
            assert resized.size == (int(w[:-1]), int(w[:-1]) // 2)
            assert resized.format == "JPEG"
            assert 0x010F not in resized.getexif()  # the camera's metadata is not published


def test_a_small_photo_is_never_enlarged_and_a_turned_one_is_upright(site):
    root = site({
        "content/index.md": page("![Small](small.png)\n\n![Taken sideways](turned.jpg)\n"),
        "content/small.png": photo(300, 200, fmt="PNG"),
        "content/turned.jpg": photo(1000, 500, orientation=6),  # the camera was turned
    })
    build_at(root)
    small, turned = imgs(read(root, "index.html"))
    assert small["srcset"].endswith(" 300w") and small["srcset"].count("w,") == 0
    assert (small["width"], small["height"]) == ("300", "200")
    assert (turned["width"], turned["height"]) == ("500", "1000")
    assert [c.split()[-1] for c in turned["srcset"].split(", ")] == ["480w", "500w"]
    with Image.open(root / "build" / turned["src"].lstrip("/")) as upright:
        assert upright.size == (500, 1000)


def test_resized_files_are_cached_between_builds_and_renamed_when_the_photo_changes(site, monkeypatch):
    root = site({"content/index.md": page("![A photo](photo.jpg)\n"), "content/photo.jpg": photo(1000, 800)})
    made = []
    real = images_module._save
    monkeypatch.setattr(images_module, "_save", lambda *a: (made.append(a[1]), real(*a)))
    build_at(root)
    assert made == [480, 800, 1000]
    cache = sorted(p.name for p in (root / ".alagen-cache/images").iterdir())
    assert len(cache) == 6 and cache[1::2] == [name + ".digest" for name in cache[::2]]  # each with its digest
    before = imgs(read(root, "index.html"))[0]["srcset"]
    build_at(root)
    assert made == [480, 800, 1000]  # nothing resized again
    assert imgs(read(root, "index.html"))[0]["srcset"] == before
    (root / "content/photo.jpg").write_bytes(photo(1000, 800, colour=(20, 200, 20)))
    build_at(root)
    after = imgs(read(root, "index.html"))[0]["srcset"]
    assert len(made) == 6 and after != before
    assert sorted(p.name for p in (root / "build/assets/img").iterdir()) == sorted(
        url.split()[0].rsplit("/", 1)[1] for url in after.split(", ")
    )  # only this build's files are published


def test_svg_images_keep_their_file_and_get_their_size(site):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"><rect width="300" height="150"/></svg>'
    root = site({"content/index.md": page("![A black box](box.svg)\n"), "content/box.svg": svg})
    build_at(root)
    (image,) = imgs(read(root, "index.html"))
    assert image == {"src": "/box.svg", "alt": "A black box", "width": "300", "height": "150", "decoding": "async"}


def test_a_missing_photo_and_missing_alt_text_are_errors_at_their_place(site):
    root = site({
        "content/index.md": page("Intro.\n\n![](there.jpg) and ![A view](images/missing.jpg)\n"),
        "content/there.jpg": photo(100, 100),
    })
    assert problems_of(root) == [
        "content/index.md:6:5: the image there.jpg has no alt text; say what it shows: ![A reading room](there.jpg)",
        "content/index.md:6:30: the image content/images/missing.jpg does not exist; check the path, or put the file next to the page",
    ]


def test_a_file_that_is_not_a_photo_is_an_error(site):
    root = site({"content/index.md": page("![A photo](photo.jpg)\n"), "content/photo.jpg": b"not a jpeg"})
    assert problems_of(root) == [
        "content/index.md:4:12: content/photo.jpg cannot be read as an image (it is not a JPEG, PNG, WebP or GIF file); "
        "save it again as a JPEG or PNG"
    ]


def test_a_page_and_a_record_image_are_checked_and_offered_to_layouts(site):
    root = site({
        "content/index.md": page("Home.\n", "image: cover.jpg\nimage_alt: A cover\n"),
        "content/cover.jpg": photo(900, 600),
        "content/a.md": page("A.\n", "image: nothing.jpg\n"),
        "data/publications.yaml": "- {title: Book, format: book, summary: S, image: books/none.png, image_alt: A book}\n",
        "layouts/page.html": '{% extends "base.html" %}{% block main %}{{ picture(page, sizes="20rem") }}{{ content }}{% endblock %}\n',
    })
    assert problems_of(root) == [
        "content/a.md:3:8: the image content/nothing.jpg does not exist; check the path, or put the file next to the page",
        "content/a.md:3:8: the image needs 'image_alt:' saying what it shows",
        "data/publications.yaml:1:50: the image content/books/none.png does not exist; check the path, or put the file next to the page",
    ]
    (root / "content/a.md").unlink()
    (root / "data/publications.yaml").unlink()
    build_at(root)
    (card,) = imgs(read(root, "index.html"))
    assert card["alt"] == "A cover" and card["sizes"] == "20rem" and card["loading"] == "lazy"
    assert (card["width"], card["height"]) == ("900", "600")


def test_the_demo_shows_its_photos_responsively(tmp_path):
    out = tmp_path / "build"
    result = run_cli("build", "--now", "2025-03-01", "--no-search", "--out", str(out), cwd=REPO)
    assert result.returncode == 0, result.stderr
    about = imgs((out / "about/index.html").read_text())
    front = next(i for i in about if "library" in i["alt"].lower())
    assert "loading" not in front and front["srcset"].count("w,") == 3
    history = imgs((out / "about/history/index.html").read_text())
    room = next(i for i in history if i["src"].endswith(".jpg"))
    assert room["loading"] == "lazy" and (room["width"], room["height"]) == ("1600", "1067")
    assert (tmp_path / ".alagen-cache/images").is_dir()  # next to the output folder
