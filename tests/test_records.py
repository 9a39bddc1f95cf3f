"""Records (events, jobs, awards, publications) and news, built through the real pipeline:
where they are read from, every validation message at its file:line:col, the warnings for
doubtful data, the time rules at their boundaries, and the pages made from them."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from alagen.clock import make_clock
from alagen.errors import Problems
from alagen.load import load
from alagen.model.site import Site, build_site
from conftest import build_at, problems_of, read

# Listing layouts that print only what a test checks: the ids of the listed records.
IDS = "{% for x in page.items %}{{ x.id }};{% endfor %}"
LISTINGS = {
    "layouts/events.html": IDS,
    "layouts/events-past.html": IDS,
    "layouts/jobs.html": IDS,
    "layouts/awards.html": "{{ page.title }}|{{ content }}|" + IDS,
    "layouts/award-year.html": (
        "{% for award, winners in page.items %}{{ award.id }}:"
        "{% for w in winners %}{{ w.recipient }}{% if w.honor %} (honor){% endif %},{% endfor %};{% endfor %}"
    ),
    "layouts/news.html": "{{ page.pager.number }}/{{ page.pager.count }}|{% for p in page.items %}{{ p.title }};{% endfor %}",
    "layouts/publications.html": "{% for p in page.items %}{{ p.id }}={{ p.price_text }};{% endfor %}",
}


def site_at(root, now: str | dt.datetime = "2025-03-01") -> Site:
    """The model of the site at root at a build date (or a moment in the site's time zone)."""
    problems = Problems()
    when = dt.date.fromisoformat(now) if isinstance(now, str) else now
    return build_site(load(root.resolve(), problems), when, False, problems)


def event(title: str, start: str, end: str | None = None, kind: str = "webinar", **more: str) -> str:
    """One event as an item of a YAML list."""
    lines = [f"- title: {json.dumps(title)}", f"  kind: {kind}", f"  start: {start}", f"  summary: {json.dumps(f'About {title}.')}"]
    if end:
        lines.append(f"  end: {end}")
    lines += [f"  {key}: {value}" for key, value in more.items()]
    return "\n".join(lines) + "\n"


def job(title: str, posted: str, closes: str | None = None) -> str:
    """One job as an item of a YAML list."""
    lines = [f"- title: {title}", "  employer: Springfield Public Library", "  city: Springfield", "  region: IL"]
    lines += [f"  posted: {posted}", "  url: https://jobs.example.org/1", f"  summary: The {title} job."]
    if closes:
        lines.append(f"  closes: {closes}")
    return "\n".join(lines) + "\n"


def ids(records) -> list[str]:
    return [r.id for r in records]


# --- Where records live ------------------------------------------------------------------------


RECORD = {
    "events": "title: {t}\nkind: webinar\nstart: 2025-04-01\nsummary: About {t}.\n",
    "jobs": "title: {t}\nemployer: E\ncity: C\nregion: IL\nposted: 2025-02-01\nemail: jobs@example.org\nsummary: {t}.\n",
    "awards": "name: {t}\ncategory: grant\nsummary: About {t}.\n",
    "publications": "title: {t}\nformat: book\nsummary: About {t}.\n",
}


def _as_item(text: str) -> str:
    return "".join(("- " if i == 0 else "  ") + line + "\n" for i, line in enumerate(text.splitlines()))


@pytest.mark.parametrize("name", sorted(RECORD))
def test_a_collection_is_one_list_file_and_a_folder_of_records_or_lists(site, name):
    record = RECORD[name]
    root = site({
        f"data/{name}.yaml": _as_item(record.format(t="Alpha")) + _as_item(record.format(t="Beta")),
        f"data/{name}/gamma.yaml": record.format(t="Gamma"),  # a single record (a mapping)
        f"data/{name}/more.yaml": _as_item(record.format(t="Delta")) + _as_item(record.format(t="Epsilon")),
    })
    found = getattr(site_at(root), name)
    assert sorted(r.id.split("-2025")[0] for r in found) == ["alpha", "beta", "delta", "epsilon", "gamma"]


def test_record_collections_are_not_site_data(site):
    root = site({
        "data/events.yaml": event("Budgets", "2025-04-01"),
        "data/jobs/a.yaml": RECORD["jobs"].format(t="Clerk"),
        "data/awards/prize.yaml": RECORD["awards"].format(t="Prize"),
        "data/publications.yaml": _as_item(RECORD["publications"].format(t="Book")),
        "data/divisions.yaml": "- id: core\n  name: Core\n",
    })
    assert sorted(site_at(root).data) == ["divisions", "site"]


def test_a_list_item_that_is_not_a_record(site):
    root = site({"data/events.yaml": event("Budgets", "2025-04-01") + "- Budgets again\n"})
    assert problems_of(root) == ["data/events.yaml:5:3: each event must be 'key: value' lines (a mapping)"]


def test_a_file_that_holds_neither_a_record_nor_a_list(site):
    root = site({"data/jobs/a.yaml": "just some words\n"})
    assert problems_of(root) == ["data/jobs/a.yaml:1:1: data/jobs/a.yaml must hold a job or a list of them"]


# --- Validation: missing, wrongly typed and unknown fields -------------------------------------


def test_an_event_without_a_summary(site):
    root = site({"data/events.yaml": "- title: Budgets\n  kind: webinar\n  start: 2025-04-01\n"})
    assert problems_of(root) == ["data/events.yaml:1:3: 'summary' is required; add a line 'summary: ...'"]


def test_a_job_without_posted_in_a_folder_file(site):
    root = site({"data/jobs/clerk.yaml": "title: Clerk\nemployer: E\ncity: C\nregion: IL\nemail: a@example.org\n"})
    assert problems_of(root) == ["data/jobs/clerk.yaml:1:1: 'posted' is required; add a line 'posted: ...'"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"data/events.yaml": "- title: Budgets\n  kind: webinar\n  start: tomorrow\n  summary: S.\n"},
            "data/events.yaml:3:10: 'start': 'tomorrow' is not a date; write dates as YYYY-MM-DD, e.g. 2025-03-04",
        ),
        (
            {"data/events.yaml": "- title: Budgets\n  kind: webinar\n  start: 2025-04-01T25:00\n  summary: S.\n"},
            "data/events.yaml:3:10: 'start': '2025-04-01T25:00' has no such time of day; "
            "write times as 2025-02-19T13:00 (24-hour clock)",
        ),
        (
            {"data/jobs.yaml": job("Clerk", "2025-02-01") + "  featured: maybe\n"},
            "data/jobs.yaml:8:13: 'featured': must be true or false, not 'maybe'",
        ),
        (
            {"data/publications.yaml": "- title: Book\n  format: book\n  summary: S.\n  price: cheap\n"},
            "data/publications.yaml:4:10: 'price': 'cheap' is not a price; write the amount in dollars, e.g. 64.99",
        ),
        (
            {"data/publications.yaml": "- title: Book\n  format: book\n  summary: S.\n  price: 64.999\n"},
            "data/publications.yaml:4:10: 'price': '64.999' is not a price; write dollars and at most two decimals, e.g. 64.99",
        ),
    ],
    ids=["start-tomorrow", "start-25-oclock", "featured-maybe", "price-cheap", "price-three-decimals"],
)
def test_a_wrong_type(site, files, message):
    assert problems_of(site(files)) == [message]


