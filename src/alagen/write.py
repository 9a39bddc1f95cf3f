"""Stage 4, write: outputs -> build/, atomically, one build at a time.

- **One build at a time.** `lock` (lock.py) is taken before anything is staged or removed.
  Holding it proves that every staging folder beside the output belongs to a build that is
  gone, so `clear_leftovers` removes them.
- **Ours to replace.** Every output folder holds `.alagen-build` (`MARK`). `claim` refuses a
  folder without it that is not empty, unless it is forced (`--force-out`) or the build
  cache beside it recorded a build of it (a folder built before marks existed).
- **Atomic publication.** The new site is always a whole folder beside the output, swapped
  in with one `renameat2(RENAME_EXCHANGE)` (Linux) or `renamex_np(RENAME_SWAP)` (macOS), so
  there is no moment without the output folder and a `kill -9` at any point leaves the old
  site or the new one, never a mix. Where the platform or the file system cannot exchange,
  two renames do it (and a build stopped between them is undone by the next one).
  A clean build writes every file into a new folder (`stage`). An incremental build
  (`update`) starts from a copy of the output folder and changes only what changed: the
  copy is the *spare*, `.alagen-cache/<out>.spare/`, the folder swapped out by the last
  build, made equal to the output folder again by redoing the last build's changes (its
  record says which), so an update costs what changed, not the size of the site. Without a
  usable spare, the copy is made of hard links. Files are never written into: a changed
  file is a new file, so a link shared with the published folder keeps the published bytes.
- **Operator errors.** A full disk, a read-only file system or a missing permission while
  writing is `CannotWrite`, with what to do; the output folder is left as it was.
"""

from __future__ import annotations

import errno
import marshal
import os
import re
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable

from alagen import lock as _lock
from alagen.filestats import CACHE_FOLDER
from alagen.lock import Busy, Lock, OutputError, lock_path  # noqa: F401  (the stage's own names)
from alagen.output import Output

MARK = ".alagen-build"  # in every output folder alagen makes; a dot-file: Netlify and Pagefind leave it out
MARK_TEXT = b"This folder was made by alagen (alagen build). Every build replaces all of it: keep nothing else here.\n"
_SPARE_RECORD = ".alagen-spare"  # in the spare only: what the last build changed
_SPARE_VERSION = 1
_SOURCES = ("content", "data", "layouts")
_WRITING = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}  # errors only writing can meet
_LINK_FAILURES = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}


class NotOurs(OutputError):
    """The output folder holds files alagen did not make."""


class CannotWrite(OutputError):
    """The disk is full, read-only or not ours to write; the output folder was left as it was."""


@dataclass(frozen=True, slots=True)
class Staged:
    """A complete new site beside the output folder, not yet published."""

    folder: Path  # the new site
    out: Path  # where it will be published
    files: int
    size: int  # bytes
    # From `update`: what differs from the output folder (written, removed, folders replaced
    # whole); it becomes the record of the spare. None: a new folder, unrelated to the old one.
    changes: dict | None = None
    linked: bool = False  # from `update`: every other file is a hard link of the output folder's (same stat)
    # From `update`: the stats of this folder's folders (filestats.folder_sig) that are still
    # as the spare's record gives them, so they need not be taken again once it is published.
    folders: dict | None = None


def mark() -> Output:
    """The output that marks a folder as alagen's."""
    return Output(MARK, data=MARK_TEXT)


def lock(out: Path, shown: str, wait: bool = False, waiting: Callable[[str], None] | None = None) -> Lock:
    """The output folder's lock (lock.py), taken at the start of a build: the tests' pause
    and failure points are read then too."""
    _begin_points()
    return _lock.lock(out, shown, wait, waiting)


# ---------------------------------------------------------------- leftovers and the mark --

_OWNER = re.compile(r"\.(?:new|old)-(\d+)(?:-|$)")


