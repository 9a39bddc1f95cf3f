"""Old URLs that must keep working: pages' `aliases:` and data/redirects.yaml.

Checked here, where the whole site is known: each target exists, chains are followed to
their end (a -> b -> c becomes a -> c), loops, a source given twice and a redirect that
would hide a page are errors at the line that made them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Mapping

from alagen import schema
from alagen.errors import Location, Problems
from alagen.load import DataFile, StaticFile
from alagen.model import urls
from alagen.model.datalist import entries
from alagen.model.pages import Page

REDIRECTS_FILE = "redirects"
STATUSES = (301, 302, 410)
# Files the renderer makes (feeds, calendars, sitemap) are not pages: a redirect may point at them.
MADE_FILE_ENDINGS = (".xml", ".ics", ".txt", ".json")


@dataclass(frozen=True, slots=True)
class Redirect:
    source: str  # the old path, as written: /ala/mgrps/divs/core/index.cfm
    target: str  # a site path (/core/) or a full URL; "" when the content is gone (410)
    status: int  # 301, 302 or 410
    location: Location  # the `from:` line, or the page's `aliases:` line

    @property
    def external(self) -> bool:
        return self.target.startswith(("http://", "https://"))


def read_redirects(
    data: tuple[DataFile, ...],
    pages: list[Page],
    statics: tuple[StaticFile, ...],
    problems: Problems,
    invalid: frozenset[str] = frozenset(),
) -> tuple[Redirect, ...]:
    """`invalid`: the pages left out for errors of their own (reported already), which a
    redirect may name without a second error."""
    by_source = {p.source: p for p in pages}
    files = {"/" + s.source.removeprefix("content/"): s.source for s in statics}
    taken = {_key(p.url): p.source for p in pages}
    taken.update({_key(url): source for url, source in files.items()})
    # Each page's and file's URL as it is: a target is written that way (/files/a.pdf, not /files/A.PDF/).
    found = {_key(url): url for url in [p.url for p in pages] + list(files)}
    wanted = [Redirect(alias, page.url, 301, page.at("aliases")) for page in pages for alias in page.aliases]
    wanted += _from_file(data, by_source, invalid, problems)

    seen: dict[str, Redirect] = {}
    for redirect in wanted:
        key = _key(redirect.source)
        if key in taken:
            problems.error(
                redirect.location,
                f"the redirect from {redirect.source} would hide the page {taken[key]} at that URL; "
                "remove the redirect, or move the page first",
            )
        elif key in seen:
            first = seen[key].location
            problems.error(
                redirect.location,
                f"{redirect.source} is redirected twice: here and at {first}; keep one of them",
            )
        else:
            seen[key] = redirect

    final = []
    for redirect in seen.values():
        followed = _follow(redirect, seen, found, problems)
        if followed is not None:
            final.append(followed)
    return tuple(sorted(final, key=lambda r: r.source))


def _from_file(data: tuple[DataFile, ...], by_source: Mapping[str, Page], invalid, problems: Problems) -> list[Redirect]:
    result = []
    for values, pos in entries(data, REDIRECTS_FILE, schema.REDIRECT_FIELDS, "redirect", problems):
        source, status = values["from"], values.get("status", 301)
        reason = urls.check_site_path(source, "from")
        if reason:
            problems.error(pos.value("from"), reason)
            continue
        if status not in STATUSES:
            problems.error(pos.value("status"), f"status {status} is not one of 301 (moved), 302 (moved for now) or 410 (gone)")
            continue
        if status == 410:
            if "to" in values:
                problems.error(pos.key("to"), "a redirect with status 410 (gone) has no 'to'; remove it, or use 301")
                continue
            result.append(Redirect(source, "", 410, pos.value("from")))
            continue
        if "to" not in values:
            problems.error(pos.value(), f"the redirect from {source} needs 'to:' (a page like about/index.md, a path, or https://...); or 'status: 410' if it is gone")
            continue
        target = _target(values["to"], by_source, invalid, pos.value("to"), problems)
        if target is not None:
            result.append(Redirect(source, target, status, pos.value("from")))
    return result


def _target(to: str, by_source: Mapping[str, Page], invalid, where: Location, problems: Problems) -> str | None:
    """The URL `to` names: a full URL, a site path, or a page by its file under content/."""
    if to.startswith(("http://", "https://")):
        if any(c.isspace() for c in to):  # _redirects separates its fields by spaces
            problems.error(where, f"'to: {to}' has a space, which would break the redirect; write it as %20", span=len(to))
            return None
        return to
    if to.startswith("/"):
        reason = urls.check_site_path(to, "to")
        if reason:
            problems.error(where, reason)
            return None
        return urls.normalize(to)
    source = "content/" + to.removeprefix("content/")
    page = by_source.get(source)
    if page is None and source in invalid:  # the page has errors of its own, reported at its file
        return None
    if page is None:
        # Compared without the 'content/' every path shares, which would make any two look alike.
        written = [s.removeprefix("content/") for s in by_source if s.startswith("content/")]
        guess = difflib.get_close_matches(to.removeprefix("content/"), written, n=1, cutoff=0.7)
        hint = f"; did you mean '{guess[0]}'?" if guess else "; give a file under content/, a path starting with /, or https://..."
        problems.error(where, f"'to: {to}' is not a published page{hint}", span=len(to))
        return None
    return page.url


def _follow(redirect: Redirect, by_key: Mapping[str, Redirect], found: Mapping[str, str], problems: Problems) -> Redirect | None:
    """The redirect pointed at its final target; None (reported) for a loop or a missing target.
    `found` gives each page's and file's URL by its key."""
    current, visited = redirect, [redirect]
    while not current.external and current.status != 410:
        key = _key(current.target)
        if key in found:
            target = found[key]
            break
        if current.target.lower().endswith(MADE_FILE_ENDINGS):
            target = current.target
            break
        following = by_key.get(key)
        if following is None:
            if current is redirect:  # reported once, where the broken link is
                problems.error(
                    redirect.location,
                    f"the redirect from {redirect.source} leads to {redirect.target}, where there is no page; "
                    "point it at an existing page",
                )
            return None
        if following in visited:
            path = " -> ".join(r.source for r in visited) + f" -> {following.source}"
            if following is redirect:
                problems.error(redirect.location, f"redirects go round in a loop: {path}; point one of them at a page")
            return None
        visited.append(following)
        current = following
    else:
        target = current.target  # another website, or gone
    if current.status == 410:  # a chain into gone content is gone too
        return Redirect(redirect.source, "", 410, redirect.location)
    # One temporary step makes the whole way temporary: a 301 would be cached for good.
    status = 302 if any(r.status == 302 for r in visited) else redirect.status
    return Redirect(redirect.source, target, status, redirect.location)


def _key(path: str) -> str:
    """Old URLs match with or without a trailing slash and in any case, as on Netlify."""
    return path.rstrip("/").casefold() or "/"