def test_an_unknown_event_field_suggests_the_nearest(site):
    root = site({"data/events.yaml": "- title: Budgets\n  kind: webinar\n  strat: 2025-04-01\n  summary: S.\n"})
    # Reported once, as a typo: not also as a missing 'start'.
    assert problems_of(root) == ["data/events.yaml:3:3: 'strat' is not an event field; did you mean 'start'?"]


def test_an_unknown_job_field_suggests_the_nearest(site):
    text = "title: Clerk\nemployeer: E\ncity: C\nregion: IL\nposted: 2025-02-01\nemail: a@example.org\n"
    root = site({"data/jobs/clerk.yaml": text})
    assert problems_of(root) == ["data/jobs/clerk.yaml:2:1: 'employeer' is not a job field; did you mean 'employer'?"]


def test_a_kind_not_among_the_choices(site):
    root = site({"data/events.yaml": "- title: Budgets\n  kind: webinr\n  start: 2025-04-01\n  summary: S.\n"})
    assert problems_of(root) == [
        "data/events.yaml:2:9: 'kind': 'webinr' is not one of the choices; did you mean 'webinar'? "
        "use one of: conference, webinar, e-forum, course, learning-live, meeting, celebration, other"
    ]


def test_a_summary_over_300_characters(site):
    root = site({
        "data/events.yaml": event("Budgets", "2025-04-01").replace("About Budgets.", "x" * 301)
        + event("Bonds", "2025-04-02").replace("About Bonds.", "y" * 300)  # exactly 300 is fine
    })
    assert problems_of(root) == ["data/events.yaml:4:12: 'summary': is 301 characters long; keep it to 300 (put more in 'body')"]


# --- Validation: values that cannot be right ----------------------------------------------------


def test_an_end_before_its_start(site):
    root = site({"data/events.yaml": event("Budgets", "2025-04-01T13:00", "2025-04-01T12:00")})
    assert problems_of(root) == [
        "data/events.yaml:5:8: the event ends (2025-04-01 12:00:00) before it starts (2025-04-01 13:00:00); check both dates"
    ]


def test_an_end_date_before_a_start_date(site):
    root = site({"data/events/budgets.yaml": "title: Budgets\nkind: course\nstart: 2025-04-01\nend: 2025-03-30\nsummary: S.\n"})
    assert problems_of(root) == [
        "data/events/budgets.yaml:4:6: the event ends (2025-03-30) before it starts (2025-04-01); check both dates"
    ]


