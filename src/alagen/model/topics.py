"""Topics (data/topics.yaml): what pages, news and events are about, across types."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable

from alagen import schema
from alagen.errors import Location, Problems
from alagen.load import DataFile
from alagen.model import urls

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
    file = next((d for d in data if d.name == TOPICS_FILE), None)
    if file is None or file.value is None:
        return ()
    if not isinstance(file.value, list):
        problems.error(Location(file.source, 1, 1), "topics.yaml must be a list of topics, each starting '- id: ...'")
        return ()
    found: dict[str, Topic] = {}
    for index, item in enumerate(file.value):
        pos = file.positions.under(index)
        if not isinstance(item, dict):
            problems.error(pos.value(), "each topic must be 'key: value' lines starting with '- id: ...'")
            continue
        values = schema.validate(item, pos, schema.TOPIC_FIELDS, problems, what="topic field")
        if any(f.required and f.name not in values for f in schema.TOPIC_FIELDS):
            continue
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
