"""Links: every internal address and #anchor leads somewhere in the built site; external
addresses are collected for --external."""

from __future__ import annotations

import difflib
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import unquote, urlsplit

from alagen.check.findings import Issue
from alagen.check.parse import HtmlFile

# (tag, attribute) pairs that load or lead to an address.
LINK_ATTRIBUTES = (
    ("a", "href"), ("area", "href"), ("link", "href"), ("img", "src"), ("script", "src"),
    ("iframe", "src"), ("source", "src"), ("video", "src"), ("audio", "src"), ("track", "src"),
    ("form", "action"), ("object", "data"), ("video", "poster"),
)
SRCSET_TAGS = ("img", "source")
IGNORED_SCHEMES = ("mailto", "tel", "data", "javascript", "sms", "webcal", "blob", "about")


@dataclass(frozen=True, slots=True)
class Link:
    href: str  # as written in the built page
    line: int
    col: int
    tag: str = ""


@dataclass(frozen=True, slots=True)
class External:
    url: str
    line: int
    col: int


class BuiltSite:
    """The files of a build folder, and the ids of its pages (parsed when first asked)."""

    def __init__(self, folder: Path, base_url: str, base_path: str, parse: Callable[[str], HtmlFile | None]):
        self.folder = folder
        self.files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        self.base_url = base_url.rstrip("/") + "/"
        self.base_path = base_path
        self.redirected: set[str] = set()  # 'from' paths of _redirects rules
        self._parse = parse

    def output_for(self, path: str) -> str | None:
        """The built file a site path (under the base path, decoded) is served from."""
        if not path.startswith(self.base_path):
            return None
        rest = path[len(self.base_path):]
        for candidate in (rest, rest.rstrip("/") + "/index.html" if rest else "index.html"):
            candidate = candidate.lstrip("/")
            if candidate in self.files:
                return candidate
        return None

    def noindex(self, output: str) -> bool:
        """The page asks search engines to leave it out (<meta name="robots" content="noindex">)."""
        doc = self._parse(output)
        return doc is not None and doc.noindex()

    def ids(self, output: str) -> set[str] | None:
        doc = self._parse(output)
        return doc.ids() if doc else None


def links_of(doc: HtmlFile) -> Iterator[Link]:
    """Every address in the page that loads or leads somewhere, in document order."""
    for element in doc.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        for name, attribute in LINK_ATTRIBUTES:
            if tag == name and element.get(attribute):
                line, col = doc.where(element)
                yield Link(element.get(attribute).strip(), line, col, tag)
        if tag in SRCSET_TAGS and element.get("srcset"):
            line, col = doc.where(element)
            for candidate in element.get("srcset").split(","):
                if candidate.strip():
                    yield Link(candidate.split()[0], line, col, tag)


def page_url(output: str) -> str:
    """The site path a built file answers at: about/index.html -> /about/."""
    if output == "index.html":
        return "/"
    if output.endswith("/index.html"):
        return "/" + output.removesuffix("index.html")
    return "/" + output


def check_links(doc: HtmlFile, site: BuiltSite, externals: list[External]) -> Iterator[Issue]:
    """The link and anchor rules for one page; external addresses go to `externals`."""
    here = site.base_path.rstrip("/") + page_url(doc.path)
    for link in links_of(doc):
        href = link.href
        parts = urlsplit(href)
        if parts.scheme.lower() in IGNORED_SCHEMES:
            continue
        own = False
        if parts.scheme or href.startswith("//"):
            absolute = href if parts.scheme else "https:" + href
            if not absolute.startswith(site.base_url):
                if parts.scheme.lower() in ("http", "https", ""):
                    externals.append(External(absolute, link.line, link.col))
                continue
            parts = urlsplit(site.base_path.rstrip("/") + "/" + absolute[len(site.base_url):])
            own = True
        if not parts.path:  # '#top' or '?q=': this page
            target, path = doc.path, here
        else:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(here) + "/", unquote(parts.path)))
            if parts.path.endswith("/") and not path.endswith("/"):
                path += "/"
            target = site.output_for(path)
            if target is None:
                if path in site.redirected or path.rstrip("/") in site.redirected:
                    continue
                if own and link.tag in ("a", "area"):
                    # A full address on the site's own domain that this build does not make:
                    # another system there (a shop, a login) may answer it; --external asks.
                    externals.append(External(href, link.line, link.col))
                    continue
                yield _broken(href, path, link)
                continue
        if parts.fragment and target.endswith(".html"):
            yield from _anchor(href, unquote(parts.fragment), target, doc, site, link)


def _broken(href: str, path: str, link: Link) -> Issue:
    if posixpath.splitext(path.rstrip("/"))[1] not in ("", ".html"):
        hint = "put the file under content/ and link it by its path there"
    else:
        hint = "link pages by their .md file so the build checks them"
    return Issue("link", f"links to {href}, which is not in the built site; {hint}", link.line, link.col, (href, path))


def _anchor(href: str, fragment: str, target: str, doc: HtmlFile, site: BuiltSite, link: Link) -> Iterator[Issue]:
    if not fragment or fragment.lower() == "top":  # '#' and '#top' go to the top of any page
        return
    ids = doc.ids() if target == doc.path else site.ids(target)
    if ids is None or fragment in ids:
        return
    known = sorted(ids)
    guess = [i for i in known if i.startswith(fragment) or fragment.startswith(i)]
    guess = guess or difflib.get_close_matches(fragment, known, n=1, cutoff=0.6)
    hint = f"; did you mean #{guess[0]}?" if guess else ""
    where = "this page" if target == doc.path else page_url(target)
    yield Issue(
        "anchor",
        f"links to {href}, but {where} has no heading or element with the id '{fragment}'{hint}",
        link.line,
        link.col,
        (href, "#" + fragment),
    )