def test_a_job_closing_before_it_was_posted(site):
    root = site({"data/jobs.yaml": job("Clerk", "2025-02-01", closes="2025-01-31")})
    assert problems_of(root) == [
        "data/jobs.yaml:8:11: the job closes (2025-01-31) before it was posted (2025-02-01); check both dates"
    ]


@pytest.mark.parametrize("url", ["ftp://x", "javascript:alert(1)", "www.example.org", "/events/"])
def test_a_url_that_is_not_http(site, url):
    root = site({"data/events.yaml": event("Budgets", "2025-04-01", url=url)})
    assert problems_of(root) == [
        f"data/events.yaml:5:8: 'url': '{url}' must be a web address starting with https:// (or http://)"
    ]


def test_a_duplicate_id_names_the_other_place(site):
    root = site({
        "data/events/a.yaml": "title: Budgets\nid: money\nkind: webinar\nstart: 2025-04-01\nsummary: S1.\n",
        "data/events/b.yaml": "- title: Bonds\n  id: money\n  kind: webinar\n  start: 2025-04-02\n  summary: S2.\n",
    })
    # One message: the second record is left out, so it does not also claim /events/money/.
    assert problems_of(root) == [
        "data/events/b.yaml:2:7: two events have the id 'money' (the other at data/events/a.yaml:1:1); "
        "give one of them its own 'id:'"
    ]


def test_two_jobs_with_the_same_title_need_ids(site):
    root = site({"data/jobs.yaml": job("Clerk", "2025-02-01") + job("Clerk", "2025-02-10").replace("The Clerk", "Another clerk")})
    assert problems_of(root) == [
        "data/jobs.yaml:8:3: two jobs have the id 'clerk' (the other at data/jobs.yaml:1:3); give one of them its own 'id:'"
    ]


def test_a_job_with_neither_url_nor_email(site):
    root = site({"data/jobs.yaml": job("Clerk", "2025-02-01").replace("  url: https://jobs.example.org/1\n", "")})
    assert problems_of(root) == ["data/jobs.yaml:1:3: the job 'Clerk' needs 'url:' or 'email:' so people can apply"]


def test_a_bad_month_day(site):
    text = 'name: Prize\ncategory: grant\nsummary: S.\nopens: "13-01"\ncloses: "03-01"\n'
    root = site({"data/awards/prize.yaml": text})
    # Only the bad value: 'closes' is not also reported as lacking its 'opens'.
    assert problems_of(root) == [
        "data/awards/prize.yaml:4:8: 'opens': '13-01' is not a day of the year; write it as \"MM-DD\", e.g. \"09-01\""
    ]


def test_a_window_with_only_one_end(site):
    root = site({"data/awards/prize.yaml": 'name: Prize\ncategory: grant\nsummary: S.\ncloses: "03-01"\n'})
    assert problems_of(root) == ["data/awards/prize.yaml:4:9: an application window needs both 'opens' and 'closes'"]


def test_a_winner_without_a_recipient_points_into_the_winners_list(site):
    text = (
        "name: Prize\ncategory: book-media\nsummary: S.\nwinners:\n"
        "  - year: 2024\n    recipient: Ada\n"
        "  - year: 2023\n    work: The Book\n"
    )
    root = site({"data/awards/prize.yaml": text})
    assert problems_of(root) == ["data/awards/prize.yaml:7:5: 'recipient' is required; add a line 'recipient: ...'"]


def test_an_invalid_timezone(site):
    root = site({"data/events.yaml": event("Budgets", "2025-04-01", timezone="Mars/Olympus_Mons")})
    assert problems_of(root) == [
        "data/events.yaml:5:13: 'Mars/Olympus_Mons' is not a known time zone; use a name like America/Chicago"
    ]


def test_a_location_both_online_and_in_a_city(site):
    root = site({"data/events.yaml": event("Budgets", "2025-04-01") + "  location:\n    online: zoom\n    city: Chicago\n"})
    assert problems_of(root) == [
        "data/events.yaml:6:5: a location is either 'online: <platform>' or a venue and city, not both"
    ]


# --- Warnings for doubtful data (errors with strict) -------------------------------------------


DOUBTFUL = {
    # the same event twice (title and start), in two files
    "data/events.yaml": event("Budgets", "2025-04-01T13:00"),
    "data/events/copy.yaml": "title: Budgets\nkind: webinar\nstart: 2025-04-01T13:00\nsummary: About Budgets.\n",
    # a job whose teaser was copied from a publication
    "data/jobs.yaml": job("Clerk", "2025-02-01").replace("The Clerk job.", "A guide to library budgets."),
    "data/publications.yaml": "- title: Budget Guide\n  format: book\n  summary: A guide to library budgets.\n",
    # a title that repeats its first words
    "data/awards/forum.yaml": "name: 'Best of Core Forum: Best of Core Forum: budgets'\ncategory: grant\nsummary: S.\n",
}
DOUBTS = [
    "data/awards/forum.yaml:1:7: {}the title 'Best of Core Forum: Best of Core Forum: budgets' repeats its own first words",
    "data/events/copy.yaml:1:1: {}'Budgets' on 2025-04-01 is listed twice (also at data/events.yaml:1:3); remove one",
    "data/publications.yaml:3:12: {}this summary is the same as the one at data/jobs.yaml:7:12; write one for each",
]


