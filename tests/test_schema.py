"""alagen.schema: dates, conversion of each kind of value, and unknown-key suggestions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import MappingProxyType

import pytest

from alagen import schema
from alagen.errors import Problems
from alagen.schema import Field, convert, parse_date
from alagen.yamlfile import parse


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-02-29", "'2025-02-29' is not a date: February 2025 has 28 days; write a day that exists, e.g. 2025-02-28"),
        ("1900-02-29", "'1900-02-29' is not a date: February 1900 has 28 days; write a day that exists, e.g. 1900-02-28"),  # not a leap year
        ("2025-04-31", "'2025-04-31' is not a date: April 2025 has 30 days; write a day that exists, e.g. 2025-04-30"),
        ("2025-13-01", "'2025-13-01' is not a date: there is no month 13; write dates as YYYY-MM-DD"),
        ("2025-00-10", "'2025-00-10' is not a date: there is no month 0; write dates as YYYY-MM-DD"),
        ("2025-01-00", "'2025-01-00' is not a date: there is no day 0; write dates as YYYY-MM-DD"),
        ("3/4/2025", "'3/4/2025' looks like month/day/year; write 2025-03-04"),
        ("2025-3-4", "'2025-3-4' is not a date; write dates as YYYY-MM-DD, e.g. 2025-03-04"),
        ("March 4", "'March 4' is not a date; write dates as YYYY-MM-DD, e.g. 2025-03-04"),
        ("2025-03-04T10:00", "'2025-03-04T10:00' is not a date; write dates as YYYY-MM-DD, e.g. 2025-03-04"),
    ],
)
def test_parse_date_says_what_is_wrong(text, message):
    with pytest.raises(ValueError) as raised:
        parse_date(text)
    assert str(raised.value) == message


@pytest.mark.parametrize(("text", "day"), [("2024-02-29", dt.date(2024, 2, 29)), ("2000-02-29", dt.date(2000, 2, 29)), (" 2025-12-31 ", dt.date(2025, 12, 31))])
def test_parse_date_accepts_real_days(text, day):
    assert parse_date(text) == day


def _field(kind: str, **kw) -> Field:
    return Field("x", kind, **kw)


@pytest.mark.parametrize(
    ("field", "value", "raw", "expected"),
    [
        (_field("text"), "About us", None, "About us"),
        (_field("text"), 1876, "1876", "1876"),
        (_field("text"), False, "No", "No"),
        (_field("text"), 1.5, "1.50", "1.50"),
        (_field("date"), "2025-03-04", "2025-03-04", dt.date(2025, 3, 4)),
        (_field("when"), "2025-02-19", None, dt.date(2025, 2, 19)),
        (_field("when"), "2025-02-19T13:00", None, dt.datetime(2025, 2, 19, 13, 0)),
        (_field("bool"), True, "true", True),
        (_field("int"), 3, "3", 3),
        (_field("list"), "privacy", "privacy", ("privacy",)),
        (_field("list"), ["privacy", 2025], None, ("privacy", "2025")),
        (_field("mapping"), {"a": [1, {"b": 2}]}, None, MappingProxyType({"a": (1, MappingProxyType({"b": 2}))})),
        (_field("url"), "https://example.org/join", None, "https://example.org/join"),
        (_field("email"), "jobs@example.org", None, "jobs@example.org"),
        (_field("price"), 64.9, "64.90", Decimal("64.90")),
        (_field("price"), "$1,200", None, Decimal("1200.00")),
        (_field("monthday"), "09-01", None, (9, 1)),
        (_field("monthday"), "02-29", None, (2, 29)),
        (_field("text", choices=("book", "e-book")), "e-book", None, "e-book"),
    ],
)
def test_convert_each_kind(field, value, raw, expected):
    assert convert(field, value, raw) == expected


def test_a_mapping_is_read_only():
    converted = convert(_field("mapping"), {"a": [1]})
    with pytest.raises(TypeError):
        converted["b"] = 2  # type: ignore[index]
    assert converted["a"] == (1,)


@pytest.mark.parametrize(
    ("field", "value", "raw", "message"),
    [
        (_field("text"), ["a"], None, "must be text, not a list"),
        (_field("text"), {"a": 1}, None, "must be text, not a mapping"),
        (_field("bool"), "maybe", "maybe", "must be true or false, not 'maybe'"),
        (_field("bool"), 1, "1", "must be true or false, not 1"),
        (_field("int"), "heavy", "heavy", "must be a whole number, not 'heavy'"),
        (_field("int"), True, "true", "must be a whole number, not True"),
        (_field("int"), 1.5, "1.5", "must be a whole number, not 1.5"),
        (_field("list"), [["a"]], None, "must be a list of words, e.g. [first, second]"),
        (_field("list"), True, "yes", "must be a list of words, e.g. [first, second]"),
        (_field("mapping"), "red", "red", "must be 'key: value' lines, not 'red'"),
        (_field("date"), "2025-02-30", "2025-02-30", "'2025-02-30' is not a date: February 2025 has 28 days; write a day that exists, e.g. 2025-02-28"),
        (_field("when"), "2025-02-19T24:00", None, "'2025-02-19T24:00' has no such time of day; write times as 2025-02-19T13:00 (24-hour clock)"),
        (_field("url"), "www.example.org", None, "'www.example.org' must be a web address starting with https:// (or http://)"),
        (_field("email"), "jobs@example", None, "'jobs@example' is not an email address"),
        (_field("price"), "free", None, "'free' is not a price; write the amount in dollars, e.g. 64.99"),
        (_field("price"), 1.999, "1.999", "'1.999' is not a price; write dollars and at most two decimals, e.g. 64.99"),
        (_field("price"), -5, "-5", "'-5' is not a price; write dollars and at most two decimals, e.g. 64.99"),
        (_field("monthday"), "Sept 1", None, "'Sept 1' is not a month and day; write it in quotes as \"MM-DD\", e.g. \"09-01\""),
        (_field("monthday"), "02-30", None, "'02-30' is not a day of the year; write it as \"MM-DD\", e.g. \"09-01\""),
        (_field("text", choices=("book", "e-book")), "ebook", None, "'ebook' is not one of the choices; did you mean 'e-book'? use one of: book, e-book"),
        (_field("text", choices=("book", "journal")), "poster", None, "'poster' is not one of the choices; use one of: book, journal"),
        (_field("text", max_length=5), "Too long", None, "is 8 characters long; keep it to 5 (put more in 'body')"),
    ],
)
def test_convert_refuses_with_what_to_write(field, value, raw, message):
    with pytest.raises(ValueError) as raised:
        convert(field, value, raw)
    assert str(raised.value) == message


@pytest.mark.parametrize(("typo", "meant"), [("titel", "title"), ("desciption", "description"), ("Date", "date"), ("tags", None), ("colour", None)])
def test_suggest(typo, meant):
    assert schema.suggest(typo, schema.PAGE_FIELDS) == meant


def test_a_known_key_needs_no_suggestion():
    assert schema.suggest("title", schema.PAGE_FIELDS) is None


def _validate(text: str, fields=schema.PAGE_FIELDS, **kw) -> tuple[dict, list[str]]:
    values, positions = parse(text, "content/a.md", first_line=2)
    problems = Problems()
    result = schema.validate(values, positions, fields, problems, **kw)
    return result, [str(p) for p in problems.errors]


def test_validate_reports_every_problem_at_its_place():
    result, problems = _validate("title: A\nweight: heavy\nsumary: x\ndate: 2025-02-30\n")
    assert result == {"title": "A"}
    assert problems == [
        "content/a.md:3:9: 'weight': must be a whole number, not 'heavy'",
        "content/a.md:4:1: 'sumary' is not a front matter key; did you mean 'summary'?",
        "content/a.md:5:7: 'date': '2025-02-30' is not a date: February 2025 has 28 days; write a day that exists, e.g. 2025-02-28",
    ]


def test_validate_names_what_the_keys_are_for_and_only_offers_extra_where_it_exists():
    _, problems = _validate("title: T\nbase_url: https://example.org/\nfoo: 1\n", schema.SITE_FIELDS, what="site setting")
    assert problems == ["content/a.md:4:1: 'foo' is not a site setting; known keys are " + ", ".join(sorted(f.name for f in schema.SITE_FIELDS)) + "; put custom values under 'extra:'"]


def test_validate_checks_required_keys_at_the_document():
    _, problems = _validate("tagline: Ours\n", schema.SITE_FIELDS, what="site setting")
    assert problems == [
        "content/a.md:2:1: 'base_url' is required; add a line 'base_url: ...'",
        "content/a.md:2:1: 'title' is required; add a line 'title: ...'",
    ]


def test_records_are_validated_with_their_own_fields():
    text = "name: Prize\ncategory: grant\nsummary: S\nwinners:\n  - year: 2024\n    recipent: Ada\n  - recipient: Bo\n"
    _, problems = _validate(text, schema.AWARD_FIELDS, what="award key")
    assert problems == [
        "content/a.md:7:5: 'recipent' is not a winners key; did you mean 'recipient'?",
        "content/a.md:8:5: 'year' is required; add a line 'year: ...'",
    ]
