"""Feature cards: `extra.features` in a page's front matter (the home page's spotlight,
drawn by layouts/_features.html), checked here so each mistake is reported at the line of
the card or field that has it, before anything is drawn.

    extra:
      features:
        - title: 2025 Youth Media Award winners      (required)
          teaser: One or two sentences.              (required)
          link: awards/book-media-awards.md          (required: a page's file under content/,
                                                       a path like /events/, or https://...)
          link_text: Meet the winners                (optional; "Read more" by default)
          image: about/images/reading-room.jpg       (optional, a picture under content/,
          image_alt: What the picture shows           with what it shows: required with it)
"""

from __future__ import annotations

from typing import Callable, Iterable

from alagen.model.menus import schedule_of
from alagen.errors import Problems
from alagen.model.pages import Page

FIELDS = ("title", "teaser", "link", "link_text", "image", "image_alt")
REQUIRED = ("title", "teaser", "link")


def check_features(
    pages: Iterable[Page], find_page: Callable[[str], str | None], statics: frozenset[str], problems: Problems
) -> None:
    """Every page's feature cards. `find_page(source)` is a page's URL, "" for a page already
    reported as broken, None for no page; `statics` are the files under content/."""
    for page in pages:
        features = page.extra.get("features")
        if features is None:
            continue
        if not isinstance(features, (list, tuple)):
            problems.error(
                page.at("extra.features"),
                "'features' (under 'extra') must be a list of cards, each starting with '- title:'",
            )
            continue
        for index, feature in enumerate(features):
            _check_card(page, index, feature, find_page, statics, problems)


def _check_card(page: Page, index: int, feature, find_page, statics, problems: Problems) -> None:
    here = f"extra.features.{index}"

    def at(key: str = ""):
        return page.where.get(f"{here}.{key}" if key else here) or page.where.get(here) or page.at("extra.features")

    if not hasattr(feature, "get") or isinstance(feature, str):
        problems.error(at(), f"feature {index + 1} must be a card with 'title:', 'teaser:' and 'link:'")
        return
    title = feature.get("title")
    label = f"feature {index + 1}" + (f" ('{title}')" if isinstance(title, str) else "")
    for key in feature:
        if key not in FIELDS:
            problems.error(at(str(key)), f"{label}: '{key}' is not a feature field; use {', '.join(FIELDS)}", span=len(str(key)))
    for key in FIELDS:
        value = feature.get(key)
        if value is None and key not in REQUIRED:
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.error(at(key) if key in feature else at(), f"{label} has no '{key}'; add '{key}: ...' to the card")
        elif not isinstance(value, str):
            problems.error(at(key), f"{label}: '{key}' must be text; put it in quotes")
    link = feature.get("link") if isinstance(feature.get("link"), str) else ""
    target = link.split("#")[0].split("?")[0]
    if target.endswith(".md"):
        source = "content/" + target.lstrip("/")
        note = schedule_of(find_page, source)
        if note and note[0] == "expired":  # time broke it: the card stays, without its button
            problems.warning(
                at("link"),
                f"{label}: the link leads to {source}, which expired on {note[1].isoformat()}; the card is shown "
                "without its link: remove the card or link another page",
            )
        elif note:
            problems.warning(
                at("link"),
                f"{label}: the link leads to {source}, which expires on {note[1].isoformat()}; from then on the card "
                "is shown without its link: link another page, or change that page's 'expires:'",
            )
        if find_page(source) is None and not (note and note[0] == "expired"):
            problems.error(at("link"), f"{label}: the link leads to {source}, which is not a published page")
    elif link.startswith("//"):  # a browser reads it as another website, not a path here
        problems.error(
            at("link"),
            f"{label}: the link '{link}' leads to another website; write it in full (https://...), "
            "or give a path on this site with one '/'",
        )
    elif link.strip() and not link.startswith(("/", "https://", "http://")):
        problems.error(
            at("link"),
            f"{label}: the link '{link}' should be a page's file under content/ (awards/index.md), "
            "a path on this site (/events/) or a full https:// address",
        )
    image = feature.get("image")
    if isinstance(image, str) and image.strip():
        source = "content/" + image.lstrip("/")
        alt = feature.get("image_alt")
        if source not in statics:
            problems.error(at("image"), f"{label}: the image {source} does not exist")
        elif not (isinstance(alt, str) and alt.strip()):
            problems.error(at("image"), f"{label} needs 'image_alt:' saying what its image shows")