def test_doubtful_data_warns_and_still_builds(site):
    root = site(DOUBTFUL)
    report = build_at(root)
    assert [str(w) for w in report.warnings] == [d.format("warning: ") for d in DOUBTS]
    # A double listing is published once (and is not also a duplicate id or URL).
    assert ids(site_at(root).events) == ["budgets-2025-04-01"]


def test_doubtful_data_fails_a_strict_build(site):
    root = site(DOUBTFUL)
    assert problems_of(root, strict=True) == [d.format("") for d in DOUBTS]


def test_a_double_listing_is_not_also_a_copied_teaser(site):
    root = site({"data/events.yaml": event("Budgets", "2025-04-01") * 2})
    assert [str(w) for w in build_at(root).warnings] == [
        "data/events.yaml:5:3: warning: 'Budgets' on 2025-04-01 is listed twice (also at data/events.yaml:1:3); remove one"
    ]


def test_the_same_title_at_another_time_is_not_a_double_listing(site):
    later = event("Budgets", "2025-04-01T14:00").replace("About Budgets.", "The afternoon session.")
    root = site({"data/events.yaml": event("Budgets", "2025-04-01T10:00") + later})
    # Not a warning, but both have the default id budgets-2025-04-01: one needs its own.
    assert problems_of(root) == [
        "data/events.yaml:5:3: two events have the id 'budgets-2025-04-01' (the other at data/events.yaml:1:3); "
        "give one of them its own 'id:'"
    ]


@pytest.mark.parametrize("title", ["New York, New York", "Forum: Forum", "Core Forum: budgets and forums"])
def test_titles_that_are_not_repeats(site, title):
    # A repetition counts only when more words follow it.
    root = site({"data/events.yaml": event(title, "2025-04-01")})
    assert build_at(root).warnings == ()


def test_a_clean_site_has_no_warnings(site):
    root = site({
        "data/events.yaml": event("Budgets", "2025-04-01") + event("Bonds", "2025-04-01"),
        "data/jobs.yaml": job("Clerk", "2025-02-01") + job("Archivist", "2025-02-01"),
        "data/awards/a.yaml": RECORD["awards"].format(t="Prize"),
        "data/publications.yaml": _as_item(RECORD["publications"].format(t="Book")),
    })
    assert build_at(root).warnings == ()
    assert build_at(root, strict=True).warnings == ()


# --- Time: events ------------------------------------------------------------------------------


def test_an_event_ending_today_is_upcoming_and_one_ended_yesterday_is_past(site):
    root = site({
        **LISTINGS,
        "data/events.yaml": event("Today", "2025-02-27", "2025-03-01")
        + event("Yesterday", "2025-02-27", "2025-02-28")
        + event("Tonight", "2025-03-01T19:00")
        + event("Old", "2024-06-01"),
    })
    build_at(root, "2025-03-01")
    assert read(root, "events/index.html") == "today-2025-02-27;tonight-2025-03-01;"
    assert read(root, "events/past/2025/index.html") == "yesterday-2025-02-27;"
    assert read(root, "events/past/2024/index.html") == "old-2024-06-01;"
    assert (root / "build/events/yesterday-2025-02-27/index.html").exists()  # its page stays


def test_an_event_in_another_timezone_is_over_when_its_day_has_passed_there(site):
    auckland, honolulu = "Pacific/Auckland", "Pacific/Honolulu"
    root = site({
        "data/events.yaml": event("Auckland", "2025-03-01", timezone=auckland)
        + event("Chicago", "2025-03-01")
        + event("Honolulu", "2025-02-28", timezone=honolulu)
    })
    # A build date is the start of that day in the site's zone (America/Chicago, UTC-6):
    # 2025-03-01 00:00 there is 19:00 on 1 March in Auckland and 20:00 on 28 February in
    # Honolulu, so neither event's day has passed in its own zone yet.
    assert ids(site_at(root, "2025-03-01").upcoming_events()) == ["honolulu-2025-02-28", "auckland-2025-03-01", "chicago-2025-03-01"]
    # At noon in Chicago it is already 2 March in Auckland, and 1 March in Honolulu.
    noon = dt.datetime(2025, 3, 1, 12, 0)
    assert ids(site_at(root, noon).upcoming_events()) == ["chicago-2025-03-01"]


def test_a_date_time_event_in_its_own_zone(site):
    root = site({"data/events.yaml": event("Late", "2025-03-01T23:00", "2025-03-02T01:00", timezone="Pacific/Auckland")})
    # It ends at 01:00 on 2 March in Auckland (UTC+13): upcoming through that day there, which
    # ends at 05:00 on 2 March in Chicago (UTC-6).
    assert ids(site_at(root, dt.datetime(2025, 3, 2, 4, 59)).upcoming_events()) == ["late-2025-03-01"]
    assert ids(site_at(root, dt.datetime(2025, 3, 2, 5, 0)).upcoming_events()) == []


