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
from jinja2 import meta, nodes

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
OWN_GLOBALS: dict[str, tuple[str, ...]] = {
    "asset": (),
    "url": (),
    "jsonld": ("titles",),  # breadcrumbs: the titles and URLs of the page's ancestors
}


@dataclass(frozen=True, slots=True)
class Reach:
    templates: tuple[str, ...]  # every template a render of the layout may load, sorted
    facets: frozenset[str]


def reach(env: jinja2.Environment, layout: str) -> Reach:
    """The templates and facets that a page rendered with `layout` (e.g. 'page.html') can use."""
    seen: set[str] = set()
    facets: set[str] = set()
    todo = [layout]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
            tree = env.parse(source, name)
        except jinja2.TemplateError:
            facets.add(ALL)  # the render fails and is reported; nothing to keep
            continue
        for referenced in meta.find_referenced_templates(tree):
            if referenced is None:  # a template named by a variable: could be any
                facets.add(ALL)
                todo += env.list_templates()
            else:
                todo.append(referenced)
        facets |= _facets(tree, env)
    return Reach(tuple(sorted(seen)), frozenset(facets))


def _facets(tree: nodes.Template, env: jinja2.Environment) -> set[str]:
    found: set[str] = set()
    known_filters = set(jinja2.filters.FILTERS) | set(OWN_FILTERS)
    known_tests = set(jinja2.tests.TESTS)
    default_globals = set(jinja2.defaults.DEFAULT_NAMESPACE)

    def walk(node: nodes.Node, parent: nodes.Node | None, grandparent: nodes.Node | None) -> None:
        if isinstance(node, nodes.Name) and node.ctx == "load":
            if node.name == "site":
                found.update(_site_use(parent, grandparent, node))
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
            found.update(OWN_FILTERS.get(node.name, ()))
        elif isinstance(node, nodes.Test) and node.name not in known_tests:
            found.add(ALL)
        elif isinstance(node, nodes.Getattr) and node.attr == "body":
            found.add("bodies")  # another page's text (a page's own is in its key anyway)
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and node.arg.value == "body":
            found.add("bodies")
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


def _attribute(node, of) -> str | None:
    """'x' when node is `of.x` or `of['x']`."""
    if isinstance(node, nodes.Getattr) and node.node is of:
        return node.attr
    if isinstance(node, nodes.Getitem) and node.node is of and isinstance(node.arg, nodes.Const):
        return str(node.arg.value)
    return None
