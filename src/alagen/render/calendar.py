"""iCalendar (RFC 5545) files for the events: /events/calendar.ics (every upcoming event),
/events/calendar-<unit>.ics (one unit's upcoming events) and /events/<id>.ics (one event,
past ones too, for the "Add to calendar" link on its page).

The `icalendar` library writes every line, so escaping and folding at 75 octets are its
job, not ours. Nothing here reads the wall clock or makes a random value: DTSTAMP is the
start of the build day (so rebuilds on one day, as `alagen serve` makes them, give the same
bytes), UIDs are made from the event id and the site's host, and VTIMEZONEs are added
in sorted order (icalendar's own `add_missing_timezones` walks a set, whose order changes
with PYTHONHASHSEED).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Iterable
from urllib.parse import urlsplit
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from alagen import parallel
from alagen.errors import Problems
from alagen.model.records import Event
from alagen.model.site import Site
from alagen.output import Output
from alagen.render.sitemap import absolute

if TYPE_CHECKING:
    import icalendar

EVENTS = "events"
ALL = "calendar"  # events/calendar.ics; a unit's is events/calendar-<unit>.ics
REFRESH = dt.timedelta(days=1)  # how often a subscribed client should fetch again


def calendars(site: Site, problems: Problems) -> tuple[Output, ...]:
    """Every calendar file: all upcoming, one per unit with upcoming events, one per event.
    A site with no events at all has none, as it has no /events/ listing either."""
    if not site.events:
        return ()
    import icalendar  # noqa: F401  (loaded here, before workers fork: a build that keeps its calendars never needs it)
    upcoming = site.upcoming_events()
    units = sorted({e.unit for e in upcoming if e.unit})
    outputs = [_file(site, f"{EVENTS}/{ALL}.ics", f"{site.settings.title}: Events", upcoming, REFRESH)]
    for unit in units:
        name = f"{site.settings.title}: {site.unit_name(unit)} events"
        mine = tuple(e for e in upcoming if e.unit == unit)
        outputs.append(_file(site, f"{EVENTS}/{ALL}-{unit}.ics", name, mine, REFRESH))
    taken = {o.path for o in outputs}
    own = []
    for event in site.events:
        path = f"{EVENTS}/{event.id}.ics"
        if path in taken:  # an event with the id "calendar" would overwrite the site's calendar
            where = event.where.get("id") or event.where.get("")
            problems.error(where, f"the event id '{event.id}' is kept for the calendar file {path}; choose another 'id:'")
            continue
        own.append(event)
    # A file per event is most of the work (icalendar is slow): spread over the cores.
    outputs += parallel.run_all(lambda e: _file(site, f"{EVENTS}/{e.id}.ics", e.title, (e,), None), own)
    return tuple(outputs)


def _file(site: Site, path: str, name: str, events: Iterable[Event], refresh: dt.timedelta | None) -> Output:
    import icalendar

    host = _host(site)
    calendar = icalendar.Calendar.new(
        prodid=f"-//{site.settings.title}//alagen//EN",
        uid=f"{path}@{host}",  # Calendar.new would make a random one
        url=absolute(site, "/" + path),
        refresh_interval=refresh,
    )
    for key in ("NAME", "X-WR-CALNAME"):  # icalendar types these as unknown, unescaped: say TEXT
        calendar.add(key, icalendar.vText(name))
    stamp = dt.datetime.combine(site.clock.today, dt.time(), site.clock.moment.tzinfo).astimezone(dt.timezone.utc)
    events = tuple(events)  # soonest first, as the records are sorted: stable between builds
    for event in events:
        calendar.add_component(_vevent(site, event, host, stamp))
    _add_timezones(calendar, events)
    return Output(path, data=calendar.to_ical())


def _vevent(site: Site, event: Event, host: str, stamp: dt.datetime) -> icalendar.Event:
    import icalendar

    page = absolute(site, event.page_url)
    start, end = _times(event)
    return icalendar.Event.new(
        uid=f"{event.id}@{host}",  # the same event keeps its UID in every build and every file
        stamp=stamp,
        summary=event.title,
        description=f"{event.summary}\n\n{page}",
        url=page,
        location=(event.location.full_label or None) if event.location else None,
        start=start,
        end=end,
        categories=(event.kind,),
    )


def _times(event: Event) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime | None]:
    """DTSTART and DTEND. All-day: dates, DTEND the day after the last (RFC 5545 ends are
    exclusive). Timed: local times with the event's zone (written as TZID); without an end
    there is no DTEND, which RFC 5545 reads as ending when it starts, not an invented hour."""
    if event.all_day:
        return event.first_day, event.last_day + dt.timedelta(days=1)
    zone = ZoneInfo(event.timezone)
    start = event.start.replace(tzinfo=zone)
    if event.end is None:
        return start, None
    if isinstance(event.end, dt.datetime):
        return start, event.end.replace(tzinfo=zone)
    # A timed start with a date-only end on a later day runs through that whole day.
    return start, dt.datetime.combine(event.end + dt.timedelta(days=1), dt.time(), zone)


def _add_timezones(calendar: icalendar.Calendar, events: tuple[Event, ...]) -> None:
    """A VTIMEZONE for each TZID used, before the events, covering the events' years."""
    import icalendar

    if not events:
        return
    first = dt.date(min(e.first_day for e in events).year, 1, 1)
    last = dt.date(max(e.last_day for e in events).year + 2, 1, 1)  # an end on 31 Dec + 1 day
    for index, tzid in enumerate(sorted(calendar.get_missing_tzids())):
        calendar.subcomponents.insert(index, _timezone(tzid, first, last))


@functools.lru_cache(maxsize=64)
def _timezone(tzid: str, first: dt.date, last: dt.date) -> icalendar.Timezone:
    """One VTIMEZONE per zone and span of years, made once: a thousand event files share a
    few (icalendar only reads it when it writes a calendar)."""
    import icalendar

    return icalendar.Timezone.from_tzid(tzid, first_date=first, last_date=last)


def _host(site: Site) -> str:
    return urlsplit(site.settings.base_url).hostname or "localhost"
