"""Stage 3, render: the Site -> every output file (pages, assets, calendars, feeds, sitemap,
redirects)."""

from __future__ import annotations

from pathlib import Path

from alagen.errors import Problems
from alagen.markdown import Markdown
from alagen.model.site import Site
from alagen.output import Output
from alagen.render import assets, calendar, feeds, html, redirects, sitemap
from alagen.templates import LINKS_FROM_ROOT, make_environment


def render_site(
    site: Site, root: Path, asset_files, problems: Problems, cache=None, write_to: Path | None = None
) -> tuple[Output, ...]:
    """Render the whole site; raise BuildFailed with every problem found. With the build
    cache, pages and calendars it keeps are not rendered and not among the outputs: they
    stay in the output folder (cache.kept). With `write_to`, pages are written into that new
    folder as they are made (marked `staged`)."""
    markdown = Markdown(raw_html=site.settings.raw_html)
    asset_urls, asset_outputs = assets.hash_assets(asset_files, problems)
    resolve = html.make_resolver(site)
    if cache is not None:
        resolve = cache.track(resolve)

    def render_markdown(text: str) -> str:
        rendered = markdown.render(text, LINKS_FROM_ROOT, 1, resolve)
        if rendered.problems:
            raise ValueError(rendered.problems[0].message)
        return rendered.html

    env = make_environment(root / "layouts", site, asset_urls, render_markdown, resolve)
    todo = cache.plan(site, env, asset_urls) if cache is not None else site.pages
    pages, page_problems = html.render_pages(site, env, markdown, resolve, root, todo, cache, write_to)
    problems.extend(page_problems)
    if cache is not None and cache.keep_group("calendars", CALENDAR_FACETS):
        calendars = ()
    else:
        calendars = calendar.calendars(site, problems)
        if cache is not None:
            cache.made_group("calendars", calendars)
    records = calendars + feeds.feeds(site)
    problems.check()
    statics = tuple(Output(s.source.removeprefix("content/"), copy_from=s.path) for s in site.statics)
    outputs = pages + statics + asset_outputs + redirects.redirects(site)
    return outputs + records + (sitemap.sitemap(site), sitemap.robots(site))


# What the calendar files are made from: the events, which are upcoming, the build clock
# (their DTSTAMP), and the units' names (besides the settings, part of every key).
CALENDAR_FACETS = ("records:events", "current", "moment", "units")
