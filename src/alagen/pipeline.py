"""The order of the build: load -> model -> render -> write -> index, then publish.
Reading this file tells the whole build; each stage is a module with one job."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NoReturn

from alagen.cache import FOLDER as CACHE_FOLDER, Cache, options_key
from alagen.errors import BuildFailed, OptionError, Problem, Problems
from alagen.load import load
from alagen.model.site import Site, build_site
from alagen.progress import Progress, Silent
from alagen.search import index_site
from alagen import write
from alagen.write import discard, new_folder, publish, stage, update

_SOURCE_FOLDERS = ("content", "data", "layouts", "src")

# The last build's site, kept until the next build ends: freeing its hundreds of thousands of
# objects takes a third of a second at 10,000 pages, which the `alagen` command skips by
# leaving without freeing them (os._exit in cli.run).
_last: tuple = ()


@dataclass(frozen=True, slots=True)
class BuildOptions:
    root: Path = Path(".")
    out: Path | None = None  # default: <root>/build
    now: dt.date | dt.datetime | None = None
    drafts: bool = False
    strict: bool = False  # warnings (doubtful data) fail the build
    search: bool = True  # index the site with Pagefind
    cache: bool = True  # redo only what changed since the last build (.alagen-cache/ beside out)
    # The source files changed since this process's last build, as a file watcher saw them
    # (`alagen serve`): with them, the sources are not walked again, and the output folder is
    # taken to be this process's own, as it left it. None: look at every file.
    changed: tuple[str, ...] | None = None
    wait: bool = False  # another build is writing the same output folder: wait for it (else write.Busy)
    force_out: bool = False  # replace the output folder even without alagen's mark (else write.NotOurs)


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
    kept: int = 0  # pages not rendered again: unchanged since the last build
    notes: tuple[str, ...] = ()  # about the build cache, for the command line to show
    base_path: str = "/"  # the path the site lives under ("/ala/"), as its settings say


def build(options: BuildOptions, progress: Progress | None = None, waiting: Callable[[str], None] | None = None) -> BuildReport:
    """Build the site. Raises BuildFailed (every problem), or write.OutputError (another
    build is writing the output folder, the folder is not alagen's, the disk is full...),
    and leaves the old build alone. `waiting`: told when the build waits for another one
    (options.wait)."""
    progress = progress or Silent()
    # The build makes hundreds of thousands of objects that live to its end, and few cycles:
    # Python's cycle collector would walk them again and again (a fifth of a rebuild's time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(options, progress, waiting)
    finally:
        if collecting:
            gc.enable()


def _build(options: BuildOptions, progress: Progress, waiting: Callable[[str], None] | None) -> BuildReport:
    root = options.root.resolve()
    out = (options.out or root / "build").absolute()
    check_out(root, out)
    shown = shown_out(root, out)
    try:
        write.claim(out, shown, options.force_out)  # at once: a folder refused gets nothing beside it
        # One build at a time in an output folder: taken before anything is staged or removed.
        lock = write.lock(out, shown, options.wait, waiting)
        try:
            write.reached("locked")
            write.clear_leftovers(out, lock)
            write.claim(out, shown, options.force_out)  # again, now that no other build can change it
            return _build_locked(options, progress, root, out)
        finally:
            lock.release()
    except OSError as err:  # a full disk, a read-only folder: the operator's to fix, not a bug
        failure = write.cannot_write(err, out, shown, root)
        if failure is None:
            raise
        raise failure from err


def shown_out(root: Path, out: Path) -> str:
    """The output folder as messages name it: "build/", or its whole path outside the site."""
    return (out.relative_to(root).as_posix() if out.is_relative_to(root) else str(out)) + "/"


def _build_locked(options: BuildOptions, progress: Progress, root: Path, out: Path) -> BuildReport:
    problems = Problems(strict=options.strict)
    timings: list[tuple[str, float]] = []
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings.append((stage, now - clock))
        clock = now

    cache = None
    if options.cache:
        key = options_key(options.now, options.drafts, options.strict, options.search)
        cache = Cache(root, out, key, options.changed)
        previous = cache.unchanged_site()
        if previous is not None:  # nothing read or written has changed: the site is as it is
            lap("check")
            return BuildReport(**previous, out=out, timings=tuple(timings), kept=previous["pages"], notes=tuple(cache.notes))
    # Only the texts of pages changed: the last model holds, with the new texts (cache.py).
    site = cache.reuse_site(problems) if cache is not None else None
    if site is not None:
        assets, data_files = cache.reused_sources()
        lap("reuse")
    else:
        progress.stage("load")
        sources = load(root, problems, cache.reuse_document if cache else None)
        assets, data_files = sources.assets, len(sources.data)
        lap("load")
        progress.stage("model")
        with problems.held():  # with errors, the model still gives what is valid, to check below
            if cache is not None:
                site = build_site(sources, options.now, options.drafts, problems, cache.read_page, cache.read_records)
            else:
                site = build_site(sources, options.now, options.drafts, problems)
        lap("model")
        if problems.errors:
            _check_the_rest(site, sources, root, out, problems, cache, progress)
    progress.stage("render", total=len(site.pages))
    incremental = cache is not None and cache.incremental
    # A new site is written as it is rendered; an update waits for every check.
    folder = None if incremental else new_folder(out)
    from alagen.render import render_site  # Jinja and Markdown: not for a build with nothing to do

    try:
        outputs = render_site(
            site, root, assets, problems, cache, on_page=progress.advance,
            write_page=None if folder is None else functools.partial(write.write_one, folder),
            photo_cache=out.parent / CACHE_FOLDER,  # resized photos: in its images/, apart from the state
        )
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    outputs = (*outputs, write.mark())
    lap("render")
    progress.stage("write")
    if incremental:
        indexed = cache.search_unchanged(outputs) if options.search else None
        reindex = options.search and indexed is None
        # The output folder with only what changed, in a folder beside it (write.update).
        writes = [o for o in outputs if not cache.unchanged(o)]
        staged = update(out, writes, cache.stale(outputs), drop=("pagefind",) if reindex or not options.search else ())
        written = {o.path for o in writes} if staged.linked else None  # None: copies, every file looked at again
        files = len(outputs) + len(cache.kept)
        size = cache.kept_size() + sum(len(o.data) if o.data is not None else o.copy_from.stat().st_size for o in outputs)
    else:
        indexed, reindex, written = None, options.search, None
        staged = stage(outputs, out, folder=folder)
        files, size = staged.files, staged.size
    lap("write")
    try:
        if reindex:
            progress.stage("index")
            indexed = index_site(staged.folder, while_running=lambda: write.reached("indexing")).pages
            lap("index")
        # With the cache, the folder swapped out is where the next update starts (write.py).
        publish(staged, spare=cache is not None, folders=cache.folders if incremental else None)
    except BaseException:
        discard(staged)
        raise
    write.reached("published")
    summary = dict(
        pages=len(site.pages),
        records=tuple((name, len(getattr(site.records, name))) for name in ("events", "jobs", "awards", "publications")),
        data_files=data_files,
        files=files,
        size=size,
        indexed=indexed,
        warnings=problems.warnings,
        base_path=site.settings.base_path,
    )
    if cache is not None:
        cache.save(outputs, written, indexed, summary, assets, moved=written is not None, known_folders=staged.folders)
        lap("cache")
    kept = sum(1 for p in site.pages if cache is not None and p.output in cache.kept)
    global _last
    _last = (site, cache)
    return BuildReport(**summary, out=out, timings=tuple(timings), kept=kept, notes=tuple(cache.notes if cache else ()))


def _check_the_rest(site: Site, sources, root: Path, out: Path, problems: Problems, cache, progress: Progress) -> NoReturn:
    """Load or model found errors: render what is valid all the same, writing nothing (no new
    folder, no index, the old build kept), so that the same build reports the broken links and
    template mistakes too; then raise BuildFailed with every problem, sorted. A part that
    cannot be rendered because of what is wrong is left unchecked: those errors say why."""
    from alagen.render import render_site

    errors = problems.errors
    pages = {*site.by_source, *site.hidden}
    invalid = frozenset(source for source in (*(d.source for d in sources.documents), *sources.unreadable) if source not in pages)
    progress.stage("render", total=len(site.pages))
    crash = None
    try:
        render_site(
            site, root, sources.assets, problems, cache, on_page=progress.advance,
            photo_cache=out.parent / CACHE_FOLDER, errors=errors, invalid=invalid,
        )
    except BuildFailed:
        pass  # its problems are among the others
    except Exception as err:  # a value reported as wrong, met where it could not be guarded
        crash = err
    failed = BuildFailed(problems.all())
    raise failed from crash


def check_out(root: Path, out: Path) -> None:
    """The output folder is replaced whole: never let it be the site or its sources."""
    resolved = out.resolve()
    if resolved == root or root.is_relative_to(resolved):
        raise OptionError(f"--out {out} would replace the site itself; choose a folder like build/")
    for folder in _SOURCE_FOLDERS:
        if resolved.is_relative_to(root / folder):
            raise OptionError(f"--out {out} is inside {folder}/, which would be replaced; choose a folder like build/")


def read_site(options: BuildOptions) -> Site:
    """Load and model the site without rendering or writing: the model `alagen check` traces
    a built page back to. Raises BuildFailed as build() does."""
    problems = Problems(strict=options.strict)
    return build_site(load(options.root.resolve(), problems), options.now, options.drafts, problems)
