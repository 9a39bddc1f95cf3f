"""What a layout can see, found by reading its templates (never by running them): every
template it extends, includes or imports, and which parts of the site ("facets") those
templates can reach, such as the menus, the list of all pages or the build date.

The incremental build re-renders a page when its own values, one of those templates or one
of those facets changed. Anything this reading cannot follow counts as reaching everything:
a template named by a variable, `site` passed around whole, a filter or global it does not
know (a new one added to templates.py is "everything" until it is listed here).
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2
from jinja2 import nodes

ALL = "all"

# site.<attribute> -> the facets it reads. Listed by what the value is made from.
SITE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "settings": (),  # part of every page's key already
    "unit_name": ("units",),
    "unit_names": ("units",),
    "menus": ("menus",),
    "data": ("data",),  # site.data.people -> ("data:people",), see _site_use
    "pages": ("pages",),
    "by_source": ("pages",),
    "by_url": ("pages",),
    "children_by_url": ("pages",),
    "page": ("pages",),
    "parent": ("pages",),
    "ancestors": ("pages",),
    "children": ("pages",),
    "sections": ("pages",),
    "hidden": ("pages",),
    "statics": ("pages",),
    "news": ("news",),
    "news_items": ("news",),
    "records": ("records",),
    "events": ("records:events",),
    "jobs": ("records:jobs",),
    "awards": ("records:awards",),
    "award_years": ("records:awards",),
    "publications": ("records:publications",),
    "current": ("current",),
    "upcoming_events": ("current",),
    "open_jobs": ("current",),
    "clock": ("moment",),
    "now": ("moment",),
    "divisions": ("divisions",),
    "division": ("divisions",),
    "microsite": ("divisions",),  # a division's name, menu and footer, on its microsite's pages
    "topics": ("topics",),
    "topic": ("topics",),
    "redirects": ("redirects",),
    "breadcrumbs": ("pages",),  # breadcrumbs(page): its ancestors only, see OF_THE_PAGE
    # title_context(page): the titles, sections, divisions and dates of the pages sharing its
    # title; of the page being rendered, only its own answer (see OF_THE_PAGE).
    "title_context": ("pages", "divisions"),
    "title_contexts": ("pages", "divisions"),
    "division_of": ("divisions",),
    "feeds": ("news", "records:jobs", "units"),  # which feeds are written, and their titles
    "feeds_for": ("news", "records:jobs", "units", "divisions"),
}

# Filters and globals of templates.py, and what they read beyond their arguments. Links
# they resolve (url, markdown) are recorded while rendering instead (cache.Lookups).
OWN_FILTERS: dict[str, tuple[str, ...]] = {
    "by_month": (),
    "monthday": (),
    "event_when": (),
    "unit_name": ("units",),
    "date": (),
    "daterange": (),
    "ago": ("today",),
    "markdown": (),
    "url": (),
    "absolute_url": (),
    "asset": (),
}
# Tests of templates.py: `expired` resolves a link as `url` does (recorded while rendering).
OWN_TESTS: dict[str, tuple[str, ...]] = {"expired": ()}
OWN_GLOBALS: dict[str, tuple[str, ...]] = {
    "asset": (),
    "url": (),
    "jsonld": ("titles",),  # breadcrumbs: the titles and URLs of its page's ancestors
    "picture": (),  # the photos a page shows are recorded while rendering (render/images.py)
    # share_image(page): the page's own image (recorded while rendering, as picture's), else
    # its division's or the site's share image, known by their bytes: "shares" has them all
    # and the divisions; for the page being rendered, "share:page" only those it may show.
    "share_image": ("shares",),
    "fail": (),  # stops the build at the page's own value
}

# site.<method>(page) of the page being rendered reads only that page's neighbours: facets
# of one page, which the cache works out for each page ("children:page" is the values of
# its children). Only when `page` is surely the page being rendered (see _page_calls).
OF_THE_PAGE = {
    "children": "children:page",
    "parent": "ancestors:page",
    "ancestors": "ancestors:page",
    "breadcrumbs": "ancestors:page",
    "microsite": "microsite:page",
    "title_context": "title:page",
    "feeds_for": "feeds:page",  # the feeds the page links, their addresses and titles
}


@dataclass(frozen=True, slots=True)
class Reach:
    templates: tuple[str, ...]  # every template a render of the layout may load, sorted
    facets: frozenset[str]


# The last answer for each layout, with what it was found from (the sources of the
# templates read, the environment's globals, and the list of templates when one was named by
# a variable): `alagen serve` builds again and again, and reading the templates each time
# was most of a one-page rebuild. Reach is a function of these alone.
_known: dict[str, tuple[tuple, Reach]] = {}


def reach(env: jinja2.Environment, layout: str) -> Reach:
    """The templates and facets that a page rendered with `layout` (e.g. 'page.html') can use.
    From a template that is only imported from (`{% from "_records.html" import pager_nav %}`)
    only the macros taken count, with the macros of that template they call and its code
    outside macros: a layout that takes the pager from a file of record cards does not read
    what the cards read."""
    known = _known.get(layout)
    if known is not None and _basis(env, known[0][0], known[0][2] is not None) == known[0]:
        return known[1]
    sources: dict[str, str | None] = {}
    found, listed = _reach(env, layout, sources)
    _known[layout] = ((tuple(sorted(sources.items())), frozenset(env.globals), listed), found)
    return found


def _basis(env: jinja2.Environment, sources: tuple, listed: bool) -> tuple:
    """What a remembered answer was found from, as it is now."""
    now = tuple((name, _source(env, name)) for name, _ in sources)
    return now, frozenset(env.globals), tuple(env.list_templates()) if listed else None


def _source(env: jinja2.Environment, name: str) -> str | None:
    try:
        return env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
    except jinja2.TemplateError:
        return None


def _reach(env: jinja2.Environment, layout: str, sources: dict[str, str | None]) -> tuple[Reach, tuple | None]:
    """reach(), and the list of templates when one was named by a variable; `sources` gets
    the source of every template read (None: missing)."""
    listed = None
    parsed: dict[str, nodes.Template | None] = {}
    whole: set[str] = set()  # templates read whole
    taken: dict[str, set[str]] = {}  # template -> the macros read so far
    facets: set[str] = set()
    todo: list[tuple[str, frozenset[str] | None]] = [(layout, None)]  # None: the whole template
    while todo:
        name, names = todo.pop()
        if name in whole:
            continue
        if name not in parsed:
            sources[name] = _source(env, name)
            parsed[name] = _parse(env, name, sources[name])
        tree = parsed[name]
        if tree is None:
            whole.add(name)
            facets.add(ALL)  # the render fails and is reported; nothing to keep
            continue
        if names is None:
            whole.add(name)
            parts: list[nodes.Node] = [tree]
        else:
            first = name not in taken
            new = set(names) - taken.setdefault(name, set())
            macros = _macros_called(tree, new)
            new = macros.keys() - taken[name]
            if not new and not first:
                continue
            taken[name] |= new
            parts = [macros[m] for m in sorted(new)]
            if first:  # the template's own code runs when it is imported
                parts += [n for n in tree.body if not isinstance(n, nodes.Macro)]
        # Where a template names something else `page` (a loop variable, a macro's argument),
        # `page` may not be the page being rendered: no facets of one page there.
        own_page = not any(n.name == "page" and n.ctx in ("store", "param") for n in tree.find_all(nodes.Name))
        for part in parts:
            for referenced, imported in _references(part):
                if referenced is None:  # a template named by a variable: could be any
                    facets.add(ALL)
                    listed = tuple(env.list_templates())
                    todo += [(t, None) for t in listed]
                else:
                    todo.append((referenced, imported))
            facets |= _facets(part, env, own_page)
    seen = whole | set(taken)
    return Reach(tuple(sorted(seen)), frozenset(facets)), listed


# Parsed templates by name and source: every layout reads base.html and the macro files,
# and parsing them once per layout was most of a small rebuild's time.
_trees: dict[tuple[str, str], nodes.Template | None] = {}


def _parse(env: jinja2.Environment, name: str, source: str | None) -> nodes.Template | None:
    if source is None:
        return None
    if (name, source) not in _trees:
        if len(_trees) > 200:  # a process that builds many sites (the tests) keeps a few
            _trees.clear()
        try:
            _trees[(name, source)] = env.parse(source, name)
        except jinja2.TemplateError:
            _trees[(name, source)] = None
    return _trees[(name, source)]


def _macros_called(tree: nodes.Template, names: set[str]) -> dict[str, nodes.Node]:
    """The top-level macros of `tree` named, and those they call in turn, by name."""
    defined = {m.name: m for m in tree.body if isinstance(m, nodes.Macro)}
    found: dict[str, nodes.Node] = {}
    todo = [n for n in names if n in defined]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found[name] = defined[name]
        for call in defined[name].find_all(nodes.Name):
            if call.ctx == "load" and call.name in defined and call.name not in found:
                todo.append(call.name)
    return found


def _references(node: nodes.Node):
    """(template name or None, the names taken or None) for every template `node` loads:
    `from X import a, b` takes a and b; extends, include and import take all of X."""
    for ref in node.find_all((nodes.Extends, nodes.FromImport, nodes.Import, nodes.Include)):
        template = ref.template
        names = None
        if isinstance(ref, nodes.FromImport):
            names = frozenset(n if isinstance(n, str) else n[0] for n in ref.names)
        if isinstance(template, nodes.Const) and isinstance(template.value, str):
            yield template.value, names
        elif isinstance(template, (nodes.Tuple, nodes.List)) and all(
            isinstance(item, nodes.Const) and isinstance(item.value, str) for item in template.items
        ):
            for item in template.items:  # include ["a.html", "b.html"]: the first that exists
                yield item.value, None
        else:
            yield None, None


def _facets(tree: nodes.Node, env: jinja2.Environment, own_page: bool) -> set[str]:
    """The facets that `tree` (a template, or a part of one) reads. `own_page`: `page` in
    its template is always the page being rendered."""
    found: set[str] = set()
    known_filters = set(jinja2.filters.FILTERS) | set(OWN_FILTERS)
    known_tests = set(jinja2.tests.TESTS) | set(OWN_TESTS)
    default_globals = set(jinja2.defaults.DEFAULT_NAMESPACE)

    def walk(node: nodes.Node, parent: nodes.Node | None, grandparent: nodes.Node | None) -> None:
        if isinstance(node, nodes.Const) and node.value == "body":
            found.add("bodies")  # page.body, ['body'], attr('body'), map(attribute='body'): another page's text
        if isinstance(node, nodes.Name) and node.ctx == "load":
            if node.name == "site":
                attribute = _attribute(parent, node)
                if own_page and attribute in OF_THE_PAGE and _called_with_page(grandparent, parent):
                    found.add(OF_THE_PAGE[attribute])
                else:
                    found.update(_site_use(parent, grandparent, node))
            elif node.name == "jsonld" and own_page and _called_with_page(parent, node):
                found.add("ancestors:page")
            elif node.name == "share_image" and own_page and _called_with_page(parent, node):
                found.add("share:page")
            elif node.name == "now":
                year = isinstance(parent, nodes.Getattr) and parent.node is node and parent.attr == "year"
                found.add("year" if year else "moment")
            elif node.name in OWN_GLOBALS:
                found.update(OWN_GLOBALS[node.name])
            elif node.name in env.globals and node.name not in default_globals:
                found.add(ALL)  # a global this module does not know
        elif isinstance(node, nodes.Filter):
            if node.name not in known_filters:
                found.add(ALL)
            elif node.name == "attr" and not (node.args and isinstance(node.args[0], nodes.Const)):
                found.add(ALL)  # an attribute named by a variable: could be anything
            found.update(OWN_FILTERS.get(node.name, ()))
        elif isinstance(node, nodes.Test):
            found.update(OWN_TESTS.get(node.name, ()) if node.name in known_tests else (ALL,))
        elif isinstance(node, nodes.Getattr) and node.attr == "body":
            found.add("bodies")  # another page's text (a page's own is in its key anyway)
        for child in node.iter_child_nodes():
            walk(child, node, parent)

    walk(tree, None, None)
    return found


def _site_use(parent, grandparent, name: nodes.Name) -> tuple[str, ...]:
    """The facets of one use of `site`: `site.menus` is the menus; `site` alone, or an
    attribute this module does not know, is everything."""
    attribute = _attribute(parent, name)
    if attribute not in SITE_ATTRIBUTES:
        return (ALL,)
    if attribute == "data":
        item = _attribute(grandparent, parent)
        return (f"data:{item}",) if item and item not in _MAPPING_METHODS else ("data",)
    return SITE_ATTRIBUTES[attribute]


_MAPPING_METHODS = {"get", "items", "keys", "values"}


def _called_with_page(call, function) -> bool:
    """`function(page)`, with the page being rendered as its only argument."""
    return (
        isinstance(call, nodes.Call)
        and call.node is function
        and len(call.args) == 1
        and isinstance(call.args[0], nodes.Name)
        and call.args[0].name == "page"
        and not call.kwargs
        and call.dyn_args is None
        and call.dyn_kwargs is None
    )


def _attribute(node, of) -> str | None:
    """'x' when node is `of.x` or `of['x']`."""
    if isinstance(node, nodes.Getattr) and node.node is of:
        return node.attr
    if isinstance(node, nodes.Getitem) and node.node is of and isinstance(node.arg, nodes.Const):
        return str(node.arg.value)
    return None
