"""alagen.clock: the one build date, from --now, SOURCE_DATE_EPOCH or today in the site's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from alagen.clock import make_clock, parse_now
from alagen.errors import BuildFailed
from alagen.pipeline import BuildOptions, build
from conftest import build_at, read

CHICAGO = ZoneInfo("America/Chicago")


def test_now_as_a_date_is_the_start_of_that_day_in_the_site_zone():
    clock = make_clock("America/Chicago", dt.date(2025, 3, 1), environ={"SOURCE_DATE_EPOCH": "0"})
    assert clock.today == dt.date(2025, 3, 1)
    assert clock.moment == dt.datetime(2025, 3, 1, tzinfo=CHICAGO)


def test_now_as_a_local_time_is_in_the_site_zone():
    clock = make_clock("America/Chicago", dt.datetime(2025, 3, 1, 23, 30), environ={})
    assert (clock.today, clock.moment) == (dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, 23, 30, tzinfo=CHICAGO))


def test_now_with_an_offset_is_converted_to_the_site_zone():
    clock = make_clock("America/Chicago", dt.datetime(2025, 3, 2, 3, 0, tzinfo=dt.timezone.utc), environ={})
    assert clock.today == dt.date(2025, 3, 1)  # 9 pm the day before in Chicago
    assert clock.moment.utcoffset() == dt.timedelta(hours=-6)


@pytest.mark.parametrize(("zone", "today"), [("America/Chicago", dt.date(2025, 2, 28)), ("Asia/Tokyo", dt.date(2025, 3, 1))])
def test_source_date_epoch_is_a_day_in_the_site_zone(zone, today):
    clock = make_clock(zone, environ={"SOURCE_DATE_EPOCH": "1740787200"})  # 2025-03-01T00:00Z
    assert clock.today == today
    assert clock.moment == dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("raw", ["abc", "1.5", "-1", " 5", "1_000", "99999999999999999999"])
def test_a_bad_source_date_epoch_is_refused(raw):
    with pytest.raises(ValueError) as raised:
        make_clock("UTC", environ={"SOURCE_DATE_EPOCH": raw})
    assert str(raised.value) == f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds since 1970"


def test_an_empty_source_date_epoch_means_today():
    before = dt.datetime.now(dt.timezone.utc).date()
    today = make_clock("UTC", environ={"SOURCE_DATE_EPOCH": ""}).today
    assert today in (before, dt.datetime.now(dt.timezone.utc).date())


def test_without_a_date_it_is_today_in_the_site_zone():
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC-11: a day apart
        before = dt.datetime.now(ZoneInfo(zone)).date()
        today = make_clock(zone, environ={}).today
        after = dt.datetime.now(ZoneInfo(zone)).date()
        assert today in (before, after)
    assert make_clock("Pacific/Kiritimati", environ={}).today != make_clock("Pacific/Pago_Pago", environ={}).today


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2025-03-01", dt.date(2025, 3, 1)),
        ("2025-03-01T13:00", dt.datetime(2025, 3, 1, 13, 0)),
        ("2025-03-01T13:00:05", dt.datetime(2025, 3, 1, 13, 0, 5)),
    ],
)
def test_parse_now(text, value):
    assert parse_now(text) == value


@pytest.mark.parametrize("text", ["March 1", "2025-3-1", "2025-03-01T25:00", "2025-03-01 13:00:99", ""])
def test_parse_now_refuses_with_a_hint(text):
    with pytest.raises(ValueError) as raised:
        parse_now(text)
    assert str(raised.value) == f"--now {text!r} is not a date; write it as YYYY-MM-DD, e.g. --now 2025-03-01"


def test_parse_now_says_why_a_date_does_not_exist():
    with pytest.raises(ValueError) as raised:
        parse_now("2025-02-30")
    assert str(raised.value) == (
        "--now '2025-02-30' is not a date (February 2025 has 28 days); write it as YYYY-MM-DD, e.g. --now 2025-03-01"
    )


def test_the_build_date_decides_what_is_published(site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1740787200")  # 2025-02-28 in Chicago
    root = site({"content/index.md": "---\ntitle: Home\n---\n", "content/soon.md": "---\ntitle: Soon\npublish: 2025-03-01\n---\n"})
    build(BuildOptions(root=root, search=False))  # no --now
    assert not (root / "build/soon").exists()
    build_at(root, "2025-03-01")
    assert "<h1>Soon</h1>" in read(root, "soon/index.html")


def test_a_bad_source_date_epoch_fails_the_build(site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    root = site({"content/index.md": "---\ntitle: Home\n---\n"})
    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(root=root, search=False))
    assert [p.message for p in failed.value.problems] == [
        "SOURCE_DATE_EPOCH='yesterday' is not a whole number of seconds since 1970"
    ]
