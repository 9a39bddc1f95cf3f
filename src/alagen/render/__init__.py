"""Stage 3, render: the Site -> every output file (pages, assets, calendars, feeds, sitemap,
redirects)."""

from __future__ import annotations

from pathlib import Path

from alagen.errors import Problems
from alagen.markdown import Markdown
from alagen.model.site import Site
from alagen.output import Output
from alagen.render import assets, calendar, feeds, html, redirects, sitemap
from alagen.render.images import Images
from alagen.templates import LINKS_FROM_ROOT, make_environment


def render_site(
    site: Site,
    root: Path,
    asset_files,
    problems: Problems,
    cache=None,
    write_to: Path | None = None,
    on_page=None,
    photo_cache: Path | None = None,
) -> tuple[Output, ...]:
    """Render the whole site; raise BuildFailed with every problem found. With the build
    cache, pages and calendars it keeps are not rendered and not among the outputs: they
    stay in the output folder (cache.kept). With `write_to`, pages are written into that new
    folder as they are made (marked `staged`). `on_page(n)` is told of pages done (the
    progress bar); resized photos are kept in `photo_cache`."""
    images = Images(site, photo_cache or root / ".alagen-cache")
    images.check_pages(site.pages, problems)
    markdown = Markdown(raw_html=site.settings.raw_html, image=images.for_markdown, typographer=site.settings.typographer)
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
    env.globals["picture"] = images.tag
    todo = cache.plan(site, env, asset_urls) if cache is not None else site.pages
    if cache is not None:
        images.adopt(cache.kept_photos())  # the resized photos of pages that are not rendered again
    if on_page and len(todo) < len(site.pages):
        on_page(len(site.pages) - len(todo))  # the pages the cache keeps are done already
    pages, page_problems = html.render_pages(site, env, markdown, resolve, root, todo, cache, write_to, on_page, images)
    problems.extend(page_problems)
    calendars = _group(cache, "calendars", CALENDAR_FACETS, lambda: calendar.calendars(site, problems))
    records = calendars + _group(cache, "feeds", FEED_FACETS, lambda: feeds.feeds(site))
    problems.check()
    statics = tuple(Output(s.source.removeprefix("content/"), copy_from=s.path) for s in site.statics)
    outputs = pages + statics + asset_outputs + images.outputs() + redirects.redirects(site)
    outputs += records + _group(cache, "sitemap", SITEMAP_FACETS, lambda: (sitemap.sitemap(site),)) + (sitemap.robots(site),)
    redirects.check_made_targets(site, outputs, problems, kept=cache.kept if cache is not None else ())
    problems.check()
    return outputs


def _group(cache, name: str, facets: tuple[str, ...], make) -> tuple[Output, ...]:
    """Outputs made from site-wide values: left as they are when those did not change."""
    if cache is not None and cache.keep_group(name, facets):
        return ()
    made = tuple(make())
    if cache is not None:
        cache.made_group(name, made)
    return made


# What the calendar files are made from: the events, which are upcoming, the build day
# (their DTSTAMP), and the units' names (besides the settings, part of every key).
CALENDAR_FACETS = ("records:events", "current", "today", "units")
# The feeds: news items (their values, not their text), open jobs, units' names, and the
# build clock (a feed without entries is as new as the build).
FEED_FACETS = ("news", "current", "records:jobs", "units", "moment")
# The sitemap: every page's address and date.
SITEMAP_FACETS = ("pages",)
