"""Topics (data/topics.yaml): what pages, news and events are about, across types."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable

from alagen import schema
from alagen.errors import Location, Problems
from alagen.load import DataFile
from alagen.model import urls
from alagen.model.datalist import entries

TOPICS_FILE = "topics"


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    name: str
    summary: str
    location: Location

    @property
    def url(self) -> str:
        return f"/topics/{self.id}/"


def read_topics(data: tuple[DataFile, ...], problems: Problems) -> tuple[Topic, ...]:
    found: dict[str, Topic] = {}
    for values, pos in entries(data, TOPICS_FILE, schema.TOPIC_FIELDS, "topic", problems):
        topic_id = values["id"]
        reason = urls.check_slug(topic_id, "topic id")
        if reason:
            problems.error(pos.value("id"), reason, span=len(topic_id))
        elif topic_id in found:
            first = found[topic_id].location
            problems.error(pos.value("id"), f"topic '{topic_id}' is listed twice (first at line {first.line}); remove one")
        else:
            found[topic_id] = Topic(topic_id, values["name"], values.get("summary", ""), pos.value("id"))
    return tuple(sorted(found.values(), key=lambda t: t.name.casefold()))


def check_topics(used: Iterable[tuple[str, Location]], topics: tuple[Topic, ...], problems: Problems) -> None:
    """Every topic a page or event names is in data/topics.yaml."""
    ids = [t.id for t in topics]
    reported: set[str] = set()
    for topic, location in used:
        if topic in ids or (not ids and topic in reported):  # without topics.yaml, once per topic
            continue
        reported.add(topic)
        guess = difflib.get_close_matches(topic, ids, n=1, cutoff=0.6)
        hint = f"did you mean '{guess[0]}'?" if guess else "add it to data/topics.yaml (id, name, summary) or fix the id"
        problems.error(location, f"topic '{topic}' is not in data/topics.yaml; {hint}", span=len(topic))
