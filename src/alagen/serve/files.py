"""Which file a request path names, safely: pretty URLs, and nothing outside the site.

A request path is refused (treated as not found) when it has encoded slashes or NUL bytes,
'.' or '..' parts, hidden names, or leads through a link to a place outside the folder.
"""

from __future__ import annotations

import functools
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

# Set here rather than taken from the machine's /etc/mime.types, which differs between machines.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",  # browsers refuse to stream-compile WebAssembly without it
    # Pagefind's index files are its own binary formats.
    ".pagefind": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
}
_PLAIN_NAMES = {"_redirects", "_headers"}  # Netlify's files: readable as text
_REFUSED = re.compile(r"%(2f|5c|00)", re.IGNORECASE)


def content_type(path: Path) -> str:
    if path.name in _PLAIN_NAMES:
        return "text/plain; charset=utf-8"
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Found:
    """A file to send, or an address to redirect to (a folder asked for without its '/')."""

    file: Path | None = None
    redirect: str | None = None


def request_parts(raw_path: str) -> list[str] | None:
    """The decoded parts of a still-encoded request path, or None if it is not acceptable."""
    if _REFUSED.search(raw_path):
        return None
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\0" in path or "\\" in path or not path.startswith("/"):
        return None
    parts = [part for part in path.split("/") if part]
    if any(part.startswith(".") for part in parts):  # '.', '..' and hidden files
        return None
    return parts


@functools.lru_cache(maxsize=64)
def _real_folder(folder: str) -> str:
    """The served folders are made by the session and never links: resolved once, not for
    every request (a third of a static file's time under load)."""
    return os.path.realpath(folder)


def locate(folder: Path, parts: list[str], trailing_slash: bool, prefix: str = "/") -> Found | None:
    """The file for a request below `folder` (URL path `prefix` + parts), or None."""
    top = _real_folder(str(folder))
    target = os.path.realpath(os.path.join(top, *parts))
    if target != top and not target.startswith(top + os.sep):
        return None  # a link that leads out of the site
    if os.path.isdir(target):
        if not trailing_slash and parts:
            return Found(redirect=prefix + "/".join(quote(part) for part in parts) + "/")
        index = os.path.realpath(os.path.join(target, "index.html"))
        if index.startswith(top + os.sep) and os.path.isfile(index):
            return Found(file=Path(index))
        return None
    if os.path.isfile(target) and not trailing_slash:
        return Found(file=Path(target))
    return None
