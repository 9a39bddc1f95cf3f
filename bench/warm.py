"""A rebuild after one page changed, in a process that built the site before: what
`alagen serve` does on each save (the build cache is then also in memory).

    python bench/warm.py SITE NOW ROUNDS    # prints one time in seconds per round
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from alagen.pipeline import BuildOptions, build


def main(site: Path, now: str, rounds: int) -> None:
    options = BuildOptions(root=site, now=dt.date.fromisoformat(now), search=False)
    build(options)
    page = sorted((site / "content/posts").glob("*.md"))[3]
    original = page.read_text(encoding="utf-8")
    try:
        for number in range(rounds):
            time.sleep(2.1)  # past the cache's 2 s rule for files saved just before a build
            page.write_text(original + f"\nEdited in round {number}.\n", encoding="utf-8")
            started = time.perf_counter()
            report = build(options)
            print(f"{time.perf_counter() - started:.3f} {report.pages - report.kept}")
    finally:
        page.write_text(original, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
