"""Old URLs (pages' `aliases` and data/redirects.yaml) that lead to the new address.

Netlify reads build/_redirects; the rules are forced (`301!`) so the HTML fallback pages
never shadow them. Hosts without redirect rules serve the fallback page, which points
search engines at the new URL (canonical) and sends visitors on at once (refresh); for
content that is gone (410) it says so.
"""

from __future__ import annotations

from markupsafe import escape

from alagen.model import urls
from alagen.errors import Problems
from alagen.model.redirects import MADE_FILE_ENDINGS, Redirect
from alagen.model.site import NOT_FOUND_URL, Site
from alagen.output import Output
from alagen.render.sitemap import absolute


def redirects(site: Site) -> tuple[Output, ...]:
    rules = []
    outputs = []
    base = site.settings.base_path
    for redirect in site.redirects:
        source = urls.href(base, redirect.source)
        output = urls.output_path(urls.normalize(redirect.source))
        if redirect.status == 410:
            rules.append(f"{source} {urls.href(base, NOT_FOUND_URL)} 410!")
            outputs.append(Output(output, data=_gone(site)))
            continue
        target = redirect.target if redirect.external else urls.href(base, redirect.target)
        rules.append(f"{source} {target} {redirect.status}!")
        outputs.append(Output(output, data=_moved(site, redirect, target)))
    if rules:
        outputs.append(Output("_redirects", data=("\n".join(rules) + "\n").encode("utf-8")))
    return tuple(outputs)


def check_made_targets(site: Site, outputs: tuple[Output, ...], problems: Problems, kept=()) -> None:
    """A redirect to a file the render stage makes (a feed, a calendar) is checked here,
    once every output is known: the model cannot see them. `kept`: files the build cache
    left in the output folder as they were (calendars it did not make again)."""
    paths = {o.path for o in outputs} | set(kept)
    for redirect in site.redirects:
        target = redirect.target
        if redirect.external or not target.lower().endswith(MADE_FILE_ENDINGS):
            continue
        if target.lstrip("/") not in paths:
            problems.error(
                redirect.location,
                f"the redirect from {redirect.source} leads to {target}, where there is no page; "
                "point it at an existing page",
            )


def _moved(site: Site, redirect: Redirect, target: str) -> bytes:
    canonical = escape(redirect.target if redirect.external else absolute(site, redirect.target))
    target = escape(target)
    return _html(
        site,
        f"Moved to {target}",
        f'<link rel="canonical" href="{canonical}">\n<meta http-equiv="refresh" content="0; url={target}">\n',
        f'<p>This page has moved to <a href="{target}">{canonical}</a>.</p>',
    )


def _gone(site: Site) -> bytes:
    home = escape(urls.href(site.settings.base_path, "/"))
    return _html(
        site,
        "Page removed",
        "",
        f'<h1>Page removed</h1>\n<p>This page has been removed. Start again from the <a href="{home}">home page</a>.</p>',
    )


def _html(site: Site, title: str, head: str, body: str) -> bytes:
    return (
        "<!doctype html>\n"
        f'<html lang="{escape(site.settings.language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n{head}"
        '<meta name="robots" content="noindex">\n'
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    ).encode("utf-8")
