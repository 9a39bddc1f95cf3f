"""Stage 3, render: the Site -> every output file (pages, assets, calendars, feeds, sitemap,
redirects)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from alagen.errors import Problem, Problems
from alagen.markdown import Markdown, Resolver
from alagen.model.pages import Page
from alagen.model.site import Site
from alagen.output import Output
from alagen.render import assets, calendar, feeds, html, jsonld, redirects, sitemap
from alagen.render.images import Images
from alagen.templates import LINKS_FROM_ROOT, make_environment


def render_site(
    site: Site,
    root: Path,
    asset_files,
    problems: Problems,
    cache=None,
    write_page: Callable[[Output], None] | None = None,
    on_page=None,
    photo_cache: Path | None = None,
    errors: tuple[Problem, ...] = (),
    invalid: frozenset[str] = frozenset(),
) -> tuple[Output, ...]:
    """Render the whole site; raise BuildFailed with every problem found. With the build
    cache, pages and calendars it keeps are not rendered and not among the outputs: they
    stay in the output folder (cache.kept). With `write_page` (the pipeline's writer into a
    new folder: render never writes itself), each page is written as it is made, by the
    worker that made it, which saves sending its bytes back (marked `staged`). `on_page(n)` is told of pages done (the
    progress bar); resized photos are kept in `photo_cache`.

    `errors`: the load and model stages' errors, when they found any. The site is then only
    checked, so that one build reports every mistake (pipeline.py): the pages those errors
    are about are not rendered (their wrong values would only make more, misleading
    problems), a link to a file that could not become a page (`invalid`) is no new problem,
    and a part that cannot be made at all is left unchecked."""
    checking = bool(errors)

    def attempt(make, otherwise=()):
        """make(), or, while checking a site with errors, `otherwise` if it cannot be made."""
        nonlocal whole
        if not checking:
            return make()
        try:
            return make()
        except Exception:
            whole = False
            return otherwise

    whole = True  # every part was made (so the redirects to made files can be checked)
    images = Images(site, photo_cache or root / ".alagen-cache")
    attempt(lambda: images.check_pages(site.pages, problems))
    attempt(lambda: images.check_shared(site, problems))
    markdown = Markdown(raw_html=site.settings.raw_html, image=images.for_markdown, typographer=site.settings.typographer)
    asset_urls, asset_outputs = assets.hash_assets(asset_files, problems)
    resolve = html.make_resolver(site)
    if invalid:
        resolve = _quiet_about(resolve, invalid)
    if cache is not None:
        resolve = cache.track(resolve)

    def render_markdown(text: str) -> str:
        rendered = markdown.render(text, LINKS_FROM_ROOT, 1, resolve)
        errors = [p for p in rendered.problems if p.severity == "error"]  # a link's warning is no reason to stop
        if errors:
            raise ValueError(errors[0].message)
        return rendered.html

    env = make_environment(root / "layouts", site, asset_urls, render_markdown, resolve)
    env.globals["jsonld"] = lambda page: jsonld.script(site, page)
    env.globals["picture"] = images.tag
    env.globals["share_image"] = images.shared
    todo = cache.plan(site, env, asset_urls) if cache is not None else site.pages
    if cache is not None:
        images.adopt(cache.kept_photos())  # the resized photos of pages that are not rendered again
    if on_page and len(todo) < len(site.pages):
        on_page(len(site.pages) - len(todo))  # the pages the cache keeps are done already
    if checking:
        todo = _not_about(todo, errors)
    pages, page_problems = html.render_pages(site, env, markdown, resolve, root, todo, cache, write_page, on_page, images, checking)
    for problem in page_problems:  # a page's warnings are errors with --strict, as the model's are
        if problem.severity == "warning":
            problems.warning(problem.location, problem.message, problem.span)
        else:
            problems.add(problem)
    calendars = attempt(lambda: _group(cache, "calendars", CALENDAR_FACETS, lambda: calendar.calendars(site, problems)))
    records = calendars + attempt(lambda: _group(cache, "feeds", FEED_FACETS, lambda: feeds.feeds(site)))
    # Made even when a page failed: the redirects to made files are checked with the rest.
    statics = tuple(Output(s.source.removeprefix("content/"), copy_from=s.path) for s in site.statics)
    outputs = pages + statics + asset_outputs + images.outputs() + attempt(lambda: redirects.redirects(site))
    outputs += records + attempt(lambda: _group(cache, "sitemap", SITEMAP_FACETS, lambda: (sitemap.sitemap(site),)))
    outputs += (sitemap.robots(site),)
    if whole:
        redirects.check_made_targets(site, outputs, problems, kept=cache.kept if cache is not None else ())
    problems.check()
    return outputs


def _not_about(pages, errors: tuple[Problem, ...]) -> list[Page]:
    """The pages none of `errors` is about: not in the page's own file, nor at a value it took
    (from a folder's _defaults.yaml, its record's entry, or those of a listing's items)."""
    files = {e.location.path for e in errors}
    places = {e.location for e in errors}

    def touched(item) -> bool:
        if type(item) is Page:
            if item.record is None and item.source in files:
                return True
            return any(w in places for w in item.where.values()) or any(touched(i) for i in item.items)
        return any(w in places for w in getattr(item, "where", {}).values())

    return [page for page in pages if not touched(page)]


def _quiet_about(resolve: Resolver, invalid: frozenset[str]) -> Resolver:
    """The resolver, but a link to one of the files `invalid` (which could not become pages;
    their errors are reported) is not reported again as leading nowhere."""

    def resolve_quietly(target: str, source: str) -> str:
        try:
            return resolve(target, source)
        except ValueError:
            if html.linked_file(target.partition("#")[0].partition("?")[0], source) in invalid:
                return "#"  # the site is only checked: nothing is written
            raise

    return resolve_quietly


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
