"""Old URLs (a page's `aliases`) that lead to the page's new address.

Netlify reads build/_redirects; the rules are forced (`301!`) so the HTML fallback pages
never shadow them. Hosts without redirect rules serve the fallback page, which points
search engines at the new URL (canonical) and sends visitors on at once (refresh).
"""

from __future__ import annotations

from markupsafe import escape

from alagen.model import urls
from alagen.model.site import Site
from alagen.output import Output
from alagen.render.sitemap import absolute


def redirects(site: Site) -> tuple[Output, ...]:
    rules = []
    outputs = []
    base = site.settings.base_path
    for page in site.pages:
        target = urls.href(base, page.url)
        for alias in page.aliases:
            rules.append(f"{urls.href(base, alias)} {target} 301!")
            outputs.append(Output(urls.output_path(urls.normalize(alias)), data=_fallback(site, page.url, target)))
    if rules:
        outputs.append(Output("_redirects", data=("\n".join(sorted(rules)) + "\n").encode("utf-8")))
    return tuple(outputs)


def _fallback(site: Site, url: str, target: str) -> bytes:
    canonical = escape(absolute(site, url))
    target = escape(target)
    return (
        "<!doctype html>\n"
        f'<html lang="{escape(site.settings.language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Moved to {target}</title>\n"
        f'<link rel="canonical" href="{canonical}">\n'
        f'<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        f'</head>\n<body>\n<p>This page has moved to <a href="{target}">{canonical}</a>.</p>\n</body>\n</html>\n'
    ).encode("utf-8")