def test_an_event_is_upcoming_through_its_whole_last_day(site):
    # Builds are by the day: an event that ended at 10:00 today is still listed today.
    root = site({"data/events.yaml": event("Breakfast", "2025-03-01T09:00", "2025-03-01T10:00")})
    assert ids(site_at(root, dt.datetime(2025, 3, 1, 23, 59)).upcoming_events()) == ["breakfast-2025-03-01"]
    assert ids(site_at(root, dt.datetime(2025, 3, 2, 0, 0)).upcoming_events()) == []


def test_the_end_of_a_day_elsewhere_across_a_dst_change(site):
    # From 9 March Chicago keeps daylight time (UTC-5) while London is still on GMT until
    # 30 March: 20 March ends in London at 19:00 in Chicago, not at 18:00.
    root = site({"data/events.yaml": event("London", "2025-03-20", timezone="Europe/London")})
    assert ids(site_at(root, dt.datetime(2025, 3, 20, 18, 59)).upcoming_events()) == ["london-2025-03-20"]
    assert ids(site_at(root, dt.datetime(2025, 3, 20, 19, 0)).upcoming_events()) == []


@pytest.mark.parametrize(
    ("now", "upcoming"),
    [("2025-01-06", True), ("2025-02-10", True), ("2025-02-14", True), ("2025-02-15", False)],
)
def test_a_multi_week_course_is_upcoming_until_its_last_day(site, now, upcoming):
    root = site({"data/events.yaml": event("Course", "2025-01-06", "2025-02-14", kind="course")})
    assert bool(site_at(root, now).upcoming_events()) is upcoming


def test_an_event_across_new_year(site):
    root = site({**LISTINGS, "data/events.yaml": event("Winter Course", "2025-12-08", "2026-01-16")})
    assert ids(site_at(root, "2026-01-10").upcoming_events()) == ["winter-course-2025-12-08"]
    build_at(root, "2026-01-17")
    # Archived by the year it started.
    assert read(root, "events/past/2025/index.html") == "winter-course-2025-12-08;"
    assert read(root, "events/index.html") == ""
    assert not (root / "build/events/past/2026").exists()


def test_a_date_time_event_ending_on_its_start_day(site):
    # "end: 2025-04-01" after a start time that day means "ends that day".
    root = site({"data/events.yaml": event("Session", "2025-04-01T13:00", "2025-04-01")})
    (found,) = site_at(root).events
    assert (found.start, found.end, found.all_day) == (dt.datetime(2025, 4, 1, 13, 0), None, False)


# --- Time: jobs --------------------------------------------------------------------------------


def test_a_job_is_open_from_posted_through_closes(site):
    root = site({
        **LISTINGS,
        "data/jobs.yaml": job("Closes Today", "2025-02-01", "2025-03-01")
        + job("Closed Yesterday", "2025-02-01", "2025-02-28")
        + job("Posted Today", "2025-03-01")
        + job("Posted Tomorrow", "2025-03-02"),
    })
    assert ids(site_at(root).open_jobs()) == ["posted-today", "closes-today"]
    build_at(root)
    assert read(root, "jobs/index.html") == "posted-today;closes-today;"


def test_a_job_closes_60_days_after_posted_by_default(site):
    root = site({"data/jobs.yaml": job("Clerk", "2025-01-01")})
    (clerk,) = site_at(root).jobs
    assert clerk.closes == dt.date(2025, 3, 2)
    assert ids(site_at(root, "2025-03-02").open_jobs()) == ["clerk"]
    assert ids(site_at(root, "2025-03-03").open_jobs()) == []


def test_the_site_setting_job_listing_days(site):
    root = site({
        "data/site.yaml": "title: T\nbase_url: https://example.org/\njob_listing_days: 30\n",
        "data/jobs.yaml": job("Clerk", "2025-01-01") + job("Archivist", "2025-01-01", "2025-06-30"),
    })
    assert {j.id: j.closes for j in site_at(root).jobs} == {"clerk": dt.date(2025, 1, 31), "archivist": dt.date(2025, 6, 30)}


def test_a_closed_job_keeps_its_page_marked_noindex(site):
    root = site({**LISTINGS, "data/jobs.yaml": job("Clerk", "2025-01-01", "2025-02-01") + job("Archivist", "2025-02-20")})
    model = site_at(root)
    assert model.by_url["/jobs/clerk/"].noindex is True
    assert model.by_url["/jobs/archivist/"].noindex is False
    build_at(root)
    assert read(root, "jobs/index.html") == "archivist;"
    assert "<title>Clerk</title>" in read(root, "jobs/clerk/index.html")


