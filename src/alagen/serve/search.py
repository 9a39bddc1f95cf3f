"""Search while serving: Pagefind indexes a copy of the searchable pages in the background,
after the new pages are already served, and its new index replaces the old one when done.

Only a change to a searchable page starts indexing; changes that arrive while Pagefind runs
are indexed together afterwards. The copy keeps Pagefind away from the served folder, which
the next rebuild may replace at any moment.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Callable

from alagen.search import SearchFailed, finish_index, start_index

_BODY_MARK = b"data-pagefind-body"
# A tab that loaded Pagefind before an index was replaced still asks for that index's files
# (their names carry a hash): keep a few older indexes to answer it.
KEPT_INDEXES = 3


def searchable_pages(site: Path) -> list[tuple[str, bytes]]:
    """(path, bytes) of the pages Pagefind would index: those marked with data-pagefind-body,
    or every page when none is marked (Pagefind's own rule)."""
    pages = []
    for dirpath, dirnames, filenames in os.walk(site):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".html"):
                path = Path(dirpath, name)
                pages.append((path.relative_to(site).as_posix(), path.read_bytes()))
    marked = [page for page in pages if _BODY_MARK in page[1]]
    return marked or pages


class SearchIndex:
    """The Pagefind bundle being served at /pagefind/, kept up to date in a thread."""

    def __init__(self, workdir: Path, log: Callable[[str], None]) -> None:
        self._workdir = workdir
        self._log = log
        self._lock = threading.Condition()
        self._pending: Path | None = None  # a copy of the pages waiting to be indexed
        self._process: subprocess.Popen | None = None
        self._stopping = False
        self._digest = b""
        self._copies = 0
        self.bundles: tuple[Path, ...] = ()  # served at /pagefind/, newest first
        self.generation = 0  # indexes completed, for tests and the bench
        self.pages = 0
        self._thread = threading.Thread(target=self._work, name="alagen-search", daemon=True)
        self._thread.start()

    def refresh(self, site: Path) -> bool:
        """Queue indexing if a searchable page of `site` changed; call it right after a
        rebuild, before the next one replaces `site`. True if indexing was queued."""
        pages = searchable_pages(site)
        digest = hashlib.sha256()
        for path, data in pages:
            digest.update(b"%d:%s\0%d:" % (len(path), path.encode(), len(data)) + data)
        if digest.digest() == self._digest:
            return False
        self._digest = digest.digest()
        self._copies += 1
        copy = self._workdir / f"search-{self._copies}"
        for path, data in pages:
            target = copy / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        with self._lock:
            if self._pending is not None:  # never indexed: a newer copy replaces it
                shutil.rmtree(self._pending, ignore_errors=True)
            self._pending = copy
            self._lock.notify_all()
        return True

    def stop(self) -> None:
        """Stop Pagefind if it is running and wait for the thread."""
        with self._lock:
            self._stopping = True
            if self._process is not None and self._process.poll() is None:
                self._process.terminate()
            self._lock.notify_all()
        self._thread.join(timeout=10)

    def _work(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._pending is not None or self._stopping)
                if self._stopping:
                    return
                copy, self._pending = self._pending, None
                try:
                    self._process = start_index(copy)
                except SearchFailed as err:
                    self._failed(err, copy)
                    continue
            try:
                indexed = finish_index(self._process)
            except Exception as err:  # SearchFailed, or a bug: search must not stop the preview
                if not self._stopping:
                    self._failed(err, copy)
                continue
            finally:
                self._process = None
            for page in copy.iterdir():  # the pages were only Pagefind's input
                if page.name != "pagefind":
                    shutil.rmtree(page) if page.is_dir() else page.unlink()
            with self._lock:
                bundles = (copy / "pagefind", *self.bundles)
                self.bundles, old = bundles[:KEPT_INDEXES], bundles[KEPT_INDEXES:]
                self.pages = indexed.pages
                self.generation += 1
            for bundle in old:
                shutil.rmtree(bundle.parent, ignore_errors=True)
            if self.generation == 1:
                self._log(f"Search is ready: {indexed.pages} pages indexed.")

    def _failed(self, err: Exception, copy: Path) -> None:
        shutil.rmtree(copy, ignore_errors=True)
        self._digest = b""  # try again after the next rebuild
        self._log(f"alagen: {err}; search shows the previous index")
