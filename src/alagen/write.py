"""Stage 4, write: outputs -> build/, atomically.

The site is written into a fresh folder beside build/ and swapped in only when every file is
written, so a failed or interrupted build leaves the previous build/ as it was, and a
visitor of a half-written site is impossible.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable

from alagen.output import Output


@dataclass(frozen=True, slots=True)
class Staged:
    """A complete new site beside the output folder, not yet published."""

    folder: Path  # the new site
    out: Path  # where it will be published
    files: int
    size: int  # bytes


def new_folder(out: Path) -> Path:
    """An empty folder beside `out` for the next site (render may write pages into it)."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    import tempfile  # a new folder: a whole build, which can afford it

    return Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))


def write_one(folder: Path, output: Output) -> None:
    """One output's bytes into the new folder (render's workers call this for pages)."""
    target = folder / _safe_relative(output.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(output.data or b"")


def stage(outputs: tuple[Output, ...], out: Path, keep: Iterable[str] = (), folder: Path | None = None) -> Staged:
    """Write every output into a new folder beside `out` (or into `folder`, from
    new_folder(), where outputs marked `staged` are already written); `publish` or
    `discard` it next. `keep`: files of the current `out` to carry over as they are (hard
    links, so their times stay and nothing is copied)."""
    out = out.absolute()
    folder = folder or new_folder(out)
    keep = tuple(keep)
    try:
        size = 0
        for path in keep:
            target = folder / _safe_relative(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(out / path, target)
            except OSError:  # a file system without hard links
                shutil.copy2(out / path, target)
            size += target.stat().st_size
        for output in outputs:
            if output.staged:
                size += len(output.data or b"")
                continue
            target = folder / _safe_relative(output.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            if output.copy_from is not None:
                shutil.copyfile(output.copy_from, target)
                size += target.stat().st_size
            else:
                target.write_bytes(output.data or b"")
                size += len(output.data or b"")
        folder.chmod(0o755)  # mkdtemp makes it private; a web server must read it
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Staged(folder, out, len(outputs) + len(keep), size)


def update(out: Path, writes: Iterable[Output], removes: Iterable[str], drop: Iterable[str] = ()) -> set[str]:
    """Change the output folder in place: write `writes` (each file whole, by renaming a
    finished temporary file over it), delete `removes` and the folders `drop`, and remove
    folders left empty. Returns the paths written. The build checked everything before, so
    only a disk error can stop this halfway, and then each file is either old or new."""
    written = set()
    for output in writes:
        target = out / _safe_relative(output.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.alagen-new")
        try:
            if output.copy_from is not None:
                shutil.copyfile(output.copy_from, temporary)
            else:
                temporary.write_bytes(output.data or b"")
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        written.add(output.path)
    folders = set()
    for path in removes:
        target = out / _safe_relative(path)
        target.unlink(missing_ok=True)
        folders.add(target.parent)
    for name in drop:
        shutil.rmtree(out / _safe_relative(name), ignore_errors=True)
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        while folder != out and folder.is_relative_to(out):
            try:
                folder.rmdir()  # only when empty
            except OSError:
                break
            folder = folder.parent
    return written


def publish(staged: Staged) -> None:
    """Swap the staged site in as the output folder."""
    try:
        _swap(staged.folder, staged.out)
    except BaseException:
        discard(staged)
        raise


def discard(staged: Staged) -> None:
    shutil.rmtree(staged.folder, ignore_errors=True)


def _safe_relative(path: str) -> PurePosixPath:
    """Refuse any output path that could leave the build folder (the model should have)."""
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or "\\" in path or not relative.parts:
        raise ValueError(f"refusing to write {path!r}: outside the build folder")
    return relative


def _swap(staging: Path, out: Path) -> None:
    old = None
    if out.exists() or out.is_symlink():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        if old is not None:
            os.rename(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(out: Path) -> None:
    """Folders left by a build that was killed mid-write."""
    for leftover in out.parent.glob(f".{out.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
