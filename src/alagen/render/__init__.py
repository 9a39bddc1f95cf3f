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
    site: Site, root: Path, asset_files, problems: Problems, on_page=None, cache: Path | None = None
) -> tuple[Output, ...]:
    """Render the whole site; raise BuildFailed with every problem found. `on_page()` is
    called after each page (the progress bar); resized photos are kept in `cache`."""
    images = Images(site, cache or root / ".alagen-cache")
    images.check_pages(site.pages, problems)
    markdown = Markdown(raw_html=site.settings.raw_html, image=images.for_markdown)
    asset_urls, asset_outputs = assets.hash_assets(asset_files, problems)
    resolve = html.make_resolver(site)

    def render_markdown(text: str) -> str:
        rendered = markdown.render(text, LINKS_FROM_ROOT, 1, resolve)
        if rendered.problems:
            raise ValueError(rendered.problems[0].message)
        return rendered.html

    env = make_environment(root / "layouts", site, asset_urls, render_markdown, resolve)
    env.globals["picture"] = images.tag
    pages, page_problems = html.render_pages(site, env, markdown, resolve, root, on_page)
    problems.extend(page_problems)
    records = calendar.calendars(site, problems) + feeds.feeds(site)
    problems.check()
    statics = tuple(Output(s.source.removeprefix("content/"), copy_from=s.path) for s in site.statics)
    outputs = pages + statics + asset_outputs + images.outputs() + redirects.redirects(site)
    outputs += records + (sitemap.sitemap(site), sitemap.robots(site))
    redirects.check_made_targets(site, outputs, problems)
    problems.check()
    return outputs
