"""Pretty URLs from source paths, and the rules that keep every output inside build/."""

from __future__ import annotations

import re
from urllib.parse import quote

from alagen.errors import visible

# A URL whose last segment has one of these endings is written as that file, not as a folder.
FILE_ENDINGS = (".html", ".xml", ".txt", ".json", ".ics", ".webmanifest")
_ESCAPE = re.compile(r"(%[0-9A-Fa-f]{2})")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\?#%<>\"'`|*:]")
# The longest part of a URL, in bytes: each part is a folder name under build/, and file
# systems allow names of 255 bytes (the longest in the demo has under 80).
MAX_PART = 200


def url_for_source(relative: str, slug: str | None = None) -> str:
    """The URL of content/<relative>: about/mission.md -> /about/mission/, about/index.md -> /about/."""
    folder, _, name = relative.rpartition("/")
    stem = name.removesuffix(".md")
    parts = [p for p in folder.split("/") if p]
    if slug is not None:
        if stem == "index":
            parts = parts[:-1]
        parts.append(slug)
    elif stem != "index":
        parts.append(stem)
    return "/" + "".join(p.replace(" ", "-") + "/" for p in parts)


def check_slug(slug: str, what: str = "slug") -> str | None:
    """Why `slug` cannot be one part of a URL, or None when it is fine."""
    if not slug or slug in (".", ".."):
        return f"{what} '{slug}' is not a name; use lowercase words joined by hyphens, e.g. 'annual-report'"
    if "/" in slug or "\\" in slug:
        hint = "; use 'url:' to set the whole URL" if what == "slug" else ""
        return f"{what} '{slug}' must be one part of a URL, without '/'{hint}"
    if " " in slug or _UNSAFE.search(slug):
        return f"{what} '{slug}' has characters a URL cannot hold; use lowercase words joined by hyphens"
    if len(slug.encode()) > MAX_PART:
        return (
            f"{what} '{slug[:40]}...' is {len(slug.encode())} characters long; a part of a URL becomes a "
            f"folder name, which may have at most {MAX_PART}: shorten it"
        )
    return None


def check_site_path(url: str, what: str = "url") -> str | None:
    """Why `url` cannot be a path on this site (outside build/, unsafe characters), or None."""
    if not url.startswith("/") or url.startswith("//"):
        return f"{what} '{url}' must be a path on this site starting with one '/', e.g. /about/mission/"
    segments = url.strip("/").split("/")
    if any(s in (".", "..") for s in segments):
        return f"{what} '{url}' may not contain '.' or '..' parts: it must stay inside the site"
    if "//" in url.strip("/"):
        return f"{what} '{url}' has an empty part ('//'); remove the extra slash"
    if " " in url or _UNSAFE.search(url):
        return f"{what} '{visible(url)}' has characters a URL path cannot hold (spaces, quotes, '?', '#', '%', '\\'); use hyphens"
    long = next((s for s in segments if len(s.encode()) > MAX_PART), None)
    if long is not None:
        return (
            f"{what} '{url[:40]}...' has a part of {len(long.encode())} characters; a part of a URL becomes a "
            f"folder name, which may have at most {MAX_PART}: shorten it"
        )
    return None


def normalize(url: str) -> str:
    """/about -> /about/; /404.html stays a file."""
    if url.endswith("/") or url.lower().endswith(FILE_ENDINGS):
        return url
    return url + "/"


def output_path(url: str) -> str:
    """The file under build/ that serves `url`: /about/ -> about/index.html."""
    path = url.lstrip("/")
    if not path or url.endswith("/"):
        return path + "index.html"
    return path


def href(base_path: str, url: str) -> str:
    """`url` (a site path like /about/) under the site's base path, percent-encoded; an
    escape already written (`/a%2Fb`, `?q=a%26b`) is kept as it is."""
    return "".join(
        part if _ESCAPE.fullmatch(part) else quote(part, safe="/-._~!$&'()*+,;=:@#?")
        for part in _ESCAPE.split(base_path.rstrip("/") + url)
    )
