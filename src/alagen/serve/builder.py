"""The one way serve builds: the pipeline's build() into the server's own folder.

Serve has no build logic of its own: the pipeline's build cache (.alagen-cache/ beside the
server's folder, kept in memory between rebuilds) makes each rebuild redo only what the
change touched. The watcher's paths go with each build, so it looks at those files alone,
not at every file of the site.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from alagen.errors import BuildFailed, excerpt
from alagen.pipeline import BuildOptions, BuildReport, build
from alagen.write import OutputError


@dataclass(frozen=True, slots=True)
class Result:
    """What one build attempt gave: the report, or the problems as the terminal shows them."""

    report: BuildReport | None
    problems: tuple[str, ...]  # errors (and warnings) of a failed build, with excerpts
    warnings: tuple[str, ...]  # of a good build
    seconds: float
    changed: tuple[str, ...]
    errors: int = 0  # of a failed build

    @property
    def ok(self) -> bool:
        return self.report is not None


class Builder:
    """Builds the site at `root` into `out`; search indexing is left to the server."""

    def __init__(self, root: Path, out: Path, now: dt.date | dt.datetime | None, drafts: bool) -> None:
        self.root = root
        # wait: a rebuild takes the output folder's lock as every build does, and waits for it
        self.options = BuildOptions(root=root, out=out, now=now, drafts=drafts, search=False, wait=True)
        self.base_path = "/"
        self._pending: set[str] | None = None  # changed since the last good build; None: unknown

    def rebuild(self, changed: Iterable[str] = ()) -> Result:
        """Build the site again after `changed` (paths from the site root, as the watcher saw
        them). A failed build leaves the previous site in `out` as it was, and its changes
        count again in the next build."""
        changed = tuple(changed)
        if self._pending is not None:
            self._pending.update(changed)
        started = time.perf_counter()
        options = self.options
        if self._pending is not None:
            options = dataclasses.replace(options, changed=tuple(sorted(self._pending)))
        try:
            report = build(options)
        except BuildFailed as failed:
            problems = tuple(excerpt(problem, self.root) for problem in failed.problems)
            errors = sum(1 for problem in failed.problems if problem.severity == "error")
            return Result(None, problems, (), time.perf_counter() - started, changed, errors)
        except (KeyboardInterrupt, SystemExit):
            raise
        except OutputError as err:  # a full or read-only disk: the operator's to fix
            return Result(None, (f"alagen: {err}",), (), time.perf_counter() - started, changed, 1)
        except Exception as err:  # a bug in alagen: keep serving, and say so
            problem = f"alagen: internal error: {type(err).__name__}: {err} (a bug in alagen; please report it)"
            return Result(None, (problem,), (), time.perf_counter() - started, changed, 1)
        self._pending = set()  # the watcher runs from before the first build: it saw every change since
        self.base_path = report.base_path
        warnings = tuple(excerpt(problem, self.root) for problem in report.warnings)
        return Result(report, (), warnings, time.perf_counter() - started, changed)
