"""alagen.yamlfile.parse: safe YAML that remembers where every key, value and item was written."""

from __future__ import annotations

import time

import pytest

from alagen.errors import SourceError
from alagen.yamlfile import parse
from conftest import build_at, read

EVENTS = """\
title: Annual conference
winners:
  - year: 2024
    name: Ada
  - 2025
place: {city: Peoria, room: 4}
"""


def _error(text: str, first_line: int = 1) -> str:
    with pytest.raises(SourceError) as raised:
        parse(text, "data/x.yaml", first_line)
    return str(raised.value)


def test_values_are_plain_python_data():
    value, _ = parse(EVENTS, "data/events.yaml")
    assert value == {
        "title": "Annual conference",
        "winners": [{"year": 2024, "name": "Ada"}, 2025],
        "place": {"city": "Peoria", "room": 4},
    }


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        (("title",), "data/events.yaml:1:1", "data/events.yaml:1:8"),
        (("winners", 0, "name"), "data/events.yaml:4:5", "data/events.yaml:4:11"),
        (("place", "room"), "data/events.yaml:6:23", "data/events.yaml:6:29"),
    ],
)
def test_positions_of_keys_and_values(where, key, value):
    _, positions = parse(EVENTS, "data/events.yaml")
    assert str(positions.key(*where)) == key
    assert str(positions.value(*where)) == value


def test_a_list_item_has_the_position_of_its_value_and_the_raw_text():
    _, positions = parse(EVENTS, "data/events.yaml")
    assert str(positions.value("winners", 1)) == "data/events.yaml:5:5"
    assert str(positions.key("winners", 1)) == "data/events.yaml:5:5"  # an item has no key of its own
    assert positions.raw("winners", 1) == "2025"
    assert positions.raw("place") is None  # not a plain scalar


def test_first_line_shifts_every_position():
    """Front matter starts on line 2 of its page."""
    _, positions = parse("title: A\ndate: 2025-01-01\n", "content/a.md", first_line=2)
    assert str(positions.key("date")) == "content/a.md:3:1"
    assert str(positions.value("date")) == "content/a.md:3:7"


def test_a_missing_entry_falls_back_to_the_nearest_enclosing_one():
    _, positions = parse(EVENTS, "data/events.yaml")
    assert str(positions.key("winners", 0, "prize")) == "data/events.yaml:3:5"  # at the item it would be in
    assert str(positions.value("nope")) == "data/events.yaml:1:1"


def test_under_reroots_positions_at_an_entry():
    _, positions = parse(EVENTS, "data/events.yaml")
    assert str(positions.under("winners", 0).value("name")) == "data/events.yaml:4:11"


def test_an_empty_document_is_none():
    value, positions = parse("# only a comment\n", "data/x.yaml")
    assert value is None
    assert str(positions.value()) == "data/x.yaml:1:1"


@pytest.mark.parametrize("date", ["2025-02-19", "2025-02-30", "2025-02-19T13:00", "2025-02-19 13:00:00"])
def test_dates_stay_strings_for_the_schema_to_check(date):
    assert parse(f"date: {date}\n", "x")[0] == {"date": date}


@pytest.mark.parametrize("word", ["no", "on", "off", "yes", "null", "true"])
def test_words_yaml_1_1_would_read_as_booleans_are_words_as_keys(word):
    assert parse(f"{word}: 1\n", "x")[0] == {word: 1}


def test_as_values_they_are_still_booleans():
    assert parse("draft: yes\ntoc: off\n", "x")[0] == {"draft": True, "toc": False}


def test_anchors_aliases_and_merge_keys_work():
    value, positions = parse("base: &b {a: 1, b: [1, 2]}\ncopy: *b\nmerged:\n  <<: *b\n  c: 3\n", "x")
    assert value == {"base": {"a": 1, "b": [1, 2]}, "copy": {"a": 1, "b": [1, 2]}, "merged": {"a": 1, "b": [1, 2], "c": 3}}
    assert str(positions.key("copy")) == "x:2:1"


