"""Search while serving: Pagefind indexes a snapshot of the pages in the background, after
the new pages are already served, and its new index replaces the old one when done.

The snapshot is made of hard links (the build never rewrites a file in place: a clean build
writes a new folder and swaps it in, a rebuild with the cache renames a new file over each
changed one), so taking it costs the rebuild little, and Pagefind never reads
the served folder, which the next rebuild may replace at any moment. Only a change to a
searchable page runs Pagefind; changes that arrive while it runs are indexed together after.
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


def snapshot(site: Path, target: Path) -> None:
    """Every page of `site` at the same place under `target`, linked (or copied)."""
    for dirpath, _, filenames in os.walk(site):
        for name in filenames:
            if name.endswith(".html"):
                source = Path(dirpath, name)
                link = target / source.relative_to(site)
                link.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(source, link)
                except OSError:
                    shutil.copyfile(source, link)


def searchable_digest(folder: Path) -> bytes:
    """A digest of what Pagefind would index: the pages marked with data-pagefind-body, or
    every page when none is marked (Pagefind's own rule)."""
    pages = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".html"):
                path = Path(dirpath, name)
                pages.append((path.relative_to(folder).as_posix(), path.read_bytes()))
    marked = [page for page in pages if _BODY_MARK in page[1]]
    digest = hashlib.sha256()
    for path, data in marked or pages:
        digest.update(b"%d:%s\0%d:" % (len(path), path.encode(), len(data)) + data)
    return digest.digest()


class SearchIndex:
    """The Pagefind bundles served at /pagefind/, kept up to date in a thread."""

    def __init__(self, workdir: Path, log: Callable[[str], None]) -> None:
        self._workdir = workdir
        self._log = log
        self._lock = threading.Condition()
        self._pending: Path | None = None  # a snapshot waiting to be indexed
        self._process: subprocess.Popen | None = None
        self._stopping = False
        self._digest = b""  # of the snapshot indexed last
        self._snapshots = 0
        self.bundles: tuple[Path, ...] = ()  # newest first
        self.generation = 0  # indexes completed, for tests and the bench
        self.pages = 0
        self._thread = threading.Thread(target=self._work, name="alagen-search", daemon=True)
        self._thread.start()

    def refresh(self, site: Path) -> None:
        """Index `site` again if a searchable page changed. Call it right after a rebuild,
        before the next one replaces `site`; the work happens in the thread."""
        self._snapshots += 1
        pages = self._workdir / f"search-{self._snapshots}"
        snapshot(site, pages)
        with self._lock:
            if self._pending is not None:  # never indexed: a newer snapshot replaces it
                shutil.rmtree(self._pending, ignore_errors=True)
            self._pending = pages
            self._lock.notify_all()

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
                pages, self._pending = self._pending, None
            try:
                self._index(pages)
            except Exception as err:  # SearchFailed, or a bug: search must not stop the preview
                shutil.rmtree(pages, ignore_errors=True)
                self._digest = b""  # try again after the next rebuild
                if not self._stopping:
                    self._log(f"alagen: {err}; search shows the previous index")

    def _index(self, pages: Path) -> None:
        digest = searchable_digest(pages)
        if digest == self._digest:
            shutil.rmtree(pages, ignore_errors=True)
            return
        self._digest = digest
        with self._lock:
            if self._stopping:
                raise SearchFailed("stopped")
            self._process = start_index(pages)
        try:
            indexed = finish_index(self._process)
        finally:
            self._process = None
        for page in pages.iterdir():  # the pages were only Pagefind's input
            if page.name != "pagefind":
                shutil.rmtree(page) if page.is_dir() else page.unlink()
        with self._lock:
            bundles = (pages / "pagefind", *self.bundles)
            self.bundles, old = bundles[:KEPT_INDEXES], bundles[KEPT_INDEXES:]
            self.pages = indexed.pages
            self.generation += 1
        for bundle in old:
            shutil.rmtree(bundle.parent, ignore_errors=True)
        if self.generation == 1:
            self._log(f"Search is ready: {indexed.pages} pages indexed.")
