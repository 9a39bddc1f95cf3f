"""Photos in pages and records: resized into a few widths with Pillow and served with
srcset, sizes, width and height, so phones download a small file and the page does not jump
while it loads.

A photo is found like a link: relative to the page's folder, or to content/ with a leading
'/' (and from content/ for records in data/). Each resized file is named by a hash of the
photo's bytes and the recipe, so it can be cached forever (netlify.toml), and is kept in
.alagen-cache/images/ beside the output folder (beside the build cache's state), so the next
build copies instead of resizing. Beside each one, `<name>.digest` holds the digest of its
bytes and of what it was made as (the photo's bytes, the width, the recipe), written when it
is made and checked whenever it is used: a file cut short, changed, or swapped for another
(even another good picture) is made again, with a warning; one without its digest (from an
older alagen) is made again quietly.
A missing photo or missing alt text is an error at its file, line and column.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from alagen.errors import Location, Problem, Problems
from alagen.model import urls
from alagen.output import Output
from alagen.slugs import slugify

WIDTHS = (480, 800, 1200, 1600)  # never larger than the photo itself
RESIZED = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
# Shown as they are (vectors, animations), with their size when it can be read.
AS_IS = (".svg", ".gif", ".avif")
# How wide a photo in a page's text is shown: the text column, or the whole phone screen.
PROSE_SIZES = "(min-width: 48rem) 45rem, 100vw"
RECIPE = "lanczos;jpeg82p;webp80;png-opt;v1"  # changing it renames (and remakes) every file
FOLDER = "assets/img"  # published under the long-cache rule for /assets/*


@dataclass(frozen=True, slots=True)
class Picture:
    src: str  # the largest version's URL
    srcset: str  # "URL 480w, URL 800w, ..."; empty for images shown as they are
    width: int | None
    height: int | None

    def attributes(self, sizes: str = PROSE_SIZES, lazy: bool = True) -> dict[str, str]:
        attrs = {"src": self.src}
        if self.srcset:
            attrs.update(srcset=self.srcset, sizes=sizes)
        if self.width and self.height:
            attrs.update(width=str(self.width), height=str(self.height))
        if lazy:
            attrs["loading"] = "lazy"
        attrs["decoding"] = "async"
        return attrs


@dataclass(frozen=True, slots=True)
class SharedImage:
    """The picture link previews show for a page (Open Graph, Twitter cards): the largest
    resized copy, by its full address, with that copy's own size."""

    url: str  # https://…/assets/img/x-1200w.abcdef1234.png
    width: int
    height: int
    alt: str
    type: str  # image/jpeg, image/png, image/webp


_MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class Images:
    """The photos of one build: found, measured and resized once each, however often used."""

    def __init__(self, site, cache: Path):
        self._site = site
        self._base = site.settings.base_path
        self._files = {s.source: s.path for s in site.statics}
        self._cache = cache / "images"
        self._pictures: dict[str, Picture] = {}
        self._outputs: dict[str, Output] = {}
        self.resized = 0  # files made by Pillow in this build (the rest came from the cache)
        self._used: list[str] | None = None  # the photos named while one page renders
        self._problems: Problems | None = None  # the build's, from check_pages: where damaged files are told
        self._pid = os.getpid()  # a forked worker leaves damaged files to this process (see _resize)

    def start(self) -> None:
        """Record the photos the next page names (for the build cache, and for workers)."""
        self._used = []

    def stop(self) -> tuple[str, ...]:
        """The files under content/ the page named since start(), each once, whether or not
        they exist: a photo added, changed or removed later changes that page."""
        used, self._used = self._used or [], None
        return tuple(dict.fromkeys(used))

    def adopt(self, sources) -> None:
        """Publish the resized files of photos a page used that was rendered elsewhere: in a
        worker process (which made the files in the cache folder), or in an earlier build
        (a page the build cache keeps)."""
        for source in sources:
            if source in self._files:
                try:
                    self.picture(source)
                except ValueError:  # reported where the page was rendered
                    pass

    def source(self, target: str, link_from: str, record: bool = True) -> str:
        """The file under content/ that `target` names; ValueError saying what is wrong.
        `record`: the page being rendered depends on that file (see start())."""
        path = target.split("#", 1)[0].split("?", 1)[0]
        if path.startswith("/"):
            found = posixpath.normpath("content" + path)
        else:
            found = posixpath.normpath(posixpath.join(posixpath.dirname(link_from), path))
        if self._used is not None and record:
            self._used.append(found)
        if found not in self._files:
            raise ValueError(f"the image {found} does not exist; check the path, or put the file next to the page")
        return found

    def picture(self, source: str) -> Picture:
        if source not in self._pictures:
            self._pictures[source] = self._make(source)
        return self._pictures[source]

    def for_markdown(self, target: str, link_from: str, first: bool) -> dict[str, str]:
        """The <img> attributes of `![alt](target)`; the first image of a page loads at once."""
        return self.picture(self.source(target, link_from)).attributes(PROSE_SIZES, lazy=not first)

    def tag(self, page_or_path, alt: str | None = None, sizes: str = "100vw", lazy: bool = True, css_class: str = "") -> Markup:
        """For layouts: `{{ picture(page, sizes='20rem') }}` (the page's image and image_alt)
        or `{{ picture('/images/x.jpg', 'What it shows') }}`. A broken image prints nothing:
        it is reported at the page or record that names it."""
        if isinstance(page_or_path, str):
            target, link_from = page_or_path, "content/"
        else:
            target, link_from, alt = page_or_path.image, _links_from(page_or_path), alt or page_or_path.image_alt
        if not target or not alt:
            return Markup("")
        try:
            attrs = self.picture(self.source(target, link_from)).attributes(sizes, lazy)
        except ValueError:
            return Markup("")
        attrs["alt"] = alt
        if css_class:
            attrs["class"] = css_class
        return Markup("<img " + " ".join(f'{k}="{escape(v)}"' for k, v in attrs.items()) + ">")

    def shared(self, page) -> SharedImage | None:
        """For layouts: `share_image(page)`, the picture of the page's link previews: its own
        `image:` (a record's too), else its division's `share_image:` (data/divisions.yaml),
        else the site's (data/site.yaml); only a photo that is resized (JPEG, PNG, WebP) and
        has its alt text. None when there is none. The page is recorded as showing its own
        image only: the build cache knows the share images by their bytes (cache.py's
        "share:page"), as they are on almost every page."""
        site = self._site
        division = site.division_of(page)
        choices = [(page.image, _links_from(page), page.image_alt, True)]
        if division is not None:
            choices.append((division.share_image, "content/", division.share_image_alt, False))
        choices.append((site.settings.share_image, "content/", site.settings.share_image_alt, False))
        for target, link_from, alt, own in choices:
            if not target or not alt:
                continue
            try:
                source = self.source(target, link_from, record=own)
                if self._files[source].suffix.lower() not in RESIZED:
                    continue  # a drawing or an animation: previews want a photo
                picture = self.picture(source)
            except ValueError:  # reported where it is named
                continue
            if not (picture.width and picture.height):
                continue
            fmt = RESIZED[self._files[source].suffix.lower()]
            url = site.settings.base_url.rstrip("/") + picture.src.removeprefix(self._base.rstrip("/"))
            return SharedImage(url, picture.width, picture.height, alt, _MEDIA_TYPES[fmt])
        return None

    def check_shared(self, site, problems: Problems) -> None:
        """The site's and the divisions' `share_image:` can be read (that each exists and is a
        photo the model checked, at its line)."""
        named = [(site.settings.share_image, site.settings.share_image_at)]
        named += [(d.share_image, d.share_image_at) for d in site.divisions]
        for target, where in named:
            if not target or where is None:
                continue
            try:
                source = self.source(target, "content/")
                if self._files[source].suffix.lower() in RESIZED:
                    self.picture(source)
            except ValueError as err:
                if "does not exist" not in str(err):  # that one the model reported
                    problems.error(where, str(err), span=len(target))

    def check_pages(self, pages, problems: Problems) -> None:
        """Every page's and record's `image:` exists, can be read, and has its alt text.
        `problems` is also where the resized files found damaged in the cache are told."""
        self._problems = problems
        for page in pages:
            if not page.image:
                continue
            try:
                self.picture(self.source(page.image, _links_from(page)))
            except ValueError as err:
                problems.error(page.at("image"), str(err), span=len(page.image))
            if not page.image_alt and page.record is None:  # records: checked with their fields
                problems.error(page.at("image"), "the image needs 'image_alt:' saying what it shows", span=len(page.image))

    def outputs(self) -> tuple[Output, ...]:
        return tuple(self._outputs[path] for path in sorted(self._outputs))

    def _make(self, source: str) -> Picture:
        path = self._files[source]
        suffix = path.suffix.lower()
        if suffix in RESIZED:
            return self._resize(source, path, RESIZED[suffix])
        href = urls.href(self._base, "/" + source.removeprefix("content/"))
        if suffix == ".svg":
            return Picture(href, "", *_svg_size(path))
        if suffix in AS_IS:
            return Picture(href, "", *_raster_size(source, path))
        raise ValueError(f"{source} is not an image alagen can show; use a JPEG, PNG, WebP, GIF or SVG file")

    def _resize(self, source: str, path: Path, fmt: str) -> Picture:
        data = path.read_bytes()
        width, height = _raster_size(source, path)
        largest = min(width, WIDTHS[-1])
        widths = [w for w in WIDTHS if w < largest] + [largest]
        stem = slugify(path.stem) if path.stem else "image"
        ending = "jpg" if fmt == "JPEG" else fmt.lower()
        made: list[tuple[int, str]] = []
        original = None
        for w in widths:
            made_as = hashlib.sha256(data + f"|{w}|{RECIPE}".encode()).hexdigest()
            key = made_as[:10]
            cached = self._cache / f"{key}.{ending}"
            found = _check(cached, made_as)
            # A forked worker (it renders pages, the parent publishes their photos) leaves a
            # damaged file to the parent, which makes it again and tells of it.
            if found != _MADE and not (found == _DAMAGED and os.getpid() != self._pid):
                if original is None:
                    original = _open(source, path)
                _save(original, w, round(height * w / width) or 1, fmt, cached, made_as)
                self.resized += 1
                if found == _DAMAGED:
                    self._damaged(cached, source, path, w)
            name = f"{FOLDER}/{stem}-{w}w.{key}.{ending}"
            self._outputs[name] = Output(name, copy_from=cached)
            made.append((w, urls.href(self._base, "/" + name)))
        if original is not None:
            original.close()
        srcset = ", ".join(f"{url} {w}w" for w, url in made)
        return Picture(made[-1][1], srcset, largest, round(height * largest / width) or 1)

    def _damaged(self, cached: Path, source: str, path: Path, width: int) -> None:
        """Warn that a resized file of the cache was damaged: not the editor's mistake, so a
        warning even with --strict; the build's report keeps it for this build only."""
        if self._problems is None:
            return
        root = path.parents[source.count("/")]  # the photo is the site's file `source`
        shown = cached.relative_to(root).as_posix() if cached.is_relative_to(root) else str(cached)
        message = f"this copy of {source}, {width} px wide, was damaged (cut short, changed or replaced by another file); made it again"
        self._problems.add(Problem(Location(shown), message, "warning"))


