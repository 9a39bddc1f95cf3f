"""The .ics files, read back as a subscriber's calendar would: by icalendar and by vobject,
an independent parser with its own handling of VTIMEZONE, escaping and folding."""

import datetime as dt
import textwrap

import icalendar
import pytest
import vobject

from conftest import build_at, problems_of

UTC = dt.timezone.utc

EVENTS = textwrap.dedent(
    """\
    - id: dst-webinar
      title: Webinar on the day clocks change
      kind: webinar
      start: 2025-03-09T14:00
      end: 2025-03-09T15:30
      timezone: America/Chicago
      unit: pla
      location: {online: zoom}
      summary: An hour and a half on the Sunday daylight saving time starts.
    - id: eve-of-dst
      title: Webinar the day before
      kind: webinar
      start: 2025-03-08T14:00
      timezone: America/Chicago
      unit: pla
      summary: Still on standard time, and no end time given.
    - id: three-days
      title: Three-day conference
      kind: conference
      start: 2025-04-02
      end: 2025-04-04
      unit: acrl
      location: {venue: Minneapolis Convention Center, city: Minneapolis, region: MN}
      summary: Three whole days, so the calendar must end on the morning of the fourth.
    - id: winter-course
      title: Winter course
      kind: course
      start: 2025-12-08
      end: 2026-01-16
      unit: core
      summary: Six weeks across the new year.
    - id: eastern
      title: "Budgets, bonds; levies\\nand the vote"
      kind: meeting
      start: 2025-03-20T10:00
      timezone: America/New_York
      summary: |-
        Commas, semicolons; and
        a second line.
    - id: long
      title: A very long title about résumés, cover letters and interviews that a calendar must fold
      kind: course
      start: 2025-05-01
      summary: Long enough for two folded lines, with non-ASCII letters near the fold.
    - id: evenings
      title: Three evenings
      kind: course
      start: 2025-06-02T18:00
      end: 2025-06-04
      timezone: America/Denver
      summary: Starts at a time, ends on a day.
    - id: past
      title: A January meeting
      kind: meeting
      start: 2025-01-10
      unit: pla
      summary: Over before the build date, yet it keeps its own file.
    """
)


@pytest.fixture
def built(site):
    """The fixture site built at 2025-03-01: path -> bytes of a file under build/events/."""
    root = site({"data/events.yaml": EVENTS})

    def at(now="2025-03-01"):
        build_at(root, now)
        return lambda name: (root / "build" / "events" / name).read_bytes()

    return at


def parse(data: bytes):
    """(icalendar's events by UID, vobject's events by UID) of one .ics file."""
    ours = icalendar.Calendar.from_ical(data)
    theirs = vobject.readOne(data.decode("utf-8"))
    return (
        {str(e["UID"]): e for e in ours.walk("VEVENT")},
        {e.uid.value: e for e in getattr(theirs, "vevent_list", [])},
    )


def uids(data: bytes) -> set[str]:
    ours, theirs = parse(data)
    assert set(ours) == set(theirs)
    return set(ours)


def test_calendar_holds_the_upcoming_events_and_is_valid(built):
    ics = built()("calendar.ics")
    cal = icalendar.Calendar.from_ical(ics)
    assert cal["VERSION"] == "2.0" and "PRODID" in cal
    assert uids(ics) == {
        f"{i}@example.org" for i in ("dst-webinar", "eve-of-dst", "three-days", "winter-course", "eastern", "long", "evenings")
    }
    assert ics.endswith(b"END:VCALENDAR\r\n")
    assert all(line.endswith(b"\r\n") for line in ics.splitlines(keepends=True))


def test_each_event_has_its_own_file_past_ones_too(built):
    read = built()
    assert uids(read("past.ics")) == {"past@example.org"}
    assert uids(read("three-days.ics")) == {"three-days@example.org"}


def test_a_unit_calendar_holds_only_that_units_upcoming_events(built):
    read = built()
    assert uids(read("calendar-pla.ics")) == {"dst-webinar@example.org", "eve-of-dst@example.org"}
    assert uids(read("calendar-acrl.ics")) == {"three-days@example.org"}
    assert vobject.readOne(read("calendar-pla.ics").decode()).contents["name"][0].value == "Test Association: PLA events"


def test_timed_event_on_the_dst_change_day_has_its_tzid_and_utc_time(built):
    ours, theirs = parse(built()("calendar.ics"))
    event = ours["dst-webinar@example.org"]
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    # Daylight time starts at 02:00 that Sunday: 14:00 is CDT, UTC-5.
    assert event.start.astimezone(UTC) == dt.datetime(2025, 3, 9, 19, 0, tzinfo=UTC)
    assert event.end.astimezone(UTC) == dt.datetime(2025, 3, 9, 20, 30, tzinfo=UTC)
    other = theirs["dst-webinar@example.org"]  # vobject reads the offsets from our VTIMEZONE
    assert other.dtstart.value.astimezone(UTC) == dt.datetime(2025, 3, 9, 19, 0, tzinfo=UTC)
    assert other.dtend.value.astimezone(UTC) == dt.datetime(2025, 3, 9, 20, 30, tzinfo=UTC)
    # The day before is still standard time, UTC-6.
    assert theirs["eve-of-dst@example.org"].dtstart.value.astimezone(UTC) == dt.datetime(2025, 3, 8, 20, 0, tzinfo=UTC)