def clear_leftovers(out: Path, held: Lock) -> None:
    """Remove the folders beside `out` left by builds that were killed (their owners are
    gone: this build holds the lock). A swap without exchange stopped between its two
    renames left no `out` but the old site beside it: that is put back first."""
    parent, prefix = out.parent, f".{out.name}."
    try:
        names = [n for n in os.listdir(parent) if n.startswith((prefix + "new-", prefix + "old-"))]
    except FileNotFoundError:
        return
    if not held.held:  # no file locks here: only folders whose process has ended
        names = [n for n in names if not _alive(n)]
    olds = [n for n in names if n.startswith(prefix + "old-")]
    if olds and not os.path.lexists(out):
        newest = max(olds, key=lambda n: _mtime(parent / n))
        os.rename(parent / newest, out)
        names.remove(newest)
    for name in names:
        _remove(parent / name)


def _alive(name: str) -> bool:
    found = _OWNER.search(name)
    if found is None or os.name != "posix":
        return True  # cannot tell: keep it
    try:
        os.kill(int(found.group(1)), 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass
    return True


def _mtime(path: Path) -> int:
    try:
        return os.lstat(path).st_mtime_ns
    except OSError:
        return 0


def claim(out: Path, shown: str, force: bool = False) -> None:
    """Refuse to replace a folder alagen did not make: one that is not empty and has no
    MARK, unless `force`, or unless the build cache beside it has a record of building it
    (a folder built before alagen marked its folders)."""
    if force:
        return
    try:
        st = os.stat(out)
    except FileNotFoundError:
        return
    again = "so it was left as it was. Choose another folder with --out, or build with --force-out to replace it"
    if not stat.S_ISDIR(st.st_mode):
        raise NotOurs(f"{shown.rstrip('/')} is a file, not a folder alagen made; a build would replace it, {again}")
    if os.path.isfile(out / MARK):
        return
    with os.scandir(out) as entries:
        if next(entries, None) is None:
            return
    if os.path.isfile(out.parent / CACHE_FOLDER / f"{out.name}.state"):
        return
    raise NotOurs(
        f"{shown} was not made by alagen (it is not empty and has no {MARK} file); "
        f"a build would replace everything in it, {again}"
    )


# ---------------------------------------------------------------------------- staging --


def new_folder(out: Path) -> Path:
    """An empty folder beside `out` for the next site (render may write pages into it). Its
    name carries this process's id."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # a new folder: a whole build, which can afford it

    folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))
    folder.chmod(0o755)  # mkdtemp makes it private; a web server must read it
    return folder


def write_one(folder: Path, output: Output) -> None:
    """One output's bytes into the new folder (render's workers call this for pages)."""
    target = folder / _safe_relative(output.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _put(target, output, fresh=True)


def stage(outputs: tuple[Output, ...], out: Path, keep: Iterable[str] = (), folder: Path | None = None) -> Staged:
    """Write every output into a new folder beside `out` (or into `folder`, from
    new_folder(), where outputs marked `staged` are already written); `publish` or
    `discard` it next. `keep`: files of the current `out` to carry over as they are (hard
    links, so their times stay and nothing is copied). The folder gets its MARK."""
    out = out.absolute()
    folder = folder or new_folder(out)
    keep = tuple(keep)
    if not any(o.path == MARK for o in outputs):
        outputs = (*outputs, mark())
    try:
        size = 0
        for path in keep:
            target = folder / _safe_relative(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            _link(out / path, target)
            size += target.stat().st_size
        for output in outputs:
            if output.staged:
                size += len(output.data or b"")
                continue
            target = folder / _safe_relative(output.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            size += _put(target, output, fresh=True)
        reached("staged")
    except BaseException:
        _remove(folder)
        raise
    return Staged(folder, out, len(outputs) + len(keep), size)


def update(out: Path, writes: Iterable[Output], removes: Iterable[str], drop: Iterable[str] = ()) -> Staged:
    """The output folder with these changes, as a new folder to publish: write `writes`,
    delete `removes` and the folders `drop`, and remove folders left empty. It starts from
    the spare made equal to `out` (or from hard links of every file of `out`), so `out`
    itself is not touched until `publish` swaps the two."""
    out = out.absolute()
    writes, removes, drop = tuple(writes), tuple(removes), tuple(drop)
    global _copied
    _copied = False
    taken = _take_spare(out)
    folder, known = taken or (_link_copy(out), {})
    try:
        reached("synced")
        emptied: set[Path] = set()
        for path in removes:
            target = folder / _safe_relative(path)
            _unlink(target)
            emptied.add(target.parent)
        for name in drop:
            _remove(folder / _safe_relative(name))
        _prune(folder, emptied)
        size = 0
        for output in writes:
            target = folder / _safe_relative(output.path)
            _make_parents(folder, target)
            size += _put(target, output)
        reached("staged")
    except BaseException:
        _remove(folder)
        raise
    changes = {"written": [o.path for o in writes], "removed": list(removes), "replaced": list(drop), "linked": not _copied}
    return Staged(folder, out, len(writes), size, changes, linked=not _copied, folders=_untouched(known, changes))


def publish(staged: Staged, spare: bool = False, folders: dict | None = None) -> None:
    """Swap the staged site in as the output folder. With `spare`, the folder swapped out is
    kept as the next update's spare (a new site: a copy of it made of hard links).
    `folders`: the stats of the output folder's folders now (the build cache's), which the
    spare keeps."""
    out = staged.out
    try:
        old = _swap(staged.folder, out)
    except BaseException:
        discard(staged)
        raise
    reached("swapped")
    # Published: what follows only saves the next build work, and cannot fail this one.
    try:
        if spare and old is not None and staged.changes is not None and _is_folder(old):
            _keep_spare(old, out, staged.changes, folders or {})
        else:
            if spare:
                _renew_spare(out)
            else:
                _remove(_spare_path(out))  # it was the copy of a folder that is gone now
            if old is not None:
                _remove(old)
        reached("kept")
    except OSError:  # a full disk, say: no spare (the next update makes its copy of hard links)
        if old is not None:
            _remove(old)
        _remove(_spare_path(out))


def discard(staged: Staged) -> None:
    _remove(staged.folder)


# ------------------------------------------------------------------------------ files --


def _safe_relative(path: str) -> PurePosixPath:
    """Refuse any output path that could leave the build folder (the model should have)."""
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or "\\" in path or not relative.parts:
        raise ValueError(f"refusing to write {path!r}: outside the build folder")
    return relative


def _put(target: Path, output: Output, fresh: bool = False) -> int:
    """Write one output as a new file (never into an existing one, which may be a link
    shared with the published folder); return its size."""
    reached("file", target)
    if not fresh:
        _unlink(target)
    if output.copy_from is not None:
        try:
            shutil.copyfile(output.copy_from, target)
        except OSError as err:
            if err.errno in _WRITING and err.filename != str(target):  # the copy's error, named by its source
                raise OSError(err.errno, err.strerror, str(target)) from err
            raise
        return target.stat().st_size
    data = output.data or b""
    with open(target, "wb" if fresh else "xb") as file:  # "xb": a new file, or an error
        file.write(data)
    return len(data)


_copied = False  # a file was copied where it could not be linked


def _link(source: Path | str, target: Path | str) -> None:
    reached("file", target)
    try:
        os.link(source, target)
    except OSError as err:
        if err.errno not in _LINK_FAILURES:
            raise
        global _copied
        _copied = True
        shutil.copy2(source, target)  # a file system without hard links


def _unlink(target: Path) -> None:
    try:
        os.unlink(target)
    except FileNotFoundError:
        pass
    except (IsADirectoryError, PermissionError):
        if not target.is_dir() or target.is_symlink():
            raise
        shutil.rmtree(target)  # a folder where a file goes now


def _make_parents(folder: Path, target: Path) -> None:
    """The folders above `target`, as in a new folder (a file where one goes is removed)."""
    parent = target.parent
    if parent.is_dir():
        return
    place = folder
    for part in parent.relative_to(folder).parts:
        place = place / part
        if not place.is_dir():
            _unlink(place)
            place.mkdir()


def _prune(folder: Path, emptied: Iterable[Path]) -> None:
    """Remove the folders left empty, and their parents when they are empty too."""
    for place in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while place != folder and place.is_relative_to(folder):
            try:
                place.rmdir()  # only when empty
            except OSError:
                break
            place = place.parent


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _remove(path: Path) -> None:
    """Remove a folder, a file or a link, as far as it can be removed."""
    if path.is_symlink() or path.is_file():
        try:
            path.unlink()
        except OSError:
            pass
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def _link_tree(source: Path, target: Path) -> None:
    """Every file of `source` at the same place under `target` (which exists), as hard links."""
    base = str(source)
    for dirpath, dirnames, filenames in os.walk(base):
        inside = os.path.relpath(dirpath, base)
        place = str(target) if inside == "." else os.path.join(target, inside)
        if inside != ".":
            try:
                os.mkdir(place)
            except FileExistsError:  # a spare's folder, kept (_renew_spare)
                pass
        for name in filenames:
            _link(os.path.join(dirpath, name), os.path.join(place, name))


def _link_copy(out: Path) -> Path:
    """A new folder holding every file of `out`, as hard links."""
    folder = new_folder(out)
    try:
        if out.is_dir():
            _link_tree(out, folder)
    except BaseException:
        _remove(folder)
        raise
    return folder


# ------------------------------------------------------------------------------ spare --


def _spare_path(out: Path) -> Path:
    """Beside the build cache (the same file system as `out`, as a rename needs)."""
    return out.parent / CACHE_FOLDER / f"{out.name}.spare"


def _out_id(out: Path) -> list[int]:
    """Which folder `out` is, and that nothing was added to it or taken from it since."""
    st = os.stat(out)
    return [st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]


_LISTS = ("written", "removed", "replaced")


def _take_spare(out: Path) -> tuple[Path, dict] | None:
    """The spare, renamed to a staging folder of this build and made equal to `out`, with the
    stats of its folders as its record gives them; None if there is none that fits `out`
    (then it is removed)."""
    spare = _spare_path(out)
    if not os.path.lexists(spare):
        return None
    try:
        record = marshal.loads((spare / _SPARE_RECORD).read_bytes())
        fits = (
            _is_folder(spare)
            and record.get("version") == _SPARE_VERSION
            and record.get("out") == _out_id(out)
            and isinstance(record.get("folders"), dict)
            and all(isinstance(p, str) and _safe_relative(p) for k in _LISTS for p in record[k])
        )
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
        fits = False
    if not fits:  # another build replaced `out` since, or the spare is damaged
        _remove(spare)
        return None
    if not record.get("linked", True):
        global _copied
        _copied = True  # some of its files are copies: their stats are not the output folder's
    folder = out.with_name(f".{out.name}.new-{os.getpid()}-{os.urandom(4).hex()}")
    try:
        os.rename(spare, folder)
    except OSError:  # .alagen-cache on another file system (a link): no spare, then
        _remove(spare)
        return None
    try:
        os.unlink(folder / _SPARE_RECORD)  # never published; and this folder is no spare any more
        _redo(folder, out, record)
    except BaseException:
        _remove(folder)
        raise
    return folder, _untouched(record["folders"], record)


def _untouched(folders: dict, changes: dict) -> dict:
    """The stats of folders no file was written to or removed from, nor any folder below them
    (their stats may have changed), but for the top folder, which was renamed."""
    touched = {""}
    for key in _LISTS:
        for path in changes[key]:
            while path:
                path = path.rpartition("/")[0]
                if path in touched:
                    break
                touched.add(path)
    replaced = tuple(name + "/" for name in changes["replaced"])
    return {k: v for k, v in folders.items() if k not in touched and not (replaced and k.startswith(replaced))}


def _redo(folder: Path, out: Path, record: dict) -> None:
    """Make the spare equal to `out`: the last build's changes, linked from `out`."""
    emptied = set()
    for path in record["removed"]:
        target = folder / path
        _unlink(target)
        emptied.add(target.parent)
    for name in record["replaced"]:
        _remove(folder / name)
    _prune(folder, emptied)
    for name in record["replaced"]:
        if _is_folder(out / name):
            _make_parents(folder, folder / name / "x")
            _link_tree(out / name, folder / name)
    for path in record["written"]:
        source, target = out / path, folder / path
        _unlink(target)
        if not os.path.lexists(source):
            continue  # removed from `out` since: the build finds it missing and makes it again
        _make_parents(folder, target)
        _link(source, target)


