"""Stage 5, index: Pagefind builds the search index into the new site before it is published.

The `pagefind[bin]` wheel ships the binary, so nothing is downloaded at build time. Pages
opt in with `data-pagefind-body` (layouts put it on the main content of searchable pages
only), so menus, footers, listings and closed jobs stay out of the index.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


class SearchFailed(Exception):
    """Pagefind is missing or failed; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Indexed:
    pages: int
    seconds: float


def index_site(folder: Path) -> Indexed:
    """Index the site in `folder` (its bundle goes to folder/pagefind/)."""
    started = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", str(folder)],
            capture_output=True,
            text=True,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SearchFailed(f"search indexing could not run ({err}); build with --no-search to skip it") from err
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        if "No module named pagefind" in result.stderr:
            raise SearchFailed("search indexing needs Pagefind: pip install 'pagefind[bin]' (or build with --no-search)")
        raise SearchFailed("search indexing failed: " + " / ".join(detail))
    match = re.search(r"Indexed (\d+) pages?", result.stdout)
    return Indexed(int(match.group(1)) if match else 0, time.perf_counter() - started)