_MADE, _MISSING, _UNKNOWN, _DAMAGED = "made", "missing", "unknown", "damaged"


def _digest(made_as: str, data: bytes) -> str:
    """What ties a resized file to what it was made from: its bytes, and `made_as` (the
    photo's bytes, the width and RECIPE, hashed)."""
    return hashlib.blake2b(made_as.encode() + b"\n" + data, digest_size=16).hexdigest()


def _digest_file(cached: Path) -> Path:
    return cached.with_name(cached.name + ".digest")


def _check(cached: Path, made_as: str) -> str:
    """Whether the cache holds the resized file `made_as` asks for, checked against the
    digest written when it was made: _MADE; _MISSING; _UNKNOWN (no digest beside it, as
    an older alagen left it, or a build stopped before writing it); _DAMAGED."""
    try:
        recorded = _digest_file(cached).read_bytes()
    except OSError:
        return _UNKNOWN if cached.exists() else _MISSING
    try:
        data = cached.read_bytes()
    except FileNotFoundError:
        return _MISSING
    except OSError:
        return _DAMAGED
    return _MADE if recorded.strip() == _digest(made_as, data).encode() else _DAMAGED


def _links_from(page) -> str:
    """Where a page's paths start: its own folder, or content/ for a record's page."""
    return page.source if page.source.startswith("content/") else "content/"