def test_a_closed_job_is_not_in_the_sitemap(site):
    root = site({**LISTINGS, "data/jobs.yaml": job("Clerk", "2025-01-01", "2025-02-01") + job("Archivist", "2025-02-20")})
    build_at(root)
    sitemap = read(root, "sitemap.xml")
    assert "<loc>https://example.org/jobs/archivist/</loc>" in sitemap
    assert "/jobs/clerk/" not in sitemap


# --- Time: award application windows -----------------------------------------------------------


def _award(**window: str) -> str:
    return "name: Prize\ncategory: scholarship\nsummary: S.\n" + "".join(f'{k}: "{v}"\n' for k, v in window.items())


@pytest.mark.parametrize(
    ("window", "today", "is_open"),
    [
        # across new year: 1 September to 1 March
        ({"opens": "09-01", "closes": "03-01"}, "2025-12-15", True),
        ({"opens": "09-01", "closes": "03-01"}, "2025-01-15", True),
        ({"opens": "09-01", "closes": "03-01"}, "2025-03-01", True),
        ({"opens": "09-01", "closes": "03-01"}, "2025-03-02", False),
        ({"opens": "09-01", "closes": "03-01"}, "2025-06-01", False),
        ({"opens": "09-01", "closes": "03-01"}, "2025-08-31", False),
        ({"opens": "09-01", "closes": "03-01"}, "2025-09-01", True),
        # within one year: 1 February to 30 April
        ({"opens": "02-01", "closes": "04-30"}, "2025-01-31", False),
        ({"opens": "02-01", "closes": "04-30"}, "2025-02-01", True),
        ({"opens": "02-01", "closes": "04-30"}, "2025-04-30", True),
        ({"opens": "02-01", "closes": "04-30"}, "2025-05-01", False),
        ({"opens": "02-01", "closes": "04-30"}, "2025-12-15", False),
        # a deadline: open through that day
        ({"deadline": "2025-03-01"}, "2025-03-01", True),
        ({"deadline": "2025-03-01"}, "2025-03-02", False),
        ({}, "2025-03-01", None),  # takes no applications
    ],
)
def test_application_windows(site, window, today, is_open):
    (award,) = site_at(site({"data/awards/prize.yaml": _award(**window)})).awards
    assert award.applications_open(make_clock("America/Chicago", dt.date.fromisoformat(today))) is is_open


def test_a_window_on_29_february(site):
    (award,) = site_at(site({"data/awards/prize.yaml": _award(opens="02-29", closes="03-31")})).awards
    assert award.applications_open(make_clock("America/Chicago", dt.date(2025, 3, 1))) is True  # no 29th in 2025
    assert award.applications_open(make_clock("America/Chicago", dt.date(2024, 2, 28))) is False


# --- Generated pages: events -------------------------------------------------------------------


def test_an_event_page_is_at_its_default_or_explicit_id(site):
    root = site({
        "data/events.yaml": event("Budgets & Bonds: A Webinar", "2025-04-01T13:00")
        + event("Annual Conference", "2025-06-26", "2025-06-30", id="annual-2025"),
    })
    build_at(root)
    assert "<title>Budgets &amp; Bonds: A Webinar</title>" in read(root, "events/budgets-bonds-a-webinar-2025-04-01/index.html")
    assert "<title>Annual Conference</title>" in read(root, "events/annual-2025/index.html")
    assert not (root / "build/events/annual-conference-2025-06-26").exists()


def test_each_unit_has_its_upcoming_events_page(site):
    root = site({
        **LISTINGS,
        "data/events.yaml": event("A", "2025-04-01", unit="core")
        + event("B", "2025-04-02", unit="pla")
        + event("C", "2025-04-03", unit="core")
        + event("D", "2025-01-03", unit="acrl"),  # past: no unit page for it
    })
    build_at(root)
    assert read(root, "events/core/index.html") == "a-2025-04-01;c-2025-04-03;"
    assert read(root, "events/pla/index.html") == "b-2025-04-02;"
    assert not (root / "build/events/acrl").exists()


# --- Generated pages: awards -------------------------------------------------------------------


AWARDS = {
    "data/awards/newbery.yaml": (
        "name: Newbery Medal\ncategory: book-media\nsummary: For children's literature.\nwinners:\n"
        "  - {year: 2023, recipient: Cy}\n"
        "  - {year: 2024, recipient: Honor One, honor: true}\n"
        "  - {year: 2024, recipient: Winner}\n"
        "  - {year: 2024, recipient: Honor Two, honor: true}\n"
    ),
    "data/awards/caldecott.yaml": (
        "name: Caldecott Medal\ncategory: book-media\nsummary: For picture books.\nwinners:\n"
        "  - {year: 2024, recipient: Artist}\n"
    ),
    "data/awards/grant.yaml": "name: Small Grant\ncategory: grant\nsummary: For libraries.\ndeadline: 2025-05-01\n",
}