def test_nested_aliases_billion_laughs_stay_small_and_fast():
    """Nine levels of ten aliases each would be 10^9 strings if copied out."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, 10):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    started = time.perf_counter()
    value, positions = parse("\n".join(lines) + "\n", "x")
    assert time.perf_counter() - started < 1
    assert value["a9"][9][9][9][9][9][9][9][9][9][9] == "lol"
    assert len(positions.spots) < 200


def test_billion_laughs_in_a_data_file_builds_fast(site):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, 10):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    root = site({"data/lol.yaml": "\n".join(lines) + "\n", "content/index.md": "---\ntitle: Home\n---\n",
                 "layouts/home.html": "{{ site.data.lol.a9[0][0][0][0][0][0][0][0][0][0] }}\n"})
    started = time.perf_counter()
    build_at(root)
    assert time.perf_counter() - started < 2
    assert read(root, "index.html") == "lol\n"


@pytest.mark.parametrize(
    "text",
    ["a: &a [1, *a]\n", "a: &a\n  b: *a\n"],
)
def test_an_alias_inside_its_own_anchor_is_refused(text):
    assert _error(text).endswith(": this alias repeats an entry that contains it, which would never end; remove the alias")


def test_a_self_containing_alias_is_reported_at_its_key():
    assert _error("title: A\nboard: &b\n  chair: *b\n") == (
        "data/x.yaml:3:3: this alias repeats an entry that contains it, which would never end; remove the alias"
    )


@pytest.mark.parametrize(
    ("text", "first_line", "message"),
    [
        ('title: "About us\nnext: 1\n', 1, "data/x.yaml:1:8: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar)"),
        ("title: A\nname: 'Ada\n", 2, "data/x.yaml:3:7: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar)"),
        ("tags: [a, b\nnext: 1\n", 1, "data/x.yaml:1:7: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"),
        (
            "title: Notes: the year\n",
            1,
            "data/x.yaml:1:13: YAML syntax error: mapping values are not allowed in this context; "
            "if the value contains ': ', put it in quotes",
        ),
        ("a: 1\n\tb: 2\n", 1, "data/x.yaml:2:1: a tab character is not allowed here: YAML is indented with spaces only; replace the tab with spaces"),
        ("a: *nowhere\n", 1, "data/x.yaml:1:4: YAML syntax error: found undefined alias"),
        ("? [a, b]\n: 1\n", 1, "data/x.yaml:1:3: a key must be a plain word, not a list or mapping"),
        ("a: 1\nb: 2\na: 3\n", 1, "data/x.yaml:3:1: 'a' is given twice in the same mapping (first on line 1); keep one"),
    ],
)
def test_syntax_errors_point_at_the_mistake(text, first_line, message):
    assert _error(text, first_line) == message


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ('run: !!python/object/apply:os.system ["echo hi"]\n', "!!python/object/apply:os.system"),
        ("f: !!python/name:os.system\n", "!!python/name:os.system"),
        ("x: !!python/object:collections.OrderedDict {}\n", "!!python/object:collections.OrderedDict"),
        ("x: !custom 1\n", "!custom"),
    ],
)
def test_tags_other_than_plain_data_are_refused(text, tag):
    with pytest.raises(SourceError) as raised:
        parse(text, "data/x.yaml")
    col = text.index("!") + 1
    assert str(raised.value) == (
        f"data/x.yaml:1:{col}: the YAML tag '{tag}' is not allowed: alagen reads plain data only; remove the tag"
    )
    assert raised.value.problem.span == len(tag)


def test_a_tag_is_refused_before_anything_is_built(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(SourceError):
        parse(f'a: !!python/object/apply:os.system ["touch {marker}"]\n', "x")
    assert not marker.exists()


def test_standard_tags_are_fine():
    assert parse("a: !!str 1876\nb: !!int '3'\n", "x")[0] == {"a": "1876", "b": 3}