# Larger than any camera's photo (a 100-megapixel one is 102 million pixels). Decoding takes
# four bytes a pixel, so a bigger image, or a small file that claims to be huge (a
# "decompression bomb"), is refused from its header before it is decoded.
MAX_PIXELS = 120_000_000


class _TooLarge(ValueError):
    """An image over MAX_PIXELS: its message already says what to do."""


def _open_header(source: str, path: Path):
    """Image.open with alagen's own size limit instead of Pillow's warning and exception."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # checked below, with a message that says what to do
    image = Image.open(path)
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise _TooLarge(
            f"{source} is {width:,} x {height:,} pixels, more than the {MAX_PIXELS // 1_000_000} megapixels alagen "
            "resizes; save it smaller (4,000 pixels wide is plenty for a web page)"
        )
    return image


def _open(source: str, path: Path):
    """The photo, turned upright as the camera meant it (EXIF orientation)."""
    from PIL import ImageOps, UnidentifiedImageError

    try:
        with _open_header(source, path) as image:
            image.load()
            return ImageOps.exif_transpose(image)
    except _TooLarge:
        raise
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise _unreadable(source, err) from err


def _unreadable(source: str, err: Exception) -> ValueError:
    from PIL import UnidentifiedImageError

    reason = "it is not a JPEG, PNG, WebP or GIF file" if isinstance(err, UnidentifiedImageError) else str(err)
    return ValueError(f"{source} cannot be read as an image ({reason}); save it again as a JPEG or PNG")


def _raster_size(source: str, path: Path) -> tuple[int, int]:
    """Width and height as shown, reading only the header (EXIF orientations 5-8 turn it)."""
    from PIL import UnidentifiedImageError

    try:
        with _open_header(source, path) as image:
            width, height = image.size
            turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
    except _TooLarge:
        raise
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise _unreadable(source, err) from err
    return (height, width) if turned else (width, height)


def _save(image, width: int, height: int, fmt: str, target: Path, made_as: str) -> None:
    """One resized copy, without the photo's metadata (camera, GPS), and its digest beside
    it (see _check), each written atomically so a build that is stopped leaves no half
    file in the cache."""
    from PIL import Image

    resized = image if image.size == (width, height) else image.resize((width, height), Image.Resampling.LANCZOS)
    if fmt == "JPEG" and resized.mode not in ("RGB", "L"):
        resized = resized.convert("RGB")
    options = {"JPEG": {"quality": 82, "optimize": True, "progressive": True}, "WEBP": {"quality": 80, "method": 6},
               "PNG": {"optimize": True}}[fmt]
    buffer = io.BytesIO()
    resized.save(buffer, fmt, **options)
    data = buffer.getvalue()
    target.parent.mkdir(parents=True, exist_ok=True)
    _write(target, data)
    _write(_digest_file(target), (_digest(made_as, data) + "\n").encode())


def _write(target: Path, data: bytes) -> None:
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes it private
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _svg_size(path: Path) -> tuple[int | None, int | None]:
    """An SVG's width and height in pixels (attributes, else its viewBox), if it says."""
    import xml.etree.ElementTree as ET  # loaded for an SVG, only

    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return None, None
    number = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$")
    width, height = (number.match(root.get(k, "")) for k in ("width", "height"))
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = root.get("viewBox", "").replace(",", " ").split()
    if len(box) == 4:
        try:
            return round(float(box[2])), round(float(box[3]))
        except ValueError:
            pass
    return None, None
