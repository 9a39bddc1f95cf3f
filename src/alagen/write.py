"""Stage 4, write: outputs -> build/, atomically.

The site is written into a fresh folder beside build/ and swapped in only when every file is
written, so a failed or interrupted build leaves the previous build/ as it was, and a
visitor of a half-written site is impossible.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from alagen.output import Output


@dataclass(frozen=True, slots=True)
class Staged:
    """A complete new site beside the output folder, not yet published."""

    folder: Path  # the new site
    out: Path  # where it will be published
    files: int
    size: int  # bytes


def stage(outputs: tuple[Output, ...], out: Path) -> Staged:
    """Write every output into a new folder beside `out`; `publish` or `discard` it next."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        size = 0
        for output in outputs:
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
    return Staged(folder, out, len(outputs), size)


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
