"""A rebuild after one page changed, in a process that built the site before: what
`alagen serve` does on each save. It builds with serve's own Builder, which passes the
changed file as the watcher would, into a folder of its own (as serve does); the build
cache is then in memory.

    python bench/warm.py SITE NOW ROUNDS    # prints one time in seconds per round
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

from alagen.serve.builder import Builder
from alagen.serve.session import _scratch_place


def main(site: Path, now: str, rounds: int) -> None:
    site = site.resolve()
    work = Path(tempfile.mkdtemp(prefix="alagen-warm-", dir=_scratch_place()))
    builder = Builder(site, work / "site", dt.date.fromisoformat(now), False)
    page = sorted((site / "content/posts").glob("*.md"))[3]
    original = page.read_text(encoding="utf-8")
    try:
        first = builder.rebuild()
        assert first.ok, first.problems
        for number in range(rounds):
            time.sleep(2.1)  # past the cache's 2 s rule for files saved just before a build
            page.write_text(original + f"\nEdited in round {number}.\n", encoding="utf-8")
            started = time.perf_counter()
            result = builder.rebuild((page.relative_to(site).as_posix(),))
            assert result.ok, result.problems
            print(f"{time.perf_counter() - started:.3f} {result.report.pages - result.report.kept}")
    finally:
        page.write_text(original, encoding="utf-8")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
