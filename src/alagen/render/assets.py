"""Theme assets from layouts/assets/, published under content-hashed names.

A hashed name changes whenever the bytes do, so browsers and Netlify may cache assets
forever. References between assets in CSS (`url(../fonts/x.woff2)`) are rewritten to the
hashed names, and a CSS file is hashed after that rewrite.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from typing import Mapping

from alagen.errors import Location, Problems
from alagen.load import StaticFile
from alagen.output import Output

PREFIX = "layouts/assets/"
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def hash_assets(assets: tuple[StaticFile, ...], problems: Problems) -> tuple[Mapping[str, str], tuple[Output, ...]]:
    """(name -> site URL, outputs). 'css/site.css' -> '/assets/css/site.1a2b3c4d5e.css'."""
    urls: dict[str, str] = {}
    outputs = []
    # CSS last, so the files it refers to already have their hashed names.
    for asset in sorted(assets, key=lambda a: (a.source.endswith(".css"), a.source)):
        name = asset.source.removeprefix(PREFIX)
        data = asset.path.read_bytes()
        if name.endswith(".css"):
            try:
                data = _rewrite_css(data.decode("utf-8"), name, urls).encode("utf-8")
            except UnicodeDecodeError as err:
                problems.error(Location(asset.source), f"this stylesheet is not UTF-8 (byte {err.start}); save it as UTF-8")
                continue
        digest = hashlib.sha256(data).hexdigest()[:10]
        stem, dot, ending = name.rpartition(".")
        hashed = f"assets/{stem}.{digest}.{ending}" if dot else f"assets/{name}.{digest}"
        urls[name] = "/" + hashed
        outputs.append(Output(hashed, data=data))
    return urls, tuple(outputs)


def _rewrite_css(css: str, name: str, urls: Mapping[str, str]) -> str:
    folder = posixpath.dirname(name)

    def swap(match: re.Match) -> str:
        target = match.group(2).strip()
        path, sep, rest = target.partition("?") if "?" in target else target.partition("#")
        resolved = posixpath.normpath(posixpath.join(folder, path))
        if resolved not in urls:
            return match.group(0)
        own = "/" + posixpath.join("assets", folder) if folder else "/assets"
        return f'url("{posixpath.relpath(urls[resolved], own)}{sep}{rest}")'

    return _CSS_URL.sub(swap, css)
