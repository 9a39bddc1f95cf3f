"""One build at a time per output folder: `lock` takes `.alagen-cache/<out>.lock` beside the
output folder (an fcntl lock, msvcrt's on Windows) before write.py stages or removes anything,
and holds it to the end of the build (then removes it); a second build stops with a message,
or waits (`--wait`). Forked workers do not keep it: they close it as they start."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from alagen.filestats import CACHE_FOLDER


class OutputError(Exception):
    """The output folder cannot be built into now; the message says what to do (exit code 2)."""


class Busy(OutputError):
    """Another build holds the output folder's lock."""


try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
try:
    import msvcrt
except ImportError:
    msvcrt = None

_MSVCRT_AT = 1 << 30  # the byte msvcrt locks: beyond the pid written at the start
_held: set[int] = set()  # this process's lock file descriptors


def _close_in_child() -> None:
    """A forked worker does not hold the lock: a killed build's workers cannot keep it."""
    for fd in _held:
        try:
            os.close(fd)  # the parent's descriptor keeps the lock (flock: per open file)
        except OSError:
            pass
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


@dataclass(slots=True)
class Lock:
    path: Path
    fd: int | None  # None: this platform has no file locks (nothing is held)

    @property
    def held(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        """Remove the lock file, then unlock: a build that was waiting finds its file gone
        and locks a new one (see `lock`). A build leaves nothing beside the output folder
        that it did not need."""
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        _held.discard(fd)
        for remove in (lambda: os.unlink(self.path), lambda: os.rmdir(self.path.parent)):
            try:
                remove()  # the folder only when empty (a build that failed at once)
            except OSError:
                break
        if fcntl is None and msvcrt is not None:
            try:
                os.lseek(fd, _MSVCRT_AT, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            except OSError:
                pass
        os.close(fd)


def lock_path(out: Path) -> Path:
    return out.parent / CACHE_FOLDER / f"{out.name}.lock"


def lock(out: Path, shown: str, wait: bool = False, waiting: Callable[[str], None] | None = None) -> Lock:
    """Take the output folder's lock, before anything is staged or removed. Raises Busy when
    another build holds it, or, with `wait`, tells `waiting` once and waits for it."""
    path = lock_path(out)
    if fcntl is None and msvcrt is None:
        return Lock(path, None)
    told = False
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError:  # no cache folder yet, or another build just removed it
            path.parent.mkdir(parents=True, exist_ok=True)
            continue
        try:
            if not _try_lock(fd):
                holder = _holder(fd)
                if not wait:
                    raise Busy(
                        f"another alagen build{holder} is writing {shown}; wait for it to end, or build with --wait to wait for it"
                    )
                if waiting is not None and not told:
                    waiting(f"another alagen build{holder} is writing {shown}; waiting for it to end")
                    told = True
                _wait_lock(fd)
            if _same_file(fd, path):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the holder removed the file as it ended: lock the one there is now
    _held.add(fd)
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())
    except OSError:
        pass  # only for the message of a build that waits
    return Lock(path, fd)


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, _MSVCRT_AT, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except (BlockingIOError, PermissionError):
        return False
    except OSError as err:
        if err.errno in (errno.EACCES, errno.EAGAIN, errno.EDEADLK):
            return False
        raise
    return True


def _wait_lock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    import time

    while not _try_lock(fd):
        time.sleep(0.2)


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        pid = os.read(fd, 32).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