def _keep_spare(old: Path, out: Path, changes: dict, folders: dict) -> None:
    """The folder swapped out becomes the spare, with the record of what this build changed,
    and of the stats of its folders (as the build cache saw them when it was published)."""
    record = {"version": _SPARE_VERSION, "out": _out_id(out), **changes, "folders": folders}
    (old / _SPARE_RECORD).write_bytes(marshal.dumps(record))
    spare = _spare_path(out)
    _remove(spare)
    spare.parent.mkdir(exist_ok=True)
    os.rename(old, spare)


def _renew_spare(out: Path) -> None:
    """A spare for a new site: hard links of every file (the next update then costs only
    what it changes), in the folders of the last spare where it has them (making and
    removing thousands of folders is most of the time on some disks)."""
    global _copied
    _copied = False
    spare = _spare_path(out)
    if _is_folder(spare):
        folder = out.with_name(f".{out.name}.new-{os.getpid()}-{os.urandom(4).hex()}")
        os.rename(spare, folder)
        try:
            _empty(folder, out)
            _link_tree(out, folder)
        except BaseException:
            _remove(folder)
            raise
    else:
        _remove(spare)
        folder = _link_copy(out)
    try:
        _keep_spare(folder, out, {"written": [], "removed": [], "replaced": [], "linked": not _copied}, {})
    except BaseException:
        _remove(folder)
        raise


