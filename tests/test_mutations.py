"""One wrong value never crashes the build. Every value of the demo's front matter, folder
defaults and data files is a candidate; a seeded random choice of them is replaced, one at a
time, with a wrong type, an empty or null value, an impossible or US-style date, a huge
number, a boolean, a list or a mapping where a scalar is expected (and a scalar where a list
or mapping is), or its key is left out. Each build must end either with success or with
problems that name the changed file at a line, never with an exception escaping the
pipeline (the command line's "alagen: internal error", exit 3) and never with a problem
at a layout because an invalid value reached a template.

The cases are picked by `random.Random(SEED)`; a failure names its case (file, line, what
was written), and `ALAGEN_MUTATION_SEED=N ALAGEN_MUTATIONS=M pytest tests/test_mutations.py`
walks another or a larger choice. The demo is copied once per worker and built in process,
with the build cache (as `alagen build` does), without search."""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import os
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from alagen.errors import BuildFailed
from alagen.pipeline import BuildOptions, build

REPO = Path(__file__).resolve().parent.parent
NOW = dt.date(2025, 3, 1)
SEED = int(os.environ.get("ALAGEN_MUTATION_SEED", "20250301"))
COUNT = int(os.environ.get("ALAGEN_MUTATIONS", "400"))
WORKERS = max(1, min(2, os.cpu_count() or 1))
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # both give each node's place in the text

# What a value is replaced with, as written in YAML (valid in block and flow context alike).
REPLACEMENTS = (
    "''",
    "null",
    "yes",
    "false",
    "0",
    "-1",
    "3.5",
    "123456789012345678901234567890",
    "1.0e+400",
    "2025-02-30",
    "9999-12-31",
    "02/27/2025",
    "2025-13-01",
    "'2025-02-19T25:00'",
    "[]",
    "[a, b]",
    "[[1], {a: 1}]",
    "{}",
    "{a: 1}",
    "x",
    "'" + "long " * 80 + "'",
    "a" * 300,
)


@dataclass(frozen=True)
class Case:
    source: str  # the file changed, from the site root
    line: int  # the line of the value changed
    key: str  # the path of the value in the file, e.g. "3.start"
    start: int  # the text replaced: text[start:end]
    end: int
    written: str  # what is written there instead
    old: str = ""  # what was written there

    def __str__(self) -> str:
        what = "left out" if self.written == "" else f"replaced by {self.written[:40]}"
        return f"{self.source}:{self.line} ({self.key}) {what}"


