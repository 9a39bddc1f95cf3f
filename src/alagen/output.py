"""What the render stage hands to the write stage: files to put under build/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the built site: bytes to write, or a source file to copy as it is."""

    path: str  # relative to build/, with '/' separators: "about/mission/index.html"
    data: bytes | None = None
    copy_from: Path | None = None
    staged: bool = False  # already written into the new site's folder by the render stage