def test_an_award_lists_its_winners_newest_first_winner_before_honours(site):
    newbery = next(a for a in site_at(site(AWARDS)).awards if a.id == "newbery-medal")
    assert [(w.year, w.recipient) for w in newbery.winners] == [
        (2024, "Winner"), (2024, "Honor One"), (2024, "Honor Two"), (2023, "Cy"),
    ]
    assert newbery.years == (2024, 2023)


def test_a_year_page_lists_every_winner_of_that_year_across_awards(site):
    root = site({**LISTINGS, **AWARDS})
    build_at(root)
    assert read(root, "awards/2024/index.html") == (
        "caldecott-medal:Artist,;newbery-medal:Winner,Honor One (honor),Honor Two (honor),;"
    )
    assert read(root, "awards/2023/index.html") == "newbery-medal:Cy,;"
    assert read(root, "awards/index.html") == "Awards, grants and scholarships||caldecott-medal;newbery-medal;small-grant;"


def test_a_content_page_keeps_its_title_and_text_on_the_awards_listing(site):
    root = site({**LISTINGS, **AWARDS, "content/awards/index.md": "---\ntitle: Awards and honours\n---\nOur prizes.\n"})
    build_at(root)
    assert read(root, "awards/index.html") == (
        "Awards and honours|<p>Our prizes.</p>\n|caldecott-medal;newbery-medal;small-grant;"
    )


# --- Generated pages: news pagination ----------------------------------------------------------


def _news(count: int) -> dict[str, str]:
    return {
        f"content/news/item-{n:02}.md": f"---\ntitle: N{n:02}\ndate: 2025-01-{n:02}\nsummary: Item {n}.\n---\nText.\n"
        for n in range(1, count + 1)
    }


def _built_pages(root, prefix: str) -> list[str]:
    return sorted(str(p.relative_to(root / "build")) for p in (root / "build").glob(prefix + "**/index.html"))


def test_no_news_no_news_page(site):
    root = site(LISTINGS)
    build_at(root)
    assert _built_pages(root, "news/") == []


def test_no_news_items_but_a_news_page(site):
    root = site({**LISTINGS, "content/news/index.md": "---\ntitle: News\n---\n"})
    build_at(root)
    assert _built_pages(root, "news/") == ["news/index.html"]
    assert read(root, "news/index.html") == "1/1|"


@pytest.mark.parametrize(
    ("count", "pages"),
    [
        (1, {"news/index.html": "1/1|N01;"}),
        (20, {"news/index.html": "1/1|" + "".join(f"N{n:02};" for n in range(20, 0, -1))}),
        (
            21,
            {
                "news/index.html": "1/2|" + "".join(f"N{n:02};" for n in range(21, 1, -1)),
                "news/page/2/index.html": "2/2|N01;",
            },
        ),
    ],
)
def test_news_pagination(site, count, pages):
    root = site({**LISTINGS, **_news(count)})
    build_at(root)
    listing = [p for p in _built_pages(root, "news/") if not p.startswith("news/item-")]
    assert listing == sorted(pages)  # never a /news/page/1/
    assert {path: read(root, path) for path in pages} == pages


# --- Generated pages: publications and prices --------------------------------------------------


def test_prices_are_shown_in_dollars_and_cents(site):
    root = site({
        **LISTINGS,
        "data/publications.yaml": (
            "- {title: A Guide, format: book, summary: S1., price: 64.99}\n"
            "- {title: B Poster, format: poster, summary: S2., price: 64.90}\n"  # not 64.9
            "- {title: C Set, format: book, summary: S3., price: '$1,234.5'}\n"
            "- {title: D Free, format: e-book, summary: S4., price: 0}\n"
            "- {title: E Journal, format: journal, summary: S5.}\n"
        ),
    })
    model = site_at(root)
    assert [p.price for p in model.publications] == [Decimal("64.99"), Decimal("64.90"), Decimal("1234.50"), Decimal("0.00"), None]
    build_at(root)
    assert read(root, "publications/index.html") == (
        "a-guide=$64.99;b-poster=$64.90;c-set=$1,234.50;d-free=$0.00;e-journal=;"
    )


# --- Links in a record's body --------------------------------------------------------------

def test_links_in_a_record_body_start_from_content_and_errors_name_their_line(site):
    body = "  body: |\n    See [our mission](about/mission.md).\n\n    And [a lost page](about/lost.md).\n"
    event = "- title: A\n  kind: webinar\n  start: 2025-04-01\n  summary: S\n" + body
    root = site({"content/about/mission.md": "---\ntitle: M\n---\n", "data/events.yaml": event})
    assert problems_of(root) == [
        "data/events.yaml:8:23: links to content/about/lost.md, which does not exist"
    ]
    (root / "data/events.yaml").write_text(event.replace("And [a lost page](about/lost.md).", "Done."))
    build_at(root)
    assert '<a href="/about/mission/">our mission</a>' in read(root, "events/a-2025-04-01/index.html")


# --- A job before its posted date; records with errors ------------------------------------------