def test_every_tzid_used_has_a_vtimezone(built):
    cal = icalendar.Calendar.from_ical(built()("calendar.ics"))
    assert sorted(tz.tz_name for tz in cal.timezones) == ["America/Chicago", "America/Denver", "America/New_York"]
    assert cal.get_missing_tzids() == set()
    east = parse(built()("eastern.ics"))[1]["eastern@example.org"]
    assert east.dtstart.value.astimezone(UTC) == dt.datetime(2025, 3, 20, 14, 0, tzinfo=UTC)  # EDT


def test_a_timed_event_without_an_end_has_no_invented_one(built):
    ours, theirs = parse(built()("calendar.ics"))
    for event in (ours["eve-of-dst@example.org"], ours["eastern@example.org"]):
        assert "DTEND" not in event and "DURATION" not in event
    assert not hasattr(theirs["eve-of-dst@example.org"], "dtend")


def test_a_timed_start_with_a_date_only_end_runs_through_that_day(built):
    ours, theirs = parse(built()("evenings.ics"))
    assert ours["evenings@example.org"]["DTEND"].params["TZID"] == "America/Denver"
    assert theirs["evenings@example.org"].dtend.value.astimezone(UTC) == dt.datetime(2025, 6, 5, 6, 0, tzinfo=UTC)


def test_an_all_day_event_ends_the_day_after_its_last(built):
    ics = built()("three-days.ics")
    assert b"DTSTART;VALUE=DATE:20250402\r\n" in ics
    assert b"DTEND;VALUE=DATE:20250405\r\n" in ics
    ours, theirs = parse(ics)
    assert ours["three-days@example.org"].end == dt.date(2025, 4, 5)
    assert theirs["three-days@example.org"].dtstart.value == dt.date(2025, 4, 2)
    assert theirs["three-days@example.org"].dtend.value == dt.date(2025, 4, 5)


def test_commas_semicolons_and_newlines_are_escaped_and_round_trip(built):
    ics = built()("eastern.ics")
    assert b"SUMMARY:Budgets\\, bonds\\; levies\\nand the vote\r\n" in ics
    ours, theirs = parse(ics)
    assert str(ours["eastern@example.org"]["SUMMARY"]) == "Budgets, bonds; levies\nand the vote"
    assert theirs["eastern@example.org"].summary.value == "Budgets, bonds; levies\nand the vote"
    description = "Commas, semicolons; and\na second line.\n\nhttps://example.org/events/eastern/"
    assert theirs["eastern@example.org"].description.value == description
    name = vobject.readOne(ics.decode()).contents["name"][0].value  # the file's name is the title
    assert name == "Budgets, bonds; levies\nand the vote"


def test_long_lines_are_folded_at_75_octets(built):
    ics = built()("long.ics")
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))
    assert b"\r\n " in ics  # folded, not cut
    title = "A very long title about résumés, cover letters and interviews that a calendar must fold"
    ours, theirs = parse(ics)
    assert str(ours["long@example.org"]["SUMMARY"]) == title
    assert theirs["long@example.org"].summary.value == title


def test_page_url_location_and_description(built):
    ours, theirs = parse(built()("calendar.ics"))
    conference = theirs["three-days@example.org"]
    assert conference.url.value == "https://example.org/events/three-days/"
    assert conference.location.value == "Minneapolis Convention Center, Minneapolis, MN"
    assert conference.description.value.endswith("\n\nhttps://example.org/events/three-days/")
    assert theirs["dst-webinar@example.org"].location.value == "Online (Zoom)"
    assert str(ours["dst-webinar@example.org"]["URL"]) == "https://example.org/events/dst-webinar/"


def test_uid_is_stable_and_dtstamp_is_the_build_date(built):
    first = parse(built("2025-03-01")("calendar.ics"))[0]
    second = parse(built("2025-03-02")("calendar.ics"))[0]
    assert set(first) == set(second)
    # Midnight of the build date in the site's zone (America/Chicago, CST) is 06:00 UTC.
    assert first["three-days@example.org"].DTSTAMP == dt.datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
    assert second["three-days@example.org"].DTSTAMP == dt.datetime(2025, 3, 2, 6, 0, tzinfo=UTC)


def test_two_builds_at_the_same_date_are_byte_identical(built):
    names = ("calendar.ics", "calendar-pla.ics", "dst-webinar.ics", "past.ics")
    first = [built()(n) for n in names]
    assert [built()(n) for n in names] == first


def test_an_event_across_the_new_year(built):
    assert "winter-course@example.org" in uids(built("2026-01-10")("calendar.ics"))
    assert "winter-course@example.org" in uids(built("2026-01-16")("calendar.ics"))  # ends today
    after = built("2026-01-17")
    assert "winter-course@example.org" not in uids(after("calendar.ics"))
    assert uids(after("winter-course.ics")) == {"winter-course@example.org"}


def test_a_calendar_with_no_events_is_still_valid(built):
    read = built("2027-01-01")
    ics = read("calendar.ics")
    assert uids(ics) == set()
    assert b"PRODID:" in ics and b"VERSION:2.0" in ics
    with pytest.raises(FileNotFoundError):
        read("calendar-pla.ics")  # no upcoming events, no unit calendar


def test_an_event_may_not_take_the_calendars_name(site):
    root = site({"data/events.yaml": "- {id: calendar, title: Open house, kind: other, start: 2025-04-01, summary: Come by.}\n"})
    assert problems_of(root) == [
        "data/events.yaml:1:8: the event id 'calendar' is kept for the calendar file events/calendar.ics; choose another 'id:'"
    ]


def test_a_site_without_events_has_no_calendar(site):
    root = site({"content/index.md": "---\ntitle: Home\n---\n"})
    build_at(root)
    assert not (root / "build" / "events").exists()
