"""What `alagen build` shows while it works and when it is done.

A progress bar (tqdm) appears only when a build takes more than a moment, and only on a
terminal: never in CI logs, pipes or files, where a bar is noise. The summary table at the
end is plain text, the same everywhere.
"""

from __future__ import annotations

import os
import sys
import time
from itertools import zip_longest
from typing import Callable, Mapping, Protocol, TextIO

DELAY = 0.5  # seconds before a bar appears: quick builds print nothing but the summary


class Progress(Protocol):
    def stage(self, name: str, total: int | None = None) -> None: ...
    def advance(self, count: int = 1) -> None: ...
    def close(self) -> None: ...


class Silent:
    """No progress shown: tests, --quiet, and builds that are not on a terminal."""

    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def shows_progress(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """A bar belongs on an interactive terminal only, not in CI (which sets CI=true)."""
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
    return interactive and not environ.get("CI") and environ.get("TERM") != "dumb"


class Bar:
    """One line on `stream`: the stage, and for rendering a bar over the pages. Drawn only
    once the build has run for `delay` seconds."""

    def __init__(
        self,
        stream: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
        delay: float = DELAY,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._stream = stream or sys.stderr
        self._enabled = shows_progress(self._stream, os.environ if environ is None else environ)
        self._delay, self._clock, self._started = delay, clock, clock()
        self._bar = None
        self._name, self._total, self._done = "", None, 0

    def stage(self, name: str, total: int | None = None) -> None:
        self._name, self._total, self._done = name, total, 0
        if self._bar is not None:
            self._bar.total, self._bar.n, self._bar.last_print_n = total, 0, 0
            self._bar.bar_format = _format(total)
            self._bar.set_description_str(name)  # redraws
        else:
            self._show()

    def advance(self, count: int = 1) -> None:
        self._done += count
        if self._bar is not None:
            self._bar.update(count)  # tqdm redraws at most ten times a second
        else:
            self._show()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()  # leave=False: the line is cleared for the summary
            self._bar = None

    def _show(self) -> None:
        if not self._enabled or self._clock() - self._started < self._delay:
            return
        from tqdm import tqdm

        # No monitor thread: while another thread runs, the build renders in one process
        # instead of forking workers (parallel.py), so a bar would slow a large build down.
        tqdm.monitor_interval = 0
        self._bar = tqdm(
            total=self._total,
            initial=self._done,
            desc=self._name,
            file=self._stream,
            leave=False,
            dynamic_ncols=True,
            mininterval=0.1,
            bar_format=_format(self._total),
        )


def _format(total: int | None) -> str:
    """'render  62% |██████▎   | 120/192 pages', or 'index   0:02' for a stage without a count."""
    if total:
        return "{desc:<7} {percentage:3.0f}% |{bar}| {n_fmt}/{total_fmt} pages"
    return "{desc:<7} {elapsed}"


def summary_table(report, out: str) -> str:
    """The end of a build: what was built, and how long each stage took.

        Built build/ in 0.81 s: 272 files, 2,346 KiB

          192 pages             load      0.04 s
           57 events            model     0.02 s
    """
    total = sum(seconds for _, seconds in report.timings)
    counts = [(report.pages, "pages"), *((count, name) for name, count in report.records)]
    counts.append((report.data_files, "data files"))
    if report.indexed is not None:
        counts.append((report.indexed, "pages searchable"))
    if report.kept:  # the build cache's: pages neither read nor rendered again
        counts.append((report.kept, "pages unchanged"))
    counts.append((len(report.warnings), "warnings" if len(report.warnings) != 1 else "warning"))
    width = max(len(f"{n:,}") for n, _ in counts)
    left = [f"  {n:>{width},} {label:<18}" for n, label in counts]
    right = [f"{name:<7} {seconds:6.2f} s" for name, seconds in report.timings]
    rows = [(a or " " * len(left[0])) + (b or "") for a, b in zip_longest(left, right)]
    head = f"Built {out} in {total:.2f} s: {report.files:,} files, {report.size / 1024:,.0f} KiB"
    return "\n".join([head, "", *(row.rstrip() for row in rows)])
