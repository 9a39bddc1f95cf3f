"""The order of the build: load -> model -> render -> write -> index, then publish.
Reading this file tells the whole build; each stage is a module with one job."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from alagen.errors import Problem, Problems
from alagen.load import load
from alagen.model.site import Site, build_site
from alagen.progress import Progress, Silent
from alagen.render import render_site
from alagen.search import index_site
from alagen.write import discard, publish, stage

_SOURCE_FOLDERS = ("content", "data", "layouts", "src")


@dataclass(frozen=True, slots=True)
class BuildOptions:
    root: Path = Path(".")
    out: Path | None = None  # default: <root>/build
    now: dt.date | dt.datetime | None = None
    drafts: bool = False
    strict: bool = False  # warnings (doubtful data) fail the build
    search: bool = True  # index the site with Pagefind


@dataclass(frozen=True, slots=True)
class BuildReport:
    pages: int
    records: tuple[tuple[str, int], ...]  # ("events", 57), ("jobs", 15), ...
    data_files: int
    files: int
    size: int
    indexed: int | None  # pages in the search index; None when not indexed
    out: Path
    timings: tuple[tuple[str, float], ...]
    warnings: tuple[Problem, ...]


def build(options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Build the site. Raises BuildFailed (every problem) and leaves the old build alone."""
    progress = progress or Silent()
    root = options.root.resolve()
    out = (options.out or root / "build").absolute()
    check_out(root, out)
    problems = Problems(strict=options.strict)
    timings: list[tuple[str, float]] = []
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings.append((stage, now - clock))
        clock = now

    progress.stage("load")
    sources = load(root, problems)
    lap("load")
    progress.stage("model")
    site = build_site(sources, options.now, options.drafts, problems)
    lap("model")
    progress.stage("render", total=len(site.pages))
    cache = out.parent / ".alagen-cache"  # resized photos, kept between builds
    outputs = render_site(site, root, sources.assets, problems, on_page=progress.advance, cache=cache)
    lap("render")
    progress.stage("write")
    staged = stage(outputs, out)
    lap("write")
    indexed = None
    try:
        if options.search:
            progress.stage("index")
            indexed = index_site(staged.folder).pages
            lap("index")
        publish(staged)
    except BaseException:
        discard(staged)
        raise
    return BuildReport(
        pages=len(site.pages),
        records=tuple((name, len(getattr(site.records, name))) for name in ("events", "jobs", "awards", "publications")),
        data_files=len(sources.data),
        files=staged.files,
        size=staged.size,
        indexed=indexed,
        out=out,
        timings=tuple(timings),
        warnings=problems.warnings,
    )


def check_out(root: Path, out: Path) -> None:
    """The output folder is replaced whole: never let it be the site or its sources."""
    resolved = out.resolve()
    if resolved == root or root.is_relative_to(resolved):
        raise ValueError(f"--out {out} would replace the site itself; choose a folder like build/")
    for folder in _SOURCE_FOLDERS:
        if resolved.is_relative_to(root / folder):
            raise ValueError(f"--out {out} is inside {folder}/, which would be replaced; choose a folder like build/")


def read_site(options: BuildOptions) -> Site:
    """Load and model the site without rendering or writing: the model `alagen check` traces
    a built page back to. Raises BuildFailed as build() does."""
    problems = Problems(strict=options.strict)
    return build_site(load(options.root.resolve(), problems), options.now, options.drafts, problems)
