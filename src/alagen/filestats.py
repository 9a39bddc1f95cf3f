"""What the build cache knows of files without reading them: the stat of every source file,
and of every file and folder of the output.

A source file's stat (mtime, ctime, size, inode) changes when its bytes do. An output
file's stat says it is as the last build wrote it; an output folder's says that no file was
added to it or taken from it, so finding a stray file needs no walk of the whole output,
only of the folders whose stat changed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable, Mapping

from alagen.load import skipped

SOURCES = ("content", "data", "layouts")  # the folders load.py reads
SEARCH_FOLDER = "pagefind"  # the search index in the output: Pagefind's own, never compared
CACHE_FOLDER = ".alagen-cache"  # beside the output folder: the build cache, resized photos


def state_file(out: Path) -> Path:
    """The build cache's record for the output folder `out` (build/ -> .alagen-cache/build.state)."""
    return out.parent / CACHE_FOLDER / f"{out.name}.state"


def sig(path: Path | str) -> tuple | None:
    """What changes when a file's bytes change: (mtime_ns, ctime_ns, size, inode)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def out_sig(st: os.stat_result) -> tuple:
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def folder_sig(st: os.stat_result) -> tuple:
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def ignored(source: str) -> bool:
    """A file load.py does not read: hidden files and folders, editor backups and lock files
    under content/ and data/. Anything under layouts/ counts: a template may include any file."""
    if source.startswith("layouts/"):
        return False
    parts = source.split("/")
    return skipped(parts[-1]) or any(p.startswith(".") for p in parts[1:-1])


def sources(root: Path) -> dict[str, tuple | None]:
    """The stat of every source file: content/, data/ and layouts/."""
    found: dict[str, tuple | None] = {}
    for top in SOURCES:
        _walk(str(root / top), top + "/", found, top != "layouts")
    return found


def _walk(directory: str, prefix: str, found: dict, skip_hidden: bool) -> None:
    try:
        with os.scandir(directory) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if entry.is_dir(follow_symlinks=False):
            if not (skip_hidden and name.startswith(".")):
                _walk(entry.path, f"{prefix}{name}/", found, skip_hidden)
        elif skip_hidden and (skipped(name) or entry.is_dir()):
            continue  # as load.py: hidden files, backups, and linked folders (not entered)
        else:
            try:
                st = entry.stat()
                found[prefix + name] = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
            except OSError:
                found[prefix + name] = None


def sources_after(previous: Mapping[str, tuple | None], root: Path, changed: Iterable[str]) -> dict[str, tuple | None]:
    """The stat of every source file, from the last ones and the paths a watcher saw change
    (files or folders, added, changed or removed): only those are looked at again."""
    found = dict(previous)
    for path in changed:
        if path in SOURCES:
            return sources(root)  # a whole source folder came or went
        top = path.split("/", 1)[0]
        if top not in SOURCES:
            continue
        inside = path + "/"
        for known in [k for k in found if k.startswith(inside)]:
            del found[known]
        location = root / path
        if location.is_dir() and not location.is_symlink():
            if not ignored(path + "/x"):
                _walk(str(location), inside, found, top != "layouts")
        elif os.path.lexists(location) and not ignored(path):
            found[path] = sig(location)
        else:
            found.pop(path, None)
    return found


def outputs(out: Path, files: Iterable[str], folders: Mapping[str, tuple]) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """The stat of the output files a build wrote (those still there), and of the output
    folders; a folder whose stat changed is listed again, for files nobody wrote there."""
    found: dict[str, tuple] = {}
    base = str(out) + "/"
    stat = os.stat
    for path in files:
        try:
            st = stat(base + path)
        except OSError:
            continue
        found[path] = (st.st_mtime_ns, st.st_size, st.st_ino)
    now: dict[str, tuple] = {}
    for folder, old in folders.items():
        try:
            st = stat(base + folder if folder else str(out))
        except OSError:
            continue
        now[folder] = current = (st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        if current != old:
            _list(out, folder, found, now, folders)
    return found, now


def outputs_changed(out: Path, files: Mapping[str, tuple], folders: Mapping[str, tuple]) -> tuple[dict, dict]:
    """outputs(), as what differs from `files` and `folders` (the stats a build recorded):
    path -> stat now, or None for a file or folder gone. Small to send back from a worker."""
    found, now = outputs(out, files, folders)
    changed = {path: sig for path, sig in found.items() if files.get(path) != sig}
    changed.update((path, None) for path in files.keys() - found.keys())
    moved = {folder: sig for folder, sig in now.items() if folders.get(folder) != sig}
    moved.update((folder, None) for folder in folders.keys() - now.keys())
    return changed, moved


def _list(out: Path, folder: str, found: dict, now: dict, known: Mapping[str, tuple]) -> None:
    """Add the files of one output folder to `found`, and of its subfolders nobody made."""
    prefix = folder + "/" if folder else ""
    try:
        with os.scandir(out / folder if folder else out) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        path = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            if path == SEARCH_FOLDER or path in known:
                continue
            try:
                now[path] = folder_sig(entry.stat(follow_symlinks=False))
            except OSError:
                continue
            _list(out, path, found, now, known)
        elif path not in found:
            try:
                found[path] = out_sig(entry.stat(follow_symlinks=False))
            except OSError:
                pass


def restat(out: Path, paths: Iterable[str], found: dict[str, tuple], folders: dict[str, tuple]) -> None:
    """Take the stat again of files just written or removed, and of every folder above them."""
    touched = set()
    for path in paths:
        try:
            found[path] = out_sig(os.stat(out / path))
        except OSError:
            found.pop(path, None)
        parent = path.rpartition("/")[0]
        while parent not in touched:
            touched.add(parent)
            if not parent:
                break
            parent = parent.rpartition("/")[0]
    for folder in touched:
        try:
            folders[folder] = folder_sig(os.stat(out / folder if folder else out))
        except OSError:
            folders.pop(folder, None)


# ---------------------------------------------------------------------- looking ahead --

_ahead: dict[str, tuple] = {}  # record file -> (its stat then, the worker's result)


def look_ahead(out: Path) -> None:
    """Begin taking the stats of the outputs the last build recorded, in a worker process,
    while this one loads the rest of alagen (`alagen build`): a build with little to do
    spends much of its time on them. The build takes the result with `looked_ahead` if its
    cache's record is the one the worker read."""
    from alagen import parallel

    file = state_file(out)
    then = sig(file)
    if then is None:
        return

    def work() -> tuple | None:
        try:
            from alagen import state

            record, parts = state.read(file)
            state.read_stats(file, record, parts)
            recorded = {path: entry[1] for path, entry in record["outputs"].items()}
            return outputs_changed(out, recorded, record["folders"])
        except Exception:  # the build reads the record itself, and says what is wrong with it
            return None

    _ahead[str(file)] = (then, parallel.beside(work, True))


def looked_ahead(file: Path, now: tuple | None) -> Callable[[], tuple | None] | None:
    """The worker of `look_ahead` for this record, if it read the one there is now (`now`:
    its stat): call the result for the output files and folders changed, as
    `outputs_changed` tells (or None if the worker found nothing)."""
    found = _ahead.pop(str(file), None)
    if found is None:
        return None
    then, result = found
    if then != now:
        result()  # the worker is waited for, and its result dropped
        return None
    return result
