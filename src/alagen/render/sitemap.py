"""sitemap.xml and robots.txt."""

from __future__ import annotations

from alagen.model import urls
from alagen.model.site import NOT_FOUND_URL, Site
from alagen.output import Output

NOT_IN_SITEMAP = (NOT_FOUND_URL,)


def escape(text: str) -> str:
    """&, < and > as XML entities (xml.sax.saxutils.escape, without loading urllib.request)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def absolute(site: Site, url: str) -> str:
    """The full public address of a site path."""
    return site.settings.base_url.rstrip("/") + urls.href("/", url)


def sitemap(site: Site) -> Output:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in site.pages:
        if page.url in NOT_IN_SITEMAP or page.noindex:
            continue
        lines.append("  <url>")
        lines.append(f"    <loc>{escape(absolute(site, page.url))}</loc>")
        if page.lastmod:
            lines.append(f"    <lastmod>{page.lastmod.isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return Output("sitemap.xml", data=("\n".join(lines) + "\n").encode("utf-8"))


def robots(site: Site) -> Output:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {absolute(site, '/sitemap.xml')}\n"
    return Output("robots.txt", data=text.encode("utf-8"))
