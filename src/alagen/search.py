"""Stage 5, index: Pagefind builds the search index into the new site before it is published.

The `pagefind[bin]` wheel ships the binary, so nothing is downloaded at build time. Pages
opt in with `data-pagefind-body` (layouts put it on the main content of searchable pages
only), so menus, footers, listings and closed jobs stay out of the index.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess


class SearchFailed(Exception):
    """Pagefind is missing or failed; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Indexed:
    pages: int
    seconds: float


def index_site(folder: Path, while_running=None) -> Indexed:
    """Index the site in `folder` (its bundle goes to folder/pagefind/). `while_running()`
    is called once Pagefind has started (a test stops the build there)."""
    started = time.perf_counter()
    process = start_index(folder)
    if while_running is not None:
        try:
            while_running()
        except BaseException:
            _stop(process)
            raise
    pages = finish_index(process).pages
    return Indexed(pages, time.perf_counter() - started)


def _stop(process: subprocess.Popen) -> None:
    process.kill()
    process.communicate()


def start_index(folder: Path) -> subprocess.Popen:
    """Start Pagefind on `folder` without waiting, so `alagen serve` can stop it on Ctrl-C."""
    import subprocess  # loaded by a build that indexes, only

    try:
        return subprocess.Popen(
            [sys.executable, "-m", "pagefind", "--site", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # Pagefind writes UTF-8 whatever the locale (LC_ALL=C would decode it as ASCII)
            encoding="utf-8",
            errors="replace",
        )
    except OSError as err:
        raise SearchFailed(f"search indexing could not run ({err}); build with --no-search to skip it") from err


def finish_index(process: subprocess.Popen, timeout: float = 600) -> Indexed:
    """Wait for a Pagefind run from `start_index`; raise SearchFailed if it failed."""
    import subprocess

    started = time.perf_counter()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except BaseException as err:  # a timeout, Ctrl-C or SIGTERM: never leave Pagefind running
        _stop(process)
        if isinstance(err, subprocess.TimeoutExpired):
            raise SearchFailed(f"search indexing could not run ({err}); build with --no-search to skip it") from err
        raise
    if process.returncode != 0:
        detail = (stderr or stdout).strip().splitlines()[-3:]
        if "No module named pagefind" in stderr:
            raise SearchFailed("search indexing needs Pagefind: pip install 'pagefind[bin]' (or build with --no-search)")
        raise SearchFailed("search indexing failed: " + " / ".join(detail))
    match = re.search(r"Indexed (\d+) pages?", stdout)
    return Indexed(int(match.group(1)) if match else 0, time.perf_counter() - started)
