"""Pages to HTML: Markdown body, then the page's layout around it."""

from __future__ import annotations

import dataclasses
import difflib
import posixpath
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

import jinja2
from markupsafe import Markup

from alagen import parallel
from alagen.errors import LinkWarning, Problem, SourceError
from alagen.markdown import Markdown, Resolver
from alagen.model import urls
from alagen.model.site import Site
from alagen.output import Output
from alagen.templates import LINKS_FROM_ROOT, same_mistake, template_problem


def linked_file(path: str, source: str) -> str:
    """The file a link's path names, from the folder of `source` or from content/ with a
    leading '/'. Files are named as typed (café.md); the path comes percent-encoded."""
    typed = unquote(path)
    if typed.startswith("/"):
        return posixpath.normpath("content" + typed)
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), typed))


def make_resolver(site: Site) -> Resolver:
    """Rewrite a link written in `source` to a URL; raise ValueError if it leads nowhere.

    `page.md`, `../about/index.md` and `/about/index.md` name pages by source path;
    other relative links name files under content/ (images, PDFs)."""
    base = site.settings.base_path
    statics = {s.source for s in site.statics}
    # Suggestions compare paths without the 'content/' and '.md' they all share (which would
    # make any two short names alike).
    names = tuple(s.removeprefix("content/").removesuffix(".md") for s in (*site.by_source, *site.hidden))

    def resolve(target: str, source: str) -> str:
        path, mark, fragment = target.partition("#")
        path, question, query = path.partition("?")
        suffix = (question + query) + (mark + fragment)
        if not path:
            return target
        typed, candidate = unquote(path), linked_file(path, source)
        if typed.endswith(".md"):
            if not candidate.startswith("content/"):
                raise ValueError(f"the link '{unquote(target)}' leads outside content/; link pages by their file under content/")
            page, note = site.page(candidate), site.schedule(candidate)
            if page:
                href = urls.href(base, page.url) + suffix
                if note:
                    raise LinkWarning(
                        f"links to {candidate}, which expires on {note[1].isoformat()}; from then on this link is "
                        "shown as plain words: link another page, or change that page's 'expires:'",
                        href,
                    )
                return href
            if note:  # it expired: time broke it, and the build goes on
                raise LinkWarning(
                    f"links to {candidate}, which {site.hidden[candidate]}; the link is shown as plain words: "
                    "remove it or link another page"
                )
            if candidate in site.hidden:
                raise ValueError(f"links to {candidate}, which {site.hidden[candidate]}; it would be a broken link")
            name = candidate.removeprefix("content/").removesuffix(".md")
            guess = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
            hint = f"; did you mean content/{guess[0]}.md?" if guess else ""
            raise ValueError(f"links to {candidate}, which does not exist{hint}")
        if path.startswith("/"):
            return urls.href(base, path) + suffix  # a site URL written out: kept, under the base path
        if candidate in statics:
            return urls.href(base, "/" + candidate.removeprefix("content/")) + suffix
        raise ValueError(
            f"links to {candidate}, which is not a file under content/; "
            "link a page by its .md file, or put the file next to the page"
        )

    return resolve


def render_pages(
    site: Site,
    env: jinja2.Environment,
    markdown: Markdown,
    resolve: Resolver,
    root: Path,
    pages=None,
    cache=None,
    write_page: Callable[[Output], None] | None = None,
    on_page=None,
    images=None,
    checking: bool = False,
) -> tuple[tuple[Output, ...], list[Problem]]:
    """Every published page (or just `pages`) through Markdown and its layout, over all cores
    for a large site. Template errors are reported once, however many pages they break.
    With the build cache, `resolve` is its recorder, and the cache learns what each page used.
    With `write_page` (see render_site), each page is written as it is made, by the worker
    that made it. `on_page(n)`: n more pages are done (the progress bar).
    `images` (render/images.py) learns of the photos each page showed, also from workers.
    `checking`: the site is only checked, since earlier stages found errors (pipeline.py);
    a page that cannot be rendered at all then gives nothing, and the others are checked."""
    lookups = cache.lookups if cache is not None else None

    def render(page) -> tuple[Output | None, tuple[Problem, ...], Problem | None]:
        rendered = markdown.render(page.body, page.source, page.body_line, resolve, link_from(page), page.body_col)
        try:
            template = env.get_template(f"{page.layout}.html")
            text = template.render(page=page, content=Markup(rendered.html), toc=rendered.toc)
        except SourceError as err:
            return None, rendered.problems + (err.problem,), None
        except Exception as err:  # a template mistake: report it at the template line
            return None, rendered.problems, template_problem(err, root, page.source, env)
        return Output(page.output, data=text.encode("utf-8")), rendered.problems, None

    def one(page) -> tuple[Output | None, tuple[Problem, ...], Problem | None, str, tuple[str, ...]]:
        if lookups is not None:
            lookups.start()
        if images is not None:
            images.start()
        try:
            try:
                output, found, error = render(page)
            except Exception:
                if not checking:
                    raise
                output, found, error = None, (), None  # a value the model reported as wrong: not checkable
            if output is not None and write_page is not None:
                write_page(output)
                output = dataclasses.replace(output, staged=True)
        finally:
            used = lookups.stop() if lookups is not None else ""
            photos = images.stop() if images is not None else ()
        return output, found, error, used, photos

    problems: list[Problem] = []
    template_errors: dict[tuple, Problem] = {}
    outputs = []
    pages = site.pages if pages is None else pages
    for page, (output, page_problems, template_error, used, photos) in zip(pages, parallel.run_all(one, pages, on_page)):
        problems.extend(page_problems)
        if images is not None:
            images.adopt(photos)  # a worker's resized files are in the cache folder; publish them here
        if template_error:
            # One mistake, however many pages it breaks; a page whose values show the name meant wins.
            key = same_mistake(template_error)
            known = template_errors.get(key)
            if known is None or "did you mean" in template_error.message and "did you mean" not in known.message:
                template_errors[key] = template_error
        if output:
            outputs.append(output)
            if cache is not None:
                cache.rendered(page, used, photos)
    problems.extend(template_errors.values())
    return tuple(outputs), problems


def link_from(page) -> str:
    """Where relative links in the page's body start: its own folder, or content/ for a
    record's body (data/events.yaml), as in layouts."""
    return page.source if page.source.startswith("content/") else LINKS_FROM_ROOT
