"""`alagen serve` under load: 200 clients at once, each asking again and again on a new
connection (as a browser's parallel fetches do), for 10 s per file.

    python bench/serve_load.py [--clients 200] [--seconds 10]

Serves a temporary copy of the demo site (content/, data/, layouts/), waits for its search
index, then hammers two static files (Pagefind's script and index entry) and a page in turn. Prints a
Markdown table of requests per second and the p50, p99 and slowest answer. The target
(issue #17) is no errors and p99 under 100 ms for static files on a 2-core machine; the
load generator shares the machine with the server.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from serving import Server, hammer  # noqa: E402 - the tests' helpers, after the path is set

PATHS = ("/pagefind/pagefind.js", "/pagefind/pagefind-entry.json", "/about/")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="serve-load-") as folder:
        site = Path(folder) / "site"
        for name in ("content", "data", "layouts"):
            shutil.copytree(REPO / name, site / name)
        server = Server(site, Path(folder) / "tmp")
        try:
            server.until(lambda: server.status()["search"] > 0, "the search index", 120)
            print(f"| file | requests/s | errors | p50 | p99 | slowest |\n|---|---:|---:|---:|---:|---:|")
            for path in PATHS:
                times, errors = hammer(server.port, path, args.clients, args.seconds)
                p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
                print(
                    f"| `{path}` | {len(times) / args.seconds:,.0f} | {len(errors)} | {p50 * 1e3:.0f} ms "
                    f"| {p99 * 1e3:.0f} ms | {times[-1] * 1e3:.0f} ms |",
                    flush=True,
                )
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