def _yaml_parts(root: Path):
    """(source, text, YAML text, offset of the YAML in the file) of every file with YAML."""
    for path in sorted((root / "content").rglob("*.md")) + sorted((root / "content").rglob("_defaults.yaml")):
        source = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".yaml":
            yield source, text, text, 0
            continue
        if not text.startswith("---\n"):
            continue
        close = text.find("\n---\n", 3)
        if close < 0:
            continue
        yield source, text, text[4 : close + 1], 4
    for path in sorted((root / "data").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        yield path.relative_to(root).as_posix(), text, text, 0


def _value_end(node, text: str, offset: int) -> int:
    """Where the value's text ends: a block value's last line break and the indentation of
    what follows it stay."""
    start, end = node.start_mark.index + offset, node.end_mark.index + offset
    while end > start and text[end - 1] in " \n":
        end -= 1
    return end


def _walk(node, path: tuple, text: str, offset: int, found: list) -> None:
    """(path, value node, the text to cut to leave its key out, or None for a list item) of
    every value below `node`."""
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.append((path + (index,), item, None))
            _walk(item, path + (index,), text, offset, found)
    elif isinstance(node, yaml.MappingNode):
        pairs = node.value
        for index, (key, value) in enumerate(pairs):
            if not isinstance(key, yaml.ScalarNode):
                continue
            if node.flow_style:
                if index + 1 < len(pairs):
                    cut = (key.start_mark.index + offset, pairs[index + 1][0].start_mark.index + offset)
                elif index > 0:
                    cut = (_value_end(pairs[index - 1][1], text, offset), _value_end(value, text, offset))
                else:
                    cut = (key.start_mark.index + offset, _value_end(value, text, offset))
            else:
                cut = (key.start_mark.index + offset, _value_end(value, text, offset))
            found.append((path + (key.value,), value, cut))
            _walk(value, path + (key.value,), text, offset, found)


def all_cases(root: Path) -> list[Case]:
    """Every (value, replacement) of the site at root, and every key left out."""
    cases = []
    for source, text, part, offset in _yaml_parts(root):
        node = yaml.compose(part, Loader=LOADER)
        if node is None:
            continue
        found: list = []
        _walk(node, (), text, offset, found)
        for path, value, cut in found:
            start, end = value.start_mark.index + offset, _value_end(value, text, offset)
            line = value.start_mark.line + 1 + text[:offset].count("\n")
            key = ".".join(map(str, path))
            for written in REPLACEMENTS:
                if text[start:end] != written:
                    cases.append(Case(source, line, key, start, end, written, text[start:end]))
            if cut is not None:
                cases.append(Case(source, line, key, cut[0], cut[1], "", text[start:end]))
    return cases


def mutated(text: str, case: Case) -> str:
    return text[: case.start] + case.written + text[case.end :]


def _still_yaml(root: Path, case: Case, text: str) -> bool:
    """The changed file is still YAML (a syntax error tells nothing new about the model)."""
    if case.source.endswith(".md"):
        text = text[4 : text.find("\n---\n", 3) + 1]
    try:
        yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError:
        return False
    return True


def field_of(case: Case) -> str:
    """What kind of value a case changes: the kind of file and the key, list positions left
    out ('events:*.start', 'news:date', 'site:timezone')."""
    source = case.source
    if source.startswith("content/"):
        news = source.startswith("content/news/") and not source.endswith("/index.md")
        kind = "defaults" if source.endswith(".yaml") else "news" if news else "page"
    else:
        kind = source.removeprefix("data/").split("/")[0].removesuffix(".yaml")
    return kind + ":" + ".".join("*" if part.isdigit() else part for part in case.key.split("."))


@functools.cache
def choose(root: Path, seed: int = SEED, count: int = COUNT) -> list[Case]:
    """`count` cases, taken in turn from every field (each field's cases in a random order), so
    that every field of every kind of file is changed, in more ways the more cases there are."""
    rng = random.Random(seed)
    fields: dict[str, list[Case]] = {}
    for case in all_cases(root):
        fields.setdefault(field_of(case), []).append(case)
    queues = []
    for name in sorted(fields):
        rng.shuffle(fields[name])
        queues.append(iter(fields[name]))
    chosen: list[Case] = []
    texts: dict[str, str] = {}
    while queues and len(chosen) < count:
        for queue in list(queues):
            case = next(queue, None)
            if case is None:
                queues.remove(queue)
                continue
            text = texts.setdefault(case.source, (root / case.source).read_text(encoding="utf-8"))
            if _still_yaml(root, case, mutated(text, case)):
                chosen.append(case)
                if len(chosen) == count:
                    break
    return chosen


def copy_demo(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("content", "data", "layouts"):
        shutil.copytree(REPO / name, folder / name)
    return folder


def verdict(case: Case, outcome) -> str | None:
    """What is wrong with the build's outcome for this case, or None."""
    if outcome is None:  # built
        return None
    if not isinstance(outcome, BuildFailed):  # what `alagen build` prints as an internal error, exit 3
        return f"{case}: internal error: {type(outcome).__name__}: {outcome}"
    problems = outcome.problems
    if outcome.__cause__ is not None:  # a crash while the rest of a broken site was checked (pipeline.py)
        cause = outcome.__cause__
        return f"{case}: an invalid value reached the render stage: {type(cause).__name__}: {cause}"
    internal = [p for p in problems if p.message.startswith(("internal error", "alagen: internal error"))]
    if internal:
        return f"{case}: {internal[0]}"
    layouts = [p for p in problems if p.location.path.startswith("layouts/")]
    if layouts:  # the demo's layouts are right: a value that should have been refused reached one
        return f"{case}: an invalid value reached a layout: {layouts[0]}"
    here = [p for p in problems if p.location.path == case.source and p.location.line > 0]
    if here:
        return None
    # An id changed (a topic's, a division's) is reported where the old one is still used:
    # each problem names the old value, at a line of content/ or data/.
    old = case.old.strip("'\"")
    if old and all(
        f"'{old}'" in p.message and p.location.line > 0 and p.location.path.startswith(("content/", "data/"))
        for p in problems
    ):
        return None
    return f"{case}: no problem names the changed file at a line: {[str(p) for p in problems][:4]}"


def run_cases(root: Path, cases: list[Case]) -> list[str]:
    """Build each case in turn at root (its file changed, then restored); the failures."""
    failures = []
    build(BuildOptions(root=root, now=NOW, search=False))  # the cache's first state: the demo as it is
    for case in cases:
        path = root / case.source
        text = path.read_text(encoding="utf-8")
        path.write_text(mutated(text, case), encoding="utf-8")
        try:
            build(BuildOptions(root=root, now=NOW, search=False))
            outcome = None
        except BuildFailed as failed:
            outcome = failed
        except Exception as err:  # noqa: BLE001 - exactly what the command line calls an internal error
            outcome = err
        finally:
            path.write_text(text, encoding="utf-8")
        failure = verdict(case, outcome)
        if failure:
            failures.append(failure)
    return failures


def _worker(args) -> list[str]:
    folder, cases = args
    return run_cases(copy_demo(Path(folder)), cases)


def test_one_wrong_value_is_reported_at_its_file_never_crashes(tmp_path):
    started = time.perf_counter()
    cases = choose(REPO)
    assert len(cases) == COUNT
    shares = [cases[n::WORKERS] for n in range(WORKERS)]
    jobs = [(str(tmp_path / f"demo-{n}"), share) for n, share in enumerate(shares)]
    if WORKERS > 1:
        # Forked before any build: each worker builds its own copy, with its own cache.
        with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
            results = pool.map(_worker, jobs)
    else:
        results = [_worker(job) for job in jobs]
    failures = [f for result in results for f in result]
    print(f"{len(cases)} cases (seed {SEED}) in {time.perf_counter() - started:.0f} s")
    assert not failures, f"{len(failures)} of {len(cases)} cases failed:\n" + "\n".join(failures)


def test_the_cases_cover_every_file_and_kind_of_value():
    cases = all_cases(REPO)
    sources = {c.source for c in cases}
    assert "data/site.yaml" in sources and "content/index.md" in sources
    assert any(c.source.startswith("data/events/") for c in cases)
    assert {c.written for c in cases} >= set(REPLACEMENTS) | {""}
    chosen = choose(REPO)
    assert {field_of(c) for c in chosen} == {field_of(c) for c in cases}  # every field, at least once
    assert len({c.source for c in chosen}) > 40  # spread over the site, not one file
    assert len({c.written for c in chosen}) == len(REPLACEMENTS) + 1


if __name__ == "__main__":  # python3 tests/test_mutations.py [seed] [count]: the failures, one a line
    import sys
    import tempfile

    seed = int(sys.argv[1]) if len(sys.argv) > 1 else SEED
    count = int(sys.argv[2]) if len(sys.argv) > 2 else COUNT
    with tempfile.TemporaryDirectory() as tmp:
        chosen = choose(REPO, seed, count)
        shares = [chosen[n::WORKERS] for n in range(WORKERS)]
        with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
            for result in pool.map(_worker, [(f"{tmp}/demo-{n}", s) for n, s in enumerate(shares)]):
                print("\n".join(result))
