"""The association's records: events, jobs, awards and publications from data/.

A collection is data/<name>.yaml (a list), data/<name>/*.yaml (each a record or a list), or
both. Every record is validated against its field contract in schema.py and keeps the
location of each value, so a problem found later still points at the right line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from alagen import schema
from alagen.clock import Clock
from alagen.errors import Location, Problems
from alagen.load import DataFile
from alagen.model import urls
from alagen.slugs import slugify
from alagen.yamlfile import Positions

COLLECTIONS = ("events", "jobs", "awards", "publications")
KIND_LABELS = {"e-forum": "E-forum", "learning-live": "Learning live"}


@dataclass(frozen=True, slots=True)
class Place:
    online: str | None = None
    venue: str | None = None
    city: str | None = None
    region: str | None = None
    country: str = "US"

    @property
    def label(self) -> str:
        """'Online (Zoom)' or 'Minneapolis, MN'."""
        if self.online:
            return f"Online ({self.online.title() if self.online.islower() else self.online})"
        parts = [p for p in (self.city, self.region) if p]
        if self.country and self.country != "US":
            parts.append(self.country)
        return ", ".join(parts)

    @property
    def full_label(self) -> str:
        """'Minneapolis Convention Center, Minneapolis, MN', or 'Online (Zoom)'."""
        return ", ".join(p for p in (None if self.online else self.venue, self.label) if p)


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    title: str
    kind: str
    start: dt.date | dt.datetime  # naive, in `timezone`
    end: dt.date | dt.datetime | None
    timezone: str
    summary: str
    location: Place | None = None
    unit: str | None = None
    url: str | None = None
    cost: str | None = None
    topics: tuple[str, ...] = ()
    body: str = ""
    source: str = ""
    where: Mapping[str, Location] = field(default_factory=schema.empty, compare=False, repr=False)

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)

    @property
    def kind_label(self) -> str:
        """'Webinar', 'E-forum', 'Learning live'."""
        return KIND_LABELS.get(self.kind, self.kind.capitalize())

    @property
    def first_day(self) -> dt.date:
        return _day(self.start)

    @property
    def last_day(self) -> dt.date:
        return _day(self.end or self.start)

    @property
    def page_url(self) -> str:
        return f"/events/{self.id}/"

    def is_upcoming(self, clock: Clock) -> bool:
        """Upcoming until its last day has passed in its own time zone; ending today counts."""
        today_there = clock.moment.astimezone(ZoneInfo(self.timezone)).date()
        return self.last_day >= today_there


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    title: str
    employer: str
    city: str
    region: str
    posted: dt.date
    closes: dt.date
    country: str = "US"
    remote: bool = False
    featured: bool = False
    internal: bool = False
    url: str | None = None
    email: str | None = None
    salary: str | None = None
    kind: str | None = None
    summary: str = ""
    body: str = ""
    source: str = ""
    where: Mapping[str, Location] = field(default_factory=schema.empty, compare=False, repr=False)

    @property
    def page_url(self) -> str:
        return f"/jobs/{self.id}/"

    def is_open(self, clock: Clock) -> bool:
        """Open from the day it was posted through the day it closes."""
        return self.posted <= clock.today <= self.closes

    def is_posted(self, clock: Clock) -> bool:
        """Posted by the build date: before it, the job has no page and is in no listing."""
        return self.posted <= clock.today

    def has_closed(self, clock: Clock) -> bool:
        """Past the day it closes: its page stays for old links, saying it closed."""
        return clock.today > self.closes


@dataclass(frozen=True, slots=True)
class Winner:
    year: int
    recipient: str
    work: str | None = None
    creator: str | None = None
    honor: bool = False
    citation: str | None = None


@dataclass(frozen=True, slots=True)
class Award:
    id: str
    name: str
    category: str
    summary: str
    unit: str | None = None
    amount: str | None = None
    url: str | None = None
    deadline: dt.date | None = None
    opens: tuple[int, int] | None = None
    closes: tuple[int, int] | None = None
    winners: tuple[Winner, ...] = ()  # newest year first, the winner before honours
    body: str = ""
    source: str = ""
    where: Mapping[str, Location] = field(default_factory=schema.empty, compare=False, repr=False)

    @property
    def page_url(self) -> str:
        return f"/awards/{self.id}/"

    def applications_open(self, clock: Clock) -> bool | None:
        """Whether applications are open at the build date; None if it takes none."""
        if self.deadline:
            return clock.today <= self.deadline
        if self.opens and self.closes:
            today = (clock.today.month, clock.today.day)
            if self.opens <= self.closes:
                return self.opens <= today <= self.closes
            return today >= self.opens or today <= self.closes  # the window crosses new year
        return None

    def winners_of(self, year: int) -> tuple[Winner, ...]:
        return tuple(w for w in self.winners if w.year == year)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({w.year for w in self.winners}, reverse=True))


@dataclass(frozen=True, slots=True)
class Publication:
    id: str
    title: str
    format: str
    summary: str
    price: Decimal | None = None
    url: str | None = None
    image: str | None = None
    image_alt: str | None = None
    unit: str | None = None
    source: str = ""
    where: Mapping[str, Location] = field(default_factory=schema.empty, compare=False, repr=False)

    @property
    def price_text(self) -> str:
        return f"${self.price:,.2f}" if self.price is not None else ""


@dataclass(frozen=True, slots=True)
class Records:
    events: tuple[Event, ...] = ()  # by start
    jobs: tuple[Job, ...] = ()  # newest first
    awards: tuple[Award, ...] = ()  # by name
    publications: tuple[Publication, ...] = ()  # by title

    @property
    def award_years(self) -> tuple[int, ...]:
        """Every year with a winner, newest first."""
        return tuple(sorted({w.year for a in self.awards for w in a.winners}, reverse=True))


@dataclass(frozen=True, slots=True)
class Current:
    """The records as they stand at the build date, worked out once per build."""

    upcoming: tuple[Event, ...]  # soonest first
    past: tuple[Event, ...]  # most recent first
    open_jobs: tuple[Job, ...]  # newest first


def current(records: Records, clock: Clock) -> Current:
    upcoming = tuple(e for e in records.events if e.is_upcoming(clock))
    past = tuple(e for e in reversed(records.events) if not e.is_upcoming(clock))
    return Current(upcoming, past, tuple(j for j in records.jobs if j.is_open(clock)))


def read_records(data: tuple[DataFile, ...], site_timezone: str, job_days: int, problems: Problems) -> Records:
    """Every collection, validated; problems for each mistake, warnings for doubtful data."""
    raw = {name: list(_entries(data, name, problems)) for name in COLLECTIONS}
    events = _valid(raw["events"], lambda v, p, s, own: _event(v, p, s, site_timezone, own), problems)
    jobs = _valid(raw["jobs"], lambda v, p, s, own: _job(v, p, s, job_days, own), problems)
    awards = _valid(raw["awards"], _award, problems)
    publications = _valid(raw["publications"], _publication, problems)
    _doubtful(events, jobs, awards, publications, problems)
    # One page per id: a second record with a taken id is reported and left out, so it does
    # not also claim the first one's URL.
    events = _unique_ids(events, "event", problems)
    jobs = _unique_ids(jobs, "job", problems)
    awards = _unique_ids(awards, "award", problems)
    publications = _unique_ids(publications, "publication", problems)
    return Records(
        events=tuple(sorted(events, key=lambda e: (_sortable(e.start), e.title, e.id))),
        jobs=tuple(sorted(jobs, key=lambda j: (-j.posted.toordinal(), j.title, j.id))),
        awards=tuple(sorted(awards, key=lambda a: (a.name.casefold(), a.id))),
        publications=tuple(sorted(publications, key=lambda p: (p.title.casefold(), p.id))),
    )


def _valid(entries: list, make, problems: Problems) -> list:
    """The records made from `entries` that have no error: a record with a mistake is left
    out once its mistakes are reported, so no listing, page or time rule sees an invalid value."""
    records = []
    for values, pos, source in entries:
        own = Problems(strict=problems.strict)
        record = make(values, pos, source, own)
        problems.extend(own.warnings + own.errors)
        if record is not None and not own.errors:
            records.append(record)
    return records


def data_file_is_record(name: str) -> bool:
    """data/events.yaml and data/events/*.yaml are records, not site.data."""
    return name.split("/", 1)[0] in COLLECTIONS


def _entries(data: tuple[DataFile, ...], name: str, problems: Problems):
    """(values, positions, source) of every record of one collection."""
    for file in data:
        if file.name != name and not file.name.startswith(name + "/"):
            continue
        if file.value is None:
            continue
        if isinstance(file.value, dict):
            yield file.value, file.positions, file.source
        elif isinstance(file.value, list):
            items = file.positions.split()
            for index, item in enumerate(file.value):
                if isinstance(item, dict):
                    yield item, items[index], file.source
                else:
                    problems.error(file.positions.value(index), f"each {name[:-1]} must be 'key: value' lines (a mapping)")
        else:
            one = {"events": "an event", "jobs": "a job", "awards": "an award"}.get(name, "a publication")
            problems.error(Location(file.source, 1, 1), f"{file.source} must hold {one} or a list of them")


def _fields(values, pos: Positions, fields, problems: Problems, what: str) -> dict[str, Any] | None:
    """The record's checked values, or None when a required field is missing or invalid
    (already reported): such a record cannot be published."""
    checked = schema.validate(values, pos, fields, problems, what=f"{what} field")
    if any(f.required and f.name not in checked for f in fields):
        return None
    return checked


def _make(cls, checked: dict, values, pos: Positions, source: str, default_id: str, problems: Problems, **derived):
    """A record from its checked values, with its id (a slug: it becomes part of a URL),
    source and positions; None if the id cannot be one."""
    record_id = checked.get("id") or default_id
    reason = urls.check_slug(record_id, "id")
    if reason and "id" not in checked and len(record_id.encode()) > urls.MAX_PART:
        title = "name" if "name" in checked else "title"
        what = cls.__name__.lower()
        problems.error(
            pos.value(title),
            f"the {title} makes an id of {len(record_id.encode())} characters, too long for a URL "
            f"(at most {urls.MAX_PART}); give the {what} a shorter 'id:' or {title}",
        )
        return None
    if reason:
        problems.error(pos.value("id") if "id" in checked else pos.value(), reason)
        return None
    fields = {k: v for k, v in checked.items() if k not in derived and k != "id"}
    return cls(id=record_id, source=source, where=_where(values, pos), **fields, **derived)


def _where(values: dict, positions: Positions) -> dict[str, Location]:
    where = {k: positions.value(k) for k in values}
    if "body" in values:  # Markdown problems count lines from where the text starts
        where["body"] = positions.text_start("body")
    where[""] = positions.value()  # the record's first line
    if isinstance(values.get("topics"), list):  # an unknown topic is reported at its own item
        where.update({f"topics.{i}": positions.value("topics", i) for i in range(len(values["topics"]))})
    return where


def _event(values, pos: Positions, source: str, site_timezone: str, problems: Problems) -> Event | None:
    checked = _fields(values, pos, schema.EVENT_FIELDS, problems, "event")
    if checked is None:
        return None
    timezone = checked.get("timezone", site_timezone)
    if not schema.is_time_zone(timezone):
        problems.error(pos.value("timezone"), f"'{timezone}' is not a known time zone; use a name like America/Chicago")
        return None
    start, end = checked["start"], checked.get("end")
    if end is not None:
        if isinstance(start, dt.datetime) and not isinstance(end, dt.datetime) and end == start.date():
            end = None  # "ends that day": nothing to add
        elif _sortable(end) < _sortable(start):
            problems.error(pos.value("end"), f"the event ends ({end}) before it starts ({start}); check both dates")
            return None
    default_id = f"{slugify(checked['title'])}-{_day(start).isoformat()}"
    place = _place(checked.get("location"), pos, problems)
    return _make(Event, checked, values, pos, source, default_id, problems, end=end, timezone=timezone, location=place)


def _place(values: Mapping | None, pos: Positions, problems: Problems) -> Place | None:
    if values is None:
        return None
    if values.get("online") and (values.get("venue") or values.get("city")):
        problems.error(pos.value("location"), "a location is either 'online: <platform>' or a venue and city, not both")
    elif not values.get("online") and not values.get("city"):
        problems.error(pos.value("location"), "a location needs 'online: <platform>' (e.g. zoom), or at least 'city:'")
    return Place(**{k: v for k, v in values.items() if k in Place.__slots__})


def _job(values, pos: Positions, source: str, job_days: int, problems: Problems) -> Job | None:
    checked = _fields(values, pos, schema.JOB_FIELDS, problems, "job")
    if checked is None:
        return None
    if "url" not in checked and "email" not in checked:
        problems.error(pos.value(), f"the job '{checked['title']}' needs 'url:' or 'email:' so people can apply")
    posted = checked["posted"]
    closes = checked.get("closes", posted + dt.timedelta(days=job_days))
    if closes < posted:
        problems.error(pos.value("closes"), f"the job closes ({closes}) before it was posted ({posted}); check both dates")
        return None
    return _make(Job, checked, values, pos, source, slugify(checked["title"]), problems, closes=closes)


def _award(values, pos: Positions, source: str, problems: Problems) -> Award | None:
    checked = _fields(values, pos, schema.AWARD_FIELDS, problems, "award")
    if checked is None:
        return None
    if ("opens" in values) != ("closes" in values):  # as written: an invalid one is reported already
        problems.error(pos.value("opens" if "opens" in values else "closes"), "an application window needs both 'opens' and 'closes'")
    if "deadline" in checked and "opens" in checked:
        problems.error(pos.value("deadline"), "give either a 'deadline' or an 'opens'/'closes' window, not both")
    winners = tuple(Winner(**w) for w in checked.get("winners", ()) if "year" in w and "recipient" in w)
    winners = tuple(sorted(winners, key=lambda w: (-w.year, w.honor)))  # stable: file order otherwise
    return _make(Award, checked, values, pos, source, slugify(checked["name"]), problems, winners=winners)


def _publication(values, pos: Positions, source: str, problems: Problems) -> Publication | None:
    checked = _fields(values, pos, schema.PUBLICATION_FIELDS, problems, "publication")
    if checked is None:
        return None
    if checked.get("image") and not checked.get("image_alt"):
        problems.error(pos.value("image"), "the image needs 'image_alt:' saying what it shows")
    return _make(Publication, checked, values, pos, source, slugify(checked["title"]), problems)


def _unique_ids(items: list, what: str, problems: Problems) -> list:
    """The items whose id is not taken by an earlier one; an error for each other."""
    seen: dict[str, Any] = {}
    kept = []
    for item in items:
        if item.id in seen:
            other = seen[item.id]
            if isinstance(item, Event) and "id" not in item.where and _listing(item) == _listing(other):
                continue  # the same event listed twice: _doubtful warns about it
            first = other.where[""]
            problems.error(
                item.where.get("id", item.where[""]),
                f"two {what}s have the id '{item.id}' (the other at {first}); give one of them its own 'id:'",
            )
        else:
            seen[item.id] = item
            kept.append(item)
    return kept


def _listing(event: Event) -> tuple:
    """What makes two event records one event listed twice: the same title and start."""
    return (event.title.casefold().strip(), _sortable(event.start))


def _doubtful(events, jobs, awards, publications, problems: Problems) -> None:
    """Warnings (errors with --strict) for what the live site shows by mistake."""
    listed: dict[tuple, Event] = {}
    doubles: set[int] = set()  # second listings: told once, not again for their summary or title
    for event in events:
        key = _listing(event)
        if key in listed:
            problems.warning(
                event.where[""],
                f"'{event.title}' on {event.first_day} is listed twice (also at {listed[key].where['']}); remove one",
            )
            doubles.add(id(event))
        else:
            listed[key] = event
    teasers: dict[str, Any] = {}
    others = [x for x in [*events, *jobs, *awards, *publications] if id(x) not in doubles]
    for item in others:
        text = " ".join(getattr(item, "summary", "").split()).casefold()
        if not text:
            continue
        if text in teasers and teasers[text] is not item:
            problems.warning(
                item.where.get("summary", item.where[""]),
                f"this summary is the same as the one at {teasers[text].where.get('summary')}; write one for each",
            )
        else:
            teasers.setdefault(text, item)
    for item in others:
        title = getattr(item, "title", None) or getattr(item, "name", "")
        if repeats_itself(title):
            key = "title" if hasattr(item, "title") else "name"
            problems.warning(item.where.get(key, item.where[""]), f"the title '{title}' repeats its own first words")


def repeats_itself(title: str) -> bool:
    """'Forum: Forum: budgets' repeats its first words; 'New York, New York' is let be
    (a repetition counts only when followed by more words)."""
    words = re.findall(r"\w+", title.casefold())
    return any(words[:n] == words[n : 2 * n] and len(words) > 2 * n for n in range(1, len(words) // 2 + 1))


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _sortable(value: dt.date | dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