# The demo's rule (layouts/job.html): a job's page says it closed when the job is not open.
JOB_PAGE = {
    "layouts/job.html": "{{ page.title }}|{% if not page.record.is_open(site.clock) %}This listing closed on {{ page.record.closes }}.{% endif %}\n"
}


def test_a_job_before_its_posted_date_has_no_page(site):
    root = site({
        **LISTINGS,
        **JOB_PAGE,
        "data/jobs.yaml": job("Posted Tomorrow", "2025-03-02", "2025-04-01")
        + job("Open", "2025-02-01", "2025-04-01")
        + job("Closed Yesterday", "2025-01-01", "2025-02-28"),
    })
    model = site_at(root)
    assert "/jobs/posted-tomorrow/" not in model.by_url
    assert [p.url for p in model.pages if p.kind == "job"] == ["/jobs/closed-yesterday/", "/jobs/open/"]
    build_at(root)
    assert not (root / "build/jobs/posted-tomorrow").exists()
    assert "/jobs/posted-tomorrow/" not in read(root, "sitemap.xml")
    assert read(root, "jobs/open/index.html") == "Open|"
    assert read(root, "jobs/closed-yesterday/index.html") == "Closed Yesterday|This listing closed on 2025-02-28."
    build_at(root, "2025-03-02")  # its posted day: open, with its page
    assert read(root, "jobs/posted-tomorrow/index.html") == "Posted Tomorrow|"
    assert read(root, "jobs/index.html") == "posted-tomorrow;open;"


def test_a_job_has_closed_only_after_its_closing_day():
    from alagen.model.records import Job

    clerk = Job("clerk", "Clerk", "E", "C", "R", posted=dt.date(2025, 3, 2), closes=dt.date(2025, 3, 31))
    states = {}
    for day in ("2025-03-01", "2025-03-02", "2025-03-31", "2025-04-01"):
        clock = make_clock("America/Chicago", dt.date.fromisoformat(day))
        states[day] = (clerk.is_posted(clock), clerk.is_open(clock), clerk.has_closed(clock))
    assert states == {
        "2025-03-01": (False, False, False),
        "2025-03-02": (True, True, False),
        "2025-03-31": (True, True, False),
        "2025-04-01": (True, False, True),
    }


def test_a_title_too_long_to_make_an_id(site):
    # It was "internal error: OSError: [Errno 36] File name too long" writing /events/<id>/.
    title = ("Long " * 60).strip()
    root = site({"data/events.yaml": f"- {{title: {title}, kind: webinar, start: 2025-04-01, summary: S}}\n"})
    assert problems_of(root) == [
        "data/events.yaml:1:11: the title makes an id of 310 characters, too long for a URL (at most 200); "
        "give the event a shorter 'id:' or title"
    ]


def test_a_posted_date_too_far_off(site):
    # It was "internal error: OverflowError: date value out of range" (60 days after 9999-12-31).
    root = site({"data/jobs.yaml": job("Clerk", "9999-12-31")})
    assert problems_of(root) == [
        "data/jobs.yaml:5:11: 'posted': '9999-12-31' is not a date alagen can use: the year must be from 1000 to 9000"
    ]


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("02/27/2025", "'start': '02/27/2025' looks like month/day/year; write 2025-02-27"),
        ("2025-02-30T10:00", "'start': '2025-02-30' is not a date: February 2025 has 28 days; write a day that exists, e.g. 2025-02-28"),
        ("[2025-02-27]", "'start': must be a date (YYYY-MM-DD) or a date and time (2025-02-19T13:00), not a list"),
    ],
)
def test_a_wrong_start(site, start, message):
    root = site({"data/events.yaml": event("Forum", start)})
    assert problems_of(root) == [f"data/events.yaml:3:10: {message}"]


def test_a_record_with_an_error_is_left_out_of_the_model(site):
    root = site({
        "data/events.yaml": event("Good", "2025-04-01") + event("Bad end", "2025-04-01", "2025-02-30"),
        "data/jobs.yaml": job("Good", "2025-02-01") + job("No way to apply", "2025-02-01").replace("  url: https://jobs.example.org/1\n", ""),
        "data/awards.yaml": "- {name: Good, category: grant, summary: S}\n- {name: Bad, category: grant, summary: T, winners: [{year: x, recipient: R}]}\n",
    })
    problems = Problems()
    with problems.held():
        model = build_site(load(root, problems), dt.date(2025, 3, 1), False, problems)
    assert len(problems.errors) == 3
    assert (ids(model.events), ids(model.jobs), ids(model.awards)) == (["good-2025-04-01"], ["good"], ["good"])
    assert sorted(p.url for p in model.pages if p.record is not None) == ["/awards/good/", "/events/good-2025-04-01/", "/jobs/good/"]


def test_an_event_time_zone_too_long_for_a_file_name(site):
    zone = "Chicago" * 40
    root = site({"data/events.yaml": event("Forum", "2025-04-01", timezone=zone)})
    assert problems_of(root) == [f"data/events.yaml:5:13: '{zone}' is not a known time zone; use a name like America/Chicago"]
