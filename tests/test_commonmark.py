"""The CommonMark 0.31.2 spec's 652 examples (tests/commonmark/spec.txt): with typographer off,
our Markdown gives exactly the spec's HTML.

The comparison is exact, unlike the spec's own runner (test/normalize.py ignores whitespace
between block tags and sorts attributes), with one exception: our engine gives every heading
an id (`<h2 id="foo">`), which the spec's HTML has not, so that id is taken out of h1-h6
opening tags in our HTML before comparing, and nothing else is touched.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alagen.markdown import Markdown

SPEC = Path(__file__).resolve().parent / "commonmark" / "spec.txt"
FENCE = "`" * 32
_HEADER = re.compile(r"#+ ")
_HEADING_ID = re.compile(r'(<h[1-6]) id="[^"]*"')


def examples(path: Path = SPEC) -> list[dict]:
    """The examples as the spec's test/spec_tests.py reads them: the Markdown and the HTML of
    each, with `→` made a tab, numbered from 1, under the last `#` heading before it."""
    found: list[dict] = []
    state = 0  # 0: prose, 1: an example's Markdown, 2: its HTML
    markdown: list[str] = []
    html: list[str] = []
    section = ""
    start = 0
    with path.open(encoding="utf-8", newline="\n") as spec:
        for number, line in enumerate(spec, 1):
            stripped = line.strip()
            if stripped.startswith(FENCE + " example"):
                state, start = 1, number
            elif stripped == FENCE:
                found.append({
                    "example": len(found) + 1,
                    "section": section,
                    "line": start,
                    "markdown": "".join(markdown).replace("→", "\t"),
                    "html": "".join(html).replace("→", "\t"),
                })  # fmt: skip
                state, markdown, html = 0, [], []
            elif stripped == "." and state:
                state = 2
            elif state == 1:
                markdown.append(line)
            elif state == 2:
                html.append(line)
            elif _HEADER.match(line):
                section = _HEADER.sub("", line).strip()
    return found


EXAMPLES = examples()


def _id(example: dict) -> str:
    return f"example-{example['example']}-{example['section'].replace(' ', '-')}"


def unchanged(target: str, source: str) -> str:
    return target


@pytest.fixture(scope="module")
def commonmark() -> Markdown:
    return Markdown(typographer=False, raw_html=True)


def test_the_spec_has_652_examples():
    assert len(EXAMPLES) == 652
    assert EXAMPLES[0]["section"] == "Tabs" and EXAMPLES[-1]["section"] == "Textual content"


@pytest.mark.parametrize("example", EXAMPLES, ids=_id)
def test_example(commonmark, example):
    rendered = commonmark.render(example["markdown"], "content/a.md", 1, unchanged)
    ours = _HEADING_ID.sub(r"\1", rendered.html)
    assert ours == example["html"], f"spec.txt line {example['line']}:\n{example['markdown']}"
