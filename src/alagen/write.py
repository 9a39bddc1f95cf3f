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
class Written:
    files: int
    size: int  # bytes


def write(outputs: tuple[Output, ...], out: Path) -> Written:
    """Write every output into a new folder and swap it in as `out`."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        size = 0
        for output in outputs:
            target = staging / _safe_relative(output.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            if output.copy_from is not None:
                shutil.copyfile(output.copy_from, target)
                size += target.stat().st_size
            else:
                target.write_bytes(output.data or b"")
                size += len(output.data or b"")
        staging.chmod(0o755)  # mkdtemp makes it private; a web server must read it
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Written(len(outputs), size)


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