def _empty(folder: Path, out: Path) -> None:
    """Remove every file of `folder`, and the folders `out` does not have."""
    base = str(folder)
    for dirpath, dirnames, filenames in os.walk(base):
        inside = os.path.relpath(dirpath, base)
        for name in filenames:
            os.unlink(os.path.join(dirpath, name))
        for name in list(dirnames):
            mine = os.path.join(dirpath, name)
            if not _is_folder(out / inside / name) or os.path.islink(mine):
                _remove(Path(mine))
                dirnames.remove(name)


# -------------------------------------------------------------------------- the swap --


def _swap(staging: Path, out: Path) -> Path | None:
    """Put `staging` in place of `out`; return where the old `out` is now (None: there was none)."""
    reached("swap")
    if not os.path.lexists(out):
        os.rename(staging, out)
        return None
    if _exchange(staging, out):
        return staging  # one step: `out` is the old site, then the new one
    old = out.with_name(f".{out.name}.old-{os.getpid()}-{os.urandom(4).hex()}")
    os.rename(out, old)
    try:
        reached("between")
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    return old


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names in one step; False where the platform or file system cannot."""
    call = _exchanger()
    if call is None:
        return False
    import ctypes

    try:
        reached("exchange")  # ALAGEN_TEST_FAIL_AT=exchange=ENOSYS: as on a file system without it
        if call(os.fsencode(a), os.fsencode(b)) == 0:
            return True
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(b))
    except OSError as err:
        if err.errno in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            return False
        raise


_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS stdio.h
_AT_FDCWD = -100
_SYS_RENAMEAT2 = {"x86_64": 316, "amd64": 316, "aarch64": 276, "arm64": 276, "riscv64": 276, "i686": 353, "i386": 353,
                  "armv7l": 382, "ppc64le": 357, "ppc64": 357, "s390x": 347}
_exchange_call: list = []


def _exchanger() -> Callable[[bytes, bytes], int] | None:
    if _exchange_call:
        return _exchange_call[0]
    call = None
    try:
        import ctypes

        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            function = getattr(libc, "renameat2", None)  # glibc 2.28 and later
            if function is not None:
                function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
                function.restype = ctypes.c_int
                call = lambda a, b: function(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE)  # noqa: E731
            else:
                import platform

                number = _SYS_RENAMEAT2.get(platform.machine())
                if number is not None:
                    syscall = libc.syscall
                    syscall.restype = ctypes.c_long
                    call = lambda a, b: syscall(  # noqa: E731
                        ctypes.c_long(number), ctypes.c_int(_AT_FDCWD), ctypes.c_char_p(a), ctypes.c_int(_AT_FDCWD),
                        ctypes.c_char_p(b), ctypes.c_uint(_RENAME_EXCHANGE),
                    )
        elif sys.platform == "darwin":
            libc = ctypes.CDLL(None, use_errno=True)
            function = getattr(libc, "renamex_np", None)  # macOS 10.12 and later
            if function is not None:
                function.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint)
                function.restype = ctypes.c_int
                call = lambda a, b: function(a, b, _RENAME_SWAP)  # noqa: E731
    except (OSError, AttributeError, ImportError):
        call = None
    _exchange_call.append(call)
    return call


# --------------------------------------------------------------------- operator errors --

_ADVICE = {
    errno.ENOSPC: "free some space and build again",
    errno.EDQUOT: "free some space (the disk quota is used up) and build again",
    errno.EFBIG: "free some space and build again",
    errno.EROFS: "make it writable, or build into another folder with --out",
    errno.EACCES: "make it writable for this user, or build into another folder with --out",
    errno.EPERM: "make it writable for this user, or build into another folder with --out",
    errno.EIO: "check the disk and build again",
}


def cannot_write(err: OSError, out: Path, shown: str, root: Path) -> CannotWrite | None:
    """What an operator must fix, for an error of the disk while building; None for others."""
    advice = _ADVICE.get(err.errno)
    if advice is None:
        return None
    verb, where = "write", shown
    if err.filename:
        path = Path(os.fsdecode(err.filename)).absolute()
        try:
            first = path.relative_to(out.parent).parts[0]
        except (ValueError, IndexError):
            first = ""
        if first != out.name and not first.startswith(f".{out.name}."):  # not the output or a staging folder
            where = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
            if where.split("/")[0] in _SOURCES and err.errno not in _WRITING:
                verb, advice = "read", "make it readable for this user and build again"
    reason = err.strerror or os.strerror(err.errno)
    return CannotWrite(f"cannot {verb} {where} ({reason}); {advice}; {shown} was left as it was")


# -------------------------------------------------------------------- for tests only --


class _Points:
    """Places in the write where a test stops the build (ALAGEN_TEST_PAUSE_AT=NAME: it says
    so on stderr, then waits for a line on stdin) or makes it fail (ALAGEN_TEST_FAIL_AT=
    NAME=ENOSPC raises that OSError). NAME: locked, file:N (the Nth file written or linked),
    synced, staged, swap, exchange, between, swapped, kept, published."""

    def __init__(self, pause: str | None, fail: str | None):
        self.pause = pause
        self.fail, _, code = (fail or "").partition("=")
        self.code = getattr(errno, code, errno.EIO)
        self.files = 0

    def reached(self, name: str, path=None) -> None:
        if name == "file":
            self.files += 1
            name = f"file:{self.files}"
        if name == self.fail:
            raise OSError(self.code, os.strerror(self.code), None if path is None else str(path))
        if name == self.pause:
            print(f"alagen-test: paused at {name}", file=sys.stderr, flush=True)
            sys.stdin.readline()


_points: _Points | None = None


def _begin_points() -> None:
    global _points
    pause, fail = os.environ.get("ALAGEN_TEST_PAUSE_AT"), os.environ.get("ALAGEN_TEST_FAIL_AT")
    _points = _Points(pause, fail) if pause or fail else None


def reached(name: str, path=None) -> None:
    if _points is not None:
        _points.reached(name, path)
